"""Metric definitions of DESIGN.md, as plain NumPy functions."""

from __future__ import annotations

import numpy as np

_EPS = 1e-7  # keeps log() finite where a decoder outputs exactly 0 or 1


def recon_mse(images: np.ndarray, reconstructions: np.ndarray) -> float:
    """Mean squared error per pixel, on the [0,1] scale."""
    return float(np.mean((images - reconstructions) ** 2))


def recon_bce(images: np.ndarray, reconstructions: np.ndarray) -> float:
    """Binary cross-entropy summed over pixels, averaged over images (nats)."""
    p = np.clip(reconstructions, _EPS, 1 - _EPS).reshape(len(images), -1)
    x = images.reshape(len(images), -1)
    return float(np.mean(-np.sum(x * np.log(p) + (1 - x) * np.log1p(-p), axis=1)))
