"""Raw IDX files → validated uint8 arrays → seeded train/validation split; test set apart."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    binarize_held_out,
    limit_test_set,
    scale_to_symmetric,
    scale_to_unit,
    split_train_validation,
    validate_raw_images,
)


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                validate_raw_images,
                inputs=["raw_train", "raw_test", "raw_files"],
                outputs=["raw_train_images", "raw_train_labels", "raw_test_images", "raw_test_labels"],
                name="validate_raw_images",
            ),
            Node(
                split_train_validation,
                inputs=["raw_train_images", "raw_train_labels", "params:data", "params:seed"],
                outputs=["train_images", "train_labels", "validation_images", "validation_labels"],
                name="split_train_validation",
            ),
            Node(
                limit_test_set,
                inputs=["raw_test_images", "raw_test_labels", "params:data"],
                outputs=["test_images", "test_labels"],
                name="limit_test_set",
            ),
        ]
    )


def unit_scaled_inputs() -> Pipeline:
    """Train, validation and test images in [0,1], for training sigmoid outputs and for
    evaluation; the held-out ones binarized once where the run's protocol asks for binary
    images (``data.binarize``), and the test images' identity (``test_set``)."""
    splits = ["train_images", "validation_images", "test_images"]
    intensities = ["validation_x_intensities", "test_x_intensities"]
    return Pipeline(
        [
            Node(scale_to_unit, splits, ["train_x_unit", *intensities], name="scale_to_unit"),
            Node(
                binarize_held_out,
                [*intensities, "params:data"],
                ["validation_x_unit", "test_x_unit", "test_set"],
                name="binarize_held_out",
            ),
        ]
    )


def symmetric_scaled_inputs() -> Pipeline:
    """Train and validation images in [-1,1], for families with a tanh output."""
    splits = ["train_images", "validation_images"]
    return Pipeline(
        [Node(scale_to_symmetric, splits, ["train_x_symmetric", "validation_x_symmetric"], name="scale_to_symmetric")]
    )


def model_inputs(scaling: str) -> Pipeline:
    """Everything a model pipeline reads: the split data, scaled for training (``unit`` or
    ``symmetric``) and to [0,1] for evaluation."""
    scaled = symmetric_scaled_inputs() if scaling == "symmetric" else Pipeline([])
    return create_pipeline() + unit_scaled_inputs() + scaled
