"""The frozen evaluator and the real-data reference row every comparison shows."""

from __future__ import annotations

import keras
import numpy as np

from deepgen import evaluation
from deepgen.datasets.labels import is_labelled
from deepgen.models import predict
from deepgen.models.classifier import build_classifier
from deepgen.params import EvaluatorParams
from deepgen.report import RealDataMetrics
from deepgen.training import compile_model, dtype_policy, progress_verbosity, start_training


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
        classifier = build_classifier(params.feature_units)
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
        frozen = build_classifier(params.feature_units)
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
