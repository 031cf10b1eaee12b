"""A Kedro dataset for one NumPy array in ``.npy`` format (kedro-datasets has none)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from kedro_datasets._typing import ImagePreview

from .file import FileDataset, replace_atomically
from .preview import image_preview


class NpyDataset(FileDataset):
    """A NumPy array stored with ``np.save`` on any fsspec filesystem.

    Example catalog entry::

        "{family}.samples":
          type: deepgen.datasets.NpyDataset
          filepath: data/07_model_output/{family}/samples.npy
    """

    def load(self) -> np.ndarray:
        with self._fs.open(self.path, "rb") as file:
            return np.load(io.BytesIO(file.read()), allow_pickle=False)

    def save(self, data: np.ndarray) -> None:
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(data), allow_pickle=False)
        if self._protocol == "file":  # write beside, then rename: never a half-written array
            replace_atomically(Path(self.path), lambda temporary: temporary.write_bytes(buffer.getvalue()))
            return
        with self._fs.open(self.path, "wb") as file:
            file.write(buffer.getvalue())

    def preview(self) -> ImagePreview:
        """kedro-viz: the first images of an image array."""
        return image_preview(self.load())
