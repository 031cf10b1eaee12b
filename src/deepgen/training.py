"""What every training node shares: seeding, optimiser, speed settings, progress output."""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from tensorflow.python.framework import config as tf_config  # disable_op_determinism is not public

from deepgen.params import StepCountedParams, TrainingParams


def start_training(seed: int, deterministic: bool = True) -> None:
    """Seed Python, NumPy and the backend so a model's initial weights follow from ``seed``;
    ``deterministic`` also makes TensorFlow pick deterministic kernels (same numbers for the
    same seed, a little slower where a faster kernel would reorder sums)."""
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf_config.enable_op_determinism()
    else:
        tf_config.disable_op_determinism()


@contextlib.contextmanager
def dtype_policy(precision: str):
    """Networks built inside compute in ``precision`` (Keras' dtype policy); the global policy is
    restored after, so that nothing else a run builds (the evaluator, the next family) inherits it."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def gpu_visible() -> bool:
    return bool(tf_config.list_physical_devices("GPU"))


def grow_gpu_memory() -> None:
    """Let each visible GPU's memory grow as a run needs it, instead of TensorFlow taking all of
    it at start, so that several runs share a card. It must happen before TensorFlow first uses
    the GPU; afterwards TensorFlow refuses the change, and there is nothing left to change."""
    for gpu in tf_config.list_physical_devices("GPU"):
        with contextlib.suppress(RuntimeError):
            tf_config.set_memory_growth(gpu, True)


def compile_model(model: keras.Model, params: TrainingParams, **compile_args) -> None:
    """``model.compile`` with the speed settings of ``params`` and, unless ``compile_args``
    name their own optimisers, Adam at ``params.learning_rate``; under ``mixed_float16`` each
    optimiser scales the loss (Keras' dynamic loss scale; a model's own ``train_step`` calls
    ``optimizer.scale_loss``).

    Keras drops ``jit_compile=True`` (with a warning) whenever TensorFlow's op determinism is
    on, because some XLA kernels have no deterministic GPU version (tensorflow#69417: the
    MaxPool gradient). XLA's CPU code is deterministic (same seed, same metrics:
    test_same_seed_same_metrics in tests/test_reliability.py runs with it), so with no GPU
    visible Keras' check runs with determinism off and training with it back on, so that
    ``deterministic: true`` keeps XLA's speed-up. With a GPU, Keras' rule stands.
    """
    if not any("optimizer" in name for name in compile_args):
        compile_args["optimizer"] = keras.optimizers.Adam(params.learning_rate)
    if params.precision == "mixed_float16":  # float16's small range: gradients would underflow unscaled
        compile_args = {
            name: keras.optimizers.LossScaleOptimizer(value) if "optimizer" in name else value
            for name, value in compile_args.items()
        }
    deterministic = tf_config.is_op_determinism_enabled()
    keep_xla = deterministic and not gpu_visible()
    if keep_xla:
        tf_config.disable_op_determinism()
    try:
        model.compile(steps_per_execution=params.steps_per_execution, jit_compile=params.jit_compile, **compile_args)
    finally:
        if keep_xla:
            tf_config.enable_op_determinism()
    if "optimizer" in compile_args:
        # Its variables made now rather than by the first trace of the training step: TensorFlow
        # traces a step a second time when its first call made variables (twice the tracing).
        model.optimizer.build(model.trainable_variables)


def progress_verbosity() -> int:
    """Keras progress bar on a terminal, one line per epoch in logs and CI."""
    return 1 if sys.stdout.isatty() else 2


def history_dict(history: keras.callbacks.History) -> dict[str, list[float]]:
    """Keras history as plain floats (JSON-serialisable)."""
    return {name: [float(v) for v in values] for name, values in history.history.items()}


class TrainingClock(keras.callbacks.Callback):
    """Wall time of ``fit``'s loop (``on_train_begin`` to ``on_train_end``), for the throughput
    in metrics.json, and where it went (``phases``): the first call into the compiled graph
    beyond a usual one (tracing and compiling it), validation, the work of the callbacks after
    each epoch, and the training steps themselves. It goes first among the callbacks, and its
    ``EpochsEnd`` last, so that the callbacks' epoch-end work lies between the two."""

    def __init__(self):
        super().__init__()
        self.seconds = self.validation = self.after_epochs = 0.0
        self.first_call: float | None = None
        self.calls: list[float] = []

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()

    def on_train_batch_begin(self, batch, logs=None):
        self._call_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        seconds = time.perf_counter() - self._call_start
        if self.first_call is None:
            self.first_call = seconds
        else:
            self.calls.append(seconds)

    def on_test_begin(self, logs=None):
        self._validation_start = time.perf_counter()

    def on_test_end(self, logs=None):
        self.validation += time.perf_counter() - self._validation_start

    def on_epoch_end(self, epoch, logs=None):
        self._epoch_end_start = time.perf_counter()

    def epoch_work_done(self) -> None:
        """The callbacks after this clock have done their work at the end of an epoch."""
        self.after_epochs += time.perf_counter() - self._epoch_end_start

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self._start

    def phases(self) -> dict[str, float]:
        """The loop's seconds by phase: ``trace``, ``validation``, ``after_epochs`` (the
        callbacks' work) and ``fit`` (the training steps: the rest)."""
        usual = float(np.median(self.calls)) if self.calls else 0.0
        trace = max((self.first_call or 0.0) - usual, 0.0)
        fit = self.seconds - trace - self.validation - self.after_epochs
        return {"trace": trace, "fit": fit, "validation": self.validation, "after_epochs": self.after_epochs}

    def summary(self, images: int) -> dict:
        """``images``: how many training images ``fit`` went through."""
        return {
            "seconds": round(self.seconds, 2),
            "images": images,
            "images_per_second": round(images / self.seconds, 1),
            "phases": self.phases(),
        }


