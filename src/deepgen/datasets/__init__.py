"""Project datasets: MNIST's IDX format, folders of images, ``.npy`` arrays, Keras models, typed
reports, the values a run supplies (commit, training context), and the catalog itself.

Each is imported when first named (``deepgen.datasets.KerasModelDataset`` in ``catalog.yml``,
or here): reading the settings loads no TensorFlow."""

from importlib import import_module

_MODULES = {
    "ChecksumDataset": "checksummed",
    "ChecksummedModelDataset": "checksummed",
    "GitCommitDataset": "runtime",
    "IDXDataset": "idx",
    "IDXFormatError": "idx",
    "ImageFolderDataset": "images",
    "InMemoryWithoutCopiesCatalog": "catalog",
    "KerasModelDataset": "keras_model",
    "LabelledIDXDataset": "idx",
    "NpyDataset": "npy",
    "ReportDataset": "json_report",
    "SavedPartitionsDataset": "partitions",
    "TrainingContextDataset": "runtime",
}

__all__ = [
    "ChecksumDataset",
    "ChecksummedModelDataset",
    "GitCommitDataset",
    "IDXDataset",
    "IDXFormatError",
    "ImageFolderDataset",
    "InMemoryWithoutCopiesCatalog",
    "KerasModelDataset",
    "LabelledIDXDataset",
    "NpyDataset",
    "ReportDataset",
    "SavedPartitionsDataset",
    "TrainingContextDataset",
]


def __getattr__(name: str):
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
