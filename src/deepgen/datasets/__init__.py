"""Project datasets: MNIST's IDX format, ``.npy`` arrays, Keras models, typed reports, and the
values a run supplies (commit, training context)."""

from .checksummed import ChecksummedModelDataset
from .idx import IDXDataset, IDXFormatError, LabelledIDXDataset
from .keras_model import KerasModelDataset
from .npy import NpyDataset
from .partitions import SavedPartitionsDataset
from .report import ReportDataset
from .runtime import GitCommitDataset, TrainingContextDataset

__all__ = [
    "ChecksummedModelDataset",
    "GitCommitDataset",
    "IDXDataset",
    "IDXFormatError",
    "KerasModelDataset",
    "LabelledIDXDataset",
    "NpyDataset",
    "ReportDataset",
    "SavedPartitionsDataset",
    "TrainingContextDataset",
]
