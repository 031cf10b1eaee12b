"""Keras callbacks that log training to W&B. The hooks (``deepgen.hooks.WandbHooks``) hand
them to the training nodes, which never import wandb."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import keras
import numpy as np

from deepgen.reporting import tile_images

if TYPE_CHECKING:
    import wandb  # already imported by the hooks (tracking.import_wandb) when these callbacks run

logger = logging.getLogger(__name__)


def as_uint8(images: np.ndarray) -> np.ndarray:
    """[0,1] floats to uint8 pixels, so wandb.Image never guesses the value range."""
    return (np.clip(images, 0, 1) * 255).round().astype(np.uint8)


def image_grid(images: np.ndarray, ncols: int, caption: str) -> wandb.Image:
    import wandb

    return wandb.Image(as_uint8(tile_images(images, ncols)), caption=caption)


class _GuardedLogger(keras.callbacks.Callback):
    """Logs at the end of each epoch; a logging error is reported, never raised into training."""

    def on_epoch_end(self, epoch, logs=None):
        try:
            self.log_epoch(epoch, logs or {})
        except Exception as exc:  # noqa: BLE001 - tracking must not stop training
            logger.warning("W&B logging failed at epoch %d (%s: %s); training goes on.", epoch + 1, type(exc).__name__, exc)

    def log_epoch(self, epoch: int, logs: dict) -> None:
        raise NotImplementedError


class EpochLogger(_GuardedLogger):
    """Keras' epoch logs (the tracker names: loss, kl_loss, val_loss, d_loss, …), one history
    row per epoch; ``steps_per_epoch`` turns epochs into generator steps for the GAN."""

    def __init__(self, run: wandb.Run, steps_per_epoch: int | None = None):
        super().__init__()
        self.run, self.steps_per_epoch = run, steps_per_epoch

    def log_epoch(self, epoch, logs):
        row = {"epoch": epoch + 1, **{name: float(value) for name, value in logs.items()}}
        if self.steps_per_epoch:
            row["generator_step"] = (epoch + 1) * self.steps_per_epoch
        self.run.log(row)


class ReconstructionLogger(_GuardedLogger):
    """The tutorial's logger: test images above their reconstructions, every epoch. Runs
    before EpochLogger, which commits the row."""

    def __init__(self, run: wandb.Run, images: np.ndarray):
        super().__init__()
        self.run, self.images = run, images

    def log_epoch(self, epoch, logs):
        reconstructions = keras.ops.convert_to_numpy(self.model(self.images, training=False))
        grid = image_grid(np.concatenate([self.images, reconstructions]), len(self.images), f"epoch {epoch + 1}: test images (top), reconstructions (bottom)")
        self.run.log({"reconstructions": grid}, commit=False)


class GeneratorSampleLogger(_GuardedLogger):
    """A fixed-noise sample grid every ``gen_interval`` steps (one GAN epoch)."""

    def __init__(self, run: wandb.Run, noise: np.ndarray, steps_per_epoch: int):
        super().__init__()
        self.run, self.noise, self.steps_per_epoch = run, noise, steps_per_epoch

    def log_epoch(self, epoch, logs):
        images = (keras.ops.convert_to_numpy(self.model.generator(self.noise, training=False)) + 1) / 2
        step = (epoch + 1) * self.steps_per_epoch
        self.run.log({"samples": image_grid(images, 8, f"generator step {step}")}, commit=False)
