"""What the network modules share: encoder trunks and decoders of the autoencoder families,
the digit input, and inference in batches (plain Keras)."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

IMAGE_SHAPE = (28, 28)

# The dtype of every network's outputs (codes, images, the discriminator's logit): under a mixed
# policy the layers before compute in 16 bits, these and the losses computed from them in float32.
OUTPUTS = "float32"


N_DIGITS = 10
LOGITS = "image_logits"  # the layer of a Bernoulli decoder before its sigmoid


def digit_input() -> tuple[keras.KerasTensor, keras.KerasTensor]:
    """A conditional network's second input (the digit, an integer) and its one-hot code."""
    digit = keras.Input(shape=(), dtype="int32", name="digit")
    return digit, layers.CategoryEncoding(N_DIGITS, output_mode="one_hot")(digit)


@dataclass(frozen=True)
class Architecture:
    """The shape of an autoencoding family's networks: the encoder's features (the flattened
    pixels, or two strided convolutions), ``hidden_layers`` dense layers of ``hidden_units``
    with ``activation`` on each side of the code, and the decoder's way back to pixels (one
    dense layer, or transposed convolutions)."""

    convolutional: bool
    hidden_layers: int
    activation: str


ARCHITECTURES = {
    "mlp": Architecture(convolutional=False, hidden_layers=1, activation="relu"),  # the tutorial's 784 → 512 → code
    "conv": Architecture(convolutional=True, hidden_layers=1, activation="relu"),
    # Burda et al. (2016)'s one-stochastic-layer networks: 784 → 200 → 200 → code, tanh.
    "paper": Architecture(convolutional=False, hidden_layers=2, activation="tanh"),
}


def encoder_trunk(
    images: keras.KerasTensor, architecture: str, hidden_units: int, condition: keras.KerasTensor | None = None
) -> keras.KerasTensor:
    """Image batch (N×28×28 in [0,1]) to a feature vector, before the latent head(s); a
    ``condition`` (the digit's one-hot code) joins the flattened image or convolutional features."""
    shape = ARCHITECTURES[architecture]
    if shape.convolutional:
        x = layers.Reshape((*IMAGE_SHAPE, 1))(images)
        x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(x)  # 14×14
        x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(x)  # 7×7
        x = layers.Flatten()(x)
    else:
        x = layers.Flatten()(images)
    if condition is not None:
        x = layers.Concatenate()([x, condition])
    for _ in range(shape.hidden_layers):
        x = layers.Dense(hidden_units, activation=shape.activation)(x)
    return x


def build_decoder(latent_dim: int, architecture: str, hidden_units: int, conditional: bool = False) -> keras.Model:
    """Latent code (and, if ``conditional``, the digit) to an image of Bernoulli means (the sigmoid
    of the logits ``logits_of`` gives), N×28×28."""
    shape = ARCHITECTURES[architecture]
    latent = keras.Input(shape=(latent_dim,), name="z")
    inputs = latent
    x = latent
    if conditional:  # p(x | z, y): the digit's one-hot code joins the latent code
        digit, one_hot = digit_input()
        inputs, x = [latent, digit], layers.Concatenate()([latent, one_hot])
    for _ in range(shape.hidden_layers):
        x = layers.Dense(hidden_units, activation=shape.activation)(x)
    if shape.convolutional:
        x = layers.Dense(7 * 7 * 64, activation="relu")(x)
        x = layers.Reshape((7, 7, 64))(x)
        x = layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu")(x)  # 14×14
        x = layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu")(x)  # 28×28
        x = layers.Conv2D(1, 3, padding="same", dtype=OUTPUTS)(x)
    else:
        x = layers.Dense(28 * 28, dtype=OUTPUTS)(x)
    logits = layers.Reshape(IMAGE_SHAPE, name=LOGITS, dtype=OUTPUTS)(x)
    images = layers.Activation("sigmoid", name="image", dtype=OUTPUTS)(logits)
    return keras.Model(inputs, images, name="decoder")


def logits_of(decoder: keras.Model) -> keras.Model:
    """The decoder before its sigmoid, sharing its weights: the Bernoulli logits, from which
    the likelihood is exact where a probability would round to 0 or 1."""
    return keras.Model(decoder.input, decoder.get_layer(LOGITS).output, name="decoder_logits")


def to_unit(images: np.ndarray) -> np.ndarray:
    """Images in [-1, 1] (a tanh generator's, a denoiser's) to images in [0, 1]."""
    return np.clip((images + 1.0) / 2.0, 0.0, 1.0).astype(np.float32)


def predict(
    model: keras.Model, inputs: np.ndarray | list[np.ndarray], batch_size: int = 1000
) -> np.ndarray | list[np.ndarray]:
    """Run ``model`` over ``inputs`` (one array, or a list for a model with several inputs) in
    eager batches.

    ``Model.predict`` traces a new graph for each model it meets; for the handful of
    one-off inference passes a pipeline makes, plain calls are as fast and quieter.
    """
    several = isinstance(inputs, list | tuple)
    n = len(inputs[0]) if several else len(inputs)
    batches = [
        model([part[i : i + batch_size] for part in inputs] if several else inputs[i : i + batch_size], training=False)
        for i in range(0, n, batch_size)
    ]
    if isinstance(batches[0], list | tuple):
        return [np.concatenate([keras.ops.convert_to_numpy(b[k]) for b in batches]) for k in range(len(batches[0]))]
    return np.concatenate([keras.ops.convert_to_numpy(b) for b in batches])


def conditioned(inputs, digits) -> list | np.ndarray:
    """A network's input: ``inputs`` alone, or with the digits for a conditional network
    (whose second input is the digit)."""
    return inputs if digits is None else [inputs, digits]
