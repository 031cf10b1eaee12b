"""Project datasets: MNIST's IDX format, folders of images, ``.npy`` arrays, Keras models, typed
reports, and the values a run supplies (commit, training context)."""

from .checksummed import ChecksumDataset, ChecksummedModelDataset
from .idx import IDXDataset, IDXFormatError, LabelledIDXDataset
from .images import ImageFolderDataset
from .keras_model import KerasModelDataset
from .npy import NpyDataset
from .partitions import SavedPartitionsDataset
from .report import ReportDataset
from .runtime import GitCommitDataset, TrainingContextDataset

__all__ = [
    "ChecksumDataset",
    "ChecksummedModelDataset",
    "GitCommitDataset",
    "IDXDataset",
    "IDXFormatError",
    "ImageFolderDataset",
    "KerasModelDataset",
    "LabelledIDXDataset",
    "NpyDataset",
    "ReportDataset",
    "SavedPartitionsDataset",
    "TrainingContextDataset",
]
