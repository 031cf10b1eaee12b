"""The evaluator pipeline, and the comparison that every model run writes."""

import json
import shutil
import zipfile

import numpy as np
import pytest
from kedro.io import DatasetError
from PIL import Image

from deepgen.datasets import ChecksummedModelDataset
from deepgen.datasets.checksummed import sha256_of
from tests.conftest import EVALUATOR, FASHION_EVALUATOR, run_in_process

pytestmark = pytest.mark.slow


def test_committed_evaluators_are_accurate_and_hold_weights_only():
    mnist = json.loads((EVALUATOR / "metrics.json").read_text())
    assert mnist["test_accuracy"] >= 0.99 and mnist["n_test_images"] == 10_000 and mnist["dataset"] == "mnist"
    fashion = json.loads((FASHION_EVALUATOR / "metrics.json").read_text())
    assert fashion["test_accuracy"] >= 0.90 and fashion["n_test_images"] == 10_000
    assert fashion["dataset"] == "fashion-mnist"
    for folder in (EVALUATOR, FASHION_EVALUATOR):
        with zipfile.ZipFile(folder / "classifier.keras") as saved:
            assert not json.loads(saved.read("config.json")).get("compile_config")  # no optimizer state


@pytest.mark.user_commands("kedro run --pipelines=evaluator")
def test_evaluator_pipeline_writes_classifier_and_checksum(project_copy):
    before = sha256_of(project_copy / "data/06_models/evaluator/classifier.keras")
    run_in_process(project_copy, "evaluator", params={"evaluator": {"n_real_images": 1000}})
    folder = project_copy / "data/06_models/evaluator"
    assert sha256_of(folder / "classifier.keras") != before
    classifier = ChecksummedModelDataset(filepath=str(folder / "classifier.keras")).load()
    assert classifier(np.zeros((1, 28, 28), np.float32)).shape == (1, 10)
    assert json.loads((folder / "metrics.json").read_text())["test_accuracy"] >= 0.8
    with zipfile.ZipFile(folder / "classifier.keras") as saved:
        assert not json.loads(saved.read("config.json")).get("compile_config")
    reference = json.loads((folder / "real_data.json").read_text())  # the real-data row, scored with it
    assert (reference["n_train_images"], reference["n_test_images"]) == (1000, 10_000) and reference["fd"] > 0


def test_a_weak_evaluator_is_not_saved(project_copy):
    path = project_copy / "data/06_models/evaluator/classifier.keras"
    before = path.read_bytes()
    with pytest.raises(ValueError, match="below evaluator.min_test_accuracy"):
        run_in_process(project_copy, "evaluator", params={"evaluator": {"min_test_accuracy": 1.0}})
    assert path.read_bytes() == before


def test_altered_evaluator_stops_a_model_run(project_copy):
    with open(project_copy / "data/06_models/evaluator/classifier.keras", "ab") as file:
        file.write(b"\0")
    with pytest.raises(DatasetError, match="kedro run --pipelines=evaluator"):
        run_in_process(project_copy, "ae")


LABELS = [
    "real data (10,000 train vs 10,000 test images)",
    "AE, N(0, I) samples",
    "AE, mixture samples",
    "VAE, N(0, I) samples",
    "VAE, mixture samples",
    "CVAE",
    "DCGAN",
    "cDCGAN",
    "Flow matching",
]


def test_default_run_compares_every_model(default_smoke_run):
    report = default_smoke_run / "data/08_reporting"
    rows = {row["label"]: row for row in json.loads((report / "comparison.json").read_text())["rows"]}
    assert sorted(rows) == sorted(LABELS)  # in the order of the registry, each family's best sampler first
    assert [label.split(",")[0] for label in rows] == [label.split(",")[0] for label in LABELS]
    real = rows.pop(LABELS[0])
    for label, row in [(LABELS[0], real), *rows.items()]:
        metrics = row["metrics"]
        assert 1 <= metrics["class_score"] <= 10 and 0 <= metrics["precision"] <= 1 and 0 <= metrics["recall"] <= 1, (
            label
        )
    for label, row in rows.items():
        assert row["images_per_second"] > 0 and row["commit"], label
    assert rows["VAE, N(0, I) samples"]["metrics"]["nll_iw"] > 0 and rows["DCGAN"]["metrics"].get("nll_iw") is None
    # The conditional columns: filled for the conditional families and the real images, empty for the others.
    assert 0.99 < real["metrics"]["conditional_accuracy"] and 0 < real["metrics"]["fd_per_class"]
    for label, row in rows.items():
        conditional = label in ("CVAE", "cDCGAN")
        assert (row["metrics"].get("conditional_accuracy") is not None) == conditional, label
        assert (row["metrics"].get("fd_per_class") is not None) == conditional, label
    table = (report / "comparison.md").read_text()
    assert "| conditional_accuracy | fd_per_class |" in table and "`conditional_accuracy` (conditional" in table
    # The real data is the floor: closer to the test set than any model trained for a smoke run.
    assert all(real["metrics"]["fd"] < row["metrics"]["fd"] for row in rows.values())
    # The evaluator's fixed reference, whatever the run's data block: 10,000 real images against all 10,000 test images.
    assert (real["n_train_images"], real["n_test_images"], real.get("environment")) == (10_000, 10_000, None)
    assert real["metrics"]["fd"] < 3 and real["metrics"]["class_score"] > 9
    for label, row in rows.items():
        assert (row["environment"], row["n_train_images"], row["n_test_images"]) == ("local", 2700, 1000), label

    table = (report / "comparison.md").read_text()
    for label in LABELS:
        assert f"| {label} |" in table
    assert table.count("## Environment") == 1 and "## Environment `local` (this run's)" in table
    assert "blurry" in table  # what a high precision does not mean
    with Image.open(report / "comparison/samples.png") as image:
        assert image.size[0] > 4 * image.size[1]  # a panel per family, side by side


def test_single_model_run_updates_its_own_rows_and_keeps_environments_apart(default_smoke_run, project_copy):
    shutil.copytree(default_smoke_run / "data", project_copy / "data", dirs_exist_ok=True)
    comparison = project_copy / "data/08_reporting/comparison.json"
    before = json.loads(comparison.read_text())["rows"]
    dcgan_report = project_copy / "data/08_reporting/dcgan/metrics.json"  # as if from a run with --env=smoke
    dcgan_report.write_text(dcgan_report.read_text().replace('"environment": "local"', '"environment": "smoke"'))

    run_in_process(project_copy, "vae", params={"vae": {"latent_dim": 3}})
    after = {row["label"]: row for row in json.loads(comparison.read_text())["rows"]}
    assert after["VAE, N(0, I) samples"]["parameters"]["latent_dim"] == 3
    for row in before:
        if not row["label"].startswith(("VAE", "DCGAN")):
            assert after[row["label"]] == row
    table = (project_copy / "data/08_reporting/comparison.md").read_text()
    local, smoke = table.split("## Environment `local` (this run's)")[1].split("## Environment `smoke`")
    assert "| VAE, N(0, I) samples |" in local and "| AE, N(0, I) samples |" in local and "| DCGAN |" not in local
    assert "| DCGAN |" in smoke and "| AE," not in smoke
    assert "| real data (" in local and "| real data (" in smoke
