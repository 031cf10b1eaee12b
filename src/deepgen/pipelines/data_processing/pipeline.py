"""Raw IDX files → validated uint8 arrays → seeded train/validation split; the test set apart.

Two parts: what training and selection read (the training images, split into train and
validation, scaled), and the test set, scored once at the end of a run. A sweep's trial reads
the first part only: nothing it chooses can see the test images."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    binarize_test,
    binarize_validation,
    limit_test_set,
    scale_to_symmetric,
    scale_to_unit,
    split_train_validation,
    validate_test_images,
    validate_training_images,
)


def training_inputs(scaling: str = "unit") -> Pipeline:
    """The training images checked and split into train and validation parts, in [0,1] (the
    validation images binarized once where the run's protocol asks for binary images) and, with
    ``scaling="symmetric"``, in [-1,1] for families with a tanh output."""
    nodes = [
        Node(
            validate_training_images,
            inputs=["raw_train", "raw_files"],
            outputs=["raw_train_images", "raw_train_labels"],
            name="validate_training_images",
        ),
        Node(
            split_train_validation,
            inputs=["raw_train_images", "raw_train_labels", "params:data", "params:seed"],
            outputs=["train_images", "train_labels", "validation_images", "validation_labels"],
            name="split_train_validation",
        ),
        Node(
            scale_to_unit,
            ["train_images", "validation_images"],
            ["train_x_unit", "validation_x_intensities"],
            name="scale_to_unit",
        ),
        Node(
            binarize_validation,
            ["validation_x_intensities", "params:data"],
            "validation_x_unit",
            name="binarize_validation",
        ),
    ]
    if scaling == "symmetric":
        nodes.append(
            Node(
                scale_to_symmetric,
                ["train_images", "validation_images"],
                ["train_x_symmetric", "validation_x_symmetric"],
                name="scale_to_symmetric",
            )
        )
    return Pipeline(nodes)


def held_out_inputs() -> Pipeline:
    """The test images checked, limited to ``data.max_test_images``, in [0,1] (binarized once
    where the run's protocol asks for binary images), and their identity (``test_set``)."""
    return Pipeline(
        [
            Node(
                validate_test_images,
                inputs=["raw_test", "raw_train_labels", "raw_files"],
                outputs=["raw_test_images", "raw_test_labels"],
                name="validate_test_images",
            ),
            Node(
                limit_test_set,
                inputs=["raw_test_images", "raw_test_labels", "params:data"],
                outputs=["test_images", "test_labels"],
                name="limit_test_set",
            ),
            Node(scale_to_unit, ["test_images"], ["test_x_intensities"], name="scale_test_to_unit"),
            Node(
                binarize_test, ["test_x_intensities", "params:data"], ["test_x_unit", "test_set"], name="binarize_test"
            ),
        ]
    )


def model_inputs(scaling: str) -> Pipeline:
    """Everything a model pipeline reads: the split data, scaled for training (``unit`` or
    ``symmetric``) and to [0,1] for evaluation, and the test set."""
    return training_inputs(scaling) + held_out_inputs()


def create_pipeline(**kwargs) -> Pipeline:
    return model_inputs("symmetric")
