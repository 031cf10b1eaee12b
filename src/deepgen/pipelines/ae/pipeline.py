"""The ``ae`` pipeline: data processing, then the tutorial's autoencoder end to end."""

from kedro.pipeline import Node, Pipeline

from deepgen.pipelines.data_processing import create_pipeline as data_processing
from deepgen.pipelines.data_processing import unit_scaled_inputs
from deepgen.pipelines.evaluator.pipeline import comparison, real_data_reference

from .nodes import (
    embed_images,
    evaluate_autoencoder,
    plot_latent_scatter,
    plot_mixture_samples,
    plot_reconstructions,
    plot_samples,
    plot_training_history,
    sample_latent_mixture,
    sample_prior,
    train_autoencoder,
)


def model_pipeline(params: str = "params:ae") -> Pipeline:
    """Training to reports, given the scaled inputs and the evaluator; ``params`` names the
    parameter block (the latent sweep passes a copy with its own ``latent_dim``)."""
    return Pipeline(
        [
            Node(
                train_autoencoder,
                inputs=["train_x_unit", "validation_x_unit", params, "params:seed"],
                outputs=["ae_encoder", "ae_decoder", "ae_training_history", "ae_training_stats"],
                name="train_autoencoder",
            ),
            Node(embed_images, ["ae_encoder", "test_x_unit", "test_labels"], "ae_latent_embeddings", name="embed_ae"),
            Node(sample_prior, ["ae_decoder", params, "params:seed"], "ae_samples", name="sample_ae_prior"),
            Node(
                sample_latent_mixture,
                ["ae_encoder", "ae_decoder", "train_x_unit", params, "params:seed"],
                "ae_mixture_samples",
                name="sample_ae_mixture",
            ),
            Node(
                evaluate_autoencoder,
                [
                    "ae_encoder", "ae_decoder", "test_x_unit", "ae_samples", "ae_mixture_samples",
                    "evaluator_classifier", "params:evaluator", "ae_training_stats", params,
                ],
                "ae_metrics",
                name="evaluate_ae",
            ),
            Node(
                plot_reconstructions,
                ["ae_encoder", "ae_decoder", "test_x_unit"],
                "ae_reconstructions_plot",
                name="plot_ae_reconstructions",
            ),
            Node(plot_latent_scatter, "ae_latent_embeddings", "ae_latent_scatter_plot", name="plot_ae_latent_scatter"),
            Node(plot_samples, "ae_samples", "ae_samples_plot", name="plot_ae_samples"),
            Node(plot_mixture_samples, "ae_mixture_samples", "ae_mixture_samples_plot", name="plot_ae_mixture_samples"),
            Node(plot_training_history, "ae_training_history", "ae_training_plot", name="plot_ae_training"),
        ]
    )


def create_pipeline(**kwargs) -> Pipeline:
    model = model_pipeline()
    return data_processing() + unit_scaled_inputs() + model + real_data_reference() + comparison("ae")
