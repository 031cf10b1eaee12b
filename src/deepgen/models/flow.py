"""Rectified flow (Liu et al. 2023; flow matching with straight paths, Lipman et al. 2023) over
an autoencoder's codes: x_t = (1 − t)·x₀ + t·ε between a code x₀ and noise ε, and a velocity
network trained on the straight path's velocity ε − x₀. Codes are drawn by integrating
dx/dt = v(x, t) from noise at t = 1 down to t = 0, with Euler or Heun steps.

Two choices of training make the paths straighter and the few-step samples better
(docs/performance.md): t drawn logit-normal (Esser et al. 2024), which trains the middle of the
paths, where the velocity changes most, more than their ends; and each batch's noises paired
with its codes by an entropic optimal transport (minibatch OT, Tong et al. 2024; Pooladian et
al. 2023) instead of at random, so that paths cross less.

The velocity network is the diffusion denoiser's MLP (``latent.build_prior_network``); it
reads t on a grid of ``TIME_LEVELS`` levels, as the denoiser reads its steps, through the same
sinusoidal embedding."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from .ddpm import StepwiseSampler, guided
from .latent import TwoStageLatent

TIME_LEVELS = 1000  # t ∈ [0, 1] as the network reads it: the level round(t · 999)
SOLVERS = {"euler": 1, "heun": 2}  # function evaluations per step
TIME_SAMPLINGS = ("uniform", "logit_normal")  # logit-normal: t = sigmoid(n), n standard normal
COUPLINGS = ("independent", "minibatch_ot")
SINKHORN_EPSILON = 1.0  # the transport's entropy weight, in squared code units (a code's is ~2·16 from its noise)
SINKHORN_ITERATIONS = 5  # 20 and 50 measured no better (docs/performance.md)


def time_levels(t):
    return ops.cast(ops.round(t * (TIME_LEVELS - 1)), "int32")


class LatentFlow(TwoStageLatent):
    """``TwoStageLatent`` whose prior learns the velocity of straight paths from codes to noise,
    at times drawn by ``time_sampling``, between codes and noises paired by ``coupling``."""

    PRIOR_LOSS = "velocity_loss"

    def __init__(self, *args, time_sampling: str = "uniform", coupling: str = "independent", **kwargs):
        super().__init__(*args, **kwargs)
        if time_sampling not in TIME_SAMPLINGS or coupling not in COUPLINGS:
            raise ValueError(
                f"time_sampling must be one of {TIME_SAMPLINGS} and coupling one of {COUPLINGS}, "
                f"not {time_sampling!r} and {coupling!r}"
            )
        self.time_sampling, self.coupling = time_sampling, coupling

    def prior_loss(self, codes, digits, training: bool):
        n = ops.shape(codes)[0]
        if self.time_sampling == "logit_normal":
            t = ops.sigmoid(keras.random.normal((n, 1), seed=self.noise))
        else:
            t = keras.random.uniform((n, 1), seed=self.noise)
        noise = keras.random.normal(ops.shape(codes), seed=self.noise)
        if self.coupling == "minibatch_ot":
            noise = ops.take(noise, self._transport_partners(codes, noise, digits), axis=0)
        inputs = [(1 - t) * codes + t * noise, time_levels(t[:, 0])]
        if digits is not None:
            inputs.append(digits)
        return ops.mean(ops.square(self.prior(inputs, training=training) - (noise - codes)))

    def _transport_partners(self, codes, noise, digits):
        """For each code, the index of a noise drawn from the row of the entropic optimal
        transport plan between the batch's codes and noises (Sinkhorn in log space). With
        digits, noises move only between codes of the same digit (a block per digit, hidden
        ones a block of their own): the noises a digit's codes receive stay a fresh standard
        normal draw, as the sampler's are."""
        cost = ops.sum(ops.square(codes[:, None, :] - noise[None, :, :]), axis=-1)
        log_kernel = -cost / SINKHORN_EPSILON
        if digits is not None:
            same_digit = ops.equal(digits[:, None], digits[None, :])
            log_kernel = ops.where(same_digit, log_kernel, -1e9)
        row = ops.zeros(ops.shape(cost)[:1])
        column = ops.zeros(ops.shape(cost)[1:])
        for _ in range(SINKHORN_ITERATIONS):
            row = -ops.logsumexp(log_kernel + column[None, :], axis=1)
            column = -ops.logsumexp(log_kernel + row[:, None], axis=0)
        plan = log_kernel + row[:, None] + column[None, :]
        return ops.stop_gradient(keras.random.categorical(plan, 1, seed=self.noise)[:, 0])


class FlowSampler(StepwiseSampler):
    """Codes from ``noise`` by integrating the velocity network's ODE from t = 1 to 0 in
    ``n_steps`` equal steps (``solver``: ``euler``, or ``heun``, second order at two evaluations
    a step; both evaluate on the times of the steps, which the network reads); with digits and
    ``guidance`` w the velocity is (1 + w)·v(x, digit) − w·v(x, ∅). One compiled evaluation for
    every step and solver, batches of ``batch_size``."""

    default_solver = "euler"

    def __init__(self, velocity: keras.Model, batch_size: int = 500):
        self.velocity, self.batch_size = velocity, batch_size
        self._evaluate = tf.function(self._guided, reduce_retracing=True)

    def _guided(self, x, t, digits, guidance):
        return guided(self.velocity, x, tf.fill(tf.shape(x)[:1], time_levels(t)), digits, guidance)

    def _plan(self, n_steps: int, solver: str):
        if solver not in SOLVERS:
            raise ValueError(f"solver must be one of {', '.join(SOLVERS)}, not {solver!r}")
        return np.linspace(1.0, 0.0, n_steps + 1, dtype=np.float32), solver

    def _walk(self, x, plan, digits, guidance):
        times, solver = plan
        for position in range(len(times) - 1):
            t, t_next = tf.constant(times[position]), tf.constant(times[position + 1])
            velocity = self._evaluate(x, t, digits, guidance)
            clean = x - t * velocity  # x̂₀ = x_t − t·v
            x = self._step(x, t, t_next, velocity, digits, guidance, solver)
            yield position, x, clean

    def _step(self, x, t, t_next, velocity, digits, guidance, solver):
        dt = t_next - t
        if solver == "euler":
            return x + dt * velocity
        ahead = self._evaluate(x + dt * velocity, t_next, digits, guidance)  # Heun's predictor, then the average
        return x + dt * (velocity + ahead) / 2
