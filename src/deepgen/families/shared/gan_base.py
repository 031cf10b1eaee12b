"""What the adversarial families (the DCGAN, the cDCGAN) share: their parameters, their
training in generator steps with the fused step of ``deepgen.models.adversarial``, and the
progression figure. Not a family itself."""

from __future__ import annotations

import keras
import numpy as np
from pydantic import Field

from deepgen.figures import progression_strip
from deepgen.models import adversarial
from deepgen.params import StepCountedParams
from deepgen.training import compile_model, fit_steps

from .contract import TrainingData, TrainingResult

N_PROGRESSION_IMAGES = 10  # fixed-noise images kept every gen_interval steps


class GANParams(StepCountedParams):
    """``steps`` counts generator updates."""

    beta_1: float = Field(ge=0, lt=1)  # Adam's, for both networks
    discriminator_learning_rate: float | None = Field(default=None, gt=0)  # None: the generator's
    fused_upsampling: bool  # see deepgen.models.adversarial.UpsampleConv2D
    # The discriminator's Dropout rate: other than Keras-GAN's, a change of the tutorial's network.
    discriminator_dropout: float = Field(default=adversarial.KERAS_GAN_DROPOUT, ge=0, lt=1)


def train(networks, data: TrainingData, params: GANParams, seed: int, callbacks: list) -> TrainingResult:
    """``params.steps`` generator updates in Keras epochs of ``gen_interval`` steps; the
    fixed-noise images after each go to the progression figure. With ``data.labels`` (the
    conditional DCGAN) batches carry each image's digit, and the progression asks for 0–9."""
    model = adversarial.DCGAN(**networks, seed=seed)
    compile_model(
        model,
        params,
        d_optimizer=keras.optimizers.Adam(
            params.discriminator_learning_rate or params.learning_rate, beta_1=params.beta_1
        ),
        g_optimizer=keras.optimizers.Adam(params.learning_rate, beta_1=params.beta_1),
    )
    fixed_noise = np.random.default_rng(seed).standard_normal(
        (N_PROGRESSION_IMAGES, params.latent_dim), dtype=np.float32
    )
    digits = None if not model.conditional else data.labels.astype(np.int32)
    progression = adversarial.SampleProgression(
        fixed_noise, params.gen_interval, None if digits is None else np.arange(N_PROGRESSION_IMAGES, dtype=np.int32)
    )
    history, stats = fit_steps(model, params, data.x, digits, seed, [progression, *callbacks])
    progression_frames = {"step": progression.steps, "images": np.stack(progression.frames)}
    return TrainingResult(history, stats, {"progression": progression_frames})


def progression(extras: dict, title: str):
    """One row per kept interval: the same noise, decoded as training went on."""
    frames = extras["progression"]
    return progression_strip(frames["images"], frames["step"], title)
