"""`kedro sweep` as users run it (default environment, small settings as --params), on a real
Dask LocalCluster with real offline W&B runs and a real SQLite study. The test images are
deleted first: a trial that read them would fail."""

import json
import os
import signal
import subprocess

import pytest
import yaml

from tests.conftest import (
    KEDRO,
    kedro_command,
    make_project_copy,
    params_argument,
    run_in_process,
    smoke_parameters,
    subprocess_env,
)
from tests.wandb_reader import all_offline_runs

pytestmark = [pytest.mark.slow, pytest.mark.tracked]

SMALL = params_argument(
    {"data": smoke_parameters()["data"], "ae": smoke_parameters()["ae"] | {"epochs": 2, "eval_interval": 1}}
)  # probes: the study hears of each epoch


@pytest.mark.timeout(600)
@pytest.mark.user_commands("kedro sweep")
def test_the_tutorials_sweep_survives_its_command_killed_and_picks_the_best_on_validation_images(tmp_path):
    project = make_project_copy(tmp_path / "project")
    for path in (project / "data/01_raw/mnist").glob("t10k-*"):
        path.unlink()

    # One trial at a time; the command killed (its workers and their runs with it) once the first is
    # told and the second asked for.
    first = subprocess.Popen(
        [KEDRO, "sweep", "latent", "--workers=1", f"--params={SMALL}"],
        cwd=project,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=subprocess_env(),
        start_new_session=True,
    )
    told = next((line for line in first.stderr if "] trial 0: recon_mse" in line), None)
    asked = next((line for line in first.stderr if "] trial 1: latent_dim" in line), None)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=60)
    assert told is not None and asked is not None

    again = kedro_command(project, "sweep", "latent", "--workers=2", f"--params={SMALL}", "--best-env=best")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "1 finished before, 1 left running asked for again" in again.stderr
    assert "trial 0:" not in again.stderr.split("finished before")[1]  # the finished trial is not run again

    folder = project / "data/08_reporting/sweeps/latent"
    study = json.loads((folder / "study.json").read_text())
    complete = [t for t in study["trials"] if t["state"] == "complete"]
    assert sorted(t["parameters"]["latent_dim"] for t in complete) == [2, 10, 100]
    assert all(t["intermediate"] for t in complete)  # each probe's validation FD reached the study
    best = min(complete, key=lambda t: t["value"])
    assert study["best"]["number"] == best["number"] and best["parameters"]["latent_dim"] == 100
    assert "**Best: trial" in (folder / "summary.md").read_text()
    assert (folder / "history.png").stat().st_size > 10_000 and (folder / "importances.png").is_file()

    # A W&B run per trial (in its scratch project) and the summary run, in the sweep's group.
    trials = [run for scratch in (project / "data/distribute").iterdir() for run in all_offline_runs(scratch)]
    (summary,) = all_offline_runs(project)
    named = {run.name: run for run in trials if run.exit_code == 0}
    assert {f"latent-trial-{t['number']}" for t in complete} <= set(named)
    assert {run.group for run in [*trials, summary]} == {"latent"} and summary.name == "latent-summary"
    assert named[f"latent-trial-{best['number']}"].config["latent_dim"] == 100
    assert summary.summary["best/latent_dim"] == 100

    # The best trial as an environment: its run trains it again, to the same validation numbers.
    assert yaml.safe_load((project / "conf/best/parameters.yml").read_text())["ae"]["latent_dim"] == 100
    run_in_process(project, "sweep.ae", env="best")
    report = json.loads((project / "data/08_reporting/sweep/ae/trial.json").read_text())
    assert report["metrics"]["recon_mse"] == pytest.approx(best["value"], rel=1e-6)

    done = kedro_command(project, "sweep", "latent", f"--params={SMALL}")
    assert done.returncode == 0 and "3 finished before" in done.stderr and "] trial " not in done.stderr
