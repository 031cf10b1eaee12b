"""The tutorial's autoencoder: an encoder to a deterministic code and a mirrored decoder,
trained on pixel MSE."""

from __future__ import annotations

from typing import Literal

import numpy as np

from deepgen import evaluation
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


ROTATIONS = (0, 1, 2, 3)  # quarter turns: the views its one-class members learn to turn upright
INK = 0.01  # a window's mean intensity above which it holds ink, for the restoration error's SSIM


def _turned(images: np.ndarray, turns: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(images, turns, axes=(1, 2)))


def rotated_views(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each image turned by every quarter turn, each view paired with the upright original:
    restoring them, a member learns its digit's orientation and shape, which another digit lacks."""
    views = np.concatenate([_turned(images, turns) for turns in ROTATIONS])
    return views, np.concatenate([images] * len(ROTATIONS))


def restoration_error(networks, images: np.ndarray, params: AEParams, seed: int) -> np.ndarray:
    """How far each image is from its restorations from its rotated views, averaged over the
    views: the squared error relative to the ink of the image and of its restoration, plus the
    structural dissimilarity (1 − SSIM, 7-pixel windows: a stroke's scale) over the windows with
    ink in either image. Relative, because an absolute error ranks thin digits (a 1) as normal
    whatever the normal digit is; the two terms, both unitless, miss different anomalies; blank
    windows left out, because their SSIM is the decoder's faint noise (docs/pipelines/anomaly.md)."""
    errors = []
    for turns in ROTATIONS:
        restored = predict(networks["decoder"], predict(networks["encoder"], _turned(images, turns)))
        ink = np.sum(images**2, axis=(1, 2)) + np.sum(restored**2, axis=(1, 2))
        relative = np.sum((images - restored) ** 2, axis=(1, 2)) / np.maximum(ink, 1e-6)
        errors.append(relative + 1.0 - evaluation.ssim_per_image(images, restored, window=7, over_ink=INK))
    return np.mean(errors, axis=0)


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
    anomaly=AnomalyDetection(
        {"reconstruction_error": reconstruction_error, "restoration_error": restoration_error}, views=rotated_views
    ),
    restoration=Restoration(train),
    tutorial=TutorialReference(tutorial_training),
)
