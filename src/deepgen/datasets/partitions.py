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
        return loaders_or_none(super())


def loaders_or_none(partitions: PartitionedDataset) -> dict[str, Callable[[], Any]]:
    """``partitions.load()`` (the folder listed afresh), or ``{}`` where Kedro finds none."""
    try:
        return partitions.load()
    except DatasetError as error:
        if not str(error).startswith("No partitions found"):  # a failure of another kind
            raise
        return {}