class EpochsEnd(keras.callbacks.Callback):
    """The last callback: the end of the callbacks' work after an epoch, for ``clock``."""

    def __init__(self, clock: TrainingClock):
        super().__init__()
        self.clock = clock

    def on_epoch_end(self, epoch, logs=None):
        self.clock.epoch_work_done()


def timed_callbacks(clock: TrainingClock, callbacks: list) -> list:
    """``callbacks`` between ``clock`` and its ``EpochsEnd``."""
    return [clock, *callbacks, EpochsEnd(clock)]


QUALITY = "sample_quality"  # the key of the sample quality measured during training in its history


class SampleQualityProbe(keras.callbacks.Callback):
    """Scores samples of the model in training every ``interval`` epochs or steps (``unit``:
    ``epoch`` or ``step``): ``draw()`` → images, ``score(images)`` → {metric: value}. Keeps each
    measurement with the epoch and step it was made at and the wall and CPU seconds of training
    before it (``seconds``, ``cpu_seconds``; its own time left out: a curve of quality against
    training time), as a series per key (``history()``), and hands each to the sinks (W&B), as
    ``EpochReport`` does the losses, under ``quality/``."""

    def __init__(
        self,
        draw: Callable[[], np.ndarray],
        score: Callable[[np.ndarray], dict[str, float]],
        interval: int,
        unit: str,
        sinks: list,
    ):
        super().__init__()
        self.draw, self.score, self.interval, self.unit, self.sinks = draw, score, interval, unit, sinks
        self.rows: list[dict[str, float]] = []
        self.sampling_seconds = self.scoring_seconds = 0.0

    @property
    def seconds(self) -> float:
        return self.sampling_seconds + self.scoring_seconds

    def on_train_begin(self, logs=None):
        self._start, self._cpu_start, self._cpu = time.perf_counter(), time.process_time(), 0.0

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch + 1, "step": (epoch + 1) * self.params["steps"]}
        if row[self.unit] % self.interval:
            return
        start, cpu = time.perf_counter(), time.process_time()
        row["seconds"] = round(start - self._start - self.seconds, 2)
        row["cpu_seconds"] = round(cpu - self._cpu_start - self._cpu, 2)  # every thread's
        images = self.draw()
        drawn = time.perf_counter()
        row |= self.score(images)
        self.sampling_seconds += drawn - start
        self.scoring_seconds += time.perf_counter() - drawn
        self._cpu += time.process_time() - cpu
        self.rows.append(row)
        logged = {name if name in ("epoch", "step") else f"quality/{name}": value for name, value in row.items()}
        for sink in self.sinks:
            sink(logged, None)

    def phase_seconds(self) -> dict[str, float]:
        return {"probe_sampling": self.sampling_seconds, "probe_scoring": self.scoring_seconds}

    def history(self) -> dict[str, list[float]]:
        return {name: [row[name] for row in self.rows] for name in self.rows[0]} if self.rows else {}


class EpochReport(keras.callbacks.Callback):
    """Hands every epoch's logs (with ``epoch`` and the training ``step`` reached) and the
    family's epoch image, ``render()`` → (name, mosaic in [0,1], caption), to the sinks."""

    def __init__(self, sinks: list, render: Callable[[], tuple[str, np.ndarray, str]]):
        super().__init__()
        self.sinks, self.render = sinks, render

    def on_epoch_end(self, epoch, logs=None):
        if not self.sinks:
            return
        row = {"epoch": epoch + 1, "step": (epoch + 1) * self.params["steps"]}
        row |= {name: float(value) for name, value in (logs or {}).items()}
        image = self.render()
        for sink in self.sinks:
            sink(row, image)


