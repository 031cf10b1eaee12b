"""Latent diffusion (networks and their two-stage training in
``deepgen.models.latent_diffusion``): a small convolutional autoencoder, then a diffusion
model over its ``latent_dim`` standardised codes, trained in one ``fit`` of ``steps`` steps (the
first ``autoencoder_steps`` train the autoencoder). Samples are codes drawn by the solver from
noise and decoded. Codes are the autoencoder's: ``decode`` is its decoder, so reconstructions,
embeddings and the latent sweep work as for the other autoencoders. With ``conditional: true``
the denoiser also reads the digit (classifier-free guidance, as the pixel diffusion's)."""

from __future__ import annotations

import keras
import numpy as np
from pydantic import Field, PositiveInt, model_validator

from deepgen.models import ddpm
from deepgen.models import latent_diffusion as latent_networks
from deepgen.training import compile_model, fit_steps

from .shared import samplers
from .shared.contract import Family, TrainingData, TrainingResult
from .shared.diffusion_base import DiffusionDrawing, DiffusionParams

DECODING_BATCH = 1000


class LatentDiffusionParams(DiffusionParams):
    """``steps`` counts both stages' updates: the first ``autoencoder_steps`` train the
    autoencoder at ``learning_rate``, the rest the denoiser, from ``learning_rate`` down to 0
    along half a cosine."""

    widths: list[PositiveInt] = Field(min_length=2, max_length=2)  # the encoder's convolutions (stride 2 each)
    code_noise: float = Field(ge=0)  # Gaussian noise on the codes the decoder learns from (code standard deviations)
    autoencoder_steps: PositiveInt
    units: PositiveInt  # the denoiser MLP's width
    blocks: PositiveInt  # its residual blocks
    embedding_dim: PositiveInt  # the step's sinusoidal embedding
    noise_draws: PositiveInt  # noise levels drawn per code in each denoiser step
    clip: float = Field(gt=0)  # predicted clean codes clipped to ± this many standard deviations while sampling

    RESUMABLE_CHANGES = DiffusionParams.RESUMABLE_CHANGES | {"clip"}

    def shortened(self, steps: int, gen_interval: int) -> LatentDiffusionParams:
        """Both stages shortened in proportion (at least a step each)."""
        autoencoder_steps = min(max(1, round(steps * self.autoencoder_steps / self.steps)), steps - 1)
        return super().shortened(steps, gen_interval).model_copy(update={"autoencoder_steps": autoencoder_steps})

    @model_validator(mode="after")
    def _stages(self) -> LatentDiffusionParams:
        if self.autoencoder_steps >= self.steps:
            raise ValueError(
                f"autoencoder_steps ({self.autoencoder_steps}) must be fewer than steps ({self.steps}): "
                "the steps after them train the denoiser"
            )
        return self


def build(params: LatentDiffusionParams) -> dict:
    widths = tuple(params.widths)
    return {
        "encoder": latent_networks.build_encoder(params.latent_dim, widths),
        "decoder": latent_networks.build_decoder(params.latent_dim, widths),
        "denoiser": latent_networks.build_denoiser(
            params.latent_dim, params.units, params.blocks, params.embedding_dim, params.conditional
        ),
    }


def train(networks, data: TrainingData, params: LatentDiffusionParams, seed: int, callbacks: list) -> TrainingResult:
    """``params.steps`` updates in Keras epochs of ``gen_interval`` steps, the autoencoder's
    first. The denoiser's optimiser keeps the moving average of its weights, swapped in at the
    end: the saved denoiser is the average."""
    model = latent_networks.LatentDiffusion(
        **networks,
        alpha_bars=ddpm.cosine_alpha_bars(),
        autoencoder_steps=params.autoencoder_steps,
        code_noise=params.code_noise,
        noise_draws=params.noise_draws,
        drop_digit=params.label_dropout,
        seed=seed,
    )
    denoiser_rate = keras.optimizers.schedules.CosineDecay(
        params.learning_rate, params.steps - params.autoencoder_steps
    )
    compile_model(
        model,
        params,
        autoencoder_optimizer=keras.optimizers.Adam(params.learning_rate),
        denoiser_optimizer=keras.optimizers.Adam(denoiser_rate, use_ema=True, ema_momentum=params.ema_momentum),
    )
    digits = data.labels.astype(np.int32) if model.conditional else None
    history, stats = fit_steps(model, params, data.x, digits, seed, callbacks)
    model.denoiser_optimizer.finalize_variable_values(networks["denoiser"].trainable_weights)
    return TrainingResult(history, stats)


def encode(networks, images, labels=None) -> np.ndarray:
    return networks["encoder"].predict(images, batch_size=DECODING_BATCH, verbose=0)


def decode(networks, codes, digits=None) -> np.ndarray:
    """The decoder: codes to images (whatever digit they are: the codes say it)."""
    return networks["decoder"].predict(np.asarray(codes, np.float32), batch_size=DECODING_BATCH, verbose=0)


DRAWING = DiffusionDrawing(clip=lambda params: params.clip, to_images=decode)


FAMILY = Family(
    name="latent_diffusion",
    label="Latent diffusion",
    params=LatentDiffusionParams,
    build=build,
    train=train,
    networks=("encoder", "decoder", "denoiser"),
    decode=decode,
    generate=DRAWING.draw,
    encode=encode,
    samplers=(samplers.from_noise,),
    scaling="unit",
    epoch_image="reconstructions",
    metrics=DRAWING.metrics,
    figures=DRAWING.figures,
    figure_names=DiffusionDrawing.FIGURE_NAMES,
)
