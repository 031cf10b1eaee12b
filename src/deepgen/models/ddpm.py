"""A denoising diffusion model for 28×28 images (Ho et al. 2020): a small U-Net learns to
predict the noise added at a random step of a fixed cosine schedule (Nichol & Dhariwal 2021);
images are drawn with DDIM (Song et al. 2020), deterministic, in as few steps as asked.

Conditional denoisers take the digit as a second input, with ``NULL_DIGIT`` meaning "no digit":
trained with the digit dropped at a fixed rate, one network gives both the conditional and the
unconditional noise prediction, and sampling extrapolates from the second to the first
(classifier-free guidance, Ho & Salimans 2022).
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from .blocks import IMAGE_SHAPE, N_DIGITS, OUTPUTS

N_TIMESTEPS = 1000  # the schedule's steps; DDIM visits a few of them
NULL_DIGIT = N_DIGITS  # a conditional denoiser's "no digit" (its embedding has N_DIGITS + 1 rows)


def cosine_alpha_bars(n_timesteps: int = N_TIMESTEPS, offset: float = 0.008) -> np.ndarray:
    """ᾱ_t, t = 1…T (index t − 1): the share of the image's variance left after t noising steps.
    ᾱ_t = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2), with each step's β_t = 1 − ᾱ_t/ᾱ_{t−1}
    clipped at 0.999 as the paper does (the last steps would otherwise divide by ~0)."""
    fraction = np.arange(n_timesteps + 1, dtype=np.float64) / n_timesteps
    f = np.cos((fraction + offset) / (1 + offset) * math.pi / 2) ** 2
    betas = np.clip(1 - f[1:] / f[:-1], 0, 0.999)
    return np.cumprod(1 - betas)


def noised(images, noise, alpha_bars):
    """A sample of q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I), given the noise."""
    alpha_bars = ops.reshape(alpha_bars, (-1, 1, 1))
    return ops.sqrt(alpha_bars) * images + ops.sqrt(1 - alpha_bars) * noise


@keras.saving.register_keras_serializable(package="deepgen")
class SinusoidalEmbedding(layers.Layer):
    """The step t as the Transformer embeds positions: sines and cosines of t at ``dim / 2``
    frequencies from 1 to 1/10,000."""

    def __init__(self, dim: int, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim

    def call(self, steps):
        half = self.dim // 2
        frequencies = ops.exp(-math.log(10_000.0) * ops.arange(half, dtype="float32") / half)
        angles = ops.cast(ops.reshape(steps, (-1, 1)), "float32") * ops.reshape(frequencies, (1, -1))
        return ops.cast(ops.concatenate([ops.sin(angles), ops.cos(angles)], axis=-1), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.dim)

    def get_config(self):
        return super().get_config() | {"dim": self.dim}


def _residual_block(x, embedding, width: int, groups: int):
    """GroupNorm → swish → 3×3 conv, plus the step's (and digit's) embedding per channel, twice;
    added to the input (through a 1×1 conv where the width changes)."""
    skip = x if x.shape[-1] == width else layers.Conv2D(width, 1)(x)
    x = layers.Conv2D(width, 3, padding="same")(layers.Activation("swish")(layers.GroupNormalization(groups)(x)))
    x = x + layers.Reshape((1, 1, width))(layers.Dense(width)(embedding))
    x = layers.Conv2D(width, 3, padding="same")(layers.Activation("swish")(layers.GroupNormalization(groups)(x)))
    return x + skip


def build_denoiser(widths: tuple[int, ...], embedding_dim: int, groups: int, conditional: bool) -> keras.Model:
    """The U-Net: (x_t, t[, digit]) → the predicted noise, N×28×28. A residual block at each
    resolution (28, 14, 7 for three widths) on the way down and up, one in the middle, skip
    connections across; stride-2 convolutions down, nearest upsampling and a convolution up."""
    images = keras.Input(shape=IMAGE_SHAPE, name="noisy_image")
    steps = keras.Input(shape=(), dtype="int32", name="step")
    inputs = [images, steps]
    embedding = layers.Dense(embedding_dim, activation="swish")(SinusoidalEmbedding(embedding_dim)(steps))
    if conditional:
        digit = keras.Input(shape=(), dtype="int32", name="digit")
        inputs.append(digit)
        embedding = embedding + layers.Embedding(N_DIGITS + 1, embedding_dim)(digit)
    embedding = layers.Dense(embedding_dim)(embedding)

    x = layers.Conv2D(widths[0], 3, padding="same")(layers.Reshape((*IMAGE_SHAPE, 1))(images))
    skips = []
    for level, width in enumerate(widths):
        x = _residual_block(x, embedding, width, groups)
        if level < len(widths) - 1:
            skips.append(x)
            x = layers.Conv2D(width, 3, strides=2, padding="same")(x)
    x = _residual_block(x, embedding, widths[-1], groups)
    for width, skip in zip(reversed(widths[:-1]), reversed(skips), strict=True):
        x = layers.Conv2D(width, 3, padding="same")(layers.UpSampling2D(2)(x))
        x = _residual_block(layers.Concatenate()([x, skip]), embedding, width, groups)
    x = layers.Activation("swish")(layers.GroupNormalization(groups)(x))
    noise = layers.Conv2D(1, 3, padding="same", kernel_initializer="zeros", dtype=OUTPUTS)(x)
    return keras.Model(inputs, layers.Reshape(IMAGE_SHAPE, dtype=OUTPUTS)(noise), name="denoiser")


class Diffusion(keras.Model):
    """Trains a denoiser: each batch's images noised to a random step t of the schedule, the
    loss the mean squared error of the predicted noise. With digits, each is replaced by
    ``NULL_DIGIT`` with probability ``drop_digit`` (classifier-free guidance)."""

    def __init__(self, denoiser, alpha_bars: np.ndarray, drop_digit: float = 0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.denoiser = denoiser
        self.conditional = len(denoiser.inputs) == 3  # noqa: PLR2004 - image, step, digit
        self.alpha_bars = ops.convert_to_tensor(alpha_bars, "float32")
        self.drop_digit = drop_digit
        self.noise = keras.random.SeedGenerator(seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    @property
    def metrics(self):
        return [self.loss_tracker]

    def call(self, inputs, training=False):
        return self.denoiser(inputs, training=training)

    def train_step(self, data):
        # fit gives an image batch (with the digits: a pair); train_on_batch, (x, y, sample weight)
        images = data[0] if isinstance(data, tuple | list) else data
        digits = data[1] if self.conditional else None
        batch_size = ops.shape(images)[0]
        steps = keras.random.randint((batch_size,), 0, len(self.alpha_bars), seed=self.noise)
        noise = keras.random.normal(ops.shape(images), seed=self.noise)
        inputs = [noised(images, noise, ops.take(self.alpha_bars, steps)), steps]
        if self.conditional:
            dropped = keras.random.uniform((batch_size,), seed=self.noise) < self.drop_digit
            inputs.append(ops.where(dropped, NULL_DIGIT, ops.cast(digits, "int32")))
        with tf.GradientTape() as tape:
            loss = ops.mean(ops.square(self.denoiser(inputs, training=True) - noise))
            scaled = self.optimizer.scale_loss(loss)  # unchanged unless mixed_float16 scales it
        gradients = tape.gradient(scaled, self.denoiser.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.denoiser.trainable_weights))
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}


def ddim_steps(n_steps: int, n_timesteps: int = N_TIMESTEPS) -> np.ndarray:
    """The schedule's steps DDIM visits, from the last (pure noise) down: ``n_steps`` evenly
    spaced indices of T−1…0."""
    return np.linspace(n_timesteps - 1, 0, n_steps).round().astype(np.int32)


class DDIMSampler:
    """Deterministic DDIM (η = 0): from x_T = the given noise, each visited step predicts the
    noise ε̂, the clean image x̂_0 = (x_t − √(1−ᾱ_t) ε̂)/√ᾱ_t (clipped to [−1, 1]) and moves to
    x_s = √ᾱ_s x̂_0 + √(1−ᾱ_s) ε̂. One compiled function per step pattern, batches of
    ``batch_size``; with digits and ``guidance`` w the noise is (1 + w) ε̂(x, digit) − w ε̂(x, ∅)."""

    def __init__(self, denoiser: keras.Model, alpha_bars: np.ndarray, batch_size: int = 500, jit_compile: bool = False):
        self.denoiser = denoiser
        self.alpha_bars = tf.constant(alpha_bars, tf.float32)
        self.batch_size = batch_size
        self._step = tf.function(self._one_step, reduce_retracing=True, jit_compile=jit_compile)

    def _predicted_noise(self, x, step, digits, guidance):
        steps = tf.fill(tf.shape(x)[:1], step)
        if digits is None:
            return self.denoiser([x, steps], training=False)
        both = self.denoiser(
            [
                tf.concat([x, x], 0),
                tf.concat([steps, steps], 0),
                tf.concat([digits, tf.fill(tf.shape(digits), NULL_DIGIT)], 0),
            ],
            training=False,
        )
        conditional, unconditional = tf.split(both, 2)
        return (1 + guidance) * conditional - guidance * unconditional

    def _one_step(self, x, step, next_step, digits, guidance):
        alpha_bar = self.alpha_bars[step]
        alpha_bar_next = tf.where(next_step >= 0, self.alpha_bars[tf.maximum(next_step, 0)], 1.0)
        noise = self._predicted_noise(x, step, digits, guidance)
        x0 = tf.clip_by_value((x - tf.sqrt(1 - alpha_bar) * noise) / tf.sqrt(alpha_bar), -1.0, 1.0)
        return tf.sqrt(alpha_bar_next) * x0 + tf.sqrt(1 - alpha_bar_next) * noise, x0

    def __call__(
        self,
        noise: np.ndarray,
        n_steps: int,
        digits: np.ndarray | None = None,
        guidance: float = 0.0,
        keep: tuple[int, ...] = (),
    ) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        """Images in [−1, 1] from ``noise`` (N×28×28), and the predicted clean images x̂_0 at the
        visited steps whose positions (0 … n_steps − 1) are in ``keep``."""
        steps = ddim_steps(n_steps, len(self.alpha_bars))
        next_steps = np.append(steps[1:], -1)
        images, kept = [], {position: [] for position in keep}
        for start in range(0, len(noise), self.batch_size):
            x = tf.constant(noise[start : start + self.batch_size], tf.float32)
            batch_digits = None if digits is None else tf.constant(digits[start : start + self.batch_size], tf.int32)
            for position, (step, next_step) in enumerate(zip(steps, next_steps, strict=True)):
                x, x0 = self._step(x, tf.constant(step), tf.constant(next_step), batch_digits, tf.constant(guidance))
                if position in kept:
                    kept[position].append(x0.numpy())
            images.append(x.numpy())
        return np.concatenate(images), {position: np.concatenate(parts) for position, parts in kept.items()}
