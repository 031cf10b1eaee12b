"""The AE's outputs of the default smoke run, and runs the AE's parameters or data stop."""

import json

import keras
import numpy as np
import pandas as pd
import pytest
from kedro.io import DatasetError
from kedro.validation.exceptions import ParameterValidationError
from PIL import Image

from tests.conftest import run_in_process

pytestmark = pytest.mark.slow


def test_writes_every_output(default_smoke_run):
    data = default_smoke_run / "data"
    expected = [
        "06_models/ae/encoder.keras",
        "06_models/ae/decoder.keras",
        "07_model_output/ae/latent_embeddings.parquet",
        "07_model_output/ae/samples.npy",
        "07_model_output/ae/mixture_samples.npy",
        "08_reporting/ae/metrics.json",
        "08_reporting/ae/training_history.json",
        "08_reporting/ae/training_stats.json",
        "08_reporting/ae/mixture_samples.png",
        "08_reporting/ae/reconstructions.png",
        "08_reporting/ae/latent_scatter.png",
        "08_reporting/ae/latent_traversals.png",
        "08_reporting/ae/samples.png",
        "08_reporting/ae/training.png",
    ]
    missing = [path for path in expected if not (data / path).is_file()]
    assert not missing


def test_models_load_and_reconstruct(default_smoke_run):
    models = default_smoke_run / "data" / "06_models" / "ae"
    encoder = keras.models.load_model(models / "encoder.keras", compile=False)
    decoder = keras.models.load_model(models / "decoder.keras", compile=False)
    x = np.zeros((3, 28, 28), np.float32)
    z = encoder(x)
    assert z.shape == (3, 2)  # base latent_dim
    assert decoder(z).shape == (3, 28, 28)


def test_embeddings_samples_and_metrics(default_smoke_run):
    out = default_smoke_run / "data"
    embeddings = pd.read_parquet(out / "07_model_output/ae/latent_embeddings.parquet")
    assert list(embeddings.columns) == ["z_0", "z_1", "label"]
    assert len(embeddings) == 1000 and embeddings["label"].between(0, 9).all()  # smoke: 1,000 test images
    assert set(embeddings["label"]) == set(range(10))

    samples = np.load(out / "07_model_output/ae/samples.npy")
    assert samples.shape == (500, 28, 28) and samples.dtype == np.float32
    assert 0 <= samples.min() and samples.max() <= 1

    report = json.loads((out / "08_reporting/ae/metrics.json").read_text())
    metrics = report["metrics"]
    assert set(metrics) == {"recon_mse", "recon_bce"}
    assert 0 < metrics["recon_mse"] < 0.2  # one epoch on 2,700 images: far from perfect, far from noise
    assert 50 < metrics["recon_bce"] < 544  # 544 = 784·log 2, a decoder that outputs 0.5 everywhere
    assert report["parameters"]["epochs"] == 1 and report["parameters"]["latent_dim"] == 2
    assert list(report["samples"]) == ["prior", "mixture"]
    for sampler in report["samples"].values():
        assert set(sampler) == {"fd", "class_score", "precision", "recall", "class_freq"}
    assert report["family"] == "ae" and len(report["evaluator_sha256"]) == 64 and report["commit"]
    mixture = np.load(out / "07_model_output/ae/mixture_samples.npy")
    assert mixture.shape == samples.shape and 0 <= mixture.min() and mixture.max() <= 1
    assert report["training"]["images"] == 2700 and report["training"]["images_per_second"] > 0

    history = json.loads((out / "08_reporting/ae/training_history.json").read_text())
    assert set(history) == {"loss", "val_loss"} and len(history["loss"]) == 1


def test_figures_are_real_pngs(default_smoke_run):
    for name in ("reconstructions", "latent_scatter", "samples", "mixture_samples", "training"):
        with Image.open(default_smoke_run / "data/08_reporting/ae" / f"{name}.png") as image:
            assert image.format == "PNG" and min(image.size) > 100
            assert np.asarray(image.convert("L")).std() > 5  # not a blank canvas


def test_invalid_parameter_stops_the_run_naming_the_key(project_copy):
    with pytest.raises(ParameterValidationError, match=r"(?s)latent_dim.*greater than 0"):
        run_in_process(project_copy, "ae", params={"ae": {"latent_dim": -3}})
    assert not (project_copy / "data" / "06_models" / "ae").exists()  # stopped before training


def test_unknown_parameter_key_stops_the_run(project_copy):
    with pytest.raises(ParameterValidationError, match="latnet_dim"):
        run_in_process(project_copy, "ae", params={"ae": {"latnet_dim": 3}})


@pytest.mark.parametrize(
    ("file", "mangle", "problem"),
    [
        ("t10k-labels-idx1-ubyte.gz", lambda raw: raw[: len(raw) // 2], "truncated"),
        ("t10k-labels-idx1-ubyte.gz", lambda raw: b"\x00\x01" + raw[2:], "wrong magic number"),
        ("t10k-images-idx3-ubyte.gz", lambda raw: raw[:2] + b"\x09" + raw[3:], "its values are int8, expected uint8"),
    ],
)
def test_corrupt_raw_file_stops_the_run_naming_the_file(project_copy, file, mangle, problem):
    """A file that does not read, or reads as the wrong kind of IDX array (a valid type code,
    int8: the check of the raw data finds it), is named."""
    import gzip

    path = project_copy / "data/01_raw/mnist" / file
    path.write_bytes(gzip.compress(mangle(gzip.decompress(path.read_bytes()))))
    with pytest.raises((DatasetError, ValueError), match=f"(?s){file}.*{problem}"):
        run_in_process(project_copy, "ae")
