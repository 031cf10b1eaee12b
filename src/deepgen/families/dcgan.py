"""The DCGAN of the Keras-GAN collection (networks and the fused train step in
``deepgen.models.adversarial``), trained for a number of generator steps."""

from __future__ import annotations

import numpy as np

from deepgen.models import adversarial, blocks, keras_gan, predict

from .shared import gan_base, samplers
from .shared.contract import Family, FigureInputs, TutorialReference


class DCGANParams(gan_base.GANParams):
    pass


def build(params: DCGANParams) -> dict:
    return {
        "generator": adversarial.build_generator(params.latent_dim, params.fused_upsampling),
        "discriminator": adversarial.build_discriminator(dropout=params.discriminator_dropout),
    }


def tutorial_training(params: DCGANParams, images: np.ndarray, epochs: int, clock) -> None:
    """The Keras-GAN loop (``deepgen.models.keras_gan``): four Keras calls a step."""
    loop = keras_gan.KerasGANLoop(params.latent_dim, params.batch_size, params.learning_rate, params.beta_1)
    clock.on_train_begin()
    for epoch in range(epochs):
        loop.train(images, params.gen_interval)
        clock.on_epoch_end(epoch)


def figures(networks, given: FigureInputs) -> dict:
    return {"progression": gan_base.progression(given.extras, "DCGAN samples of fixed noise")}


FAMILY = Family(
    name="dcgan",
    label="DCGAN",
    params=DCGANParams,
    build=build,
    train=gan_base.train,
    networks=("generator", "discriminator"),
    decode=lambda networks, noise, digits: blocks.to_unit(predict(networks["generator"], noise)),
    samplers=(samplers.prior,),
    scaling="symmetric",
    epoch_image="samples",
    figures=figures,
    figure_names=("progression",),
    tutorial=TutorialReference(tutorial_training, networks={"discriminator_dropout": adversarial.KERAS_GAN_DROPOUT}),
)
