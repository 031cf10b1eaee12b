"""Project datasets: the IDX format of MNIST and plain ``.npy`` arrays."""

from .idx import IDXDataset, IDXFormatError, LabelledIDXDataset
from .npy import NpyDataset

__all__ = ["IDXDataset", "IDXFormatError", "LabelledIDXDataset", "NpyDataset"]
