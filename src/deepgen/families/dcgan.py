"""The DCGAN of the Keras-GAN collection (networks and the fused train step in
``deepgen.models.dcgan``), trained for a number of generator steps."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from pydantic import Field, PositiveInt, model_validator

from deepgen import reporting
from deepgen.models import dcgan, predict
from deepgen.params import FamilyParams
from deepgen.training import TrainingClock, compile_model, history_dict, progress_verbosity

from . import samplers
from .contract import Family, FigureInputs, TrainingResult

N_PROGRESSION_IMAGES = 10  # fixed-noise images kept every gen_interval steps


class DCGANParams(FamilyParams):
    beta_1: float = Field(ge=0, lt=1)  # Adam's, for both networks
    steps: PositiveInt  # generator updates
    gen_interval: PositiveInt  # a fixed-noise sample grid, a log row and a checkpoint every this many steps
    fused_upsampling: bool  # see deepgen.models.dcgan.UpsampleConv2D

    RESUMABLE_CHANGES = FamilyParams.RESUMABLE_CHANGES | {"steps"}

    @model_validator(mode="after")
    def _whole_intervals(self) -> DCGANParams:
        check_whole_intervals(self)
        return self


def check_whole_intervals(params) -> None:
    """What a family trained in Keras epochs of ``gen_interval`` steps needs of its step counts."""
    # Training runs in Keras epochs of gen_interval steps, one sample grid after each.
    if params.steps % params.gen_interval:
        raise ValueError(f"steps ({params.steps}) must be a multiple of gen_interval ({params.gen_interval})")
    # A sample grid and a checkpoint need the compiled graph to stop at the interval's end.
    if params.gen_interval % params.steps_per_execution:
        raise ValueError(
            f"gen_interval ({params.gen_interval}) must be a multiple of steps_per_execution ({params.steps_per_execution})"
        )
    # Samples are scored between Keras epochs.
    if params.eval_interval % params.gen_interval:
        raise ValueError(
            f"eval_interval ({params.eval_interval}) must be a multiple of gen_interval ({params.gen_interval})"
        )


def build(params: DCGANParams) -> dict:
    return {
        "generator": dcgan.build_generator(params.latent_dim, params.fused_upsampling),
        "discriminator": dcgan.build_discriminator(),
    }


def endless_batches(images: np.ndarray, batch_size: int, seed: int, digits: np.ndarray | None) -> tf.data.Dataset:
    """Shuffled, repeated, prefetched full batches (of images, or of images and their digits):
    the GAN counts steps, not epochs."""
    dataset = tf.data.Dataset.from_tensor_slices(images if digits is None else (images, digits))
    dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True).repeat()
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def train(
    networks,
    train_x,
    validation_x,
    params: DCGANParams,
    seed: int,
    callbacks: list,
    train_labels: np.ndarray | None = None,
    validation_labels: np.ndarray | None = None,
) -> TrainingResult:
    """``params.steps`` generator updates in Keras epochs of ``gen_interval`` steps; the
    fixed-noise images after each go to the progression figure. With ``train_labels`` (the
    conditional DCGAN) batches carry each image's digit, and the progression asks for 0–9."""
    model = dcgan.DCGAN(**networks, seed=seed)
    compile_model(
        model,
        params,
        d_optimizer=keras.optimizers.Adam(params.learning_rate, beta_1=params.beta_1),
        g_optimizer=keras.optimizers.Adam(params.learning_rate, beta_1=params.beta_1),
    )
    fixed_noise = np.random.default_rng(seed).standard_normal(
        (N_PROGRESSION_IMAGES, params.latent_dim), dtype=np.float32
    )
    digits = None if train_labels is None else train_labels.astype(np.int32)
    progression = dcgan.SampleProgression(
        fixed_noise, params.gen_interval, None if digits is None else np.arange(N_PROGRESSION_IMAGES, dtype=np.int32)
    )
    clock = TrainingClock()
    history = model.fit(
        endless_batches(train_x, params.batch_size, seed, digits),
        epochs=params.steps // params.gen_interval,
        steps_per_epoch=params.gen_interval,
        callbacks=[progression, clock, *callbacks],
        shuffle=False,  # the dataset shuffles itself
        verbose=progress_verbosity(),
    )
    progression_frames = {"step": progression.steps, "images": np.stack(progression.frames)}
    return TrainingResult(
        {"step": progression.steps, **history_dict(history)},
        clock.summary(params.steps * params.batch_size),
        {"progression": progression_frames},
    )


def figures(networks, given: FigureInputs) -> dict:
    return {"progression": progression(given.extras, "DCGAN samples of fixed noise")}


def progression(extras: dict, title: str):
    """One row per kept interval: the same noise, decoded as training went on."""
    frames = extras["progression"]
    return reporting.progression_strip(frames["images"], frames["step"], title)


FAMILY = Family(
    name="dcgan",
    label="DCGAN",
    params=DCGANParams,
    build=build,
    train=train,
    networks=("generator", "discriminator"),
    decode=lambda networks, noise: dcgan.to_unit(predict(networks["generator"], noise)),
    samplers=(samplers.prior,),
    scaling="symmetric",
    epoch_image="samples",
    figures=figures,
    figure_names=("progression",),
)
