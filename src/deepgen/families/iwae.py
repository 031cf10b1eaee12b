"""The importance-weighted autoencoder (Burda et al. 2016): the VAE's networks, samplers,
figures and anomaly scores, trained on the k-sample importance-weighted bound instead of the
ELBO (the loss is ``deepgen.models.variational.IWAE``)."""

from __future__ import annotations

from typing import Literal

from pydantic import PositiveInt

from deepgen.models import variational

from .shared import vae_base
from .shared.contract import Family, TrainingData, TrainingResult


class IWAEParams(vae_base.UnconditionalParams):
    k: PositiveInt  # importance samples per training image (k = 1 is the VAE)
    beta: Literal[1.0]  # the bound weighs p(x|z), p(z) and q(z|x) alike
    reconstruction: Literal["bce"]  # the importance weights need the decoder's likelihood


def train(networks, data: TrainingData, params: IWAEParams, seed: int, callbacks: list) -> TrainingResult:
    model = variational.IWAE(**networks, k=params.k, seed=seed, binarize=data.binarize)
    return vae_base.fit_variational(model, data, params, callbacks)


FAMILY = Family(
    name="iwae",
    label="IWAE",
    params=IWAEParams,
    train=train,
    figures=vae_base.figures_of("IWAE"),
    **vae_base.UNCONDITIONAL,
)
