"""The ``anomaly`` pipeline: for every family that offers anomaly scores and every digit, a
member ``anomaly.<family>_<digit>`` trains the family on that digit's images alone (through
the template's training node: checkpoints, tracking and resume as any family) and scores the
whole test set; one report gathers them."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from deepgen.families import FAMILIES, Family
from deepgen.params import AnomalyParams, shaping
from deepgen.pipelines import REPORT
from deepgen.pipelines.family.pipeline import changed_training_nodes, template_inputs
from deepgen.pipelines.wiring import bind, chosen_families, namespaced

from .nodes import (
    normal_class_images,
    one_class_params,
    report_anomaly,
    restoration_views,
    score_test_images,
    separation,
)


def detecting_families() -> list[Family]:
    """The families trained as one-class detectors: ``anomaly.families`` of the run's
    parameters, or every family that offers anomaly scores."""
    detecting = [family for family in FAMILIES.values() if family.anomaly is not None]
    chosen = shaping(AnomalyParams, "anomaly").families
    return chosen_families(chosen, detecting, "anomaly.families", "scored for anomalies")


def registered_normal_classes() -> list[int]:
    """The digits to build members for: ``anomaly.normal_classes`` of the run's parameters."""
    return shaping(AnomalyParams, "anomaly").normal_classes


def member(family: Family, digit: int) -> Pipeline:
    """``family`` trained on ``digit`` alone, namespaced ``anomaly.<family>_<digit>.<family>``."""
    networks = {network: network for network in family.networks}
    normal = {name: f"normal_{name}" for name in ("train_x", "train_labels", "validation_x", "validation_labels")}
    views, training_inputs = _restoration(family, normal)
    nodes = [
        Node(
            bind(normal_class_images, digit),
            [f"train_x_{family.scaling}", "train_labels", f"validation_x_{family.scaling}", "validation_labels"],
            list(normal.values()),
            name="select_normal_class",
        ),
        *views,
        *changed_training_nodes(family, one_class_params, "anomaly", **training_inputs),
        Node(
            bind(score_test_images, family, params_type=family.params),
            {"test_x": "test_x_unit", "params": "anomaly_params", "seed": "params:seed", **networks},
            "anomaly_scores",
            name="score_test_images",
        ),
        Node(
            bind(separation, family, digit),
            {"scores": "anomaly_scores", "test_labels": "test_labels", "train_x": "normal_train_x"},
            "separation",
            name="separation",
        ),
    ]
    return namespaced([namespaced(nodes, family.name)], f"anomaly.{family.name}_{digit}")


VIEWS = {  # the training node's input: the dataset restoration_views gives it
    "train_x": "view_train_x",
    "train_labels": "view_train_labels",
    "train_targets": "train_targets",
    "validation_x": "view_validation_x",
    "validation_labels": "view_validation_labels",
    "validation_targets": "validation_targets",
}


def _restoration(family: Family, normal: dict[str, str]) -> tuple[list[Node], dict[str, str]]:
    """What the member trains on: its digit's images, or, for a family that learns to restore
    views of them, the node making the views and those views with the originals as targets."""
    if family.anomaly.views is None:
        return [], normal
    inputs = [normal[name] for name in ("train_x", "train_labels", "validation_x", "validation_labels")]
    return [Node(bind(restoration_views, family), inputs, list(VIEWS.values()), name="restoration_views")], VIEWS


def create_pipeline(**kwargs) -> Pipeline:
    digits = registered_normal_classes()
    members = [(family, digit) for family in detecting_families() for digit in digits]
    results = [
        f"anomaly.{family.name}_{digit}.{family.name}.{part}"
        for family, digit in members
        for part in ("separation", "anomaly_scores")
    ]
    report = Node(
        report_anomaly,
        inputs=["test_x_unit", "test_labels", "params:anomaly", "dataset_name", *results],
        outputs=[f"anomaly.{name}" for name in ("table", "results", "roc_plot", "histograms_plot", "extremes_plot")],
        name="report_anomaly",
        namespace="anomaly",
        tags=REPORT,
    )
    inputs = sum((template_inputs(family.scaling) for family in detecting_families()), Pipeline([]))
    return inputs + sum((member(family, digit) for family, digit in members), Pipeline([])) + Pipeline([report])
