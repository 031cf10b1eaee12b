"""A denoising diffusion model for 28×28 images (Ho et al. 2020): a small U-Net learns to
predict the noise added at a random step of a fixed cosine schedule (Nichol & Dhariwal 2021);
images are drawn by a deterministic solver of the probability-flow ODE, DDIM (Song et al.
2020) or DPM-Solver++(2M) (Lu et al. 2022), in as few steps as asked.

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
    """A sample of q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I), given the noise (one ᾱ_t per image or code)."""
    alpha_bars = ops.reshape(alpha_bars, (-1,) + (1,) * (len(images.shape) - 1))
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


def step_and_digit_inputs(embedding_dim: int, width: int, conditional: bool) -> tuple[list, keras.KerasTensor]:
    """A denoiser's inputs besides the noisy point: the step t and, where it is conditional, the
    digit (``NULL_DIGIT``: none); and their joint embedding of ``width``: t's sinusoidal
    embedding through a swish layer, plus the digit's learnt one."""
    steps = keras.Input(shape=(), dtype="int32", name="step")
    inputs = [steps]
    embedding = layers.Dense(width, activation="swish")(SinusoidalEmbedding(embedding_dim)(steps))
    if conditional:
        digit = keras.Input(shape=(), dtype="int32", name="digit")
        inputs.append(digit)
        embedding = embedding + layers.Embedding(N_DIGITS + 1, width)(digit)
    return inputs, embedding


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
    conditions, embedding = step_and_digit_inputs(embedding_dim, embedding_dim, conditional)
    inputs = [images, *conditions]
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


def loss_weights(alpha_bars: np.ndarray, min_snr_gamma: float | None) -> np.ndarray:
    """Each step's weight in the noise-prediction loss: 1 (the plain DDPM loss), or with
    ``min_snr_gamma`` γ the Min-SNR-γ weight min(SNR_t, γ)/SNR_t, SNR_t = ᾱ_t/(1 − ᾱ_t) (Hang et
    al. 2023): the nearly clean steps, whose noise is easy to tell and little use to sampling,
    stop dominating the gradient."""
    if min_snr_gamma is None:
        return np.ones_like(alpha_bars)
    snr = alpha_bars / (1 - alpha_bars)
    return np.minimum(snr, min_snr_gamma) / snr


class Diffusion(keras.Model):
    """Trains a denoiser: each batch's images noised to a random step t of the schedule, the
    loss the mean squared error of the predicted noise, weighted per step (``loss_weights``).
    With digits, each is replaced by ``NULL_DIGIT`` with probability ``drop_digit``
    (classifier-free guidance)."""

    def __init__(
        self,
        denoiser,
        alpha_bars: np.ndarray,
        drop_digit: float = 0.0,
        seed=None,
        min_snr_gamma: float | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.denoiser = denoiser
        self.conditional = len(denoiser.inputs) == 3  # noqa: PLR2004 - image, step, digit
        self.alpha_bars = ops.convert_to_tensor(alpha_bars, "float32")
        self.loss_weights = ops.convert_to_tensor(loss_weights(alpha_bars, min_snr_gamma), "float32")
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
            errors = ops.mean(ops.square(self.denoiser(inputs, training=True) - noise), axis=(1, 2))
            loss = ops.mean(ops.take(self.loss_weights, steps) * errors)
            scaled = self.optimizer.scale_loss(loss)  # unchanged unless mixed_float16 scales it
        gradients = tape.gradient(scaled, self.denoiser.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.denoiser.trainable_weights))
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}


def ddim_steps(n_steps: int, n_timesteps: int = N_TIMESTEPS) -> np.ndarray:
    """The schedule's steps a sampler visits, from the last (pure noise) down: ``n_steps`` evenly
    spaced indices of T−1…0."""
    return np.linspace(n_timesteps - 1, 0, n_steps).round().astype(np.int32)


SOLVERS = ("ddim", "dpm_solver_2m")
LOWER_ORDER_FINAL = 15  # below this many steps DPM-Solver++(2M) takes its last real step in first order


def solver_coefficients(alpha_bars: np.ndarray, steps: np.ndarray, solver: str) -> np.ndarray:
    """Per visited step, the (a, b, c, e) of the update x_next = a·x + b·((1 + c)·x̂₀ − c·x̂₀_prev)
    + e·ε̂, in float64 (x̂₀: this step's clean prediction, x̂₀_prev: the last step's; the final
    step goes to ᾱ = 1, the clean image).

    ``ddim``: x_next = √ᾱ_next·x̂₀ + √(1−ᾱ_next)·ε̂ (Song et al. 2020, η = 0).
    ``dpm_solver_2m``: DPM-Solver++(2M) (Lu et al. 2022), the multistep second-order solver of
    the probability-flow ODE in λ = log(√ᾱ/√(1−ᾱ)), with step h: x_next = (σ_next/σ)·x +
    α_next·(1 − e^(−h))·D, D extrapolated from the last two x̂₀ with c = h/(2·h_prev); first and
    last steps first-order, as the paper's (and k-diffusion's) final step to σ = 0 is, and with
    fewer than ``LOWER_ORDER_FINAL`` steps the one before it too (``lower_order_final``)."""
    alpha = np.sqrt(alpha_bars[steps].astype(np.float64))
    sigma = np.sqrt(1 - alpha_bars[steps].astype(np.float64))
    alpha_next, sigma_next = np.append(alpha[1:], 1.0), np.append(sigma[1:], 0.0)
    coefficients = np.zeros((len(steps), 4))
    if solver == "ddim":
        coefficients[:, 1], coefficients[:, 3] = alpha_next, sigma_next
        return coefficients
    if solver != "dpm_solver_2m":
        raise ValueError(f"solver must be one of {SOLVERS}, not {solver!r}")
    lam = np.log(alpha) - np.log(sigma)
    lam_next = np.append(lam[1:], np.inf)
    h = lam_next - lam
    coefficients[:, 0] = sigma_next / sigma
    coefficients[:, 1] = alpha_next * -np.expm1(-h)
    final = np.isinf(h)
    coefficients[final, :2] = (0.0, 1.0)  # to σ = 0: the clean prediction itself
    middle = np.arange(1, len(steps) - 1)
    coefficients[middle, 2] = h[middle] / (2 * h[middle - 1])
    if len(steps) < LOWER_ORDER_FINAL and len(steps) > 2:  # noqa: PLR2004 - a step before the last
        # The step into the last visited step (t = 0, where λ jumps) would extrapolate far
        # (weights 3.4 and −2.4 at 5 steps): first order there, as diffusers' lower_order_final.
        coefficients[len(steps) - 2, 2] = 0.0
    return coefficients


