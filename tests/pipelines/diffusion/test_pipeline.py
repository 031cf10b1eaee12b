"""`kedro run --pipelines=diffusion` with its conditional option: every output, and
generating from it."""

import json

import keras
import numpy as np
import pytest

from tests.conftest import run_in_process
from tests.wandb_reader import offline_runs

pytestmark = pytest.mark.slow

OUTPUTS = [
    "06_models/diffusion/denoiser.keras",
    "07_model_output/diffusion/samples.npy",
    "08_reporting/diffusion/metrics.json",
    "08_reporting/diffusion/training_history.json",
    "08_reporting/diffusion/samples.png",
    "08_reporting/diffusion/training.png",
    "08_reporting/diffusion/trajectory.png",
    "08_reporting/diffusion/sampling_steps.png",
    "08_reporting/diffusion/digit_grid.png",
]


def _generated(project, **settings):
    run_in_process(project, "generate", params={"generate": {"family": "diffusion", "n": 10, **settings}})
    return np.load(project / "data/07_model_output/generate/diffusion" / f"{settings['name']}.npy")


@pytest.mark.tracked
@pytest.mark.timeout(300)
@pytest.mark.user_commands("kedro run --pipelines=diffusion")
def test_the_conditional_option_writes_every_output_and_generates_the_digit_asked_for(project_copy):
    settings = {"conditional": True, "n_samples": 100, "sampling_curve": [2]}
    run_in_process(project_copy, "diffusion", params={"diffusion": settings})
    data = project_copy / "data"
    assert [path for path in OUTPUTS if not (data / path).is_file()] == []

    samples = np.load(data / "07_model_output/diffusion/samples.npy")
    assert samples.shape == (100, 28, 28) and samples.dtype == np.float32 and 0 <= samples.min() <= samples.max() <= 1
    report = json.loads((data / "08_reporting/diffusion/metrics.json").read_text())
    assert report["metrics"]["sampling_seconds_per_1000"] > 0 and report["samples"]["prior"]["fd"] > 0
    assert report["label"] == "Diffusion, conditional" and report["parameters"]["conditional"] is True
    assert 0 <= report["samples"]["prior"]["conditional_accuracy"] <= 1
    assert report["samples"]["prior"]["fd_per_class"] > 0
    history = json.loads((data / "08_reporting/diffusion/training_history.json").read_text())
    assert history["step"] == [10, 20] and len(history["loss"]) == 2  # smoke: 20 steps, a row every 10
    assert report["training"]["images"] == 20 * report["parameters"]["batch_size"]
    denoiser = keras.models.load_model(data / "06_models/diffusion/denoiser.keras", compile=False)
    assert [tuple(i.shape) for i in denoiser.inputs] == [(None, 28, 28), (None,), (None,)]  # image, step, digit

    run = offline_runs(project_copy)["diffusion"]  # tracked as every family: losses and a sample grid per interval
    assert [row["step"] for row in run.history if "loss" in row] == [10, 20]
    assert run.column("samples/_type") == ["image-file"] * 2
    assert run.summary["fd"] == pytest.approx(report["samples"]["prior"]["fd"])
    assert {a.name for a in run.artifacts if a.type == "model"} == {"diffusion-denoiser"}

    sevens = _generated(project_copy, seed=3, name="sevens", digit=7)
    again = _generated(project_copy, seed=3, name="again", digit=7)
    assert sevens.shape == (10, 28, 28) and np.isfinite(sevens).all() and np.array_equal(sevens, again)
