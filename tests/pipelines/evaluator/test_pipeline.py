"""The evaluator pipeline, and the comparison that every model run writes."""

import json

import numpy as np
import pytest
from PIL import Image

from deepgen.datasets import ChecksummedModelDataset
from deepgen.datasets.checksummed import sha256_of
from tests.conftest import EVALUATOR, kedro_run

pytestmark = pytest.mark.slow


def test_committed_evaluator_is_accurate():
    report = json.loads((EVALUATOR / "metrics.json").read_text())
    assert report["test_accuracy"] >= 0.99 and report["n_test_images"] == 10_000


def test_evaluator_pipeline_writes_classifier_and_checksum(project_copy):
    before = sha256_of(project_copy / "data/06_models/evaluator/classifier.keras")
    result = kedro_run(project_copy, "--pipelines=evaluator", "--env=smoke")
    assert result.returncode == 0, result.stderr[-2000:]
    folder = project_copy / "data/06_models/evaluator"
    assert sha256_of(folder / "classifier.keras") != before
    classifier = ChecksummedModelDataset(filepath=str(folder / "classifier.keras")).load()
    assert classifier(np.zeros((1, 28, 28), np.float32)).shape == (1, 10)
    assert json.loads((folder / "metrics.json").read_text())["test_accuracy"] >= 0.8


def test_a_weak_evaluator_is_not_saved(project_copy):
    path = project_copy / "data/06_models/evaluator/classifier.keras"
    before = path.read_bytes()
    result = kedro_run(project_copy, "--pipelines=evaluator", "--env=smoke", "--params=evaluator.min_test_accuracy=1.0")
    assert result.returncode != 0
    assert "below evaluator.min_test_accuracy" in result.stdout + result.stderr
    assert path.read_bytes() == before


def test_altered_evaluator_stops_a_model_run(project_copy):
    with open(project_copy / "data/06_models/evaluator/classifier.keras", "ab") as file:
        file.write(b"\0")
    result = kedro_run(project_copy, "--pipelines=dcgan", "--env=smoke")
    assert result.returncode != 0
    assert "kedro run --pipelines=evaluator" in result.stdout + result.stderr


def test_default_run_compares_every_model(default_smoke_run):
    report = default_smoke_run / "data/08_reporting"
    rows = {row["row"]: row for row in json.loads((report / "comparison.json").read_text())["rows"]}
    assert set(rows) == {"real_data", "ae", "ae_mixture", "vae", "dcgan"}
    for name, row in rows.items():
        metrics = row["metrics"]
        assert {"fd", "class_score", "precision", "recall", "class_freq"} <= set(metrics), name
        assert 1 <= metrics["class_score"] <= 10 and 0 <= metrics["precision"] <= 1 and 0 <= metrics["recall"] <= 1
        assert sum(metrics["class_freq"]) == pytest.approx(1)
        if name != "real_data":
            assert row["training"]["images_per_second"] > 0 and row["commit"] and row["parameters"]
    # The real data is the floor: closer to the test set than any model trained for a smoke run.
    assert all(rows["real_data"]["metrics"]["fd"] < row["metrics"]["fd"] for name, row in rows.items() if name != "real_data")
    assert rows["real_data"]["metrics"]["class_score"] > 8

    table = (report / "comparison.md").read_text()
    for label in ("real data", "AE, N(0, I) samples", "AE, mixture samples", "VAE", "DCGAN"):
        assert f"| {label}" in table
    with Image.open(report / "comparison/samples.png") as image:
        assert image.size[0] > 3 * image.size[1]  # four panels side by side


def test_single_model_run_updates_its_own_row(default_smoke_run):
    before = json.loads((default_smoke_run / "data/08_reporting/comparison.json").read_text())["rows"]
    result = kedro_run(default_smoke_run, "--pipelines=vae", "--env=smoke", "--params=vae.latent_dim=3")
    assert result.returncode == 0, result.stderr[-2000:]
    after = {row["row"]: row for row in json.loads((default_smoke_run / "data/08_reporting/comparison.json").read_text())["rows"]}
    assert after["vae"]["parameters"]["latent_dim"] == 3
    for row in before:
        if row["row"] != "vae":
            assert after[row["row"]] == row
