"""A Keras model in the native ``.keras`` format, saved atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
from kedro.io.core import AbstractDataset

from .file import replace_atomically


class KerasModelDataset(AbstractDataset[keras.Model, keras.Model]):
    """A local ``.keras`` file. Loads without compiling (the pipelines only run inference and
    keep no optimizer state in model files), with Keras' safe mode.

    Example catalog entry::

        "{family}.encoder":
          type: deepgen.datasets.KerasModelDataset
          filepath: data/06_models/{family}/encoder.keras
    """

    def __init__(self, *, filepath: str, metadata: dict[str, Any] | None = None) -> None:
        self._filepath = Path(filepath)
        self.metadata = metadata

    def load(self) -> keras.Model:
        import deepgen.models  # noqa: F401 - registers the project's layers, which model files name

        return keras.models.load_model(self._filepath, compile=False)

    def save(self, model: keras.Model) -> None:
        replace_atomically(self._filepath, model.save)

    def _exists(self) -> bool:
        return self._filepath.is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath)}
