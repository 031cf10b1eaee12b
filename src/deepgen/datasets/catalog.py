"""The project's Data Catalog."""

from typing import ClassVar

from kedro.io import DataCatalog


class InMemoryWithoutCopiesCatalog(DataCatalog):
    """Kedro's catalog, but the datasets that ``catalog.yml`` does not name (splits, scaled
    images, metrics on their way to a report) hand their data on as it is: nodes never change
    their inputs, so MemoryDataset's default copy at every save and load (0.2 GB per copy of
    the scaled training set) buys nothing. A catch-all ``"{name}"`` entry in ``catalog.yml``
    would do the same, with a warning for every such dataset in every run."""

    default_runtime_patterns: ClassVar = {"{default}": {"type": "kedro.io.MemoryDataset", "copy_mode": "assign"}}
