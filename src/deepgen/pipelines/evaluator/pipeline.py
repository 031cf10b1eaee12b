"""The ``evaluator`` pipeline (train and freeze the run's dataset's classifier) and the evaluation
pieces every model pipeline shares: the real-data row and the comparison."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from deepgen.families import Family
from deepgen.pipelines.data_processing import model_inputs
from deepgen.pipelines.family.pipeline import namespaced, samples_dataset
from deepgen.tracking.hook import REPORT

from .nodes import compare_models, compare_over_seeds, plot_model_samples, score_real_data, train_evaluator


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


def comparison(families: list[Family]) -> Pipeline:
    """The comparison (``comparison.md``/``.json``) after the given families' reports, in the
    ``comparison`` namespace (its own W&B run). A family's pipeline ends with one of its own;
    ``kedro run`` swaps them for one after all families, with their samples side by side."""
    reports = [f"{family.name}.metrics" for family in families]
    nodes = [
        Node(
            compare_models,
            [
                "saved_model_reports",
                "evaluator_reference",
                "kedro_environment",
                "dataset_name",
                "evaluator_checksum",
                *reports,
            ],
            ["table", "results"],
            name="compare_models",
        )
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


def comparison_over_seeds() -> Pipeline:
    """The comparison of the families' seed repeats, mean ± sd (``repeats.comparison``)."""
    node = Node(
        compare_over_seeds,
        ["repeats.model_reports", "evaluator_reference", "kedro_environment", "dataset_name", "evaluator_checksum"],
        ["repeats.comparison_table", "repeats.comparison"],
        name="compare_over_seeds",
        namespace="repeats",
    )
    return Pipeline([node], tags=["comparison", REPORT])
