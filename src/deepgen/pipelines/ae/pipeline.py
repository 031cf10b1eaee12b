"""The ``ae`` pipeline: data processing, then the tutorial's autoencoder end to end."""

from kedro.pipeline import Node, Pipeline

from deepgen.pipelines.data_processing import create_pipeline as data_processing
from deepgen.pipelines.data_processing.nodes import scale_to_unit

from .nodes import (
    embed_images,
    evaluate_reconstruction,
    plot_latent_scatter,
    plot_reconstructions,
    plot_samples,
    plot_training_history,
    sample_prior,
    train_autoencoder,
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
                train_autoencoder,
                inputs=["train_x_unit", "validation_x_unit", "params:ae", "params:seed"],
                outputs=["ae_encoder", "ae_decoder", "ae_training_history"],
                name="train_autoencoder",
            ),
            Node(embed_images, ["ae_encoder", "test_x_unit", "test_labels"], "ae_latent_embeddings", name="embed_ae"),
            Node(sample_prior, ["ae_decoder", "params:ae", "params:seed"], "ae_samples", name="sample_ae_prior"),
            Node(
                evaluate_reconstruction,
                ["ae_encoder", "ae_decoder", "test_x_unit", "params:ae"],
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
            Node(plot_training_history, "ae_training_history", "ae_training_plot", name="plot_ae_training"),
        ]
    )
