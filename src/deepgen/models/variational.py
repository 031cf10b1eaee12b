"""The tutorial's variational autoencoder: a Gaussian encoder q(z|x), the reparameterisation
trick and a Bernoulli decoder p(x|z), trained on reconstruction + beta·KL."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops
from scipy.special import logsumexp

from .blocks import IMAGE_SHAPE, OUTPUTS, conditioned, digit_input, encoder_trunk, logits_of, predict

_LOG_2PI = math.log(2 * math.pi)


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


def bernoulli_nll(images, logits):
    """−log p(x|z) of a Bernoulli decoder from its ``logits`` l: Σ softplus(l) − x·l over each
    image's pixels (the last two axes; ``images`` broadcast, e.g. n images against k×n decoded
    images), exact where the probability σ(l) would round to 0 or 1."""
    return ops.sum(ops.softplus(logits) - images * logits, axis=(-2, -1))


def scaled_mse(images, reconstructions):
    """The tutorial's reconstruction term: 784 · mean squared error."""
    squared = ops.reshape(ops.square(images - reconstructions), (ops.shape(images)[0], -1))
    return ops.sum(squared, axis=-1)


RECONSTRUCTION_LOSSES = {"bce": bernoulli_nll, "mse": scaled_mse}  # of the logits, of the images


