"""Labels of images that have none: a flat folder of the user's images is unlabelled."""

from __future__ import annotations

import numpy as np

UNLABELLED = 255  # the label of every image of a flat folder


def is_labelled(labels: np.ndarray) -> bool:
    """False for the images of a flat folder, whose labels are all ``UNLABELLED``."""
    return not (labels.size and np.all(labels == UNLABELLED))
