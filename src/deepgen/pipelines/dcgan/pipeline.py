"""The ``dcgan`` pipeline: data processing, then the Keras-GAN DCGAN end to end."""

from kedro.pipeline import Node, Pipeline

from deepgen.pipelines.data_processing import create_pipeline as data_processing
from deepgen.pipelines.data_processing import unit_scaled_inputs
from deepgen.pipelines.data_processing.nodes import scale_to_symmetric
from deepgen.pipelines.evaluator.pipeline import comparison, real_data_reference

from .nodes import evaluate_dcgan, plot_progression, plot_samples, plot_training_history, sample_generator, train_dcgan


def create_pipeline(**kwargs) -> Pipeline:
    model = Pipeline(
        [
            Node(scale_to_symmetric, "train_images", "train_x_symmetric", name="scale_to_symmetric"),
            Node(
                train_dcgan,
                inputs=["train_x_symmetric", "params:dcgan", "params:seed"],
                outputs=[
                    "dcgan_generator", "dcgan_discriminator", "dcgan_training_history", "dcgan_progression",
                    "dcgan_training_stats",
                ],
                name="train_dcgan",
            ),
            Node(sample_generator, ["dcgan_generator", "params:dcgan", "params:seed"], "dcgan_samples", name="sample_dcgan"),
            Node(
                evaluate_dcgan,
                [
                    "dcgan_samples", "test_x_unit", "evaluator_classifier", "params:evaluator",
                    "dcgan_training_history", "dcgan_training_stats", "params:dcgan",
                ],
                "dcgan_metrics",
                name="evaluate_dcgan",
            ),
            Node(plot_samples, "dcgan_samples", "dcgan_samples_plot", name="plot_dcgan_samples"),
            Node(plot_progression, "dcgan_progression", "dcgan_progression_plot", name="plot_dcgan_progression"),
            Node(plot_training_history, "dcgan_training_history", "dcgan_training_plot", name="plot_dcgan_training"),
        ]
    )
    return data_processing() + unit_scaled_inputs() + model + real_data_reference() + comparison("dcgan")
