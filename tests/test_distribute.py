"""`kedro distribute` on a real Dask LocalCluster of this machine: the members ran in worker
processes, at the same time, with the numbers a sequential run gives; a worker killed
mid-member; a failing member; members that already have outputs are not run again."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from deepgen.cli import members_of
from tests.conftest import KEDRO, kedro_command, kedro_run, make_project_copy, subprocess_env

TIMING = ("seconds", "images_per_second", "sample_quality_seconds")


def _distribute(project, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return kedro_command(project, "distribute", *args, timeout=timeout)


def _records(project) -> dict:
    (summary,) = (project / "data/08_reporting/distribute").glob("*.json")
    return json.loads(summary.read_text())


def _without_timing(path) -> dict:
    report = json.loads(path.read_text())
    for key in TIMING:
        report["training"].pop(key, None)
    return report


def _small_sweep(folder):
    """A project copy whose sweep has two sizes: six members."""
    folder.mkdir()
    project = make_project_copy(folder)
    (project / "conf/base/parameters_latent_sweep.yml").write_text("latent_sweep:\n  latent_dims: [2, 10]\n")
    return project


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


@pytest.mark.slow
def test_the_sweep_runs_on_two_workers_at_once_with_the_sequential_numbers(tmp_path):
    distributed, sequential = _small_sweep(tmp_path / "distributed"), _small_sweep(tmp_path / "sequential")
    result = _distribute(distributed, "--pipelines=latent_sweep", "--env=smoke", "--workers=2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "6 queued" in result.stderr and "running latent_sweep.vae_10 on tcp://127.0.0.1:" in result.stderr
    finished = kedro_run(sequential, "--pipelines=latent_sweep", "--env=smoke")
    assert finished.returncode == 0, finished.stderr[-3000:]

    run = _records(distributed)
    records = run["records"]
    assert len(records) == 6 and {r["pipeline"] for r in records} == {
        f"latent_sweep.{f}_{d}" for f in ("ae", "vae", "cvae") for d in (2, 10)
    }
    workers = {r["pid"] for r in records}
    assert len(workers) == 2 and run["client_pid"] not in workers  # two worker processes, not the client
    assert any(  # members on different workers overlapped in time
        a["pid"] != b["pid"] and a["started"] < b["finished"] and b["started"] < a["finished"]
        for a in records
        for b in records
    )
    for instance in (r["pipeline"].removeprefix("latent_sweep.") for r in records):
        path = f"data/08_reporting/latent_sweep/{instance}/metrics.json"
        assert _without_timing(distributed / path) == _without_timing(sequential / path), instance
        assert (distributed / f"data/06_models/latent_sweep/{instance}/encoder.keras").is_file()
    assert (distributed / "data/08_reporting/latent_sweep/table.md").read_text() == (
        sequential / "data/08_reporting/latent_sweep/table.md"
    ).read_text()


@pytest.mark.slow
def test_a_killed_workers_member_resumes_a_failing_member_is_named_and_a_rerun_runs_only_it(project_copy):
    checkpoint = project_copy / "data/distribute/ae/data/06_models/ae/checkpoints/latest.weights.h5"
    command = subprocess.Popen(
        [KEDRO, "distribute", "--pipelines=ae,vae", "--env=smoke", "--workers=2", "--params=ae.epochs=4,vae.beta=-1"],
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
    deadline = time.monotonic() + 300
    while not checkpoint.is_file() and time.monotonic() < deadline:  # an epoch saved: kill it mid-training
        time.sleep(0.5)
    os.kill(worker, signal.SIGKILL)
    rest = command.stderr.read()
    assert command.wait(timeout=600) != 0, rest[-3000:]  # vae failed; ae still finished
    assert "FAILED vae" in rest and "vae failed on worker tcp://127.0.0.1:" in rest and "beta" in rest
    assert "1 member(s) failed: vae" in rest
    ae = next(r for r in _records(project_copy)["records"] if r["pipeline"] == "ae")
    assert ae["pid"] != worker  # rescheduled on another (or restarted) worker process
    assert "resuming from the checkpoint" in (project_copy / "data/distribute/ae/member.log").read_text()
    assert json.loads((project_copy / "data/08_reporting/ae/metrics.json").read_text())["parameters"]["epochs"] == 4  # noqa: PLR2004
    assert not (project_copy / "data/08_reporting/vae/metrics.json").exists()

    again = _distribute(project_copy, "--pipelines=ae,vae", "--env=smoke", "--workers=2")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "2 member(s); 1 already have outputs, 1 queued" in again.stderr
    assert json.loads((project_copy / "data/08_reporting/ae/metrics.json").read_text())["parameters"]["epochs"] == 4  # noqa: PLR2004
    assert {"| AE, N(0, I) samples |", "| VAE, N(0, I) samples |"} <= {
        line.split(" | ")[0] + " |"
        for line in (project_copy / "data/08_reporting/comparison.md").read_text().splitlines()
    }


@pytest.mark.slow
def test_repeats_of_every_family_give_a_comparison_of_mean_and_sd_and_share_one_wandb_group(project_copy):
    from deepgen.families import FAMILIES
    from tests.wandb_reader import all_offline_runs

    result = _distribute(project_copy, "--env=smoke", "--repeats=3", timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "15 queued" in result.stderr and "running repeats.comparison here" in result.stderr
    rows = json.loads((project_copy / "data/repeats/comparison.json").read_text())["rows"]
    repeated = [row for row in rows if row.get("seeds")]
    families = [family for family in FAMILIES.values() if family.in_default_run]
    assert {row["samples_key"].split(".")[0] for row in repeated} == {family.name for family in families}
    for row in repeated:
        assert [seed["seed"] for seed in row["seeds"]] == [42, 43, 44], row["label"]
        assert row["spread"]["fd"] > 0 and min(s["fd"] for s in row["seeds"]) <= row["metrics"]["fd"], row["label"]
    table = (project_copy / "data/repeats/comparison.md").read_text()
    for row in repeated:
        assert f"| {row['label']} |" in table
    assert table.count(" ± ") >= 4 * len(repeated)  # noqa: PLR2004 - the sample metrics at least
    assert "W&B tracking failed" not in result.stdout

    group = _records(project_copy)["group"]
    members = [run for folder in (project_copy / "data/distribute").iterdir() for run in all_offline_runs(folder)]
    assert sorted(run.name for run in members if run.name != "comparison") == sorted(
        [family.name for family in families] * 3
    )
    (report,) = all_offline_runs(project_copy)
    assert report.name == "repeats" and {run.group for run in [*members, report]} == {group}


@pytest.mark.slow
def test_a_worker_of_another_commit_refuses_its_members(project_copy, tmp_path):
    """A scheduler and a worker started apart (``--scheduler``), the worker on another commit."""
    scheduler_file = tmp_path / "scheduler.json"
    dask = str(Path(KEDRO).with_name("dask"))
    started = [
        subprocess.Popen(
            [
                dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                scheduler_file,
            ],
            cwd=project_copy,
            stderr=subprocess.DEVNULL,
            env=subprocess_env(),
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        worker = [dask, "worker", "--scheduler-file", scheduler_file, "--nthreads", "1", "--resources", "member=1"]
        started.append(
            subprocess.Popen(
                [*worker, "--no-dashboard"],
                cwd=project_copy,
                stderr=subprocess.DEVNULL,
                env=subprocess_env(DEEPGEN_PROJECT_COMMIT="0123abc"),
            )
        )
        address = json.loads(scheduler_file.read_text())["address"]
        result = _distribute(project_copy, "--pipelines=ae", "--env=smoke", f"--scheduler={address}", timeout=300)
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=60)
    assert result.returncode != 0
    assert "FAILED ae" in result.stderr and "at commit 0123abc, the client" in result.stderr
    assert "start workers from the project root of the same commit" in result.stderr
    assert not (project_copy / "data/08_reporting/ae").exists()


@pytest.mark.slow
def test_a_scheduler_that_does_not_answer_is_named(project_copy):
    result = _distribute(project_copy, "--pipelines=ae", "--scheduler=tcp://127.0.0.1:9", timeout=120)
    assert result.returncode != 0
    assert "No Dask scheduler answers at tcp://127.0.0.1:9" in result.stderr and "Traceback" not in result.stderr
