"""A typed report (a pydantic model of ``deepgen.report``) stored as JSON."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

from kedro.io.core import AbstractDataset, DatasetError
from pydantic import BaseModel, ValidationError

from .file import replace_atomically


class ReportDataset(AbstractDataset[BaseModel, BaseModel]):
    """``report`` names the model class; loading validates the file against it. ``optional:
    true`` loads a missing file as None (a report that some data cannot have).

    Example catalog entry::

        "{family}.metrics":
          type: deepgen.datasets.ReportDataset
          filepath: data/08_reporting/{family}/metrics.json
          report: deepgen.report.ModelReport
    """

    def __init__(
        self, *, filepath: str, report: str, optional: bool = False, metadata: dict[str, Any] | None = None
    ) -> None:
        self._filepath = Path(filepath)
        self._optional = optional
        module, _, name = report.rpartition(".")
        self._report: type[BaseModel] = getattr(import_module(module), name)
        self.metadata = metadata

    def load(self) -> BaseModel | None:
        if self._optional and not self._filepath.is_file():
            return None
        try:
            return self._report.model_validate_json(self._filepath.read_bytes())
        except ValidationError as exc:
            raise DatasetError(
                f"{self._filepath} is not a {self._report.__name__} (written by another version?): {exc}"
            ) from exc

    def save(self, data: BaseModel) -> None:
        replace_atomically(
            self._filepath,
            lambda temporary: temporary.write_text(data.model_dump_json(indent=2, exclude_none=True) + "\n"),
        )

    def _exists(self) -> bool:
        return self._filepath.is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath), "report": self._report.__name__}
