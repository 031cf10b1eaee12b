"""Every registered family through the template in-process: Kedro's SequentialRunner over a
DataCatalog filled here with 64 real images, one short epoch, the committed evaluator."""

import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from matplotlib.figure import Figure

from deepgen import evaluation
from deepgen.datasets import ChecksummedModelDataset, IDXDataset
from deepgen.datasets.runtime import TrainingContext
from deepgen.evaluation import FeatureReference
from deepgen.families import FAMILIES
from deepgen.pipelines.family import create_pipeline
from deepgen.report import ModelReport
from deepgen.training import QUALITY
from tests.conftest import EVALUATOR, RAW_MNIST, base_params

TINY = {"batch_size": 16, "steps_per_execution": 1, "jit_compile": False, "n_samples": 64, "eval_samples": 64}
SHORT = {
    "epochs": 1,
    "steps": 4,
    "autoencoder_steps": 2,
    "gen_interval": 2,
    "iw_samples": 5,
    "sampling_steps": 3,
    "sampling_curve": [2, 3],
    "curve_samples": 20,
    "widths": [8, 16],
    "groups": 4,
    "units": 16,
    "blocks": 1,
}
EVAL_INTERVAL = {"epoch": 1, "step": 2}  # samples scored after every epoch, or every 2 of the 4 steps


@pytest.fixture(scope="module")
def images() -> dict[str, np.ndarray]:
    train = IDXDataset(filepath=str(RAW_MNIST / "train-images-idx3-ubyte.gz")).load()[:80].astype(np.float32) / 255
    test = IDXDataset(filepath=str(RAW_MNIST / "t10k-images-idx3-ubyte.gz")).load()[:100].astype(np.float32) / 255
    train_labels = IDXDataset(filepath=str(RAW_MNIST / "train-labels-idx1-ubyte.gz")).load()[:80]
    labels = IDXDataset(filepath=str(RAW_MNIST / "t10k-labels-idx1-ubyte.gz")).load()[:100]
    return {
        "train": train[:64],
        "train_labels": train_labels[:64],
        "validation": train[64:],
        "validation_labels": train_labels[64:],
        "test": test,
        "test_labels": labels,
        "test_features": evaluation.evaluator_outputs(
            ChecksummedModelDataset(filepath=str(EVALUATOR / "classifier.keras")).load(), test
        )[0],
    }


class KeptDataset(MemoryDataset):
    """A memory dataset that keeps its data after the run (the runner releases the others)."""

    def _release(self) -> None:
        pass


def _catalog(family, images, outputs, **settings) -> DataCatalog:
    short = {key: value for key, value in SHORT.items() if key in family.params.model_fields}
    interval = EVAL_INTERVAL[family.params.counted_in()]
    params = base_params(family.name, **TINY, **short, eval_interval=interval, **settings)
    catalog = DataCatalog()
    values = {
        "train_x_unit": images["train"],
        "validation_x_unit": images["validation"],
        "train_x_symmetric": images["train"] * 2 - 1,
        "validation_x_symmetric": images["validation"] * 2 - 1,
        "test_x_unit": images["test"],
        "test_labels": images["test_labels"],
        "test_features": images["test_features"],
        "test_neighbour_radii": evaluation.kth_neighbour_radii(images["test_features"], 3),
        "train_labels": images["train_labels"],
        "validation_labels": images["validation_labels"],
        "training_context": TrainingContext(),
        "project_commit": "test",
        "kedro_environment": "test",
        "dataset_name": "mnist",
        "evaluator_checksum": "0" * 64,
        f"params:{family.name}": params,
        "params:seed": 0,
        "params:evaluator": base_params("evaluator"),
        "params:data": base_params("data"),
        "test_set": {"sha256": "0" * 64},
    }
    for name, value in values.items():
        catalog[name] = MemoryDataset(value, copy_mode="assign")
    catalog["evaluator_classifier"] = ChecksummedModelDataset(filepath=str(EVALUATOR / "classifier.keras"))
    catalog["probe_reference"] = MemoryDataset(
        FeatureReference(catalog.load("evaluator_classifier"), images["test_features"]), copy_mode="assign"
    )
    for name in outputs:
        catalog[name] = KeptDataset(copy_mode="assign")
    return catalog


