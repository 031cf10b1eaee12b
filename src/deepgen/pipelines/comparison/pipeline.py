"""The comparison (``comparison.md``, ``comparison.json``, the samples side by side) of every
family's saved report, after the families a run trains; and over seed repeats."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from deepgen.families import Family
from deepgen.pipelines import REPORT
from deepgen.pipelines.family.pipeline import samples_dataset
from deepgen.pipelines.wiring import namespaced

from .nodes import (
    compare_models,
    compare_over_seeds,
    plot_model_samples,
    plot_quality_over_time,
    tabulate_likelihoods,
    yardstick,
)


def create_pipeline(families: list[Family]) -> Pipeline:
    """The comparison (``comparison.md``/``.json``, the sample quality against training time,
    the test likelihoods) after the given families' reports, in the ``comparison`` namespace
    (its own W&B run). A family's pipeline ends with one of its own; ``kedro run`` swaps them
    for one after all families, with their samples side by side."""
    reports = [f"{family.name}.metrics" for family in families]
    nodes = [
        _yardstick(),
        Node(
            compare_models, ["saved_model_reports", "yardstick", *reports], ["table", "results"], name="compare_models"
        ),
        Node(
            plot_quality_over_time,
            ["saved_model_reports", *reports],
            "quality_over_time_plot",
            name="plot_quality_over_time",
        ),
        Node(
            tabulate_likelihoods,
            ["saved_model_reports", "dataset_name", "params:data.binarize", *reports],
            ["likelihood_table", "likelihoods"],
            name="tabulate_likelihoods",
        ),
    ]
    if len(families) > 1:
        samples = {
            f"{family.name}.{sampler.name}": f"{family.name}.{samples_dataset(sampler)}"
            for family in families
            for sampler in family.samplers
        }
        nodes.append(
            Node(plot_model_samples, {"comparison": "results", **samples}, "samples_plot", name="plot_model_samples")
        )
    return Pipeline(namespaced(nodes, "comparison"), tags=["comparison", REPORT])


def over_seeds_pipeline() -> Pipeline:
    """The comparison of the families' seed repeats, mean ± sd (``repeats.comparison``)."""
    node = Node(
        compare_over_seeds,
        ["repeats.model_reports", "yardstick"],
        ["comparison_table", "comparison"],
        name="compare_over_seeds",
    )
    return Pipeline(namespaced([_yardstick(), node], "repeats"), tags=["comparison", REPORT])


def _yardstick() -> Node:
    return Node(
        yardstick,
        ["evaluator_reference", "kedro_environment", "dataset_name", "evaluator_checksum"],
        "yardstick",
        name="yardstick",
    )
