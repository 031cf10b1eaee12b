"""``kedro run --pipelines=generate --params=generate.family=<family>,generate.digit=7``: images
from a family trained earlier, read through the catalog; the training images only for the
samplers that fit to them (the mixture)."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from deepgen.pipelines.data_processing import model_inputs

from .nodes import generate


def create_pipeline(**kwargs) -> Pipeline:
    return model_inputs("unit") + Pipeline(
        [
            Node(
                generate,
                ["params:generate", "trained_networks", "saved_model_reports", "train_x_unit"],
                ["generated_images", "generated_grids"],
                name="generate",
            )
        ]
    )
