"""Other data than MNIST: Fashion-MNIST's environment and the user's own image folders, in real
Kedro runs in this process."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from kedro.io import DatasetError
from PIL import Image

from deepgen.datasets import IDXDataset
from tests.conftest import (
    FASHION_EVALUATOR,
    FEW_IMAGES,
    RAW_FASHION,
    RAW_MNIST,
    make_project_copy,
    run_in_process,
    smoke_parameters,
    write_image_folder,
)

pytestmark = pytest.mark.slow

CLASSES = {"one": 1, "seven": 7, "zero": 0}  # sub-folder → the MNIST digit written into it


def _mnist(n: int):
    images = IDXDataset(filepath=str(RAW_MNIST / "train-images-idx3-ubyte.gz")).load()[:n]
    labels = IDXDataset(filepath=str(RAW_MNIST / "train-labels-idx1-ubyte.gz")).load()[:n]
    return images.astype(np.float32) / 255, labels


def _image_environment(project, name: str, *, evaluator: str | None = None):
    """conf/<name>/ copied from the template, pointed at data/01_raw/<name>; ``evaluator``: the
    folder of another dataset's evaluator to name instead of the template's own."""
    conf = project / "conf" / name
    shutil.copytree(project / "conf" / "images.example", conf)
    catalog = (conf / "catalog.yml").read_text().replace("data/01_raw/my-images", f"data/01_raw/{name}")
    if evaluator:
        catalog = catalog.replace(
            "${globals:outputs}/06_models/evaluator/classifier.keras", f"{evaluator}/classifier.keras"
        )
    (conf / "catalog.yml").write_text(catalog)
    (conf / "globals.yml").write_text(f"outputs: data/{name}\n")
    return project / "data" / "01_raw" / name


def test_fashion_runs_beside_mnist_without_touching_its_outputs(smoke_run_copy):
    project = smoke_run_copy  # MNIST's outputs, from the default smoke run
    shutil.copytree(RAW_FASHION, project / "data" / "01_raw" / "fashion-mnist")
    shutil.copytree(FASHION_EVALUATOR, project / "data" / "fashion-mnist" / "06_models" / "evaluator")
    mnist_report = project / "data" / "08_reporting" / "vae" / "metrics.json"
    before = mnist_report.read_bytes()
    run_in_process(project, "vae", env="fashion", params=smoke_parameters() | FEW_IMAGES)

    fashion = project / "data" / "fashion-mnist"
    report = json.loads((fashion / "08_reporting" / "vae" / "metrics.json").read_text())
    checksum = (fashion / "06_models" / "evaluator" / "classifier.keras.sha256").read_text().split()[0]
    assert report["dataset"] == "fashion-mnist" and report["evaluator_sha256"] == checksum
    assert (fashion / "06_models" / "vae" / "decoder.keras").is_file()
    comparison = json.loads((fashion / "08_reporting" / "comparison.json").read_text())
    assert comparison["dataset"] == "fashion-mnist" and comparison["evaluator_sha256"] == checksum
    assert "model comparison on `fashion-mnist`" in (fashion / "08_reporting" / "comparison.md").read_text()
    assert mnist_report.read_bytes() == before
    assert json.loads(before)["dataset"] == "mnist"

    # `generate` draws from Fashion-MNIST's VAE and writes beside its other outputs.
    run_in_process(project, "generate", env="fashion", params={"generate": {"family": "vae", "n": 16, "name": "f"}})
    assert np.load(fashion / "07_model_output" / "generate" / "vae" / "f.npy").shape == (16, 28, 28)
    assert not (project / "data" / "07_model_output" / "generate").exists()
    assert json.loads((project / "data" / "08_reporting" / "comparison.json").read_text())["dataset"] == "mnist"


def test_a_labelled_image_folder_trains_its_evaluator_and_a_vae_then_a_corrupt_file_is_named(tmp_path):
    project = make_project_copy(tmp_path)
    images, labels = _mnist(3000)
    folder = write_image_folder(_image_environment(project, "digits"), images, CLASSES, per_class=150, labels=labels)
    run_in_process(project, "evaluator", env="digits", params={"evaluator": {"epochs": 3}})
    trained = json.loads((project / "data" / "digits" / "06_models" / "evaluator" / "metrics.json").read_text())
    assert trained["dataset"] == "digits" and trained["test_accuracy"] >= 0.8

    run_in_process(project, "vae", env="digits", params={"vae": {"epochs": 2, "n_samples": 300}})
    reporting = project / "data" / "digits" / "08_reporting"
    report = json.loads((reporting / "vae" / "metrics.json").read_text())
    assert report["dataset"] == "digits" and report["n_test_images"] == 90  # 0.2 of 3 × 150
    assert report["n_train_images"] == 324  # 360 less the validation tenth
    prior = report["samples"]["prior"]
    assert prior["fd"] > 0 and 1 <= prior["class_score"] < 3.05  # three classes at most
    assert sum(prior["class_freq"][3:]) == 0  # the evaluator knows three classes
    assert report.get("notes", []) == []
    for figure in ("samples", "reconstructions", "latent_scatter", "training"):
        assert (reporting / "vae" / f"{figure}.png").is_file(), figure
    assert np.load(project / "data" / "digits" / "07_model_output" / "vae" / "samples.npy").shape == (300, 28, 28)
    assert not (project / "data" / "08_reporting" / "vae").exists()  # MNIST's place is untouched

    saved = {  # the outputs (a lock file names its last holder)
        path: path.read_bytes()
        for path in (project / "data" / "digits").rglob("*")
        if path.is_file() and ".locks" not in path.parts
    }
    (folder / "seven" / "0042.png").write_bytes(b"\x89PNG\r\n\x1a\n cut short")
    with pytest.raises(DatasetError, match=r"seven/0042\.png: not a readable image"):
        run_in_process(project, "vae", env="digits")
    assert {path: path.read_bytes() for path in saved} == saved  # nothing of the earlier run was overwritten


def test_an_unlabelled_folder_skips_what_needs_labels_or_an_evaluator(tmp_path):
    project = make_project_copy(tmp_path)
    images, _ = _mnist(400)
    folder = _image_environment(project, "scans")
    folder.mkdir(parents=True)
    for i, image in enumerate(images):
        Image.fromarray((image * 255).astype(np.uint8)).save(folder / f"{i:04d}.png")
    run_in_process(project, "vae", env="scans", params={"vae": {"epochs": 1, "n_samples": 200}})
    report = json.loads((project / "data" / "scans" / "08_reporting" / "vae" / "metrics.json").read_text())
    assert report["dataset"] == "scans" and report["evaluator_sha256"] == "none"
    assert report["samples"]["prior"] == {} and "no evaluator" in report["notes"][0]
    comparison = (project / "data" / "scans" / "08_reporting" / "comparison.md").read_text()
    assert "No real-data row" in comparison and "no evaluator" in comparison

    # Naming MNIST's evaluator: its features give fd, precision and recall; its classes are not theirs.
    shutil.rmtree(project / "conf" / "scans")
    _image_environment(project, "scans", evaluator="data/06_models/evaluator")
    run_in_process(project, "vae", env="scans", params={"vae": {"epochs": 1, "n_samples": 200}})
    report = json.loads((project / "data" / "scans" / "08_reporting" / "vae" / "metrics.json").read_text())
    assert set(report["samples"]["prior"]) == {"fd", "precision", "recall"}
    assert "no labels" in report["notes"][0]

    with pytest.raises(ValueError, match="no labels"):
        run_in_process(project, "evaluator", env="scans")
    with pytest.raises(ValueError, match="conditional: it learns from labelled images"):
        run_in_process(project, "cvae", env="scans", params={"cvae": {"epochs": 1}})
