"""A Keras model file guarded by a committed SHA-256, so every run measures with the same model."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import keras
from kedro.io.core import DatasetError

from .keras_model import KerasModelDataset

REBUILD_HINT = "rebuild it with `kedro run --pipelines=evaluator` and commit both files"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class ChecksummedModelDataset(KerasModelDataset):
    """A ``.keras`` file beside ``<file>.sha256``; loading refuses a missing or altered file.

    Example catalog entry::

        evaluator_classifier:
          type: deepgen.datasets.ChecksummedModelDataset
          filepath: data/06_models/evaluator/classifier.keras
    """

    def __init__(self, *, filepath: str, metadata: dict[str, Any] | None = None) -> None:
        super().__init__(filepath=filepath, metadata=metadata)
        self._checksum_path = self._filepath.with_name(self._filepath.name + ".sha256")

    def load(self) -> keras.Model:
        path = self._filepath
        if not path.is_file():
            raise DatasetError(f"{path}: the frozen evaluator is missing; {REBUILD_HINT}.")
        if not self._checksum_path.is_file():
            raise DatasetError(f"{self._checksum_path}: checksum file missing for {path}; {REBUILD_HINT}.")
        expected = self._checksum_path.read_text().split()[0]
        actual = sha256_of(path)
        if actual != expected:
            raise DatasetError(
                f"{path}: checksum mismatch (sha256 {actual[:12]}…, {self._checksum_path.name} says "
                f"{expected[:12]}…): the evaluator was altered, and metrics would not compare with earlier "
                f"runs; restore it with `git checkout -- {path.parent}` or {REBUILD_HINT}."
            )
        return super().load()

    def save(self, model: keras.Model) -> None:
        super().save(model)
        self._checksum_path.write_text(f"{sha256_of(self._filepath)}  {self._filepath.name}\n")
