"""kedro-viz previews for datasets of images (a base64 PNG mosaic)."""

from __future__ import annotations

import base64
import io

import numpy as np
from kedro_datasets._typing import ImagePreview


def image_preview(images: np.ndarray, n: int = 32, ncols: int = 8) -> ImagePreview:
    """The first ``n`` images of an N×H×W array (uint8, or floats in [0,1]) as one PNG."""
    from matplotlib import image as mpimg

    from deepgen.figures import tile_images

    images = np.asarray(images[:n], dtype=np.float32)
    if images.max() > 1:
        images = images / 255.0
    buffer = io.BytesIO()
    mpimg.imsave(buffer, tile_images(images, ncols), cmap="gray_r", vmin=0, vmax=1, format="png")
    return ImagePreview(base64.b64encode(buffer.getvalue()).decode("ascii"))
