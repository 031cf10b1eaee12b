"""Weights & Biases for deepgen: where runs go, and the Keras callbacks that log training.

The run lifecycle lives in the Kedro hook (``deepgen.hooks.WandbHooks``); this module holds the
pieces it uses, so that nodes and models never import wandb.
"""

from __future__ import annotations

import logging
import netrc
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import keras
import numpy as np
from pydantic import BaseModel, ConfigDict

from deepgen.reporting import tile_images

if TYPE_CHECKING:
    import wandb  # imported where first used: on the hooks' tracking thread, off the pipeline's path

WANDB_HOST = "api.wandb.ai"
logger = logging.getLogger(__name__)


class WandbSettings(BaseModel):
    """``conf/<env>/wandb.yml``; W&B's environment variables (WANDB_MODE, WANDB_PROJECT, …) win."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    project: str = "deepgen"
    entity: str | None = None
    mode: Literal["auto", "online", "offline", "disabled"] = "auto"
    tags: list[str] = []
    init_timeout: float = 20.0  # seconds before an unreachable server means "go offline"
    log_models: bool = True  # trained networks as versioned artifacts


def _logged_in() -> bool:
    """Has `wandb login` stored a key for the W&B host in ~/.netrc?"""
    try:
        return netrc.netrc().authenticators(WANDB_HOST) is not None
    except (OSError, netrc.NetrcParseError):
        return False


def resolve_mode(configured: str, api_key: str | None) -> str:
    """``auto``: online when an API key is at hand (environment, credentials.yml, `wandb
    login`), otherwise offline. An explicit ``WANDB_MODE`` overrides the file."""
    if os.environ.get("WANDB_MODE"):
        return {"dryrun": "offline", "run": "online"}.get(os.environ["WANDB_MODE"], os.environ["WANDB_MODE"])
    if configured != "auto":
        return configured
    return "online" if api_key or os.environ.get("WANDB_API_KEY") or _logged_in() else "offline"


def start_run(settings: WandbSettings, mode: str, directory: Path, api_key: str | None, **run_args) -> wandb.Run:
    """A new run (several can be open at once, one per model)."""
    import wandb

    if api_key and mode == "online":
        os.environ.setdefault("WANDB_API_KEY", api_key)  # how wandb takes a key without prompting
    return wandb.init(
        project=os.environ.get("WANDB_PROJECT", settings.project),
        entity=os.environ.get("WANDB_ENTITY", settings.entity),
        tags=settings.tags,
        mode=mode,
        dir=directory,
        reinit="create_new",
        settings=wandb.Settings(init_timeout=settings.init_timeout, console="off", silent=True),
        **run_args,
    )


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
