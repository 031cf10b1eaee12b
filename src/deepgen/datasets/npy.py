"""A Kedro dataset for one NumPy array in ``.npy`` format (kedro-datasets has none)."""

from __future__ import annotations

import io
from pathlib import Path, PurePosixPath
from typing import Any

import fsspec
import numpy as np
from kedro.io.core import AbstractDataset, get_filepath_str, get_protocol_and_path

from kedro_datasets._typing import ImagePreview

from .keras_model import replace_atomically
from .preview import image_preview


class NpyDataset(AbstractDataset[np.ndarray, np.ndarray]):
    """A NumPy array stored with ``np.save`` on any fsspec filesystem.

    Example catalog entry::

        vae_samples:
          type: deepgen.datasets.NpyDataset
          filepath: data/07_model_output/vae/samples.npy
    """

    def __init__(
        self,
        *,
        filepath: str,
        credentials: dict[str, Any] | None = None,
        fs_args: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        protocol, path = get_protocol_and_path(filepath)
        self._protocol = protocol
        self._filepath = PurePosixPath(path)
        fs_args = dict(fs_args or {})
        if protocol == "file":
            fs_args.setdefault("auto_mkdir", True)
        self._fs = fsspec.filesystem(protocol, **(credentials or {}), **fs_args)
        self.metadata = metadata

    @property
    def path(self) -> str:
        return get_filepath_str(self._filepath, self._protocol)

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

    def _exists(self) -> bool:
        return self._fs.exists(self.path)

    def _describe(self) -> dict[str, Any]:
        return {"filepath": self.path, "protocol": self._protocol}
