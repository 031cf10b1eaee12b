"""The ``vae`` pipeline: data processing, then the tutorial's VAE end to end."""

from kedro.pipeline import Node, Pipeline

from deepgen.pipelines.data_processing import create_pipeline as data_processing
from deepgen.pipelines.data_processing.nodes import scale_to_unit

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


def create_pipeline(**kwargs) -> Pipeline:
    return data_processing() + Pipeline(
        [
            Node(
                scale_to_unit,
                inputs=["train_images", "validation_images", "test_images"],
                outputs=["train_x_unit", "validation_x_unit", "test_x_unit"],
                name="scale_to_unit",
            ),
            Node(
                train_vae,
                inputs=["train_x_unit", "validation_x_unit", "params:vae", "params:seed"],
                outputs=["vae_encoder", "vae_decoder", "vae_training_history"],
                name="train_vae",
            ),
            Node(embed_images, ["vae_encoder", "test_x_unit", "test_labels"], "vae_latent_embeddings", name="embed_vae"),
            Node(sample_prior, ["vae_decoder", "params:vae", "params:seed"], "vae_samples", name="sample_vae_prior"),
            Node(
                evaluate_vae,
                ["vae_encoder", "vae_decoder", "test_x_unit", "params:vae", "params:seed"],
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
