"""Checkpoints that know what they belong to, and outputs that stay a consistent set, on real
in-process runs of the AE. One run that fails after training (in sampling) leaves a real
checkpoint behind; each test starts from a copy of that project."""

import json
import logging
import shutil

import pytest

from deepgen.hooks.checkpoints import _mismatch
from tests.conftest import FEW_IMAGES, run_in_process

pytestmark = pytest.mark.slow

CHECKPOINT = "data/06_models/ae/checkpoints"


def _params(**ae) -> dict:
    return {**FEW_IMAGES, "ae": ae}


@pytest.fixture(scope="module")
def failed_after_training(default_smoke_run, tmp_path_factory):
    """The default smoke run's outputs, then an AE run that trains and fails in sampling."""
    project = tmp_path_factory.mktemp("failed_after_training")
    shutil.copytree(default_smoke_run, project, dirs_exist_ok=True, ignore=shutil.ignore_patterns("wandb"))
    with pytest.raises(ValueError, match="n_components"):  # more mixture components than codes
        run_in_process(project, "ae", params=_params(mixture_components=1000))
    return project


@pytest.fixture
def interrupted(failed_after_training, tmp_path):
    """A copy whose checkpoint looks as if training was stopped right after saving it."""
    project = shutil.copytree(failed_after_training, tmp_path / "project")
    (project / CHECKPOINT / "finished").unlink()
    return project


def _history(project) -> dict:
    return json.loads((project / "data/08_reporting/ae/training_history.json").read_text())


def test_a_late_failure_leaves_the_previous_outputs_and_the_checkpoint(default_smoke_run, failed_after_training):
    for path in ("06_models/ae/encoder.keras", "06_models/ae/decoder.keras", "08_reporting/ae/metrics.json"):
        assert (failed_after_training / "data" / path).read_bytes() == (default_smoke_run / "data" / path).read_bytes()
    assert sorted(p.name for p in (failed_after_training / "data/07_model_output/ae").iterdir()) == sorted(
        p.name for p in (default_smoke_run / "data/07_model_output/ae").iterdir()
    )
    assert not (failed_after_training / "data/.previous").exists()
    checkpoint = failed_after_training / CHECKPOINT
    assert (checkpoint / "finished").is_file() and (checkpoint / "identity.json").is_file()


def test_a_finished_training_whose_run_failed_is_trained_again(failed_after_training, tmp_path, caplog):
    project = shutil.copytree(failed_after_training, tmp_path / "project")
    with caplog.at_level(logging.INFO):
        run_in_process(project, "ae", params=_params(epochs=2))
    assert "training again" in caplog.text and "resuming from" not in caplog.text
    assert len(_history(project)["loss"]) == 2
    assert not (project / CHECKPOINT).exists()  # removed once every output was saved


def test_same_settings_resume(interrupted, caplog):
    with caplog.at_level(logging.INFO):
        run_in_process(interrupted, "ae", params=_params(epochs=2, n_samples=300))  # length and sampling may change
    assert "resuming from the checkpoint" in caplog.text
    assert len(_history(interrupted)["loss"]) == 1  # only the epoch left


def test_a_checkpoint_made_with_other_settings_is_set_aside(interrupted, caplog):
    with caplog.at_level(logging.INFO):
        run_in_process(interrupted, "ae", params=_params(epochs=2, learning_rate=0.01, latent_dim=10))
    assert "ae.learning_rate was 0.003, now 0.01" in caplog.text and "ae.latent_dim was 2, now 10" in caplog.text
    assert "Training starts over" in caplog.text and "resuming from" not in caplog.text
    assert len(_history(interrupted)["loss"]) == 2
    report = json.loads((interrupted / "data/08_reporting/ae/metrics.json").read_text())
    assert (report["parameters"]["learning_rate"], report["parameters"]["latent_dim"]) == (0.01, 10)
    assert not (interrupted / f"{CHECKPOINT}.set-aside").exists()  # deleted once the new one saved


def test_every_recorded_value_takes_part_in_the_identity(tmp_path):
    identity = {"ae.latent_dim": 2, "data.max_train_images": 600, "seed": 42, "environment": "smoke"}
    (tmp_path / "identity.json").write_text(json.dumps(identity))
    assert _mismatch(tmp_path, identity) is None
    changed = identity | {"data.max_train_images": 700, "environment": "local"}
    assert _mismatch(tmp_path, changed) == (
        "it was made with other settings (data.max_train_images was 600, now 700; environment was 'smoke', now 'local')"
    )
    assert "was 42, now not set" in _mismatch(tmp_path, {k: v for k, v in identity.items() if k != "seed"})
    assert "does not say what it was made with" in _mismatch(tmp_path / "elsewhere", identity)


def test_a_truncated_checkpoint_is_reported_corrupt_and_set_aside(interrupted, caplog):
    weights = interrupted / CHECKPOINT / "latest.weights.h5"
    weights.write_bytes(weights.read_bytes()[:2000])
    with caplog.at_level(logging.INFO):
        run_in_process(interrupted, "ae", params=_params(epochs=2))
    assert "is corrupt" in caplog.text and str(interrupted / CHECKPOINT) in caplog.text
    assert len(_history(interrupted)["loss"]) == 2


def test_a_report_that_cannot_be_written_leaves_the_previous_set(default_smoke_run, tmp_path):
    project = shutil.copytree(default_smoke_run, tmp_path / "project", ignore=shutil.ignore_patterns("wandb"))
    report = project / "data/08_reporting/ae/metrics.json"
    report.unlink()
    report.mkdir()  # a report path that cannot take a file (permissions don't stop root)
    encoder = (project / "data/06_models/ae/encoder.keras").read_bytes()
    with pytest.raises(Exception, match="metrics.json"):
        run_in_process(project, "ae", params=FEW_IMAGES)
    assert (project / "data/06_models/ae/encoder.keras").read_bytes() == encoder  # trained, then put back
    assert report.is_dir() and not (project / "data/.previous").exists()
