"""The tutorial's variational autoencoder: a Gaussian encoder q(z|x), the reparameterisation
trick and a Bernoulli decoder p(x|z), trained on reconstruction + beta·KL (the loss is in
``deepgen.models.variational``; what it shares with the IWAE in ``vae_base``)."""

from __future__ import annotations

import numpy as np

from deepgen.models import variational

from .shared import vae_base
from .shared.contract import Family, Restoration, TutorialReference


class VAEParams(vae_base.UnconditionalParams):
    pass


def tutorial_training(params: VAEParams, images: np.ndarray, epochs: int, clock) -> None:
    """The tutorial's: ``compile`` and ``fit`` with Keras' defaults."""
    model = variational.VAE(**vae_base.build(params), beta=params.beta, reconstruction=params.reconstruction, seed=0)
    model.compile(optimizer="adam")
    model.fit(images, batch_size=params.batch_size, epochs=epochs, verbose=0, callbacks=[clock])


FAMILY = Family(
    name="vae",
    label="VAE",
    params=VAEParams,
    train=vae_base.train,
    figures=vae_base.figures_of("VAE"),
    **vae_base.UNCONDITIONAL,
    restoration=Restoration(vae_base.train),
    tutorial=TutorialReference(tutorial_training),
)
