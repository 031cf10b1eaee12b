"""The conditional DCGAN: the DCGAN with the digit given to both networks (a learnt label
embedding joined to the generator's noise; a projection discriminator, see
``deepgen.models.adversarial.build_discriminator``), trained with the same fused step."""

from __future__ import annotations

from pydantic import PositiveInt

from deepgen.models import adversarial, blocks, predict

from .shared import gan_base, samplers
from .shared.conditional import digit_grid
from .shared.contract import Family, FigureInputs


class CDCGANParams(gan_base.GANParams):
    label_embedding: PositiveInt  # size of the digit's embedding joined to the generator's noise


def build(params: CDCGANParams) -> dict:
    return {
        "generator": adversarial.build_generator(params.latent_dim, params.fused_upsampling, params.label_embedding),
        "discriminator": adversarial.build_discriminator(conditional=True, dropout=params.discriminator_dropout),
    }


def decode(networks, noise, digits):
    return blocks.to_unit(predict(networks["generator"], [noise, digits]))


def figures(networks, given: FigureInputs) -> dict:
    return {
        "progression": gan_base.progression(given.extras, "cDCGAN samples of fixed noise, digits 0–9"),
        "digit_grid": digit_grid(given.family, networks, given.params),
    }


FAMILY = Family(
    name="cdcgan",
    label="cDCGAN",
    params=CDCGANParams,
    build=build,
    train=gan_base.train,
    networks=("generator", "discriminator"),
    decode=decode,
    samplers=(samplers.prior,),
    scaling="symmetric",
    conditional=True,
    epoch_image="samples",
    figures=figures,
    figure_names=("progression", "digit_grid"),
)
