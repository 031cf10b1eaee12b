"""The template runs a family it has never seen: one defined in this file, registered, and run
through a real Kedro session with offline W&B, with no file of the project changed."""

import json

import keras
import numpy as np
import pytest
from pydantic import PositiveInt

from deepgen.families import Family, TrainingData, TrainingResult, register, samplers, unregister
from deepgen.models import predict
from deepgen.params import FamilyParams
from deepgen.training import compile_model, fit_epochs
from tests.conftest import run_in_process
from tests.wandb_reader import offline_runs

pytestmark = pytest.mark.slow


# --- the new family: a one-layer decoder fitted from fixed random codes to the images ---------


class TinyParams(FamilyParams):
    epochs: PositiveInt


def build(params: TinyParams) -> dict:
    codes = keras.Input((params.latent_dim,))
    images = keras.layers.Reshape((28, 28))(keras.layers.Dense(784, activation="sigmoid")(codes))
    return {"decoder": keras.Model(codes, images)}


def train(networks, data: TrainingData, params, seed, callbacks) -> TrainingResult:
    rng = np.random.default_rng(seed)
    codes = rng.standard_normal((len(data.x), params.latent_dim), dtype=np.float32)
    validation_codes = rng.standard_normal((len(data.validation_x), params.latent_dim), dtype=np.float32)
    compile_model(networks["decoder"], params, loss="mse")
    history, stats = fit_epochs(
        networks["decoder"], params, codes, data.x, (validation_codes, data.validation_x), callbacks
    )
    return TrainingResult(history, stats)


TINY = Family(
    name="tiny",
    label="Tiny",
    params=TinyParams,
    build=build,
    train=train,
    networks=("decoder",),
    decode=lambda networks, codes, digits: predict(networks["decoder"], codes),
    samplers=(samplers.prior,),
)

TINY_PARAMS = {
    "latent_dim": 4, "batch_size": 64, "learning_rate": 0.01, "steps_per_execution": 1, "jit_compile": False,
    "deterministic": True, "resume": True, "n_samples": 300, "epochs": 2, "precision": "float32",
    "eval_interval": 1, "eval_samples": 100,
}  # fmt: skip


@pytest.fixture
def tiny_family():
    register(TINY)
    yield TINY
    unregister(TINY.name)


@pytest.mark.tracked
def test_a_family_defined_in_a_test_runs_through_the_template(tiny_family, project_copy):
    run_in_process(project_copy, "tiny", params={"tiny": TINY_PARAMS})

    data = project_copy / "data"
    assert keras.models.load_model(data / "06_models/tiny/decoder.keras", compile=False).output_shape == (None, 28, 28)
    samples = np.load(data / "07_model_output/tiny/samples.npy")
    assert samples.shape == (300, 28, 28) and 0 <= samples.min() <= samples.max() <= 1
    report = json.loads((data / "08_reporting/tiny/metrics.json").read_text())
    assert report["family"] == "tiny" and report["parameters"]["epochs"] == 2
    assert report["metrics"] == {} and 0 < report["samples"]["prior"]["fd"]
    history = json.loads((data / "08_reporting/tiny/training_history.json").read_text())
    assert len(history["loss"]) == 2 and history["sample_quality"]["epoch"] == [1, 2]  # scored after each epoch
    figures = {"samples.png", "training.png", "quality_over_training.png"}
    assert figures <= {path.name for path in (data / "08_reporting/tiny").iterdir()}
    assert "| Tiny |" in (data / "08_reporting/comparison.md").read_text()

    run = offline_runs(project_copy)["tiny"]
    assert run.config["latent_dim"] == 4 and run.exit_code == 0
    assert len(run.column("loss")) == 2 and run.column("samples/_type") == ["image-file"] * 2
    assert run.column("quality/fd") == pytest.approx(history["sample_quality"]["fd"])
    assert run.summary["fd"] == pytest.approx(report["samples"]["prior"]["fd"])
    assert {a.name for a in run.artifacts if a.type == "model"} == {"tiny-decoder"}
