"""The ``denoise`` pipeline: for every family capable of ``restoration``, a member per corruption
(``denoise.<family>_<corruption>``) trained to give the clean training images for corrupted
ones, and one trained on clean images (``denoise.<family>_plain``); all restore the same
corrupted test images, and one report measures them."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from deepgen.families import FAMILIES, Family
from deepgen.pipelines import REPORT
from deepgen.pipelines.family.pipeline import changed_training_nodes, template_inputs
from deepgen.pipelines.wiring import bind, namespaced

from .corruptions import CORRUPTIONS
from .nodes import PLAIN, corrupt_test_images, corrupt_training_images, report_denoise, restore, restoring_params


def denoising_families() -> list[Family]:
    return [family for family in FAMILIES.values() if family.restoration is not None]


def member(family: Family, corruption: str) -> Pipeline:
    """``family`` trained to restore ``corruption`` (or, for ``plain``, on clean images),
    namespaced ``denoise.<family>_<corruption>.<family>``; it restores the corrupted test
    images it is judged on (the plain model: every corruption's)."""

    networks = {network: network for network in family.networks}
    if corruption == PLAIN:
        nodes, training = [], {}
        restores = tuple(CORRUPTIONS)
    else:
        nodes = [
            Node(
                bind(corrupt_training_images, corruption),
                ["train_x_unit", "validation_x_unit", "params:denoise", "params:seed"],
                ["corrupted_train_x", "corrupted_validation_x"],
                name="corrupt_training_images",
            )
        ]
        training = {
            "train_x": "corrupted_train_x",
            "validation_x": "corrupted_validation_x",
            "train_targets": "train_x_unit",
            "validation_targets": "validation_x_unit",
        }
        restores = (corruption,)
    nodes += [
        *changed_training_nodes(family, restoring_params, "denoise", **training),
        Node(
            bind(restore, family, restores),
            {"corrupted": "denoise.corrupted_test_images", **networks},
            "restorations",
            name="restore_test_images",
        ),
    ]
    return namespaced([namespaced(nodes, family.name)], f"denoise.{family.name}_{corruption}")


def create_pipeline(**kwargs) -> Pipeline:
    members = [(family, kind) for family in denoising_families() for kind in (PLAIN, *CORRUPTIONS)]
    labels = tuple(
        f"{kind} {family.label}" if kind == PLAIN else f"denoising {family.label}" for family, kind in members
    )
    corrupted = Node(
        corrupt_test_images,
        ["test_x_unit", "params:denoise", "params:seed"],
        "denoise.corrupted_test_images",
        name="corrupt_test_images",
        namespace="denoise",
    )
    report = Node(
        bind(report_denoise, labels),
        inputs=[
            "test_x_unit",
            "denoise.corrupted_test_images",
            "params:denoise",
            "dataset_name",
            *(f"denoise.{family.name}_{kind}.{family.name}.restorations" for family, kind in members),
        ],
        outputs=["denoise.table", "denoise.results", "denoise.examples_plot"],
        name="report_denoise",
        namespace="denoise",
        tags=REPORT,
    )
    trained = sum((member(family, kind) for family, kind in members), Pipeline([]))
    # Corruptions are defined on images in [0, 1]: the models restore those.
    return template_inputs("unit") + Pipeline([corrupted]) + trained + Pipeline([report])
