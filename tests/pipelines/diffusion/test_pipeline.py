"""`kedro run --pipelines=diffusion --env=smoke`: every output, generating from it, and its
conditional option."""

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


def test_writes_every_output_and_generates_from_the_saved_denoiser(project_copy):
    run_in_process(project_copy, "diffusion")
    data = project_copy / "data"
    assert [path for path in OUTPUTS if not (data / path).is_file()] == []

    samples = np.load(data / "07_model_output/diffusion/samples.npy")
    assert samples.shape == (200, 28, 28) and samples.dtype == np.float32 and 0 <= samples.min() <= samples.max() <= 1
    report = json.loads((data / "08_reporting/diffusion/metrics.json").read_text())
    assert report["metrics"]["sampling_seconds_per_1000"] > 0 and report["samples"]["prior"]["fd"] > 0
    assert report["samples"]["prior"].get("conditional_accuracy") is None
    history = json.loads((data / "08_reporting/diffusion/training_history.json").read_text())
    assert history["step"] == [10, 20] and len(history["loss"]) == 2  # noqa: PLR2004 - smoke: 20 steps, a row every 10
    assert report["training"]["images"] == 20 * report["parameters"]["batch_size"]
    denoiser = keras.models.load_model(data / "06_models/diffusion/denoiser.keras", compile=False)
    assert [tuple(i.shape) for i in denoiser.inputs] == [(None, 28, 28), (None,)]

    run = offline_runs(project_copy)["diffusion"]  # tracked as every family: losses and a sample grid per interval
    assert [row["step"] for row in run.history if "loss" in row] == [10, 20]
    assert run.column("samples/_type") == ["image-file"] * 2
    assert run.summary["fd"] == pytest.approx(report["samples"]["prior"]["fd"])
    assert {a.name for a in run.artifacts if a.type == "model"} == {"diffusion-denoiser"}

    first = _generated(project_copy, seed=3, name="first", digit=None)
    again = _generated(project_copy, seed=3, name="again", digit=None)
    assert np.array_equal(first, again) and first.shape == (10, 28, 28)
    with pytest.raises(Exception, match=r"trained unconditional \(diffusion.conditional: false\)"):
        _generated(project_copy, seed=3, name="seven", digit=7)


def test_the_conditional_option_trains_on_digits_and_is_asked_for_them(project_copy):
    run_in_process(
        project_copy, "diffusion", params={"diffusion": {"conditional": True, "n_samples": 100, "sampling_curve": [2]}}
    )
    data = project_copy / "data"
    report = json.loads((data / "08_reporting/diffusion/metrics.json").read_text())
    assert report["label"] == "Diffusion (DDIM), conditional" and report["parameters"]["conditional"] is True
    assert 0 <= report["samples"]["prior"]["conditional_accuracy"] <= 1
    assert report["samples"]["prior"]["fd_per_class"] > 0
    denoiser = keras.models.load_model(data / "06_models/diffusion/denoiser.keras", compile=False)
    assert len(denoiser.inputs) == 3  # noqa: PLR2004 - image, step, digit
    sevens = _generated(project_copy, seed=1, name="sevens", digit=7)
    assert sevens.shape == (10, 28, 28) and np.isfinite(sevens).all()
