"""What the conditional families share: their figure of the digits asked for."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from deepgen.figures import labelled_rows, note_figure
from deepgen.params import FamilyParams

from .contract import N_DIGITS, Family, Networks


def digit_grid(family: Family, networks: Networks, params: FamilyParams, seed: int = 0) -> Figure:
    """Ten samples of each digit, a row per digit; each column is drawn from one fixed noise
    vector, so a column shows one "style" across the ten digits. A family that may be
    conditional but is not (``conditional: false``) gets a note instead."""
    title = f"{family.label}: a row per digit asked for, a column per noise vector"
    if not family.conditional:
        return note_figure(title, f"Unconditional ({family.name}.conditional: false): no digits to ask for.")
    noise = family.noise(params, N_DIGITS, seed)
    digits = np.repeat(np.arange(N_DIGITS, dtype=np.int32), N_DIGITS)
    images = family.from_noise(networks, params, np.tile(noise, (N_DIGITS, 1)), digits)
    rows = {f"digit {digit}": image_row for digit, image_row in enumerate(images.reshape(N_DIGITS, N_DIGITS, 28, 28))}
    return labelled_rows(rows, title)
