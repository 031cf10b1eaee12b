"""The Keras callbacks every training shares: its clock, the sample-quality probe, the epoch
report the hooks' sinks receive, the divergence guard and the checkpoint."""

from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np


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
