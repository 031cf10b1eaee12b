"""Images for W&B, converted here so that wandb never guesses their value range."""

from __future__ import annotations

import numpy as np


def as_uint8(images: np.ndarray) -> np.ndarray:
    """[0,1] floats to uint8 pixels (a [-1,1] batch without negatives would pass for [0,1])."""
    return (np.clip(images, 0, 1) * 255).round().astype(np.uint8)


def image(mosaic: np.ndarray, caption: str):
    import wandb

    return wandb.Image(as_uint8(mosaic), caption=caption)
