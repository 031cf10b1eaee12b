"""The tutorial's variational autoencoder: a Gaussian encoder q(z|x), the reparameterisation
trick and a Bernoulli decoder p(x|z), trained on reconstruction + beta·KL."""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from .blocks import IMAGE_SHAPE, OUTPUTS, conditioned, digit_input, encoder_trunk, predict

_EPS = 1e-7  # keeps log() finite where the decoder outputs exactly 0 or 1


def build_encoder(latent_dim: int, architecture: str, hidden_units: int, conditional: bool = False) -> keras.Model:
    """Image (and, if ``conditional``, its digit: q(z|x, y)) to the mean and log-variance of
    q(z|x); sampling happens in the VAE, so the saved encoder is a plain functional model."""
    images = keras.Input(shape=IMAGE_SHAPE, name="image")
    inputs, condition = images, None
    if conditional:
        digit, condition = digit_input()
        inputs = [images, digit]
    x = encoder_trunk(images, architecture, hidden_units, condition)
    z_mean = layers.Dense(latent_dim, name="z_mean", dtype=OUTPUTS)(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var", dtype=OUTPUTS)(x)
    return keras.Model(inputs, [z_mean, z_log_var], name="encoder")


# --- loss terms, per image -------------------------------------------------------------


def kl_divergence(z_mean, z_log_var):
    """KL(q(z|x) ‖ N(0, I)) in closed form, summed over latent dimensions."""
    return -0.5 * ops.sum(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)


def bernoulli_nll(images, probabilities):
    """−log p(x|z) of a Bernoulli decoder: binary cross-entropy summed over pixels."""
    p = ops.clip(probabilities, _EPS, 1 - _EPS)
    terms = images * ops.log(p) + (1 - images) * ops.log(1 - p)
    return -ops.sum(ops.reshape(terms, (ops.shape(images)[0], -1)), axis=-1)


def scaled_mse(images, reconstructions):
    """The tutorial's reconstruction term: 784 · mean squared error."""
    squared = ops.reshape(ops.square(images - reconstructions), (ops.shape(images)[0], -1))
    return ops.sum(squared, axis=-1)


RECONSTRUCTION_LOSSES = {"bce": bernoulli_nll, "mse": scaled_mse}


class VAE(keras.Model):
    """Encoder and decoder trained on the negative ELBO (with beta on the KL term). With a
    conditional encoder and decoder (two inputs each) it is the CVAE of Sohn et al. (2015):
    batches are (images, digits), and both networks read the digit."""

    def __init__(self, encoder, decoder, beta: float = 1.0, reconstruction: str = "bce", seed=None, **kwargs):
        super().__init__(**kwargs)
        self.encoder, self.decoder = encoder, decoder
        self.conditional = len(encoder.inputs) == 2  # noqa: PLR2004 - image and digit
        self.beta = beta
        self.reconstruction_loss = RECONSTRUCTION_LOSSES[reconstruction]
        self.noise = keras.random.SeedGenerator(seed)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker]

    def call(self, inputs, training=False):
        """Reconstructions from the posterior means; ``inputs``: images, or [images, digits]."""
        images, digits = (inputs[0], inputs[1]) if self.conditional else (inputs, None)
        z_mean, _ = self.encoder(conditioned(images, digits), training=training)
        return self.decoder(conditioned(z_mean, digits), training=training)

    def _unpack(self, data):
        """(images, digits or None, targets) from a batch: conditional batches are (images,
        digits); unconditional ones are images, or (images, targets) for a denoising VAE, whose
        decoder is trained to give the clean targets of corrupted images."""
        if self.conditional:
            return data[0], data[1], data[0]
        if not isinstance(data, tuple):
            return data, None, data
        return data[0], None, data[1] if len(data) > 1 and data[1] is not None else data[0]

    def _loss_terms(self, images, digits, targets, training):
        z_mean, z_log_var = self.encoder(conditioned(images, digits), training=training)
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.noise)
        z = z_mean + ops.exp(0.5 * z_log_var) * epsilon  # reparameterised sample
        decoded = self.decoder(conditioned(z, digits), training=training)
        reconstruction = ops.mean(self.reconstruction_loss(targets, decoded))
        kl = ops.mean(kl_divergence(z_mean, z_log_var))
        return reconstruction + self.beta * kl, reconstruction, kl

    def _track(self, loss, reconstruction, kl):
        self.loss_tracker.update_state(loss)
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        with tf.GradientTape() as tape:
            loss, reconstruction, kl = self._loss_terms(*self._unpack(data), training=True)
            scaled = self.optimizer.scale_loss(loss)  # unchanged unless mixed_float16 scales it
        gradients = tape.gradient(scaled, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        return self._track(loss, reconstruction, kl)

    def test_step(self, data):
        return self._track(*self._loss_terms(*self._unpack(data), training=False))


# --- evaluation ----------------------------------------------------------------------------


def elbo(
    encoder: keras.Model, decoder: keras.Model, images: np.ndarray, seed: int, digits: np.ndarray | None = None
) -> np.ndarray:
    """Per-image ELBO (nats) under the Bernoulli decoder, one reparameterised sample each
    (conditioned on ``digits`` for a CVAE)."""
    z_mean, z_log_var = predict(encoder, conditioned(images, digits))
    z = z_mean + np.exp(0.5 * z_log_var) * np.random.default_rng(seed).standard_normal(z_mean.shape, dtype=np.float32)
    log_px = -ops.convert_to_numpy(bernoulli_nll(images, predict(decoder, conditioned(z, digits))))
    return log_px - ops.convert_to_numpy(kl_divergence(z_mean, z_log_var))


ACTIVE_UNIT_VARIANCE = 0.01  # Burda et al. (2016)'s threshold


def active_units(encoder: keras.Model, images: np.ndarray, digits: np.ndarray | None = None) -> int:
    """Latent dimensions the encoder uses: those whose posterior mean varies across ``images``
    with a variance above 0.01 (Burda et al. 2016); the others have collapsed to the prior."""
    z_mean, _ = predict(encoder, conditioned(images, digits))
    return int(np.sum(np.var(z_mean, axis=0) > ACTIVE_UNIT_VARIANCE))


def importance_weighted_nll(
    encoder: keras.Model,
    decoder: keras.Model,
    images: np.ndarray,
    k: int,
    seed: int,
    digits: np.ndarray | None = None,
    batch_size: int = 100,
) -> np.ndarray:
    """Per-image estimate of −log p(x) from ``k`` importance samples of q(z|x) (Burda et al.):
    −log (1/k) Σ p(x|z_i) p(z_i) / q(z_i|x); a tighter bound than −ELBO as k grows. With
    ``digits`` (a CVAE), every term is conditioned on the image's digit: −log p(x|y)."""
    rng = np.random.default_rng(seed)
    nll = []
    for start in range(0, len(images), batch_size):
        x = images[start : start + batch_size]
        y = None if digits is None else digits[start : start + batch_size]
        z_mean, z_log_var = predict(encoder, conditioned(x, y))
        n, d = z_mean.shape
        epsilon = rng.standard_normal((k, n, d), dtype=np.float32)
        z = z_mean + np.exp(0.5 * z_log_var) * epsilon  # k×n×d
        log_q = -0.5 * np.sum(epsilon**2 + z_log_var + math.log(2 * math.pi), axis=-1)
        log_prior = -0.5 * np.sum(z**2 + math.log(2 * math.pi), axis=-1)
        decoded = predict(decoder, conditioned(z.reshape(k * n, d), None if y is None else np.tile(y, k)), k * n)
        log_px = -ops.convert_to_numpy(bernoulli_nll(np.tile(x, (k, 1, 1)), decoded)).reshape(k, n)
        log_w = log_px + log_prior - log_q
        log_mean_w = np.logaddexp.reduce(log_w, axis=0) - math.log(k)
        nll.append(-log_mean_w)
    return np.concatenate(nll)
