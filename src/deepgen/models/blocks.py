"""Encoder trunks and decoders shared by the autoencoder families (plain Keras)."""

from __future__ import annotations

import keras
from keras import layers

IMAGE_SHAPE = (28, 28)


def encoder_trunk(images: keras.KerasTensor, architecture: str, hidden_units: int) -> keras.KerasTensor:
    """Image batch (N×28×28 in [0,1]) to a feature vector, before the latent head(s)."""
    if architecture == "mlp":  # the tutorial's 784 → 512
        x = layers.Flatten()(images)
        return layers.Dense(hidden_units, activation="relu")(x)
    x = layers.Reshape((*IMAGE_SHAPE, 1))(images)
    x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(x)  # 14×14
    x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(x)  # 7×7
    x = layers.Flatten()(x)
    return layers.Dense(hidden_units, activation="relu")(x)


def build_decoder(latent_dim: int, architecture: str, hidden_units: int) -> keras.Model:
    """Latent code to an image of Bernoulli means (sigmoid), N×28×28."""
    latent = keras.Input(shape=(latent_dim,), name="z")
    x = layers.Dense(hidden_units, activation="relu")(latent)
    if architecture == "mlp":  # the tutorial's 512 → 784
        x = layers.Dense(28 * 28, activation="sigmoid")(x)
    else:
        x = layers.Dense(7 * 7 * 64, activation="relu")(x)
        x = layers.Reshape((7, 7, 64))(x)
        x = layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu")(x)  # 14×14
        x = layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu")(x)  # 28×28
        x = layers.Conv2D(1, 3, padding="same", activation="sigmoid")(x)
    images = layers.Reshape(IMAGE_SHAPE, name="image")(x)
    return keras.Model(latent, images, name="decoder")
