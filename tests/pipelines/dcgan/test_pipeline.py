"""The DCGAN's outputs of the default smoke run, and a step count it refuses."""

import json

import keras
import numpy as np
import pytest
from kedro.validation.exceptions import ParameterValidationError

from tests.conftest import run_in_process

pytestmark = pytest.mark.slow


def test_writes_every_output(default_smoke_run):
    data = default_smoke_run / "data"
    expected = [
        "06_models/dcgan/generator.keras",
        "06_models/dcgan/discriminator.keras",
        "07_model_output/dcgan/samples.npy",
        "08_reporting/dcgan/metrics.json",
        "08_reporting/dcgan/training_history.json",
        "08_reporting/dcgan/samples.png",
        "08_reporting/dcgan/progression.png",
        "08_reporting/dcgan/training.png",
    ]
    assert [path for path in expected if not (data / path).is_file()] == []


def test_samples_models_and_history(default_smoke_run):
    data = default_smoke_run / "data"
    samples = np.load(data / "07_model_output/dcgan/samples.npy")
    assert samples.shape == (500, 28, 28) and samples.dtype == np.float32
    assert 0 <= samples.min() and samples.max() <= 1 and samples.std() > 0.05  # not a constant image

    generator = keras.models.load_model(data / "06_models/dcgan/generator.keras", compile=False)
    discriminator = keras.models.load_model(data / "06_models/dcgan/discriminator.keras", compile=False)
    images = generator(np.zeros((2, 100), np.float32))
    assert images.shape == (2, 28, 28) and discriminator(images).shape == (2, 1)

    history = json.loads((data / "08_reporting/dcgan/training_history.json").read_text())
    assert history["step"] == [20, 40]  # smoke: 40 steps, a grid every 20
    assert set(history) == {"step", "d_loss", "g_loss", "d_accuracy", "sample_quality"}
    report = json.loads((data / "08_reporting/dcgan/metrics.json").read_text())
    assert report["training"]["final_losses"]["d_loss"] == history["d_loss"][-1]
    assert report["metrics"] == {} and list(report["samples"]) == ["prior"]
    assert report["training"]["images"] == 40 * 32


def test_steps_must_be_whole_intervals(project_copy):
    with pytest.raises(ParameterValidationError, match="must be a multiple of gen_interval"):
        run_in_process(project_copy, "dcgan", params={"dcgan": {"steps": 75}})
