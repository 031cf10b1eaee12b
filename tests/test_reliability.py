"""Interruption, divergence and reproducibility, on real smoke runs in scratch project copies."""

import json
import signal
import subprocess
import time

import pytest

from tests.conftest import KEDRO, kedro_run

pytestmark = pytest.mark.slow

# Long enough to interrupt: 20,000 images at batch 32 with a checkpoint every epoch.
LONG_AE = ["--pipelines=ae", "--env=smoke", "--params=data.max_train_images=20000,ae.batch_size=32,ae.epochs=6"]


def _metrics(project, model="ae") -> dict:
    return json.loads((project / f"data/08_reporting/{model}/metrics.json").read_text())


def test_interrupted_training_resumes_from_its_checkpoint(project_copy, tmp_path_factory):
    checkpoint = project_copy / "data/06_models/ae/checkpoints/training_metadata.json"
    process = subprocess.Popen(
        [KEDRO, "run", *LONG_AE], cwd=project_copy, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 300
    while not (checkpoint.is_file() and json.loads(checkpoint.read_text())["epoch"] >= 2):
        assert process.poll() is None and time.monotonic() < deadline, "training ended before it could be interrupted"
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)  # Ctrl-C
    process.communicate(timeout=120)
    assert process.returncode != 0
    interrupted_at = json.loads(checkpoint.read_text())["epoch"]
    assert 2 <= interrupted_at < 6
    assert not (project_copy / "data/06_models/ae/encoder.keras").exists()  # nothing half-written

    resumed = kedro_run(project_copy, *LONG_AE)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "resuming from the checkpoint" in resumed.stdout + resumed.stderr
    assert not checkpoint.parent.exists()  # a finished training removes its checkpoint
    history = json.loads((project_copy / "data/08_reporting/ae/training_history.json").read_text())
    assert len(history["loss"]) == 6 - interrupted_at  # only the epochs left were trained

    from tests.conftest import make_project_copy

    uninterrupted = make_project_copy(tmp_path_factory.mktemp("uninterrupted"))
    assert kedro_run(uninterrupted, *LONG_AE).returncode == 0
    # Same seed and length; only the data order after the restart differs: within noise.
    assert _metrics(project_copy)["metrics"]["recon_mse"] == pytest.approx(
        _metrics(uninterrupted)["metrics"]["recon_mse"], rel=0.1
    )


def test_resume_false_starts_over(project_copy):
    folder = project_copy / "data/06_models/ae/checkpoints"
    folder.mkdir(parents=True)
    (folder / "training_metadata.json").write_text('{"epoch": 1, "batch": 0}')
    result = kedro_run(project_copy, "--pipelines=ae", "--env=smoke", "--params=ae.resume=false")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "resuming" not in result.stdout + result.stderr
    assert len(json.loads((project_copy / "data/08_reporting/ae/training_history.json").read_text())["loss"]) == 1


def test_divergence_stops_with_a_clear_error_and_keeps_the_old_model(project_copy):
    assert kedro_run(project_copy, "--pipelines=ae", "--env=smoke").returncode == 0
    encoder = project_copy / "data/06_models/ae/encoder.keras"
    before = encoder.read_bytes()
    result = kedro_run(project_copy, "--pipelines=ae", "--env=smoke", "--params=ae.learning_rate=1e12")
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "ae diverged at epoch 1" in log and "ae.learning_rate" in log
    assert encoder.read_bytes() == before


def test_same_seed_same_metrics(project_copy, vae_smoke_run):
    assert kedro_run(project_copy, "--pipelines=vae", "--env=smoke").returncode == 0
    first, second = _metrics(project_copy, "vae"), _metrics(vae_smoke_run, "vae")
    # Everything but the wall-clock timing (and the commit stamp, equal here anyway).
    for report in (first, second):
        report.pop("training")
    assert first == second


def test_missing_raw_file_says_where_the_data_belongs(project_copy):
    (project_copy / "data/01_raw/mnist/train-images-idx3-ubyte.gz").unlink()
    result = kedro_run(project_copy, "--pipelines=ae", "--env=smoke")
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "train-images-idx3-ubyte.gz: file not found" in log and "git checkout -- data/01_raw/mnist" in log


def test_malformed_yaml_names_the_file(project_copy):
    (project_copy / "conf/smoke/parameters_typo.yml").write_text("ae:\n  epochs: [1\n")
    result = kedro_run(project_copy, "--pipelines=ae", "--env=smoke")
    assert result.returncode != 0
    assert "conf/smoke/parameters_typo.yml" in result.stdout + result.stderr


def test_wrong_catalog_path_names_the_file(project_copy):
    catalog = project_copy / "conf/base/catalog.yml"
    catalog.write_text(catalog.read_text().replace("t10k-images-idx3-ubyte.gz", "t10k-images.gz"))
    result = kedro_run(project_copy, "--pipelines=ae", "--env=smoke")
    assert result.returncode != 0
    assert "data/01_raw/mnist/t10k-images.gz: file not found" in result.stdout + result.stderr
