"""The VAE's outputs of the default smoke run."""

import json

import keras
import numpy as np
import pandas as pd
import pytest
from kedro_datasets.tensorflow import TensorFlowModelDataset

from tests.conftest import base_params

pytestmark = pytest.mark.slow

FIGURES = (
    "reconstructions",
    "latent_scatter",
    "latent_traversals",
    "latent_manifold",
    "interpolations",
    "samples",
    "mixture_samples",
    "training",
)


def test_writes_every_output(default_smoke_run):
    data = default_smoke_run / "data"
    expected = [
        "06_models/vae/encoder.keras",
        "06_models/vae/decoder.keras",
        "07_model_output/vae/latent_embeddings.parquet",
        "07_model_output/vae/samples.npy",
        "07_model_output/vae/mixture_samples.npy",
        "08_reporting/vae/metrics.json",
        "08_reporting/vae/training_history.json",
        *(f"08_reporting/vae/{name}.png" for name in FIGURES),
    ]
    assert [path for path in expected if not (data / path).is_file()] == []


def test_models_round_trip_through_the_catalog(default_smoke_run):
    models = default_smoke_run / "data/06_models/vae"
    encoder = TensorFlowModelDataset(filepath=str(models / "encoder.keras"), load_args={"compile": False}).load()
    decoder = TensorFlowModelDataset(filepath=str(models / "decoder.keras"), load_args={"compile": False}).load()
    z_mean, z_log_var = encoder(np.zeros((2, 28, 28), np.float32))
    assert z_mean.shape == z_log_var.shape == (2, 2)
    assert decoder(z_mean).shape == (2, 28, 28)


def test_embeddings_samples_metrics(default_smoke_run):
    data = default_smoke_run / "data"
    embeddings = pd.read_parquet(data / "07_model_output/vae/latent_embeddings.parquet")
    assert list(embeddings.columns) == ["z_0", "z_1", "label"]
    assert len(embeddings) == 1000
    samples = np.load(data / "07_model_output/vae/samples.npy")
    assert samples.shape == (500, 28, 28) and samples.dtype == np.float32 and 0 <= samples.min() <= samples.max() <= 1

    report = json.loads((data / "08_reporting/vae/metrics.json").read_text())
    metrics = report["metrics"]
    likelihood = {"elbo", "nll_iw", "nll_iw_se", "iw_samples", "iw_bound_1", "iw_bound_5", "active_units"}
    assert set(metrics) == {"recon_mse", "recon_bce", *likelihood}  # the bounds below K = 10: at 1 and 5
    assert metrics["iw_bound_1"] < metrics["iw_bound_5"] < -metrics["nll_iw"] and metrics["nll_iw_se"] > 0
    assert 0 <= metrics["active_units"] <= 2  # of the 2 latent dimensions
    assert set(report["samples"]) == {"prior", "mixture"}
    assert metrics["elbo"] < 0 < metrics["nll_iw"] <= -metrics["elbo"]
    assert metrics["nll_iw"] < 544  # 784·log 2: better than a coin per pixel, even after one epoch

    history = json.loads((data / "08_reporting/vae/training_history.json").read_text())
    assert set(history) == {
        "loss",
        "reconstruction_loss",
        "kl_loss",
        "val_loss",
        "val_reconstruction_loss",
        "val_kl_loss",
    }


def test_saved_decoder_reproduces_the_samples(default_smoke_run):
    from deepgen.families import FAMILIES

    family = FAMILIES["vae"]
    decoder = keras.models.load_model(default_smoke_run / "data/06_models/vae/decoder.keras", compile=False)
    saved = np.load(default_smoke_run / "data/07_model_output/vae/samples.npy")
    params = base_params("vae")
    resampled = family.samplers[0].draw(family, {"decoder": decoder}, params, len(saved), 42, None)  # base seed
    np.testing.assert_allclose(resampled, saved, atol=1e-5)
