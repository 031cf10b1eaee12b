"""Generative models over the codes of a small convolutional autoencoder (Rombach et al. 2022,
on MNIST's scale): the autoencoder learns codes its decoder turns into sharp images, then a
residual MLP learns a prior over those codes (a diffusion's denoiser, a flow's velocity field),
and images are drawn by solving its ODE from noise in code space and decoding the result.

The encoder ends in a BatchNormalization without scale or centre, so that the codes come out
standardised (what the prior's noise assumes).
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers, ops

from .blocks import IMAGE_SHAPE, OUTPUTS
from .ddpm import step_and_digit_inputs


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


def build_prior_network(
    latent_dim: int, units: int, blocks: int, embedding_dim: int, conditional: bool, name: str
) -> keras.Model:
    """(noisy code, t[, digit]) → a code-sized prediction (the diffusion's noise, the flow's
    velocity): a residual MLP of ``blocks`` blocks (LayerNorm, the step's and digit's embedding
    added, swish, two dense layers) of ``units``."""
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
    prediction = layers.Dense(latent_dim, kernel_initializer="zeros", dtype=OUTPUTS)(x)
    return keras.Model(inputs, prediction, name=name)


class TwoStageLatent(keras.Model):
    """Both stages in one ``fit``: the first ``autoencoder_steps`` steps train the autoencoder
    (binary cross-entropy per image; the decoder reads the codes with Gaussian noise of
    ``code_noise`` standard deviations added, if any), the rest the prior network on the frozen
    encoder's codes, each code used ``noise_draws`` times with fresh noise (the encoder's pass
    over a batch serves that many of the prior's examples). The stage follows from the
    autoencoder optimiser's step count, which a checkpoint keeps. A subclass says what the
    prior learns (``prior_loss``) and the name its loss is logged under (``PRIOR_LOSS``).

    Both losses are logged throughout: the prior's loss while it is untrained in the first
    stage, and in the second the reconstruction loss of the frozen autoencoder on the first
    ``RECONSTRUCTION_LOGGED`` images of each batch (decoding whole batches would cost more than
    the prior's step)."""

    RECONSTRUCTION_LOGGED = 32
    PRIOR_LOSS = "prior_loss"

    def __init__(
        self,
        encoder,
        decoder,
        prior,
        autoencoder_steps: int,
        code_noise: float,
        noise_draws: int = 1,
        drop_digit: float = 0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.encoder, self.decoder, self.prior = encoder, decoder, prior
        self.conditional = len(prior.inputs) == 3  # noqa: PLR2004 - code, step, digit
        self.autoencoder_steps, self.code_noise, self.noise_draws = autoencoder_steps, code_noise, noise_draws
        self.drop_digit = drop_digit
        self.noise = keras.random.SeedGenerator(seed)
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.prior_tracker = keras.metrics.Mean(name=self.PRIOR_LOSS)

    def compile(self, autoencoder_optimizer, prior_optimizer, **kwargs):
        super().compile(**kwargs)
        self.autoencoder_optimizer, self.prior_optimizer = autoencoder_optimizer, prior_optimizer
        # Their variables made now, not by the step's first trace (which TensorFlow would then redo).
        autoencoder_optimizer.build(self.encoder.trainable_variables + self.decoder.trainable_variables)
        prior_optimizer.build(self.prior.trainable_variables)

    @property
    def metrics(self):
        return [self.reconstruction_tracker, self.prior_tracker]

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

    def prior_loss(self, codes, digits, training: bool):
        """The prior network's loss on ``codes`` (already repeated ``noise_draws`` times; with
        ``digits``, the digits it reads: some hidden)."""
        raise NotImplementedError

    def _prior_examples(self, codes, digits):
        """``codes`` repeated ``noise_draws`` times; with their digits, ``drop_digit`` of them hidden."""
        codes = ops.tile(codes, (self.noise_draws, 1))
        if not self.conditional:
            return codes, None
        from .ddpm import NULL_DIGIT

        digits = ops.tile(ops.cast(digits, "int32"), (self.noise_draws,))
        dropped = keras.random.uniform(ops.shape(digits), seed=self.noise) < self.drop_digit
        return codes, ops.where(dropped, NULL_DIGIT, digits)

    def _autoencoder_update(self, images, digits):
        variables = self.encoder.trainable_weights + self.decoder.trainable_weights
        with tf.GradientTape() as tape:
            codes = self.encoder(images, training=True)
            noisy = codes + self.code_noise * keras.random.normal(ops.shape(codes), seed=self.noise)
            reconstruction = self._reconstruction_loss(images, self.decoder(noisy, training=True))
            scaled = self.autoencoder_optimizer.scale_loss(reconstruction)
        self.autoencoder_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return reconstruction, self.prior_loss(*self._prior_examples(ops.stop_gradient(codes), digits), training=False)

    def _prior_update(self, images, digits):
        codes = self.encoder(images, training=False)
        logged = images[: self.RECONSTRUCTION_LOGGED]
        reconstruction = self._reconstruction_loss(
            logged, self.decoder(codes[: self.RECONSTRUCTION_LOGGED], training=False)
        )
        with tf.GradientTape() as tape:
            loss = self.prior_loss(*self._prior_examples(codes, digits), training=True)
            scaled = self.prior_optimizer.scale_loss(loss)
        variables = self.prior.trainable_weights
        self.prior_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return reconstruction, loss

    def train_step(self, data):
        # fit gives an image batch (with the digits: a pair); train_on_batch, (x, y, sample weight)
        images = data[0] if isinstance(data, tuple | list) else data
        digits = data[1] if self.conditional else None
        reconstruction, prior = tf.cond(
            self.autoencoder_optimizer.iterations < self.autoencoder_steps,
            lambda: self._autoencoder_update(images, digits),
            lambda: self._prior_update(images, digits),
        )
        self.reconstruction_tracker.update_state(reconstruction)
        self.prior_tracker.update_state(prior)
        return {m.name: m.result() for m in self.metrics}
