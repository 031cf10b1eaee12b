"""Kedro datasets for the IDX format that MNIST and Fashion-MNIST are published in.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of
dimensions), one big-endian uint32 per dimension, then the values in C order.
Files may be gzip-compressed (``.gz``) and live on any fsspec filesystem.
"""

from __future__ import annotations

import gzip
import struct
from pathlib import PurePosixPath
from typing import Any

import numpy as np
from kedro.io.core import AbstractDataset, DatasetError
from kedro_datasets._typing import ImagePreview

from .file import FileDataset
from .preview import image_preview

# IDX type codes and the NumPy dtypes they hold (big-endian where it matters).
_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_DTYPE_CODES = {dtype.newbyteorder("="): code for code, dtype in _IDX_DTYPES.items()}

HEADER_BYTES = 4  # two zero bytes, the type code, the number of dimensions


class IDXFormatError(DatasetError):
    """The bytes of a file are not a well-formed IDX array."""


def parse_idx(raw: bytes, source: str) -> np.ndarray:
    """Decode the bytes of one IDX file; ``source`` names the file in errors."""
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise IDXFormatError(f"{source}: corrupt gzip stream ({exc}).") from exc
    if len(raw) < HEADER_BYTES:
        raise IDXFormatError(f"{source}: truncated, {len(raw)} bytes is too short for an IDX header.")
    zero, type_code, ndim = struct.unpack(">HBB", raw[:HEADER_BYTES])
    if zero != 0 or ndim == 0:
        raise IDXFormatError(
            f"{source}: wrong magic number 0x{raw[:4].hex()}; an IDX file starts with 0x0000, "
            "a type byte and a dimension count (e.g. 0x00000803 for images)."
        )
    if type_code not in _IDX_DTYPES:
        raise IDXFormatError(f"{source}: unknown IDX type code 0x{type_code:02x}.")
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise IDXFormatError(f"{source}: truncated inside the header ({len(raw)} of {header_size} bytes).")
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    dtype = _IDX_DTYPES[type_code]
    expected = header_size + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        problem = "truncated" if len(raw) < expected else "has trailing bytes"
        raise IDXFormatError(
            f"{source}: {problem}: header declares shape {shape} ({expected} bytes in all) "
            f"but the file holds {len(raw)} bytes."
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return data.astype(dtype.newbyteorder("="), copy=True)


def encode_idx(array: np.ndarray) -> bytes:
    """Encode an array as IDX bytes (the inverse of :func:`parse_idx`)."""
    dtype = array.dtype.newbyteorder("=")
    if dtype not in _DTYPE_CODES:
        raise IDXFormatError(f"IDX cannot store dtype {array.dtype}.")
    code = _DTYPE_CODES[dtype]
    header = struct.pack(f">HBB{array.ndim}I", 0, code, array.ndim, *array.shape)
    return header + np.ascontiguousarray(array, dtype=_IDX_DTYPES[code]).tobytes()


class IDXDataset(FileDataset):
    """One IDX file as a NumPy array (gzip when the path ends in ``.gz``).

    Example catalog entry::

        raw_test_labels:
          type: deepgen.datasets.IDXDataset
          filepath: data/01_raw/mnist/t10k-labels-idx1-ubyte.gz
    """

    def load(self) -> np.ndarray:
        self._check_exists()
        with self._fs.open(self.path, "rb") as file:
            return parse_idx(file.read(), self.path)

    def count(self) -> int:
        """The first dimension (images or labels in the file), read from the header alone."""
        self._check_exists()
        with self._fs.open(self.path, "rb") as file:
            raw = gzip.GzipFile(fileobj=file).read(8) if self.path.endswith(".gz") else file.read(8)
        if len(raw) < 8 or raw[:2] != b"\0\0":  # noqa: PLR2004 - magic and the first dimension
            raise IDXFormatError(f"{self.path}: not an IDX file (header {raw.hex()}).")
        return struct.unpack(">I", raw[4:8])[0]

    def _check_exists(self) -> None:
        if not self._fs.exists(self.path):
            raise DatasetError(
                f"{self.path}: file not found. The MNIST IDX files ship with the project in "
                "data/01_raw/mnist/; restore them with `git checkout -- data/01_raw/mnist`."
            )

    def save(self, data: np.ndarray) -> None:
        raw = encode_idx(np.asarray(data))
        if self.path.endswith(".gz"):
            raw = gzip.compress(raw, mtime=0)
        with self._fs.open(self.path, "wb") as file:
            file.write(raw)


class LabelledIDXDataset(AbstractDataset[dict, dict]):
    """An image file and its label file, loaded together so their counts are checked.

    Loads ``{"images": uint8 N×H×W, "labels": uint8 N}``. ``images`` and ``labels`` are each an
    ``IDXDataset``'s arguments (``filepath``, …): as ``filepath`` keys, Kedro resolves them
    against the project, so the dataset loads from a notebook in a sub-folder too.

    Example catalog entry::

        raw_train:
          type: deepgen.datasets.LabelledIDXDataset
          images: {filepath: data/01_raw/mnist/train-images-idx3-ubyte.gz}
          labels: {filepath: data/01_raw/mnist/train-labels-idx1-ubyte.gz}
    """

    def __init__(
        self, *, images: dict[str, Any], labels: dict[str, Any], metadata: dict[str, Any] | None = None
    ) -> None:
        self._images = IDXDataset(**images)
        self._labels = IDXDataset(**labels)
        self.metadata = metadata

    def load(self) -> dict[str, np.ndarray]:
        images, labels = self._images.load(), self._labels.load()
        if images.ndim != 3:  # noqa: PLR2004
            raise IDXFormatError(f"{self._images.path}: expected images (N×H×W), got shape {images.shape}.")
        if labels.ndim != 1:
            raise IDXFormatError(f"{self._labels.path}: expected labels (N), got shape {labels.shape}.")
        if len(images) != len(labels):
            raise IDXFormatError(
                f"mismatched counts: {self._images.path} holds {len(images)} images but "
                f"{self._labels.path} holds {len(labels)} labels."
            )
        return {"images": images, "labels": labels}

    def count(self) -> int:
        """Images in the file, from its header (the full load checks the labels agree)."""
        return self._images.count()

    @property
    def files(self) -> dict[str, str]:
        """The ``images`` and ``labels`` files it reads, for errors to name."""
        return {"images": self._images.path, "labels": self._labels.path}

    @property
    def source(self) -> str:
        """The name of the folder the images come from (``mnist``): which dataset this is."""
        return PurePosixPath(self._images.path).parent.name

    def save(self, data: dict[str, np.ndarray]) -> None:
        self._images.save(data["images"])
        self._labels.save(data["labels"])

    def preview(self) -> ImagePreview:
        """kedro-viz: the first images of the file."""
        return image_preview(self._images.load())

    def _exists(self) -> bool:
        return self._images.exists() and self._labels.exists()

    def _describe(self) -> dict[str, Any]:
        return {"images": self._images.path, "labels": self._labels.path}
