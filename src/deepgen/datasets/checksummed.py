"""A Keras model file guarded by a committed SHA-256, so every run measures with the same model."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import keras
from kedro.io.core import AbstractDataset, DatasetError

from .keras_model import KerasModelDataset

NO_EVALUATOR = "none"  # the checksum of an optional evaluator that is not there
REBUILD_HINT = "rebuild it with `kedro run --pipelines=evaluator` (and the run's --env) and commit both files"


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class ChecksummedModelDataset(KerasModelDataset):
    """A ``.keras`` file beside ``<file>.sha256``; loading refuses a missing or altered file.
    ``optional: true`` loads a missing file as None (``ChecksumDataset`` reads its checksum as
    ``none``), for data that may have no evaluator: its readers then skip what they would have
    measured with it.

    Example catalog entry::

        evaluator_classifier:
          type: deepgen.datasets.ChecksummedModelDataset
          filepath: data/06_models/evaluator/classifier.keras
    """

    def __init__(self, *, filepath: str, optional: bool = False, metadata: dict[str, Any] | None = None) -> None:
        super().__init__(filepath=filepath, metadata=metadata)
        self._checksum_path = self._filepath.with_name(self._filepath.name + ".sha256")
        self._optional = optional

    def load(self) -> keras.Model | None:
        path = self._filepath
        if not path.is_file() and self._optional:
            return None
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


class ChecksumDataset(AbstractDataset[None, str]):
    """The SHA-256 a ``ChecksummedModelDataset`` was saved with (``<filepath>.sha256``), read-only;
    ``optional: true`` reads a missing one as ``none``, as the model reads as None.

    Example catalog entry::

        evaluator_checksum:
          type: deepgen.datasets.ChecksumDataset
          filepath: data/06_models/evaluator/classifier.keras
    """

    def __init__(self, *, filepath: str, optional: bool = False, metadata: dict[str, Any] | None = None) -> None:
        self._checksum_path = Path(filepath + ".sha256")
        self._optional = optional
        self.metadata = metadata

    def load(self) -> str:
        if not self._checksum_path.is_file():
            if self._optional:
                return NO_EVALUATOR
            raise DatasetError(f"{self._checksum_path}: checksum file missing; {REBUILD_HINT}.")
        return self._checksum_path.read_text().split()[0]

    def save(self, data: str) -> None:
        raise DatasetError(f"{self._checksum_path}: written with its model (ChecksummedModelDataset), not alone.")

    def _exists(self) -> bool:
        return self._checksum_path.is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._checksum_path), "optional": self._optional}
