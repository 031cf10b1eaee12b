"""Latent diffusion (networks in ``deepgen.models.latent`` and ``latent_diffusion``): a small
convolutional autoencoder, then a diffusion model over its ``latent_dim`` standardised codes,
trained in one ``fit`` of ``steps`` steps (the first ``autoencoder_steps`` train the
autoencoder). Samples are codes drawn by the solver from noise and decoded. Codes are the
autoencoder's: ``decode`` is its decoder, so reconstructions, embeddings and the latent sweep
work as for the other autoencoders. With ``conditional: true`` the denoiser also reads the digit
(classifier-free guidance, as the pixel diffusion's)."""

from __future__ import annotations

from pydantic import Field

from deepgen.models import ddpm
from deepgen.models.latent_diffusion import LatentDiffusion

from .shared import latent_base, samplers
from .shared.contract import Family, TrainingData, TrainingResult
from .shared.diffusion_base import DiffusionParams, diffusion_drawing
from .shared.drawing import Drawing


class LatentDiffusionParams(DiffusionParams, latent_base.LatentParams):
    clip: float = Field(gt=0)  # predicted clean codes clipped to ± this many standard deviations while sampling

    RESUMABLE_CHANGES = DiffusionParams.RESUMABLE_CHANGES | {"clip"}


def build(params: LatentDiffusionParams) -> dict:
    return latent_base.build(params, "denoiser")


def train(networks, data: TrainingData, params: LatentDiffusionParams, seed: int, callbacks: list) -> TrainingResult:
    """The autoencoder, then the denoiser on the cosine schedule over its codes."""
    return latent_base.train(
        LatentDiffusion, "denoiser", networks, data, params, seed, callbacks, alpha_bars=ddpm.cosine_alpha_bars()
    )


DRAWING = diffusion_drawing(clip=lambda params: params.clip, to_images=latent_base.decode)


FAMILY = Family(
    name="latent_diffusion",
    label="Latent diffusion",
    params=LatentDiffusionParams,
    build=build,
    train=train,
    networks=("encoder", "decoder", "denoiser"),
    decode=latent_base.decode,
    generate=DRAWING.draw,
    drawing=DRAWING,
    encode=latent_base.encode,
    samplers=(samplers.from_noise,),
    scaling="unit",
    epoch_image="reconstructions",
    metrics=DRAWING.metrics,
    figures=DRAWING.figures,
    figure_names=Drawing.FIGURE_NAMES,
)
