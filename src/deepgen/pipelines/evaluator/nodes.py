"""The frozen evaluator, the real-data reference row and the cross-model comparison."""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
from matplotlib.figure import Figure

from deepgen import evaluation, reporting
from deepgen.models import evaluator, predict
from deepgen.params import EvaluatorParams
from deepgen.training import compile_model, progress_verbosity, start_training


def train_evaluator(
    train_x: np.ndarray,
    train_labels: np.ndarray,
    validation_x: np.ndarray,
    validation_labels: np.ndarray,
    test_x: np.ndarray,
    test_labels: np.ndarray,
    params: EvaluatorParams,
    seed: int,
) -> tuple[keras.Model, dict]:
    """Train the digit classifier; refuse to hand it on when its test accuracy is too low."""
    start_training(seed, params.deterministic)
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
    frozen = keras.models.clone_model(classifier)  # the weights only: no optimizer state in the committed file
    frozen.set_weights(classifier.get_weights())
    return frozen, {"test_accuracy": accuracy, "n_test_images": len(test_x), "parameters": params.model_dump()}


def score_real_data(train_x: np.ndarray, test_x: np.ndarray, classifier: keras.Model, params: EvaluatorParams) -> dict:
    """The floor every model is measured against: real training images scored like samples."""
    return {
        "model": "real_data",
        "metrics": evaluation.score_images(classifier, train_x[: params.n_real_images], test_x, params.neighbours),
    }


def compare_models(saved_metrics: dict[str, Callable[[], dict]], real_data_metrics: dict, *fresh_metrics: dict) -> tuple[str, dict]:
    """One table of every model's metrics beside the real-data row.

    ``saved_metrics`` holds every ``metrics.json`` under data/08_reporting, so a single-model run
    updates its own rows and keeps the others; ``fresh_metrics`` are this run's (they also make
    Kedro run this node after them).
    """
    reports = {name.split("/")[0]: load() for name, load in saved_metrics.items()}
    reports.update({report["model"]: report for report in fresh_metrics})
    rows = reporting.comparison_rows(reports, real_data_metrics)
    return reporting.comparison_markdown(rows), {"rows": rows}


def plot_model_samples(comparison: dict, ae_samples, ae_mixture_samples, vae_samples, dcgan_samples) -> Figure:
    """Each model's samples side by side, its headline metrics in the title."""
    samples = {"ae": ae_samples, "ae_mixture": ae_mixture_samples, "vae": vae_samples, "dcgan": dcgan_samples}
    rows = {row["row"]: row for row in comparison["rows"]}
    return reporting.samples_side_by_side({name: samples[name] for name in rows if name in samples}, rows)
