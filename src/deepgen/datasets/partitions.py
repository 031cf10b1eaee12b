"""Kedro's PartitionedDataset for folders a fresh clone has not filled yet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kedro.io import DatasetError
from kedro_datasets.partitions import PartitionedDataset


class SavedPartitionsDataset(PartitionedDataset):
    """A ``PartitionedDataset`` of what earlier runs saved: before any run it loads as no
    partitions (``{}``), where Kedro's fails, so that its readers can say what is missing."""

    def load(self) -> dict[str, Callable[[], Any]]:
        try:
            return super().load()  # lists the folder afresh
        except DatasetError:
            if self._list_partitions():  # partitions were there: a failure of another kind
                raise
            return {}
