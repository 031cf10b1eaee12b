"""The frozen evaluator, the real-data reference row and the cross-model comparison."""

from __future__ import annotations

import logging
from collections.abc import Callable

import keras
import numpy as np
from kedro.io.core import DatasetError
from matplotlib.figure import Figure

from deepgen import evaluation, reporting
from deepgen.datasets.images import is_labelled
from deepgen.families import FAMILIES
from deepgen.models import evaluator, predict
from deepgen.params import EvaluatorParams
from deepgen.repeats import comparison_rows_over_seeds, split_partition
from deepgen.report import (
    Comparison,
    ComparisonRow,
    ModelReport,
    RealDataMetrics,
    comparison_markdown,
    model_rows,
    tabulate,
)
from deepgen.training import compile_model, dtype_policy, progress_verbosity, start_training

logger = logging.getLogger(__name__)


def train_evaluator(
    train_x: np.ndarray,
    train_labels: np.ndarray,
    validation_x: np.ndarray,
    validation_labels: np.ndarray,
    test_x: np.ndarray,
    test_labels: np.ndarray,
    params: EvaluatorParams,
    seed: int,
    dataset: str,
) -> tuple[keras.Model, dict]:
    """Train the dataset's classifier; refuse to hand it on when its test accuracy is too low."""
    if not is_labelled(train_labels):
        raise ValueError(
            f"`{dataset}` has no labels (a flat folder of images), and an evaluator learns its classes. Name an "
            "evaluator trained on other data in the environment's catalog (`evaluator_classifier`, "
            "`evaluator_checksum`), or leave them optional: sample metrics are then skipped with a note."
        )
    start_training(seed, params.deterministic)
    with dtype_policy(params.precision):
        classifier = evaluator.build_classifier(params.feature_units)
    compile_model(classifier, params, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    classifier.fit(
        train_x,
        train_labels,
        validation_data=(validation_x, validation_labels),
        batch_size=params.batch_size,
        epochs=params.epochs,
        verbose=progress_verbosity(),
    )
    accuracy = float(np.mean(predict(classifier, test_x).argmax(axis=1) == test_labels))
    if accuracy < params.min_test_accuracy:
        raise ValueError(
            f"The evaluator reached a test accuracy of {accuracy:.4f}, below evaluator.min_test_accuracy = "
            f"{params.min_test_accuracy}; it was not saved. Train longer (evaluator.epochs) on all images."
        )
    # The weights only, in an uncompiled copy: Keras' clone_model compiles its clone, whose
    # optimizer state would triple the committed file.
    with dtype_policy(params.precision):
        frozen = evaluator.build_classifier(params.feature_units)
    frozen.set_weights(classifier.get_weights())
    return frozen, {
        "dataset": dataset,
        "test_accuracy": accuracy,
        "n_test_images": len(test_x),
        "parameters": params.model_dump(),
    }


def score_real_data(
    train_images: np.ndarray,
    train_labels: np.ndarray,
    test_images: np.ndarray,
    test_labels: np.ndarray,
    classifier: keras.Model,
    params: EvaluatorParams,
) -> RealDataMetrics:
    """The floor every model is measured against: the first ``n_real_images`` of the whole
    training pool scored like samples against the whole test set (their labels as the digits
    "asked for", for the conditional metrics). The reference is fixed: no data parameter of the
    run (``max_train_images``, …) changes it."""
    real = train_images[: params.n_real_images].astype(np.float32) / 255.0
    test = test_images.astype(np.float32) / 255.0
    test_features, _ = evaluation.evaluator_outputs(classifier, test)
    metrics = evaluation.score_images(
        classifier, real, test_features, params.neighbours, digits=train_labels[: len(real)], test_labels=test_labels
    )
    return RealDataMetrics(**metrics, n_train_images=len(real), n_test_images=len(test))


def compare_models(
    saved_reports: dict[str, Callable[[], ModelReport]],
    real_data: RealDataMetrics | None,
    environment: str,
    dataset: str,
    evaluator_checksum: str,
    *fresh_reports: ModelReport,
) -> tuple[str, Comparison]:
    """Every registered family's metrics beside the real-data row, a table per environment
    (this run's first).

    ``saved_reports`` holds every ``metrics.json`` under data/08_reporting, so a one-family run
    updates its own rows and keeps the others; ``fresh_reports`` are this run's (they also make
    Kedro run this node after them).
    """
    reports = {}
    for partition, load in saved_reports.items():
        if partition in FAMILIES:  # <family>/metrics.json (not a sweep instance's)
            report = _loaded(partition, load)
            if report is not None:
                reports[partition] = report
    reports |= {report.family: report for report in fresh_reports}
    rows = [row for family in FAMILIES if family in reports for row in _family_rows(reports[family])]
    notes = [note for report in reports.values() for note in report.notes]
    return _compared(real_data, rows, notes, environment, dataset, evaluator_checksum)


def compare_over_seeds(
    repeat_reports: dict[str, Callable[[], ModelReport]],
    real_data: RealDataMetrics | None,
    environment: str,
    dataset: str,
    evaluator_checksum: str,
) -> tuple[str, Comparison]:
    """The comparison of the families' seed repeats (``<outputs>/repeats/seed_<seed>/``): one
    row per model, each metric the mean ± standard deviation over its seeds; the JSON keeps
    every seed's metrics."""
    reports = []
    for partition, load in repeat_reports.items():
        seed, folder = split_partition(partition)
        report = _loaded(partition, load) if folder in FAMILIES else None  # not a sweep instance's
        if report is not None:
            reports.append((seed, report))
    if not reports:
        raise ValueError(
            "No family's seed repeats under <outputs>/repeats/seed_<seed>/: `kedro distribute --repeats=N` makes them."
        )
    order = list(FAMILIES)
    reports.sort(key=lambda seeded: (order.index(seeded[1].family), seeded[0]))
    rows = comparison_rows_over_seeds((seed, row) for seed, report in reports for row in _family_rows(report))
    seeds = ", ".join(str(seed) for seed in sorted({seed for seed, _ in reports}))
    notes = [
        f"Every model's metrics are the mean ± sample standard deviation over its seeds ({seeds}); "
        "`comparison.json` keeps each seed's numbers (`seeds`).",
        *(note for _, report in reports for note in report.notes),
    ]
    return _compared(real_data, rows, notes, environment, dataset, evaluator_checksum)


def _loaded(partition: str, load: Callable[[], ModelReport]) -> ModelReport | None:
    try:
        return load()
    except DatasetError as exc:
        logger.warning("Left out of the comparison: %s (%s)", exc, partition)
        return None


def _family_rows(report: ModelReport) -> list[ComparisonRow]:
    return model_rows(report, {sampler.name: sampler.label for sampler in FAMILIES[report.family].samplers})


def _compared(
    real_data: RealDataMetrics | None,
    rows: list[ComparisonRow],
    notes: list[str],
    environment: str,
    dataset: str,
    evaluator_checksum: str,
) -> tuple[str, Comparison]:
    if real_data is None:
        notes = [
            *notes,
            "No real-data row: this dataset's evaluator has not scored real images "
            "(`kedro run --pipelines=evaluator` does, on labelled data).",
        ]
    result = tabulate(real_data, rows, environment, dataset, evaluator_checksum, notes)
    return comparison_markdown(result), result


def plot_model_samples(comparison: Comparison, **samples: np.ndarray) -> Figure:
    """Each model's samples side by side, its headline metrics in the title; ``samples`` is
    keyed like the rows' ``samples_key``."""
    panels = [
        (row.label, samples[row.samples_key], row.metrics) for row in comparison.rows if row.samples_key in samples
    ]
    return reporting.samples_side_by_side(panels)
