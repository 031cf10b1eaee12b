"""DCGAN nodes: train, sample, summarise, report."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure

from deepgen import evaluation, reporting
from deepgen.models import dcgan
from deepgen.params import DCGANParams, EvaluatorParams
from deepgen.training import (
    DivergenceGuard,
    TrainingClock,
    compile_model,
    history_dict,
    hook_callbacks,
    progress_verbosity,
    start_training,
)

N_PROGRESSION_IMAGES = 10  # fixed-noise images kept every gen_interval steps


def _endless_batches(images: np.ndarray, batch_size: int, seed: int) -> tf.data.Dataset:
    """Shuffled, repeated, prefetched full batches: the GAN counts steps, not epochs."""
    dataset = tf.data.Dataset.from_tensor_slices(images)
    dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True).repeat()
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def train_dcgan(train_x: np.ndarray, params: DCGANParams, seed: int) -> tuple[keras.Model, keras.Model, dict, dict, dict]:
    """Train for ``params.steps`` generator updates, in Keras epochs of ``gen_interval`` steps;
    return both networks, the losses per interval, the fixed-noise progression and timing."""
    start_training(seed, params.deterministic)
    networks = dcgan.build(params)
    model = dcgan.DCGAN(**networks, seed=seed)
    compile_model(
        model,
        params,
        d_optimizer=keras.optimizers.Adam(params.learning_rate, beta_1=params.beta_1),
        g_optimizer=keras.optimizers.Adam(params.learning_rate, beta_1=params.beta_1),
    )
    fixed_noise = np.random.default_rng(seed).standard_normal((N_PROGRESSION_IMAGES, params.latent_dim), dtype=np.float32)
    progression = dcgan.SampleProgression(fixed_noise, steps_per_epoch=params.gen_interval)
    clock = TrainingClock()
    history = model.fit(
        _endless_batches(train_x, params.batch_size, seed),
        epochs=params.steps // params.gen_interval,
        steps_per_epoch=params.gen_interval,
        callbacks=[progression, clock, DivergenceGuard("dcgan", params.learning_rate, params.gen_interval), *hook_callbacks()],
        shuffle=False,  # the dataset shuffles itself
        verbose=progress_verbosity(),
    )
    history = {"step": progression.steps, **history_dict(history)}
    frames = {"step": progression.steps, "images": np.stack(progression.frames)}
    return networks["generator"], networks["discriminator"], history, frames, clock.summary(params.steps * params.batch_size)


def sample_generator(generator: keras.Model, params: DCGANParams, seed: int) -> np.ndarray:
    return dcgan.sample(generator, params.n_samples, seed)


def evaluate_dcgan(  # noqa: PLR0913
    samples: np.ndarray,
    test_x: np.ndarray,
    classifier: keras.Model,
    evaluator_params: EvaluatorParams,
    history: dict,
    training: dict,
    params: DCGANParams,
) -> dict:
    """Sample quality against the test set, and the losses of the last interval."""
    return {
        "model": "dcgan",
        "metrics": evaluation.score_images(classifier, samples, test_x, evaluator_params.neighbours),
        "final_losses": {name: values[-1] for name, values in history.items() if name != "step"},
        "training": training,
        "parameters": params.model_dump(),
        "n_test_images": len(test_x),
    }


def plot_samples(samples: np.ndarray) -> Figure:
    return reporting.image_grid(samples, "DCGAN samples")


def plot_progression(progression: dict) -> Figure:
    """One row per kept interval: the same noise, decoded as training went on."""
    return reporting.progression_strip(progression["images"], progression["step"], "DCGAN samples of fixed noise")


def plot_training_history(history: dict) -> Figure:
    losses = {name: values for name, values in history.items() if name != "step"}
    return reporting.loss_curves(losses, "DCGAN training", x=history["step"], xlabel="generator step")
