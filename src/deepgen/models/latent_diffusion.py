"""Diffusion over an autoencoder's codes (``latent.TwoStageLatent``): the prior network is a
denoiser, trained to predict the noise of codes noised at random steps of the schedule, and
codes are drawn by ``ddpm.DiffusionSampler`` from noise."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from .ddpm import noised
from .latent import TwoStageLatent


class LatentDiffusion(TwoStageLatent):
    """``TwoStageLatent`` whose prior learns ε-prediction on the ``alpha_bars`` schedule."""

    PRIOR_LOSS = "denoising_loss"

    def __init__(self, encoder, decoder, denoiser, alpha_bars: np.ndarray, **kwargs):
        super().__init__(encoder, decoder, denoiser, **kwargs)
        self.alpha_bars = ops.convert_to_tensor(alpha_bars, "float32")

    def prior_loss(self, codes, digits, training: bool):
        n = ops.shape(codes)[0]
        steps = keras.random.randint((n,), 0, ops.shape(self.alpha_bars)[0], seed=self.noise)
        noise = keras.random.normal(ops.shape(codes), seed=self.noise)
        inputs = [noised(codes, noise, ops.take(self.alpha_bars, steps)), steps]
        if digits is not None:
            inputs.append(digits)
        return ops.mean(ops.square(self.prior(inputs, training=training) - noise))