def guided(network: keras.Model, x, levels, digits, guidance):
    """``network``'s output at ``x`` and noise ``levels``; with ``digits``, classifier-free
    guidance of weight w (Ho & Salimans 2022): (1 + w)·f(x, digit) − w·f(x, ∅), both halves in
    one call."""
    if digits is None:
        return network([x, levels], training=False)
    both = network(
        [
            tf.concat([x, x], 0),
            tf.concat([levels, levels], 0),
            tf.concat([digits, tf.fill(tf.shape(digits), NULL_DIGIT)], 0),
        ],
        training=False,
    )
    conditional, unconditional = tf.split(both, 2)
    return (1 + guidance) * conditional - guidance * unconditional


class StepwiseSampler:
    """What the samplers that solve an ODE from noise share: batches of ``batch_size``, the
    digits and guidance of each, and the predicted clean points kept at the asked positions. A
    subclass plans a call's steps (``_plan``) and walks one batch along them (``_walk``,
    yielding each step's position, the point it moved to and its predicted clean point)."""

    batch_size: int
    default_solver: str

    def __call__(
        self,
        noise: np.ndarray,
        n_steps: int,
        digits: np.ndarray | None = None,
        guidance: float = 0.0,
        keep: tuple[int, ...] = (),
        solver: str | None = None,
    ) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        """Samples from ``noise`` in ``n_steps`` steps of ``solver``, and the predicted clean
        points x̂₀ at the steps whose positions (0 … n_steps − 1) are in ``keep``."""
        plan = self._plan(n_steps, solver or self.default_solver)
        guidance = tf.constant(guidance, tf.float32)
        samples, kept = [], {position: [] for position in keep}
        for start in range(0, len(noise), self.batch_size):
            x = tf.constant(noise[start : start + self.batch_size], tf.float32)
            batch_digits = None if digits is None else tf.constant(digits[start : start + self.batch_size], tf.int32)
            for position, x, clean in self._walk(x, plan, batch_digits, guidance):
                if position in kept:
                    kept[position].append(clean.numpy())
            samples.append(x.numpy())
        return np.concatenate(samples), {position: np.concatenate(parts) for position, parts in kept.items()}


class DiffusionSampler(StepwiseSampler):
    """Deterministic sampling of the probability-flow ODE from x_T = the given noise (images
    N×28×28, or codes N×d): each visited step predicts the noise ε̂ and the clean point x̂₀ =
    (x_t − √(1−ᾱ_t)·ε̂)/√ᾱ_t, clipped to ±``clip`` (the first steps, from ᾱ ≈ 0, would divide by
    ~0), and moves by the ``solver``'s update (``solver_coefficients``). One compiled function
    for every step and solver, batches of ``batch_size``; with digits and ``guidance`` w the noise
    is (1 + w)·ε̂(x, digit) − w·ε̂(x, ∅)."""

    default_solver = "ddim"

    def __init__(
        self,
        denoiser: keras.Model,
        alpha_bars: np.ndarray,
        clip: float = 1.0,
        batch_size: int = 500,
        jit_compile: bool = False,
    ):
        self.denoiser = denoiser
        self.alpha_bars_np = np.asarray(alpha_bars)
        self.alpha_bars = tf.constant(alpha_bars, tf.float32)
        self.clip = clip
        self.batch_size = batch_size
        self._step = tf.function(self._one_step, reduce_retracing=True, jit_compile=jit_compile)

    def _one_step(self, x, previous_x0, step, coefficients, digits, guidance):
        alpha_bar = self.alpha_bars[step]
        noise = guided(self.denoiser, x, tf.fill(tf.shape(x)[:1], step), digits, guidance)
        x0 = tf.clip_by_value((x - tf.sqrt(1 - alpha_bar) * noise) / tf.sqrt(alpha_bar), -self.clip, self.clip)
        a, b, c, e = tf.unstack(coefficients)
        return a * x + b * ((1 + c) * x0 - c * previous_x0) + e * noise, x0

    def _plan(self, n_steps: int, solver: str):
        steps = ddim_steps(n_steps, len(self.alpha_bars_np))
        return steps, tf.constant(solver_coefficients(self.alpha_bars_np, steps, solver), tf.float32)

    def _walk(self, x, plan, digits, guidance):
        steps, coefficients = plan
        x0 = tf.zeros_like(x)
        for position, step in enumerate(steps):
            x, x0 = self._step(x, x0, tf.constant(step), coefficients[position], digits, guidance)
            yield position, x, x0
