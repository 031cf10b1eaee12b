"""Kedro's PartitionedDataset for folders a fresh clone has not filled yet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kedro_datasets.partitions import PartitionedDataset


class SavedPartitionsDataset(PartitionedDataset):
    """A ``PartitionedDataset`` of what earlier runs saved: before any run it loads as no
    partitions (``{}``), where Kedro's fails, so that its readers can say what is missing."""

    def load(self) -> dict[str, Callable[[], Any]]:
        self._invalidate_caches()
        if not self._list_partitions():
            return {}
        return super().load()
