"""A Keras model file guarded by a committed SHA-256, so every run measures with the same model."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import keras
from kedro.io.core import AbstractDataset, DatasetError

REBUILD_HINT = "rebuild it with `kedro run --pipelines=evaluator` and commit both files"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class ChecksummedModelDataset(AbstractDataset[keras.Model, keras.Model]):
    """A ``.keras`` file beside ``<file>.sha256``; loading refuses a missing or altered file.

    Example catalog entry::

        evaluator_classifier:
          type: deepgen.datasets.ChecksummedModelDataset
          filepath: data/06_models/evaluator/classifier.keras
    """

    def __init__(self, *, filepath: str, metadata: dict[str, Any] | None = None) -> None:
        self._path = Path(filepath)
        self._checksum_path = self._path.with_name(self._path.name + ".sha256")
        self.metadata = metadata

    def load(self) -> keras.Model:
        if not self._path.is_file():
            raise DatasetError(f"{self._path}: the frozen evaluator is missing; {REBUILD_HINT}.")
        if not self._checksum_path.is_file():
            raise DatasetError(f"{self._checksum_path}: checksum file missing for {self._path}; {REBUILD_HINT}.")
        expected = self._checksum_path.read_text().split()[0]
        actual = sha256_of(self._path)
        if actual != expected:
            raise DatasetError(
                f"{self._path}: checksum mismatch (sha256 {actual[:12]}…, {self._checksum_path.name} says "
                f"{expected[:12]}…): the evaluator was altered, and metrics would not compare with earlier "
                f"runs; restore it with `git checkout -- {self._path.parent}` or {REBUILD_HINT}."
            )
        return keras.models.load_model(self._path, compile=False)

    def save(self, model: keras.Model) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._path.with_name(self._path.stem + ".tmp.keras")
        model.save(temporary)
        temporary.replace(self._path)  # never a half-written evaluator under the real name
        self._checksum_path.write_text(f"{sha256_of(self._path)}  {self._path.name}\n")

    def _exists(self) -> bool:
        return self._path.is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._path)}