class VAE(keras.Model):
    """Encoder and decoder trained on the negative ELBO (with beta on the KL term). With a
    conditional encoder and decoder (two inputs each) it is the CVAE of Sohn et al. (2015):
    batches are (images, digits), and both networks read the digit. With ``binarize``, every
    training batch is binarized afresh (each pixel 1 with probability its intensity): the
    dynamic binarization of Burda et al. (2016), under which the Bernoulli decoder's likelihood
    is that of binary images."""

    def __init__(
        self,
        encoder,
        decoder,
        beta: float = 1.0,
        reconstruction: str = "bce",
        seed=None,
        binarize: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.encoder, self.decoder = encoder, decoder
        self.decoder_logits = logits_of(decoder)  # the same weights, before the sigmoid
        self.conditional = len(encoder.inputs) == 2  # noqa: PLR2004 - image and digit
        self.beta = beta
        self.binarize = binarize
        self.reconstruction_loss = RECONSTRUCTION_LOSSES[reconstruction]
        self.decoded_for_loss = self.decoder_logits if reconstruction == "bce" else self.decoder
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
        decoded = self.decoded_for_loss(conditioned(z, digits), training=training)
        reconstruction = ops.mean(self.reconstruction_loss(targets, decoded))
        kl = ops.mean(kl_divergence(z_mean, z_log_var))
        return reconstruction + self.beta * kl, reconstruction, kl

    def _track(self, loss, reconstruction, kl):
        self.loss_tracker.update_state(loss)
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        images, digits, targets = self._unpack(data)
        if self.binarize:  # a fresh draw of the images each time they are seen
            images = targets = binary_draw(images, self.noise)
        with tf.GradientTape() as tape:
            loss, reconstruction, kl = self._loss_terms(images, digits, targets, training=True)
            scaled = self.optimizer.scale_loss(loss)  # unchanged unless mixed_float16 scales it
        gradients = tape.gradient(scaled, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        return self._track(loss, reconstruction, kl)

    def test_step(self, data):
        return self._track(*self._loss_terms(*self._unpack(data), training=False))


class IWAE(VAE):
    """The importance-weighted autoencoder of Burda et al. (2016): the VAE's networks trained on
    the bound log (1/k) Σ p(x, z_i) / q(z_i|x) over ``k`` samples of q(z|x), tighter than the
    ELBO (its k = 1) as k grows. Its ``reconstruction_loss`` and ``kl_loss`` are the ELBO's
    two terms averaged over the k samples, for comparison with the VAE's."""

    def __init__(self, encoder, decoder, k: int, seed=None, binarize: bool = False, **kwargs):
        super().__init__(encoder, decoder, seed=seed, binarize=binarize, **kwargs)
        self.k = k

    def _loss_terms(self, images, digits, targets, training):
        z_mean, z_log_var = self.encoder(conditioned(images, digits), training=training)
        epsilon = keras.random.normal((self.k, *ops.shape(z_mean)), seed=self.noise)
        z = z_mean + ops.exp(0.5 * z_log_var) * epsilon  # k×n×d
        flat = ops.reshape(z, (-1, ops.shape(z_mean)[-1]))
        repeated = None if digits is None else ops.tile(digits, (self.k,))
        logits = self.decoder_logits(conditioned(flat, repeated), training=training)
        log_px, log_prior, log_q = log_densities(targets, logits, z, epsilon, z_log_var)
        log_w = log_px + log_prior - log_q
        bound = ops.logsumexp(log_w, axis=0) - math.log(self.k)
        return -ops.mean(bound), -ops.mean(log_px), ops.mean(log_q - log_prior)


def binary_draw(images, seed: keras.random.SeedGenerator):
    """Each pixel 1 with probability its intensity (in [0, 1]), else 0. Philox, because XLA's
    default generator on a CPU (ThreeFry) makes a batch's draw cost more than the step itself."""
    uniform = tf.random.stateless_uniform(tf.shape(images), seed=seed.next(), alg="philox")
    return ops.cast(uniform < images, images.dtype)


def log_densities(images, logits, z, epsilon, z_log_var):
    """For ``k`` samples ``z`` = mean + σ·``epsilon`` of q(z|x) for each of n ``images`` (k×n×d;
    ``logits``: the decoder's Bernoulli logits of the k·n codes): log p(x|z), log p(z) and
    log q(z|x), each k×n."""
    log_px = -bernoulli_nll(images, ops.reshape(logits, (ops.shape(z)[0], *ops.shape(images))))
    log_prior = -0.5 * ops.sum(ops.square(z) + _LOG_2PI, axis=-1)
    log_q = -0.5 * ops.sum(ops.square(epsilon) + z_log_var + _LOG_2PI, axis=-1)
    return log_px, log_prior, log_q


# --- evaluation ----------------------------------------------------------------------------


def elbo(
    encoder: keras.Model, decoder: keras.Model, images: np.ndarray, seed: int, digits: np.ndarray | None = None
) -> np.ndarray:
    """Per-image ELBO (nats) under the Bernoulli decoder, one reparameterised sample each
    (conditioned on ``digits`` for a CVAE)."""
    z_mean, z_log_var = predict(encoder, conditioned(images, digits))
    z = z_mean + np.exp(0.5 * z_log_var) * np.random.default_rng(seed).standard_normal(z_mean.shape, dtype=np.float32)
    log_px = -ops.convert_to_numpy(bernoulli_nll(images, predict(logits_of(decoder), conditioned(z, digits))))
    return log_px - ops.convert_to_numpy(kl_divergence(z_mean, z_log_var))


ACTIVE_UNIT_VARIANCE = 0.01  # Burda et al. (2016)'s threshold


def active_units(encoder: keras.Model, images: np.ndarray, digits: np.ndarray | None = None) -> int:
    """Latent dimensions the encoder uses: those whose posterior mean varies across ``images``
    with a variance above 0.01 (Burda et al. 2016); the others have collapsed to the prior."""
    z_mean, _ = predict(encoder, conditioned(images, digits))
    return int(np.sum(np.var(z_mean, axis=0) > ACTIVE_UNIT_VARIANCE))


IW_BOUNDS = (1, 5, 50)  # the sample counts whose bounds the literature's tables give beside the NLL


@dataclass(frozen=True)
class LikelihoodEstimate:
    """Per-image importance-weighted estimates (nats): ``nll``, of −log p(x) at K samples, and
    ``bounds``, the bounds on log p(x) of the first 1, 5 and 50 of those samples (those below
    K; the bound at 1 is an ELBO)."""

    nll: np.ndarray
    bounds: dict[int, np.ndarray]

    def summary(self) -> dict[str, float]:
        """The means over the images, and the NLL's standard error over them: ``nll_iw``,
        ``nll_iw_se``, ``iw_bound_<k>``."""
        n = len(self.nll)
        return {
            "nll_iw": float(np.mean(self.nll)),
            "nll_iw_se": float(np.std(self.nll, ddof=1) / math.sqrt(n)) if n > 1 else 0.0,
            **{f"iw_bound_{k}": float(np.mean(bound)) for k, bound in self.bounds.items()},
        }


def importance_weighted_nll(
    encoder: keras.Model,
    decoder: keras.Model,
    images: np.ndarray,
    k: int,
    seed: int,
    digits: np.ndarray | None = None,
    codes_per_call: int = 50_000,
    progress: Callable[[int, int], None] | None = None,
) -> LikelihoodEstimate:
    """Per-image estimate of −log p(x) from ``k`` importance samples of q(z|x) (Burda et al.):
    −log (1/k) Σ p(x|z_i) p(z_i) / q(z_i|x), which approaches −log p(x) from above as k grows.
    With ``digits`` (a CVAE), every term is conditioned on the image's digit: −log p(x|y).

    The samples are decoded ``codes_per_call`` at a time (images × samples, however large k);
    their log-weights are averaged in float64, where thousands of terms of a few hundred nats
    each would lose the float32 sum. ``progress(done, total)`` is told after each batch of
    images."""
    rng = np.random.default_rng(seed)
    images_per_batch = max(1, codes_per_call // k)
    samples_per_call = min(k, codes_per_call)
    nll, bounds = [], {b: [] for b in IW_BOUNDS if b < k}
    for start in range(0, len(images), images_per_batch):
        x = images[start : start + images_per_batch]
        y = None if digits is None else digits[start : start + images_per_batch]
        z_mean, z_log_var = predict(encoder, conditioned(x, y))
        log_w = np.concatenate(
            [
                _log_weights(decoder, x, y, z_mean, z_log_var, rng, min(samples_per_call, k - done))
                for done in range(0, k, samples_per_call)
            ]
        )  # k × n, float64
        nll.append(math.log(k) - logsumexp(log_w, axis=0))
        for b, values in bounds.items():
            values.append(logsumexp(log_w[:b], axis=0) - math.log(b))
        if progress is not None:
            progress(min(start + images_per_batch, len(images)), len(images))
    return LikelihoodEstimate(np.concatenate(nll), {b: np.concatenate(v) for b, v in bounds.items()})


def _log_weights(decoder, x, y, z_mean, z_log_var, rng, k: int) -> np.ndarray:
    """log p(x|z) + log p(z) − log q(z|x) of ``k`` fresh samples per image, k×n, float64."""
    n, d = z_mean.shape
    epsilon = rng.standard_normal((k, n, d), dtype=np.float32)
    z = z_mean + np.exp(0.5 * z_log_var) * epsilon
    logits = logits_of(decoder)(conditioned(z.reshape(k * n, d), None if y is None else np.tile(y, k)), training=False)
    log_px, log_prior, log_q = (
        ops.convert_to_numpy(term).astype(np.float64) for term in log_densities(x, logits, z, epsilon, z_log_var)
    )
    return log_px + log_prior - log_q