def fit_epochs(
    model: keras.Model, params, x: np.ndarray, y: np.ndarray | None, validation_data: tuple, callbacks: list
) -> tuple[dict, dict]:
    """``model.fit`` for ``params.epochs`` epochs of ``x`` (targets ``y``, if any), validated
    every epoch, at the rate ``params.learning_rate_schedule`` gives each epoch, with the clock
    and the given callbacks; returns the per-epoch history and the timing summary."""
    clock = TrainingClock()
    # A family whose block has no schedule (a family of one's own) trains at a constant rate.
    cosine = getattr(params, "learning_rate_schedule", "constant") == "cosine"
    schedule = [CosineDecay(params.learning_rate, params.epochs)] if cosine else []
    history = model.fit(
        x,
        y,
        validation_data=validation_data,
        batch_size=params.batch_size,
        epochs=params.epochs,
        callbacks=timed_callbacks(clock, [*schedule, *callbacks]),
        verbose=progress_verbosity(),
    )
    return history_dict(history), clock.summary(params.epochs * len(x))


class CosineDecay(keras.callbacks.Callback):
    """``learning_rate`` decayed to 0 over ``epochs`` epochs along half a cosine, set at the
    start of each epoch (a resumed training picks it up at the epoch it resumes from)."""

    def __init__(self, learning_rate: float, epochs: int):
        super().__init__()
        self.learning_rate, self.epochs = learning_rate, epochs

    def rate(self, epoch: int) -> float:
        return self.learning_rate * 0.5 * (1 + math.cos(math.pi * epoch / self.epochs))

    def on_epoch_begin(self, epoch, logs=None):
        self.model.optimizer.learning_rate.assign(self.rate(epoch))


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


class DivergenceGuard(keras.callbacks.Callback):
    """Stops training with a clear error as soon as a loss is NaN or infinite. The node then
    fails before any output is saved, so the last good model files stay as they were.
    ``block``: the parameter block the advice names (``<family>`` → ``<family>.learning_rate``)."""

    def __init__(self, block: str, learning_rate: float):
        super().__init__()
        self.block, self.learning_rate = block, learning_rate
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        bad = {
            name: value for name, value in (logs or {}).items() if "loss" in name and not math.isfinite(float(value))
        }
        if bad:
            step = self._epoch * (self.params.get("steps") or 0) + batch + 1
            raise FloatingPointError(
                f"{self.block} diverged at epoch {self._epoch + 1}, batch {batch + 1} (training step {step}): "
                f"{', '.join(f'{k} = {v}' for k, v in bad.items())}. Previously saved model files are untouched. "
                f"Try a lower {self.block}.learning_rate (now {self.learning_rate:g}) or a smaller batch."
            )


class TrainingCheckpoint(keras.callbacks.BackupAndRestore):
    """Keras' BackupAndRestore (weights, optimizer state, noise generator state, epoch) for the
    composite models: their networks are functional models, built on creation, so the wrapper
    counts as built (their optimisers are built when they are compiled).

    Each save is written beside the last one and renamed over it, so a process killed while
    saving leaves the previous checkpoint whole. Training's end leaves it in place: the caller
    removes it once the trained networks are saved. ``replaces``: an old checkpoint set aside,
    deleted once this one has saved."""

    def __init__(self, folder: str, replaces: Path | None = None):
        super().__init__(folder, delete_checkpoint=False)
        self.replaces = replaces
        self.seconds = 0.0

    def phase_seconds(self) -> dict[str, float]:
        return {"checkpoints": self.seconds}

    def _save_model(self):
        start = time.perf_counter()
        try:
            self._save_whole()
        finally:
            self.seconds += time.perf_counter() - start

    def _save_whole(self):
        from deepgen.datasets.file import DiskFullError, is_disk_full

        final = self._weights_path, self._training_metadata_path
        staged = (str(Path(self.backup_dir) / "saving.weights.h5"), str(Path(self.backup_dir) / "saving.json"))
        self._weights_path, self._training_metadata_path = staged
        try:
            super()._save_model()
        except OSError as error:
            for path in staged:  # the last whole checkpoint stays as it was
                Path(path).unlink(missing_ok=True)
            if is_disk_full(error):
                raise DiskFullError(final[0]) from None
            raise
        finally:
            self._weights_path, self._training_metadata_path = final
        for source, target in zip(staged, final, strict=True):
            os.replace(source, target)
        if self.replaces is not None:
            shutil.rmtree(self.replaces, ignore_errors=True)
            self.replaces = None

    def on_train_begin(self, logs=None):
        self.model.built = True
        super().on_train_begin(logs)
