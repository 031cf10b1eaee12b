"""Keras ``fit`` for the two ways families count their training: epochs over the images, or
steps on endless shuffled batches; with the clock, progress output and the learning rate's
schedule."""

from __future__ import annotations

import sys
from typing import Literal

import keras
import numpy as np
import tensorflow as tf

from deepgen.params import StepCountedParams

from .callbacks import TrainingClock, timed_callbacks


def progress_verbosity() -> int:
    """Keras progress bar on a terminal, one line per epoch in logs and CI."""
    return 1 if sys.stdout.isatty() else 2


def history_dict(history: keras.callbacks.History) -> dict[str, list[float]]:
    """Keras history as plain floats (JSON-serialisable)."""
    return {name: [float(v) for v in values] for name, values in history.history.items()}


def fit_epochs(
    model: keras.Model,
    params,
    x: np.ndarray,
    y: np.ndarray | None,
    validation_data: tuple,
    callbacks: list,
    schedule: Literal["constant", "cosine"] = "constant",
) -> tuple[dict, dict]:
    """``model.fit`` for ``params.epochs`` epochs of ``x`` (targets ``y``, if any) in batches
    of ``params.batch_size``, validated every epoch, with the clock and the given callbacks; at
    ``params.learning_rate`` throughout, or with ``schedule="cosine"`` from it down to 0 along
    half a cosine (Keras' ``CosineDecay``), set at each epoch's start. Returns the per-epoch
    history and the timing summary."""
    clock = TrainingClock()
    rates = (
        [EpochwiseRate(keras.optimizers.schedules.CosineDecay(params.learning_rate, params.epochs))]
        if schedule == "cosine"
        else []
    )
    history = model.fit(
        x,
        y,
        validation_data=validation_data,
        batch_size=params.batch_size,
        epochs=params.epochs,
        callbacks=timed_callbacks(clock, [*rates, *callbacks]),
        verbose=progress_verbosity(),
    )
    return history_dict(history), clock.summary(params.epochs * len(x))


class EpochwiseRate(keras.callbacks.Callback):
    """The optimiser's rate set at the start of each epoch to a Keras learning-rate
    ``schedule`` evaluated at the epoch (not at the step): a resumed training picks it up at
    the epoch it resumes from."""

    def __init__(self, schedule: keras.optimizers.schedules.LearningRateSchedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        self.model.optimizer.learning_rate.assign(float(self.schedule(epoch)))


def endless_batches(images: np.ndarray, batch_size: int, seed: int, digits: np.ndarray | None) -> tf.data.Dataset:
    """Shuffled, repeated, prefetched full batches (of images, or of images and their digits),
    for trainings counted in steps rather than epochs."""
    dataset = tf.data.Dataset.from_tensor_slices(images if digits is None else (images, digits))
    dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True).repeat()
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


class _StepCounter(keras.callbacks.Callback):
    """The training step reached at the end of each Keras epoch (also after a resume, whose
    first epoch is not the first of the training)."""

    def __init__(self, steps_per_epoch: int):
        super().__init__()
        self.steps_per_epoch, self.steps = steps_per_epoch, []

    def on_epoch_end(self, epoch, logs=None):
        self.steps.append((epoch + 1) * self.steps_per_epoch)


def fit_steps(
    model: keras.Model, params: StepCountedParams, x: np.ndarray, digits: np.ndarray | None, seed: int, callbacks: list
) -> tuple[dict, dict]:
    """``model.fit`` for ``params.steps`` steps on endless shuffled batches of ``x`` (with their
    ``digits``, if given), in Keras epochs of ``gen_interval`` steps, with the clock and the given
    callbacks; returns the history (a row per epoch, with its ``step``) and the timing summary."""
    clock, counter = TrainingClock(), _StepCounter(params.gen_interval)
    history = model.fit(
        endless_batches(x, params.batch_size, seed, digits),
        epochs=params.steps // params.gen_interval,
        steps_per_epoch=params.gen_interval,
        callbacks=timed_callbacks(clock, [counter, *callbacks]),
        shuffle=False,  # the dataset shuffles itself
        verbose=progress_verbosity(),
    )
    return {"step": counter.steps, **history_dict(history)}, clock.summary(params.steps * params.batch_size)
