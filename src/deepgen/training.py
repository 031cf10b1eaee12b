"""What every training node shares: seeding, optimiser, speed settings, progress output."""

from __future__ import annotations

import sys
import time

import keras

from deepgen.params import TrainingParams


def start_training(seed: int) -> None:
    """Seed Python, NumPy and the backend so a model's initial weights follow from ``seed``."""
    keras.utils.set_random_seed(seed)


def compile_options(params: TrainingParams) -> dict:
    """``Model.compile`` keyword arguments from a model's parameter block."""
    return {
        "optimizer": keras.optimizers.Adam(params.learning_rate),
        "steps_per_execution": params.steps_per_execution,
        "jit_compile": params.jit_compile,
    }


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


# Keras callbacks a Kedro hook hands to the next `fit` (the W&B loggers, src/deepgen/hooks.py):
# training nodes pass them on without knowing what they are.
_tracking_callbacks: list[keras.callbacks.Callback] = []


def set_tracking_callbacks(callbacks: list[keras.callbacks.Callback]) -> None:
    _tracking_callbacks[:] = callbacks


def tracking_callbacks() -> list[keras.callbacks.Callback]:
    return list(_tracking_callbacks)