# The AE's slice is the fast tier's check of the template; every other family's takes seconds
# (tracing the GAN's training step alone takes several, diffusion samples in many steps): theirs
# run with the slow tests.
FAST = {"ae"}


# Conditional options whose whole pipeline has a test of its own (tests/pipelines/<family>).
WHOLE_PIPELINE_TESTED = {"diffusion"}

# Every family as registered, and the families whose parameters make them conditional, so.
CASES = [pytest.param(name, {}, id=name, marks=[] if name in FAST else [pytest.mark.slow]) for name in FAMILIES] + [
    pytest.param(
        name, {"conditional": True}, id=f"{name}-conditional", marks=[] if name in FAST else [pytest.mark.slow]
    )
    for name, family in FAMILIES.items()
    if family.may_be_conditional and not family.conditional and name not in WHOLE_PIPELINE_TESTED
]


@pytest.mark.parametrize(("name", "settings"), CASES)
def test_family_slice_writes_every_output(name, settings, images):
    pipeline = create_pipeline(FAMILIES[name])
    catalog = _catalog(FAMILIES[name], images, pipeline.all_outputs(), **settings)
    SequentialRunner().run(pipeline, catalog)
    family = FAMILIES[name].configured(catalog.load(f"params:{name}"))

    report = catalog.load(f"{name}.metrics")
    assert isinstance(report, ModelReport) and report.family == name and report.n_test_images == 100
    assert report.environment == "test" and report.n_train_images == 64
    assert report.test_set == {"sha256": "0" * 64}  # the test images' identity, as the data pipeline gave it
    assert list(report.samples) == [sampler.name for sampler in family.samplers]
    assert all(metrics.fd > 0 and 1 <= metrics.class_score <= 10 for metrics in report.samples.values())
    for metrics in report.samples.values():  # the conditional metrics, for conditional families only
        assert (metrics.conditional_accuracy is not None) == family.conditional
        assert (metrics.fd_per_class is not None) == family.conditional
    assert report.training.images > 0 and report.training.final_losses
    assert 0 < report.training.sample_quality_seconds < report.training.seconds
    quality = catalog.load(f"{name}.training_history")[QUALITY]
    assert quality[family.params.counted_in()] == ([2, 4] if family.params.counted_in() == "step" else [1])
    assert all(fd > 0 for fd in quality["fd"]) and all(1 <= score <= 10 for score in quality["class_score"])
    assert ("conditional_accuracy" in quality) == family.conditional
    assert report.training.quality == quality and 0 < quality["seconds"][0] <= quality["seconds"][-1]
    phases = report.training.phases  # the training node's seconds, by phase: they add up to it
    assert {"build", "setup", "trace", "fit", "probe_sampling", "probe_scoring", "grids"} <= set(phases)
    assert sum(seconds for name, seconds in phases.items() if name != "node") == pytest.approx(phases["node"], abs=0.06)
    assert abs(phases["other"]) < 0.1 * phases["node"] and phases["fit"] > 0
    assert phases["probe_sampling"] + phases["probe_scoring"] == pytest.approx(
        report.training.sample_quality_seconds, abs=0.03
    )
    for sampler in family.samplers:
        samples = catalog.load(f"{name}.samples" if sampler.name == "prior" else f"{name}.{sampler.name}_samples")
        assert (
            samples.shape == (64, 28, 28) and samples.dtype == np.float32 and 0 <= samples.min() <= samples.max() <= 1
        )
    for network in family.networks:
        assert catalog.load(f"{name}.{network}").built
    if family.encode is not None:
        assert set(report.metrics) >= {"recon_mse", "recon_bce"}
        embeddings = catalog.load(f"{name}.latent_embeddings")
        assert isinstance(embeddings, pd.DataFrame) and len(embeddings) == 100
    plots = [output for output in pipeline.all_outputs() if output.endswith("_plot")]
    assert plots and all(isinstance(catalog.load(plot), Figure) for plot in plots)
