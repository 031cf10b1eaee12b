"""The tutorial's autoencoder: an encoder to a deterministic code and a mirrored decoder."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from . import predict
from .blocks import IMAGE_SHAPE, build_decoder, encoder_trunk


def build_encoder(latent_dim: int, architecture: str, hidden_units: int, latent_activation: str) -> keras.Model:
    images = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = encoder_trunk(images, architecture, hidden_units)
    z = layers.Dense(latent_dim, activation=latent_activation, name="z")(x)
    return keras.Model(images, z, name="encoder")


def build_autoencoder(encoder: keras.Model, decoder: keras.Model) -> keras.Model:
    """Encoder and decoder joined into one trainable model (image in, reconstruction out)."""
    images = keras.Input(shape=IMAGE_SHAPE, name="image")
    return keras.Model(images, decoder(encoder(images)), name="autoencoder")


def build(cfg) -> dict[str, keras.Model]:
    """The family's networks from its parameter block (anything with the fields used)."""
    encoder = build_encoder(cfg.latent_dim, cfg.architecture, cfg.hidden_units, cfg.latent_activation)
    decoder = build_decoder(cfg.latent_dim, cfg.architecture, cfg.hidden_units)
    return {"encoder": encoder, "decoder": decoder}


def sample(decoder: keras.Model, n: int, seed: int) -> np.ndarray:
    """Decode ``n`` codes drawn from N(0, I): N×28×28 float32 in [0,1]."""
    latent_dim = decoder.input_shape[-1]
    z = np.random.default_rng(seed).standard_normal((n, latent_dim), dtype=np.float32)
    return predict(decoder, z)


def sample_mixture(
    encoder: keras.Model, decoder: keras.Model, train_x: np.ndarray, components: int, n: int, seed: int
) -> np.ndarray:
    """Decode ``n`` codes drawn from a ``components``-Gaussian mixture fitted to the codes of ``train_x``."""
    from sklearn.mixture import GaussianMixture

    mixture = GaussianMixture(components, covariance_type="full", random_state=seed).fit(predict(encoder, train_x))
    z, _ = mixture.sample(n)  # grouped by component: shuffle so grids show a mix
    z = np.random.default_rng(seed).permutation(z).astype(np.float32)
    return predict(decoder, z)
