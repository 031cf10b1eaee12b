"""What every training node shares: seeding, optimiser, speed settings, progress output."""

from __future__ import annotations

import math
import sys
import time

import keras
import numpy as np
from tensorflow.python.framework import config as tf_config  # disable_op_determinism is not public

from deepgen.params import TrainingParams


def start_training(seed: int, deterministic: bool = True) -> None:
    """Seed Python, NumPy and the backend so a model's initial weights follow from ``seed``;
    ``deterministic`` also makes TensorFlow pick deterministic kernels (same numbers for the
    same seed, a little slower where a faster kernel would reorder sums)."""
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf_config.enable_op_determinism()
    else:
        tf_config.disable_op_determinism()


def compile_model(model: keras.Model, params: TrainingParams, **compile_args) -> None:
    """``model.compile`` with the speed settings of ``params`` and, unless ``compile_args``
    name their own optimisers, Adam at ``params.learning_rate``.

    Keras quietly drops ``jit_compile=True`` (with a warning) whenever TensorFlow's op
    determinism is on, because some XLA kernels have no deterministic GPU version. XLA's CPU
    code is deterministic (same seed, same metrics: test_same_seed_same_metrics in
    tests/test_reliability.py runs with it), so the check runs with determinism off and
    training runs with it back on. Without this, ``deterministic: true`` silently cost the
    MLPs their XLA speed-up (~1.7× in the benchmark's ablations).
    """
    if not any("optimizer" in name for name in compile_args):
        compile_args["optimizer"] = keras.optimizers.Adam(params.learning_rate)
    deterministic = tf_config.is_op_determinism_enabled()
    tf_config.disable_op_determinism()
    try:
        model.compile(steps_per_execution=params.steps_per_execution, jit_compile=params.jit_compile, **compile_args)
    finally:
        if deterministic:
            tf_config.enable_op_determinism()


def progress_verbosity() -> int:
    """Keras progress bar on a terminal, one line per epoch in logs and CI."""
    return 1 if sys.stdout.isatty() else 2


def history_dict(history: keras.callbacks.History) -> dict[str, list[float]]:
    """Keras history as plain floats (JSON-serialisable)."""
    return {name: [float(v) for v in values] for name, values in history.history.items()}



class TrainingClock(keras.callbacks.Callback):
    """Wall time of ``fit`` (graph tracing included), for the throughput in metrics.json."""

    seconds = 0.0

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self._start

    def summary(self, images: int) -> dict:
        """``images``: how many training images ``fit`` went through."""
        return {"seconds": round(self.seconds, 2), "images": images, "images_per_second": round(images / self.seconds, 1)}


# Keras callbacks that Kedro hooks hand to the next `fit` (checkpoints, W&B loggers; see
# src/deepgen/hooks.py): training nodes pass them on without knowing what they are.
_hook_callbacks: list[keras.callbacks.Callback] = []


def add_hook_callbacks(callbacks: list[keras.callbacks.Callback]) -> None:
    _hook_callbacks.extend(callbacks)


def clear_hook_callbacks() -> None:
    _hook_callbacks.clear()


def hook_callbacks() -> list[keras.callbacks.Callback]:
    return list(_hook_callbacks)


def fit_epochs(
    model: keras.Model, name: str, params: TrainingParams, x: np.ndarray, y: np.ndarray | None, validation_data: tuple
) -> tuple[dict, dict]:
    """``model.fit`` for ``params.epochs`` epochs of ``x`` (targets ``y``, if any), validated
    every epoch, with the clock, the divergence guard and the hooks' callbacks; returns the
    per-epoch history and the timing summary."""
    clock = TrainingClock()
    history = model.fit(
        x,
        y,
        validation_data=validation_data,
        batch_size=params.batch_size,
        epochs=params.epochs,
        callbacks=[clock, DivergenceGuard(name, params.learning_rate), *hook_callbacks()],
        verbose=progress_verbosity(),
    )
    return history_dict(history), clock.summary(params.epochs * len(x))


class DivergenceGuard(keras.callbacks.Callback):
    """Stops training with a clear error as soon as a loss is NaN or infinite. The node then
    fails before any output is saved, so the last good model files stay as they were."""

    def __init__(self, model_name: str, learning_rate: float, steps_per_epoch: int | None = None):
        super().__init__()
        self.model_name, self.learning_rate, self.steps_per_epoch = model_name, learning_rate, steps_per_epoch
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        bad = {name: value for name, value in (logs or {}).items() if "loss" in name and not math.isfinite(float(value))}
        if bad:
            where = f"epoch {self._epoch + 1}, batch {batch + 1}"
            if self.steps_per_epoch:
                where = f"generator step {self._epoch * self.steps_per_epoch + batch + 1}"
            raise FloatingPointError(
                f"{self.model_name} diverged at {where}: {', '.join(f'{k} = {v}' for k, v in bad.items())}. "
                f"Previously saved model files are untouched. Try a lower {self.model_name}.learning_rate "
                f"(now {self.learning_rate:g}), a smaller batch, or resume from the last checkpoint with it."
            )


class TrainingCheckpoint(keras.callbacks.BackupAndRestore):
    """Keras' BackupAndRestore (weights, optimizer state, noise generator state, epoch) for the
    composite models: their networks are functional models, built on creation, so the wrapper
    counts as built; the GAN's two optimisers are built before a restore."""

    def on_train_begin(self, logs=None):
        self.model.built = True
        for name, network in (("d_optimizer", "discriminator"), ("g_optimizer", "generator")):
            optimizer = getattr(self.model, name, None)
            if optimizer is not None and not optimizer.built:
                optimizer.build(getattr(self.model, network).trainable_variables)
        super().on_train_begin(logs)
