"""Project datasets: the IDX format of MNIST and plain ``.npy`` arrays."""

from .checksummed import ChecksummedModelDataset
from .idx import IDXDataset, IDXFormatError, LabelledIDXDataset
from .keras_model import KerasModelDataset
from .npy import NpyDataset

__all__ = ["ChecksummedModelDataset", "IDXDataset", "IDXFormatError", "KerasModelDataset", "LabelledIDXDataset", "NpyDataset"]
