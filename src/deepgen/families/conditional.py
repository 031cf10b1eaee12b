"""What the conditional families share: their figures of the digits asked for."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from deepgen.figures import labelled_rows

from .contract import N_DIGITS, Family, Networks


def digit_grid(family: Family, networks: Networks, latent_dim: int, seed: int = 0) -> Figure:
    """Ten samples of each digit, a row per digit; each column decodes one fixed noise vector,
    so a column shows one "style" across the ten digits."""
    noise = np.random.default_rng(seed).standard_normal((N_DIGITS, latent_dim), dtype=np.float32)
    digits = np.repeat(np.arange(N_DIGITS, dtype=np.int32), N_DIGITS)
    images = family.images(networks, np.tile(noise, (N_DIGITS, 1)), digits).reshape(N_DIGITS, N_DIGITS, 28, 28)
    rows = {f"digit {digit}": images[digit] for digit in range(N_DIGITS)}
    return labelled_rows(rows, f"{family.label}: a row per digit asked for, a column per noise vector")
