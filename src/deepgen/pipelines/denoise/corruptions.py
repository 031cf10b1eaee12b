"""What the `denoise` pipeline does to images before a model restores them: pure NumPy, images
N×28×28 in [0, 1], the same for the same generator state."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from deepgen.params import DenoiseParams


def gaussian(images: np.ndarray, params: DenoiseParams, rng: np.random.Generator) -> np.ndarray:
    """Additive Gaussian noise of standard deviation ``gaussian_sigma``, clipped to [0, 1]."""
    noise = rng.standard_normal(images.shape, dtype=np.float32) * params.gaussian_sigma
    return np.clip(images + noise, 0, 1)


def salt_and_pepper(images: np.ndarray, params: DenoiseParams, rng: np.random.Generator) -> np.ndarray:
    """A share ``salt_and_pepper_rate`` of the pixels set to 0 or 1, half each."""
    hit = rng.random(images.shape) < params.salt_and_pepper_rate
    salt = rng.random(images.shape) < 0.5  # noqa: PLR2004 - half of the hit pixels white
    return np.where(hit, salt.astype(images.dtype), images)


def mask(images: np.ndarray, params: DenoiseParams, rng: np.random.Generator) -> np.ndarray:
    """A ``mask_size``-pixel square blanked (set to 0) at a random place in each image: the
    model must paint in what it hid (inpainting)."""
    n, height, width = images.shape
    size = params.mask_size
    tops, lefts = rng.integers(0, height - size + 1, n), rng.integers(0, width - size + 1, n)
    rows = np.arange(height)[None, :, None]
    columns = np.arange(width)[None, None, :]
    inside = (
        (rows >= tops[:, None, None])
        & (rows < (tops + size)[:, None, None])
        & (columns >= lefts[:, None, None])
        & (columns < (lefts + size)[:, None, None])
    )
    return np.where(inside, 0, images).astype(images.dtype)


CORRUPTIONS: dict[str, Callable[[np.ndarray, DenoiseParams, np.random.Generator], np.ndarray]] = {
    "gaussian": gaussian,
    "salt_and_pepper": salt_and_pepper,
    "mask": mask,
}
