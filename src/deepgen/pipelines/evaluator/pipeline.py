"""The ``evaluator`` pipeline (train and freeze the digit classifier) and the evaluation
pieces every model pipeline shares: the real-data row and the comparison."""

from kedro.pipeline import Node, Pipeline

from deepgen.pipelines.data_processing import create_pipeline as data_processing
from deepgen.pipelines.data_processing import unit_scaled_inputs

from .nodes import compare_models, plot_model_samples, score_real_data, train_evaluator


def create_pipeline(**kwargs) -> Pipeline:
    return (
        data_processing()
        + unit_scaled_inputs()
        + Pipeline(
            [
                Node(
                    train_evaluator,
                    inputs=[
                        "train_x_unit", "train_labels", "validation_x_unit", "validation_labels",
                        "test_x_unit", "test_labels", "params:evaluator", "params:seed",
                    ],
                    outputs=["evaluator_classifier", "evaluator_metrics"],
                    name="train_evaluator",
                )
            ]
        )
    )


def real_data_reference() -> Pipeline:
    """The real-data row: training images scored against the test set like samples."""
    return Pipeline(
        [
            Node(
                score_real_data,
                ["train_x_unit", "test_x_unit", "evaluator_classifier", "params:evaluator"],
                "real_data_metrics",
                name="score_real_data",
            )
        ]
    )


def comparison(*models: str) -> Pipeline:
    """comparison.md/.json after the given models' metrics are written. A model pipeline ends
    with its own (tagged ``comparison``); ``kedro run`` swaps them for one after all models."""
    name = "compare_models" if len(models) > 1 else f"compare_models_after_{models[0]}"
    nodes = [
        Node(
            compare_models,
            ["saved_model_metrics", "real_data_metrics", *(f"{m}_metrics" for m in models)],
            ["comparison_table", "comparison"],
            name=name,
            tags="comparison",
        )
    ]
    if len(models) > 1:
        nodes.append(
            Node(
                plot_model_samples,
                ["comparison", "ae_samples", "ae_mixture_samples", "vae_samples", "dcgan_samples"],
                "comparison_samples_plot",
                name="plot_model_samples",
                tags="comparison",
            )
        )
    return Pipeline(nodes)
