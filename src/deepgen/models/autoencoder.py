"""The tutorial's autoencoder: an encoder to a deterministic code and a mirrored decoder."""

from __future__ import annotations

import keras
from keras import layers

from .blocks import IMAGE_SHAPE, OUTPUTS, encoder_trunk


def build_encoder(latent_dim: int, architecture: str, hidden_units: int, latent_activation: str) -> keras.Model:
    images = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = encoder_trunk(images, architecture, hidden_units)
    z = layers.Dense(latent_dim, activation=latent_activation, name="z", dtype=OUTPUTS)(x)
    return keras.Model(images, z, name="encoder")


def build_autoencoder(encoder: keras.Model, decoder: keras.Model) -> keras.Model:
    """Encoder and decoder joined into one trainable model (image in, reconstruction out)."""
    images = keras.Input(shape=IMAGE_SHAPE, name="image")
    return keras.Model(images, decoder(encoder(images)), name="autoencoder")
