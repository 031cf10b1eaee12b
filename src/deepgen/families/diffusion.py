"""The denoising diffusion model (networks, training step and solvers in
``deepgen.models.ddpm``): trained for a number of steps on images in [-1, 1], sampled with
DDIM or DPM-Solver++(2M) (``solver``) in ``sampling_steps`` steps from the exponential moving
average of its weights. With ``conditional: true`` the denoiser also reads the digit, hidden
from it for ``label_dropout`` of the training images, and samples are guided towards the digit
asked for (classifier-free guidance, weight ``guidance``)."""

from __future__ import annotations

from typing import Literal

import keras
import numpy as np
from pydantic import Field, PositiveInt, model_validator

from deepgen.models import ddpm
from deepgen.models.blocks import IMAGE_SHAPE, to_unit
from deepgen.training import compile_model, fit_steps

from .shared import samplers
from .shared.contract import Family, TrainingData, TrainingResult
from .shared.diffusion_base import DiffusionParams, diffusion_drawing
from .shared.drawing import Drawing

IMAGE_SIZE = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]  # the noise a sample starts from is an image


class PixelDiffusionParams(DiffusionParams):
    widths: list[PositiveInt] = Field(min_length=2, max_length=3)  # U-Net channels at 28×28, 14×14 (, 7×7)
    embedding_dim: PositiveInt  # the step's sinusoidal embedding and its MLP
    groups: PositiveInt  # GroupNormalization groups (each width a multiple)
    # constant: learning_rate throughout; cosine: from learning_rate down to 0 over the steps
    learning_rate_schedule: Literal["constant", "cosine"]
    min_snr_gamma: float | None = Field(gt=0)  # Min-SNR-γ loss weighting (ddpm.loss_weights); null: none

    @model_validator(mode="after")
    def _consistent(self) -> PixelDiffusionParams:
        if self.latent_dim != IMAGE_SIZE:
            raise ValueError(f"latent_dim must be {IMAGE_SIZE}: a sample starts from an image of noise")
        if any(width % self.groups for width in self.widths):
            raise ValueError(f"every width ({self.widths}) must be a multiple of groups ({self.groups})")
        return self


def build(params: PixelDiffusionParams) -> dict:
    return {
        "denoiser": ddpm.build_denoiser(tuple(params.widths), params.embedding_dim, params.groups, params.conditional)
    }


def train(networks, data: TrainingData, params: PixelDiffusionParams, seed: int, callbacks: list) -> TrainingResult:
    """``params.steps`` updates in Keras epochs of ``gen_interval`` steps. The optimiser keeps
    the moving average of the weights, and ``fit`` swaps it in when it ends: the saved denoiser
    is the average. A conditional denoiser's batches carry each image's digit."""
    model = ddpm.Diffusion(
        networks["denoiser"],
        ddpm.cosine_alpha_bars(),
        drop_digit=params.label_dropout,
        seed=seed,
        min_snr_gamma=params.min_snr_gamma,
    )
    rate = params.learning_rate
    if params.learning_rate_schedule == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(rate, params.steps)
    optimizer = keras.optimizers.Adam(rate, use_ema=True, ema_momentum=params.ema_momentum)
    compile_model(model, params, optimizer=optimizer)
    digits = data.labels.astype(np.int32) if model.conditional else None
    return TrainingResult(*fit_steps(model, params, data.x, digits, seed, callbacks))


# Images in [-1, 1], their clean predictions clipped there.
DRAWING = diffusion_drawing(clip=lambda params: 1.0, to_images=lambda networks, images: to_unit(images))


FAMILY = Family(
    name="diffusion",
    label="Diffusion",
    params=PixelDiffusionParams,
    build=build,
    train=train,
    networks=("denoiser",),
    generate=DRAWING.draw,
    drawing=DRAWING,
    samplers=(samplers.from_noise,),
    scaling="symmetric",
    epoch_image="samples",
    metrics=DRAWING.metrics,
    figures=DRAWING.figures,
    figure_names=Drawing.FIGURE_NAMES,
)
