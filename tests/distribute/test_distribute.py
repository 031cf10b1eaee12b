"""`kedro distribute` on a real Dask LocalCluster of this machine: the members ran in worker
processes, at the same time, in the client's environment with the numbers an in-process run
gives; a worker killed mid-member; a failing member; seed repeats; members that already have
outputs are not run again. The refusals that need no member to run are checked in this process
(click's runner). Users run it in the default environment: so do the sweep, the repeats and the
reuse here, with small settings as --params (and in conf/local, which travels to the members)."""

import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from deepgen.cli import cli
from deepgen.distribute.members import members_of
from deepgen.distribute.scratch import Configuration
from tests.conftest import (
    INVOCATIONS,
    KEDRO,
    Invocation,
    default_run_settings,
    kedro_command,
    make_project_copy,
    merged,
    params_argument,
    run_in_process,
    smoke_parameters,
    subprocess_env,
)
from tests.wandb_reader import all_offline_runs

TIMING = ("seconds", "images_per_second", "sample_quality_seconds", "phases")


def _distribute(project, *args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return kedro_command(project, "distribute", *args, env=env, timeout=timeout)


def _distribute_here(project, monkeypatch, *args: str):
    """``kedro distribute <args>`` through click's runner, in this process, in ``project``."""
    INVOCATIONS.append(Invocation.parse("distribute", args))
    monkeypatch.chdir(project)
    return CliRunner().invoke(cli, ["distribute", *args], catch_exceptions=False)


def _small(*blocks: str, **changes: dict) -> str:
    """``--params`` with conf/smoke's settings of ``blocks`` (and the data block), ``changes`` over them."""
    settings = {key: value for key, value in smoke_parameters().items() if key in {"data", *blocks}}
    return f"--params={params_argument(merged(settings, changes))}"


def _records(project) -> dict:
    (summary,) = (project / "data/08_reporting/distribute").glob("*.json")
    return json.loads(summary.read_text())


def _without_timing(path) -> dict:
    """A report's entries but its timing, by their path in it (``training.final_losses.loss``)."""
    report = json.loads(path.read_text())
    for key in TIMING:
        report["training"].pop(key, None)
    return _flat(report)


def _differences(report: dict, other: dict) -> list[str]:
    """The entries of two flat reports that differ: in presence, or in value (numbers up to
    float32's last digit: a loss summed in another order on a busy machine)."""

    def same(a, b) -> bool:
        if isinstance(a, float) and isinstance(b, float):
            return math.isclose(a, b, rel_tol=1e-6)
        return a == b

    return sorted(key for key in report.keys() | other.keys() if not same(report.get(key, ...), other.get(key, ...)))


def _flat(value, prefix: str = "") -> dict:
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        return {k: v for key, inner in items for k, v in _flat(inner, f"{prefix}{key}.").items()}
    return {prefix.rstrip("."): value}


def test_the_members_are_the_sweep_instances_or_the_families_times_the_seeds():
    members, report = members_of("latent_sweep", 42, 1)
    assert report == "latent_sweep.report" and "latent_sweep.vae_10" in {m.pipeline for m in members}
    assert members_of("ae,dcgan", 7, 1)[1] == "comparison"
    assert members_of("latent_sweep", 7, 2)[1] == "repeats.latent_sweep"
    members, report = members_of("ae,dcgan", 7, 3)
    assert report == "repeats.comparison"
    assert [(m.pipeline, m.seed) for m in members] == [
        ("ae", 7),
        ("dcgan", 7),
        ("ae", 8),
        ("dcgan", 8),
        ("ae", 9),
        ("dcgan", 9),
    ]
    assert members[2].root("data") == "data/repeats/seed_8" and members[2].name == "ae@seed8"


def test_a_member_gets_the_clients_configuration_but_its_credentials(tmp_path):
    client, scratch = tmp_path / "client", tmp_path / "scratch"
    for folder in ("conf/base", "conf/local", "conf/smoke/credentials"):
        (client / folder).mkdir(parents=True)
    (client / "conf/base/parameters.yml").write_text("seed: 1\n")
    (client / "conf/local/credentials.yml").write_text("wandb: {api_key: secret}\n")
    (client / "conf/smoke/credentials/wandb.yml").write_text("api_key: secret\n")
    (scratch / "conf/base").mkdir(parents=True)
    (scratch / "conf/base/parameters_gone.yml").write_text("seed: 2\n")  # from an earlier attempt

    Configuration.of(client).write(scratch)
    written = sorted(str(path.relative_to(scratch)) for path in scratch.rglob("*"))
    assert written == ["conf", "conf/base", "conf/base/parameters.yml", "conf/local", "conf/smoke"]


@pytest.mark.slow  # a fresh interpreter
def test_a_worker_does_not_load_tensorflow_to_run_a_member():
    """Its task starts a ``kedro run``: the seconds TensorFlow's import takes are that process's."""
    code = "import sys, deepgen.distribute.cluster; print(sorted({'tensorflow', 'keras'} & set(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


@pytest.mark.tracked
@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.user_commands("kedro distribute --pipelines=latent_sweep", "kedro run --pipelines=latent_sweep")
def test_the_sweep_runs_on_two_workers_at_once_with_the_numbers_of_the_sweep_run_here(tmp_path):
    distributed, here = (make_project_copy(tmp_path / name) for name in ("distributed", "here"))
    for project in (distributed, here):
        # Two members, at a size that is not conf/base's latent_dim of 2: lists, which --params cannot
        # carry, in the user's own conf/local (which the members must run with). Credentials stay here.
        (project / "conf/local/parameters_latent_sweep.yml").write_text(
            "latent_sweep:\n  latent_dims: [3]\n  families: [vae, cvae]\n"
        )
    (distributed / "conf/local/credentials.yml").write_text("wandb:\n  api_key: not-to-travel\n")
    result = _distribute(distributed, "--pipelines=latent_sweep", "--workers=2", _small("vae", "cvae"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "2 queued" in result.stderr and "running latent_sweep.vae_3 on tcp://127.0.0.1:" in result.stderr
    run_in_process(here, "latent_sweep")
    for member in ("latent_sweep.vae_3", "latent_sweep.cvae_3"):
        conf = distributed / "data/distribute" / member / "conf"
        assert (conf / "local/parameters_latent_sweep.yml").is_file() and not list(conf.rglob("credentials*"))

    run = _records(distributed)
    records = run["records"]
    assert sorted(r["pipeline"] for r in records) == [f"latent_sweep.{f}_3" for f in ("cvae", "vae")]
    workers = {r["pid"] for r in records}
    assert len(workers) == 2 and run["client_pid"] not in workers  # two worker processes, not the client
    assert any(  # members on different workers overlapped in time
        a["pid"] != b["pid"] and a["started"] < b["finished"] and b["started"] < a["finished"]
        for a in records
        for b in records
    )
    report = "data/08_reporting/latent_sweep"
    for instance in ("vae_3", "cvae_3"):
        path = f"{report}/{instance}/metrics.json"
        assert _differences(_without_timing(distributed / path), _without_timing(here / path)) == [], instance
    assert json.loads((distributed / path).read_text())["environment"] == "local"
    for instance in ("vae_3", "cvae_3"):
        assert (distributed / f"data/06_models/latent_sweep/{instance}/encoder.keras").is_file()

    # The sweep's report, from the members' saved metrics and examples.
    rows = json.loads((distributed / f"{report}/results.json").read_text())["rows"]
    assert [(row["model"], row["latent_dim"]) for row in rows] == [("VAE", 3), ("CVAE", 3)]
    assert all({"recon_mse", "recon_bce", "fd"} <= set(row) for row in rows)
    assert all(row["elbo"] < 0 < row["nll_iw"] for row in rows if row["model"] in ("VAE", "CVAE"))
    assert all((row["conditional_accuracy"] is not None) == (row["model"] == "CVAE") for row in rows)
    assert "| VAE | 3 |" in (distributed / f"{report}/table.md").read_text()
    for figure in ("curves", "reconstructions"):
        with Image.open(distributed / f"{report}/{figure}.png") as image:
            assert image.format == "PNG"
    assert not list((here / "data").glob("*/latent_sweep.*"))  # an instance keeps the rest in memory
    assert (here / f"{report}/table.md").read_text() == (distributed / f"{report}/table.md").read_text()

    # A W&B run per member (in its scratch folder) and the report's, in one group.
    members = [run for folder in (distributed / "data/distribute").iterdir() for run in all_offline_runs(folder)]
    (report_run,) = all_offline_runs(distributed)
    assert sorted(run.name for run in members) == [f"latent_sweep.{m}_3.{m}" for m in ("cvae", "vae")]
    assert report_run.name == "latent_sweep" and len({run.group for run in [*members, report_run]}) == 1
    assert next(run for run in members if run.name == "latent_sweep.vae_3.vae").config["latent_dim"] == 3


# A member slow enough to be caught between its checkpoints: a convolutional AE, epochs of seconds.
EPOCHS = 3
SLOW_AE = f"ae.architecture=conv,ae.jit_compile=false,ae.epochs={EPOCHS}"
CHECKPOINT = "data/distribute/ae/data/06_models/ae/checkpoints"


def _mid_training(project, deadline: float) -> int:
    """Waits until the AE member's checkpoint holds at least one epoch and its training has
    epochs left to go; returns the epochs it holds."""
    progress, finished = project / CHECKPOINT / "training_metadata.json", project / CHECKPOINT / "finished"
    while time.monotonic() < deadline:
        with_epochs = progress.is_file() and json.loads(progress.read_text() or "{}").get("epoch", 0)
        if with_epochs and not finished.exists():
            return with_epochs
        time.sleep(0.05)
    raise AssertionError("the AE member never saved a checkpoint")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_killed_workers_member_resumes_and_a_failing_member_is_named(project_copy):
    command = subprocess.Popen(
        [
            KEDRO,
            "distribute",
            "--pipelines=ae,vae",
            "--env=smoke",
            "--workers=2",
            f"--params={SLOW_AE},vae.learning_rate=1e12",
        ],
        cwd=project_copy,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=subprocess_env(),
    )
    worker = None
    for line in command.stderr:
        if line.split("] ", 1)[-1].startswith("running ae on"):
            worker = int(line.rsplit("(pid ", 1)[1].rstrip(")\n"))
            break
    assert worker is not None
    held = _mid_training(project_copy, time.monotonic() + 300)
    assert held < EPOCHS and not (project_copy / CHECKPOINT / "finished").exists()  # provably mid-training
    os.kill(worker, signal.SIGKILL)
    rest = command.stderr.read()
    assert command.wait(timeout=600) != 0, rest[-3000:]  # vae failed; ae still finished
    assert "FAILED vae" in rest and "vae failed on worker tcp://127.0.0.1:" in rest and "diverged" in rest
    assert "1 member(s) failed: vae" in rest
    ae = next(r for r in _records(project_copy)["records"] if r["pipeline"] == "ae")
    assert ae["pid"] != worker  # rescheduled on another (or restarted) worker process
    log = (project_copy / "data/distribute/ae/member.log").read_text()  # the rescheduled attempt's
    assert "resuming from the checkpoint" in log
    resumed_after = int(re.search(rf"Epoch (\d+)/{EPOCHS}", log).group(1)) - 1  # its first epoch follows them
    assert resumed_after >= held
    history = json.loads((project_copy / "data/08_reporting/ae/training_history.json").read_text())
    assert len(history["loss"]) == EPOCHS - resumed_after  # only the epochs left were trained
    assert (
        json.loads((project_copy / "data/08_reporting/ae/metrics.json").read_text())["parameters"]["epochs"] == EPOCHS
    )
    assert not (project_copy / "data/08_reporting/vae/metrics.json").exists()


@pytest.mark.tracked
@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.user_commands("kedro distribute --repeats")
def test_repeats_give_a_comparison_of_mean_and_sd_and_share_one_wandb_group(project_copy, monkeypatch):
    result = _distribute_here(project_copy, monkeypatch, "--pipelines=ae,vae", "--repeats=2", _small("ae", "vae"))
    assert result.exit_code == 0, result.output[-3000:]
    assert "4 queued" in result.output and "running repeats.comparison here" in result.output
    rows = json.loads((project_copy / "data/repeats/comparison.json").read_text())["rows"]
    repeated = [row for row in rows if row.get("seeds")]
    assert [row["samples_key"] for row in repeated] == ["ae.prior", "ae.mixture", "vae.prior", "vae.mixture"]
    for row in repeated:
        assert [seed["seed"] for seed in row["seeds"]] == [42, 43], row["label"]
        assert row["spread"]["fd"] > 0 and min(s["fd"] for s in row["seeds"]) <= row["metrics"]["fd"], row["label"]
    table = (project_copy / "data/repeats/comparison.md").read_text()
    for row in repeated:
        assert f"| {row['label']} |" in table
    assert table.count(" ± ") >= 4 * len(repeated)  # the sample metrics at least
    assert "W&B tracking failed" not in result.output

    group = _records(project_copy)["group"]
    members = [run for folder in (project_copy / "data/distribute").iterdir() for run in all_offline_runs(folder)]
    assert sorted(run.name for run in members if run.name != "comparison") == ["ae", "ae", "vae", "vae"]
    (report,) = all_offline_runs(project_copy)
    assert report.name == "repeats" and {run.group for run in [*members, report]} == {group}


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_worker_of_another_commit_refuses_its_members(project_copy, monkeypatch):
    from distributed import LocalCluster

    monkeypatch.chdir(project_copy)  # where the worker runs its members
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
        resources={"member": 1},
        env={"DEEPGEN_PROJECT_COMMIT": "0123abc"},
    ) as cluster:
        result = _distribute_here(
            project_copy, monkeypatch, "--pipelines=ae", "--env=smoke", f"--scheduler={cluster.scheduler_address}"
        )
    assert result.exit_code != 0
    assert "FAILED ae" in result.output and "at commit 0123abc, the client" in result.output
    assert "start workers from the project root of the same commit" in result.output
    assert not (project_copy / "data/08_reporting/ae").exists()


def test_a_scheduler_that_does_not_answer_is_named(project_copy, monkeypatch):
    monkeypatch.setattr("deepgen.distribute.cluster.CONNECT_SECONDS", 1)
    result = _distribute_here(project_copy, monkeypatch, "--pipelines=ae", "--scheduler=tcp://127.0.0.1:9")
    assert result.exit_code != 0
    assert "No Dask scheduler answers at tcp://127.0.0.1:9" in result.output and "Traceback" not in result.output


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.user_commands("kedro distribute --pipelines=ae")
def test_a_member_is_reused_only_when_its_report_is_the_same_work(smoke_run_copy, monkeypatch):
    """The AE of the shared `kedro run` (one epoch), then `kedro distribute --pipelines=ae` with
    the same settings but ``ae.epochs``, in the default environment, as a user runs them."""
    project, settings = smoke_run_copy, default_run_settings()

    def distribute(epochs: int, *args: str):
        given = f"--params={params_argument(merged(settings, {'ae': {'epochs': epochs}}))}"
        return _distribute_here(project, monkeypatch, "--pipelines=ae", given, *args)

    invalid = distribute(-1)
    assert invalid.exit_code != 0 and "ae.epochs: Input should be greater than 0" in invalid.output
    assert "queued" not in invalid.output and "Traceback" not in invalid.output  # checked before any task

    changed = distribute(2, "--workers=1")
    assert changed.exit_code == 0, changed.output[-3000:]
    assert "1 member(s): 0 reused, 1 rerun, 0 new; 1 queued" in changed.output
    assert "rerun ae: ae.epochs was 1, now 2" in changed.output
    report = json.loads((project / "data/08_reporting/ae/metrics.json").read_text())
    assert report["parameters"]["epochs"] == 2 and report["provenance"]["environment"] == "local"

    again = distribute(2)
    assert again.exit_code == 0, again.output[-3000:]
    assert "1 member(s): 1 reused, 0 rerun, 0 new; 0 queued" in again.output


def _cluster(project, folder) -> tuple[list[subprocess.Popen], str]:
    """A scheduler and a worker with one member slot, started apart (as on other machines)."""
    scheduler_file = folder / "scheduler.json"
    dask = str(Path(KEDRO).with_name("dask"))
    scheduler = [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
    processes = [
        subprocess.Popen(
            [*scheduler, "--scheduler-file", str(scheduler_file)],
            cwd=project,
            stderr=subprocess.DEVNULL,
            env=subprocess_env(),
        )
    ]
    deadline = time.monotonic() + 60
    while not scheduler_file.is_file() and time.monotonic() < deadline:
        time.sleep(0.2)
    worker = [dask, "worker", "--scheduler-file", str(scheduler_file), "--nthreads", "1", "--resources", "member=1"]
    processes.append(
        subprocess.Popen([*worker, "--no-dashboard"], cwd=project, stderr=subprocess.DEVNULL, env=subprocess_env())
    )
    return processes, json.loads(scheduler_file.read_text())["address"]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_lost_scheduler_stops_the_command_naming_what_finished_and_a_rerun_runs_only_the_rest(
    project_copy, tmp_path, monkeypatch
):
    (first_folder := tmp_path / "first").mkdir()
    processes, address = _cluster(project_copy, first_folder)
    try:
        command = subprocess.Popen(
            [KEDRO, "distribute", "--pipelines=ae,vae", "--env=smoke", f"--scheduler={address}"],
            cwd=project_copy,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env=subprocess_env(),
        )
        finished = next(line for line in command.stderr if "] done " in line).split("] done ")[1].split()[0]
        processes[0].kill()  # the scheduler, while the other member runs (one slot: one at a time)
        lost = time.monotonic()
        rest = command.stderr.read()
        assert command.wait(timeout=120) != 0 and time.monotonic() - lost < 60
    finally:
        for process in processes:
            process.kill()
            process.wait()
    unfinished = ({"ae", "vae"} - {finished}).pop()
    message = " ".join(rest.split())
    assert f"Finished, outputs in place: {finished}." in message and f"Not finished: {unfinished}." in message
    assert "Traceback" not in rest

    (second_folder := tmp_path / "second").mkdir()
    processes, address = _cluster(project_copy, second_folder)
    try:
        again = _distribute_here(
            project_copy, monkeypatch, "--pipelines=ae,vae", "--env=smoke", f"--scheduler={address}"
        )
    finally:
        for process in processes:
            process.kill()
            process.wait()
    assert again.exit_code == 0, again.output[-3000:]
    assert "2 member(s): 1 reused, 0 rerun, 1 new; 1 queued" in again.output
    assert f"running {unfinished} on" in again.output and f"running {finished} on" not in again.output
