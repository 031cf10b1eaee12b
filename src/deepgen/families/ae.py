"""The tutorial's autoencoder: an encoder to a deterministic code and a mirrored decoder,
trained on pixel MSE."""

from __future__ import annotations

from typing import Literal

import numpy as np

from deepgen.models import autoencoder, blocks, predict
from deepgen.params import MixtureSampledParams
from deepgen.training import compile_model, fit_epochs

from .shared import samplers
from .shared.contract import AnomalyDetection, Family, Restoration, TrainingData, TrainingResult, TutorialReference


class AEParams(MixtureSampledParams):
    # The tutorial put a ReLU on the code; "linear" avoids dead latent units at small sizes.
    latent_activation: Literal["linear", "relu"]


def build(params: AEParams) -> dict:
    return {
        "encoder": autoencoder.build_encoder(
            params.latent_dim, params.architecture, params.hidden_units, params.latent_activation
        ),
        "decoder": blocks.build_decoder(params.latent_dim, params.architecture, params.hidden_units),
    }


def train(networks, data: TrainingData, params: AEParams, seed: int, callbacks: list) -> TrainingResult:
    """Encoder and decoder fitted jointly on pixel MSE; with ``data.targets`` (clean images for
    corrupted ``data.x``) a denoising autoencoder."""
    model = autoencoder.build_autoencoder(networks["encoder"], networks["decoder"])
    compile_model(model, params, loss="mse")
    targets = data.x if data.targets is None else data.targets
    validation_targets = data.validation_x if data.validation_targets is None else data.validation_targets
    validation = (data.validation_x, validation_targets)
    history, stats = fit_epochs(model, params, data.x, targets, validation, callbacks, params.learning_rate_schedule)
    return TrainingResult(history, stats)


def tutorial_training(params: AEParams, images: np.ndarray, epochs: int, clock) -> None:
    """The tutorial's: ``compile`` and ``fit`` with Keras' defaults."""
    model = autoencoder.build_autoencoder(**build(params))
    model.compile(optimizer="adam", loss="mean_squared_error")
    model.fit(images, images, batch_size=params.batch_size, epochs=epochs, verbose=0, callbacks=[clock])


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
    encode=lambda networks, images, labels: predict(networks["encoder"], images),
    decode=lambda networks, codes, digits: predict(networks["decoder"], codes),
    samplers=(samplers.prior, samplers.mixture),
    epoch_image="reconstructions",
    anomaly=AnomalyDetection({"reconstruction_error": reconstruction_error}),
    restoration=Restoration(train),
    tutorial=TutorialReference(tutorial_training),
)
