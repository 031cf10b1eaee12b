"""The ``vae`` pipeline: data processing, then the tutorial's VAE end to end."""

from kedro.pipeline import Node, Pipeline

from deepgen.pipelines.data_processing import create_pipeline as data_processing
from deepgen.pipelines.data_processing import unit_scaled_inputs
from deepgen.pipelines.evaluator.pipeline import comparison, real_data_reference

from .nodes import (
    embed_images,
    evaluate_vae,
    plot_interpolations,
    plot_latent_manifold,
    plot_latent_scatter,
    plot_reconstructions,
    plot_samples,
    plot_training_history,
    sample_prior,
    train_vae,
)


def model_pipeline(params: str = "params:vae") -> Pipeline:
    """Training to reports, given the scaled inputs and the evaluator; ``params`` names the
    parameter block (the latent sweep passes a copy with its own ``latent_dim``)."""
    return Pipeline(
        [
            Node(
                train_vae,
                inputs=["train_x_unit", "validation_x_unit", params, "params:seed"],
                outputs=["vae_encoder", "vae_decoder", "vae_training_history", "vae_training_stats"],
                name="train_vae",
            ),
            Node(embed_images, ["vae_encoder", "test_x_unit", "test_labels"], "vae_latent_embeddings", name="embed_vae"),
            Node(sample_prior, ["vae_decoder", params, "params:seed"], "vae_samples", name="sample_vae_prior"),
            Node(
                evaluate_vae,
                [
                    "vae_encoder", "vae_decoder", "test_x_unit", "vae_samples", "evaluator_classifier",
                    "params:evaluator", "vae_training_stats", params, "params:seed",
                ],
                "vae_metrics",
                name="evaluate_vae",
            ),
            Node(
                plot_reconstructions,
                ["vae_encoder", "vae_decoder", "test_x_unit"],
                "vae_reconstructions_plot",
                name="plot_vae_reconstructions",
            ),
            Node(plot_latent_scatter, "vae_latent_embeddings", "vae_latent_scatter_plot", name="plot_vae_latent_scatter"),
            Node(plot_latent_manifold, "vae_decoder", "vae_latent_manifold_plot", name="plot_vae_latent_manifold"),
            Node(
                plot_interpolations,
                ["vae_encoder", "vae_decoder", "test_x_unit", "test_labels"],
                "vae_interpolations_plot",
                name="plot_vae_interpolations",
            ),
            Node(plot_samples, "vae_samples", "vae_samples_plot", name="plot_vae_samples"),
            Node(plot_training_history, "vae_training_history", "vae_training_plot", name="plot_vae_training"),
        ]
    )


def create_pipeline(**kwargs) -> Pipeline:
    model = model_pipeline()
    return data_processing() + unit_scaled_inputs() + model + real_data_reference() + comparison("vae")
