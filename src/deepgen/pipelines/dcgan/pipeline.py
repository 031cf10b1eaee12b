"""The ``dcgan`` pipeline: data processing, then the Keras-GAN DCGAN end to end."""

from kedro.pipeline import Node, Pipeline

from deepgen.pipelines.data_processing import create_pipeline as data_processing
from deepgen.pipelines.data_processing.nodes import scale_to_symmetric

from .nodes import plot_progression, plot_samples, plot_training_history, sample_generator, summarise_training, train_dcgan


def create_pipeline(**kwargs) -> Pipeline:
    return data_processing() + Pipeline(
        [
            Node(scale_to_symmetric, "train_images", "train_x_symmetric", name="scale_to_symmetric"),
            Node(
                train_dcgan,
                inputs=["train_x_symmetric", "params:dcgan", "params:seed"],
                outputs=["dcgan_generator", "dcgan_discriminator", "dcgan_training_history", "dcgan_progression"],
                name="train_dcgan",
            ),
            Node(sample_generator, ["dcgan_generator", "params:dcgan", "params:seed"], "dcgan_samples", name="sample_dcgan"),
            Node(summarise_training, ["dcgan_training_history", "params:dcgan"], "dcgan_metrics", name="summarise_dcgan"),
            Node(plot_samples, "dcgan_samples", "dcgan_samples_plot", name="plot_dcgan_samples"),
            Node(plot_progression, "dcgan_progression", "dcgan_progression_plot", name="plot_dcgan_progression"),
            Node(plot_training_history, "dcgan_training_history", "dcgan_training_plot", name="plot_dcgan_training"),
        ]
    )
