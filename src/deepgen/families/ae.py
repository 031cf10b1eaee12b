"""The tutorial's autoencoder: an encoder to a deterministic code and a mirrored decoder,
trained on pixel MSE."""

from __future__ import annotations

from typing import Literal

import numpy as np

from deepgen.models import ae, blocks, predict
from deepgen.params import MixtureSampledParams
from deepgen.training import compile_model, fit_epochs

from . import samplers
from .contract import Family, TrainingResult


class AEParams(MixtureSampledParams):
    # The tutorial put a ReLU on the code; "linear" avoids dead latent units at small sizes.
    latent_activation: Literal["linear", "relu"]


def build(params: AEParams) -> dict:
    return {
        "encoder": ae.build_encoder(
            params.latent_dim, params.architecture, params.hidden_units, params.latent_activation
        ),
        "decoder": blocks.build_decoder(params.latent_dim, params.architecture, params.hidden_units),
    }


def train(
    networks,
    train_x,
    validation_x,
    params: AEParams,
    seed: int,
    callbacks: list,
    train_targets=None,
    validation_targets=None,
) -> TrainingResult:
    """Encoder and decoder fitted jointly on pixel MSE; with targets (clean images for
    corrupted ``train_x``) a denoising autoencoder."""
    model = ae.build_autoencoder(networks["encoder"], networks["decoder"])
    compile_model(model, params, loss="mse")
    train_y = train_x if train_targets is None else train_targets
    validation_y = validation_x if validation_targets is None else validation_targets
    history, stats = fit_epochs(model, params, train_x, train_y, (validation_x, validation_y), callbacks)
    return TrainingResult(history, stats)


def reconstruction_error(networks, images: np.ndarray, params: AEParams, seed: int) -> np.ndarray:
    """Each image's mean squared error per pixel after encoding and decoding."""
    reconstructions = predict(networks["decoder"], predict(networks["encoder"], images))
    return np.mean((images - reconstructions) ** 2, axis=(1, 2))


FAMILY = Family(
    name="ae",
    label="AE",
    params=AEParams,
    build=build,
    train=train,
    networks=("encoder", "decoder"),
    encode=lambda networks, images: predict(networks["encoder"], images),
    decode=lambda networks, codes: predict(networks["decoder"], codes),
    samplers=(samplers.prior, samplers.mixture),
    epoch_image="reconstructions",
    anomaly_scores={"reconstruction_error": reconstruction_error},
    denoises=True,
)
