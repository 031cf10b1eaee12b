"""Diffusion over the codes of a small convolutional autoencoder (Rombach et al. 2022, on
MNIST's scale): the autoencoder learns codes its decoder turns into sharp images, a residual
MLP learns to denoise those codes, and images are drawn by solving the denoiser's ODE from noise
in code space (``ddpm.DiffusionSampler``) and decoding the result.

The encoder ends in a BatchNormalization without scale or centre, so that the codes come out
standardised (what the diffusion's noise assumes).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from .blocks import IMAGE_SHAPE, OUTPUTS
from .ddpm import NULL_DIGIT, noised, step_and_digit_inputs


def build_encoder(latent_dim: int, widths: tuple[int, int]) -> keras.Model:
    """28×28 → two stride-2 3×3 convolutions (ReLU) → a dense code, standardised."""
    images = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = layers.Reshape((*IMAGE_SHAPE, 1))(images)
    for width in widths:
        x = layers.Conv2D(width, 3, strides=2, padding="same", activation="relu")(x)
    code = layers.Dense(latent_dim)(layers.Flatten()(x))
    code = layers.BatchNormalization(center=False, scale=False, momentum=0.9, dtype=OUTPUTS)(code)
    return keras.Model(images, code, name="encoder")


def build_decoder(latent_dim: int, widths: tuple[int, int]) -> keras.Model:
    """The encoder mirrored: a dense 7×7 map, two stride-2 transposed convolutions, a sigmoid."""
    codes = keras.Input(shape=(latent_dim,), name="code")
    side = IMAGE_SHAPE[0] // 4
    x = layers.Reshape((side, side, widths[-1]))(layers.Dense(side * side * widths[-1], activation="relu")(codes))
    for width in reversed(widths):
        x = layers.Conv2DTranspose(width, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2D(1, 3, padding="same", activation="sigmoid", dtype=OUTPUTS)(x)
    return keras.Model(codes, layers.Reshape(IMAGE_SHAPE, dtype=OUTPUTS)(x), name="decoder")


def build_denoiser(latent_dim: int, units: int, blocks: int, embedding_dim: int, conditional: bool) -> keras.Model:
    """(noisy code, t[, digit]) → the predicted noise: a residual MLP of ``blocks`` blocks
    (LayerNorm, the step's and digit's embedding added, swish, two dense layers) of ``units``."""
    codes = keras.Input(shape=(latent_dim,), name="noisy_code")
    conditions, embedding = step_and_digit_inputs(embedding_dim, units, conditional)
    inputs = [codes, *conditions]
    x = layers.Dense(units)(codes)
    for _ in range(blocks):
        h = layers.LayerNormalization()(x)
        h = layers.Activation("swish")(h + layers.Dense(units)(embedding))
        h = layers.Dense(units)(layers.Dense(units, activation="swish")(h))
        x = x + h
    x = layers.Activation("swish")(layers.LayerNormalization()(x))
    noise = layers.Dense(latent_dim, kernel_initializer="zeros", dtype=OUTPUTS)(x)
    return keras.Model(inputs, noise, name="denoiser")


class LatentDiffusion(keras.Model):
    """Both stages in one ``fit``: the first ``autoencoder_steps`` steps train the autoencoder
    (binary cross-entropy per image; the decoder reads the codes with Gaussian noise of
    ``code_noise`` standard deviations added, if any), the rest
    the denoiser on the frozen encoder's codes, each code noised at ``noise_draws`` random steps of
    the schedule (the encoder's pass over a batch serves that many of the denoiser's examples).
    The stage follows from the autoencoder optimiser's step count, which a checkpoint keeps.

    Both losses are logged throughout: the denoising loss of the untrained denoiser in the first
    stage, and in the second the reconstruction loss of the frozen autoencoder on the first
    ``RECONSTRUCTION_LOGGED`` images of each batch (decoding whole batches would cost more than
    the denoiser's step)."""

    RECONSTRUCTION_LOGGED = 32

    def __init__(
        self,
        encoder,
        decoder,
        denoiser,
        alpha_bars: np.ndarray,
        autoencoder_steps: int,
        code_noise: float,
        noise_draws: int = 1,
        drop_digit: float = 0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.encoder, self.decoder, self.denoiser = encoder, decoder, denoiser
        self.conditional = len(denoiser.inputs) == 3  # noqa: PLR2004 - code, step, digit
        self.alpha_bars = ops.convert_to_tensor(alpha_bars, "float32")
        self.autoencoder_steps, self.code_noise, self.noise_draws = autoencoder_steps, code_noise, noise_draws
        self.drop_digit = drop_digit
        self.noise = keras.random.SeedGenerator(seed)
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.denoising_tracker = keras.metrics.Mean(name="denoising_loss")

    def compile(self, autoencoder_optimizer, denoiser_optimizer, **kwargs):
        super().compile(**kwargs)
        self.autoencoder_optimizer, self.denoiser_optimizer = autoencoder_optimizer, denoiser_optimizer
        # Their variables made now, not by the step's first trace (which TensorFlow would then redo).
        autoencoder_optimizer.build(self.encoder.trainable_variables + self.decoder.trainable_variables)
        denoiser_optimizer.build(self.denoiser.trainable_variables)

    @property
    def metrics(self):
        return [self.reconstruction_tracker, self.denoising_tracker]

    def call(self, images, training=False):
        return self.decoder(self.encoder(images, training=training), training=training)

    @staticmethod
    def _reconstruction_loss(images, reconstructions):
        """Binary cross-entropy summed over pixels, mean per image (nats)."""
        pixels = keras.losses.binary_crossentropy(
            ops.reshape(images, (ops.shape(images)[0], -1, 1)),
            ops.reshape(reconstructions, (ops.shape(images)[0], -1, 1)),
        )
        return ops.mean(ops.sum(pixels, axis=-1))

    def _denoising_loss(self, codes, digits, training: bool):
        codes = ops.tile(codes, (self.noise_draws, 1))
        n = ops.shape(codes)[0]
        steps = keras.random.randint((n,), 0, ops.shape(self.alpha_bars)[0], seed=self.noise)
        noise = keras.random.normal(ops.shape(codes), seed=self.noise)
        inputs = [noised(codes, noise, ops.take(self.alpha_bars, steps)), steps]
        if self.conditional:
            digits = ops.tile(ops.cast(digits, "int32"), (self.noise_draws,))
            dropped = keras.random.uniform((n,), seed=self.noise) < self.drop_digit
            inputs.append(ops.where(dropped, NULL_DIGIT, digits))
        return ops.mean(ops.square(self.denoiser(inputs, training=training) - noise))

    def _autoencoder_update(self, images, digits):
        variables = self.encoder.trainable_weights + self.decoder.trainable_weights
        with tf.GradientTape() as tape:
            codes = self.encoder(images, training=True)
            noisy = codes + self.code_noise * keras.random.normal(ops.shape(codes), seed=self.noise)
            reconstruction = self._reconstruction_loss(images, self.decoder(noisy, training=True))
            scaled = self.autoencoder_optimizer.scale_loss(reconstruction)
        self.autoencoder_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return reconstruction, self._denoising_loss(ops.stop_gradient(codes), digits, training=False)

    def _denoiser_update(self, images, digits):
        codes = self.encoder(images, training=False)
        logged = images[: self.RECONSTRUCTION_LOGGED]
        reconstruction = self._reconstruction_loss(
            logged, self.decoder(codes[: self.RECONSTRUCTION_LOGGED], training=False)
        )
        with tf.GradientTape() as tape:
            denoising = self._denoising_loss(codes, digits, training=True)
            scaled = self.denoiser_optimizer.scale_loss(denoising)
        variables = self.denoiser.trainable_weights
        self.denoiser_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return reconstruction, denoising

    def train_step(self, data):
        # fit gives an image batch (with the digits: a pair); train_on_batch, (x, y, sample weight)
        images = data[0] if isinstance(data, tuple | list) else data
        digits = data[1] if self.conditional else None
        reconstruction, denoising = tf.cond(
            self.autoencoder_optimizer.iterations < self.autoencoder_steps,
            lambda: self._autoencoder_update(images, digits),
            lambda: self._denoiser_update(images, digits),
        )
        self.reconstruction_tracker.update_state(reconstruction)
        self.denoising_tracker.update_state(denoising)
        return {m.name: m.result() for m in self.metrics}
