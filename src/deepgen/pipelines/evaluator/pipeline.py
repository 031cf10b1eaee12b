"""The ``evaluator`` pipeline: train and freeze the run's dataset's classifier, and score real
images with it (the real-data row every comparison shows)."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from deepgen.pipelines.data_processing import model_inputs

from .nodes import score_real_data, train_evaluator


def create_pipeline(**kwargs) -> Pipeline:
    """Train the classifier, then score real images with it: the real-data row every
    comparison shows, saved beside the classifier since it changes only with it."""
    splits = ["train_x_unit", "train_labels", "validation_x_unit", "validation_labels", "test_x_unit", "test_labels"]
    inputs = [*splits, "params:evaluator", "params:seed", "dataset_name"]
    train = Node(train_evaluator, inputs, ["evaluator_classifier", "evaluator_metrics"], name="train_evaluator")
    reference = Node(
        score_real_data,
        [
            "raw_train_images",
            "raw_train_labels",
            "raw_test_images",
            "raw_test_labels",
            "evaluator_classifier",
            "params:evaluator",
        ],
        "evaluator_reference",
        name="score_real_data",
    )
    return model_inputs("unit") + Pipeline([train, reference])
