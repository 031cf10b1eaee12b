"""A folder of the user's own images, read as the IDX datasets read MNIST."""

from __future__ import annotations

import hashlib
import logging
from pathlib import PurePosixPath
from typing import Any, Literal

import fsspec
import numpy as np
from kedro.io import DatasetError
from kedro.io.core import AbstractDataset
from kedro_datasets._typing import ImagePreview
from kedro_datasets.partitions import PartitionedDataset
from PIL import Image, ImageOps, UnidentifiedImageError

from .labels import UNLABELLED
from .partitions import loaders_or_none
from .preview import image_preview

logger = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
IMAGE_SIZE = (28, 28)
MAX_CLASSES = 10  # the networks' label inputs and the evaluator's outputs have ten slots


class ImageFolderDataset(AbstractDataset[None, dict]):
    """PNG and JPEG files under ``path`` as ``{"images": uint8 N×28×28, "labels": uint8 N}``.

    One sub-folder per class: the sub-folders' names, sorted, are labels 0, 1, … (at most ten).
    A folder with the images at its top level is unlabelled: every label is ``UNLABELLED``.
    Each image is read with kedro-datasets' ``pillow.ImageDataset`` (through a
    ``PartitionedDataset`` of the folder), converted to grayscale, centre-cropped to a square and
    resized to 28×28; ``invert: true`` turns dark strokes on a light background into MNIST's
    light on dark.

    ``split`` picks the ``train`` or the ``test`` part: ``test_fraction`` of each class, chosen by
    a hash of each file's path, so a copy of the folder has the same test part and adding images
    changes it little. Fewer than ``min_images`` images, an unreadable file or a folder
    without images fail with the path named.

    Example catalog entries::

        raw_train:
          type: deepgen.datasets.ImageFolderDataset
          path: data/01_raw/my-images
          split: train
        raw_test:
          type: deepgen.datasets.ImageFolderDataset
          path: data/01_raw/my-images
          split: test
    """

    def __init__(
        self,
        *,
        path: str,
        split: Literal["train", "test"],
        test_fraction: float = 0.2,
        min_images: int = 50,
        invert: bool = False,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        if split not in ("train", "test"):
            raise DatasetError(f"{path}: split must be 'train' or 'test', not {split!r}.")
        if not 0 < test_fraction < 1:
            raise DatasetError(f"{path}: test_fraction must lie between 0 and 1, not {test_fraction}.")
        self._folder = PartitionedDataset(path=path, dataset="pillow.ImageDataset")
        self._path = path
        self._split = split
        self._test_fraction = test_fraction
        self._min_images = min_images
        self._invert = invert
        self.metadata = metadata

    @property
    def files(self) -> dict[str, str]:
        """Where its images and their labels (the sub-folders' names) come from, for errors to name."""
        return {"images": self._path, "labels": self._path}

    @property
    def source(self) -> str:
        """The folder's name: which dataset this is, in reports and W&B runs."""
        return PurePosixPath(self._path.rstrip("/")).name

    def load(self) -> dict[str, np.ndarray]:
        files = self._image_files()
        classes = _classes(self._path, files)
        chosen = self._split_names(files)
        images = np.stack([self._read(name, files[name]) for name in chosen])
        labels = [classes.index(_class_of(name)) if classes else UNLABELLED for name in chosen]
        logger.info(
            "%s: %d %s images%s.",
            self._path,
            len(chosen),
            self._split,
            f" of {len(classes)} classes ({', '.join(classes)})" if classes else ", unlabelled",
        )
        return {"images": images, "labels": np.array(labels, dtype=np.uint8)}

    def count(self) -> int:
        """Images in this split (from the folder's listing: no image is read)."""
        return len(self._split_names(self._image_files()))

    def _image_files(self) -> dict[str, Any]:
        """Every PNG and JPEG partition of the folder, by its path inside it."""
        if not self._exists():
            raise DatasetError(f"{self._path}: no such folder.")
        partitions = loaders_or_none(self._folder)
        files = {name: load for name, load in partitions.items() if name.lower().endswith(IMAGE_SUFFIXES)}
        others = sorted(set(partitions) - set(files))
        if others:
            logger.warning("%s: not PNG or JPEG, left out: %s", self._path, ", ".join(others[:5]))
        if not files:
            raise DatasetError(f"{self._path}: holds no PNG or JPEG images.")
        if len(files) < self._min_images:
            raise DatasetError(
                f"{self._path}: holds {len(files)} images; at least {self._min_images} are needed "
                "(min_images in its catalog entry)."
            )
        return files

    def _split_names(self, files: dict[str, Any]) -> list[str]:
        """This split's files, sorted: each class's test part is the ``test_fraction`` of its
        files whose paths hash lowest (at least one file)."""
        by_class: dict[str | None, list[str]] = {}
        for name in files:
            by_class.setdefault(_class_of(name), []).append(name)
        test = set()
        for names in by_class.values():
            test.update(sorted(names, key=_path_hash)[: max(1, round(len(names) * self._test_fraction))])
        return sorted(test if self._split == "test" else set(files) - test)

    def _read(self, name: str, load) -> np.ndarray:
        try:
            image = load()
            image.load()
        except (UnidentifiedImageError, OSError, DatasetError) as exc:
            raise DatasetError(f"{self._path}/{name}: not a readable image ({exc}).") from exc
        gray = ImageOps.fit(image.convert("L"), IMAGE_SIZE, Image.Resampling.LANCZOS)
        return np.asarray(ImageOps.invert(gray) if self._invert else gray, dtype=np.uint8)

    def save(self, data: dict) -> None:
        raise DatasetError(f"{self._path}: the user's image folder is read-only to deepgen.")

    def preview(self) -> ImagePreview:
        """kedro-viz: the first images of the split."""
        return image_preview(self.load()["images"])

    def _exists(self) -> bool:
        filesystem, folder = fsspec.core.url_to_fs(self._path)
        return bool(filesystem.isdir(folder))

    def _describe(self) -> dict[str, Any]:
        return {"path": self._path, "split": self._split, "test_fraction": self._test_fraction}


def _class_of(name: str) -> str | None:
    """The class sub-folder of a partition (``"cat/001"`` → ``"cat"``), None at the top level."""
    parts = PurePosixPath(name).parts
    return parts[0] if len(parts) > 1 else None


def _classes(path: str, files: dict[str, Any]) -> list[str]:
    """The class sub-folders' names, sorted; empty for a flat folder. A folder with images both
    at its top level and in sub-folders, or with more classes than the networks take, fails."""
    folders = {_class_of(name) for name in files}
    classes = sorted(folders - {None})
    if classes and None in folders:
        top = sorted(name for name in files if _class_of(name) is None)[:3]
        raise DatasetError(
            f"{path}: has images both at its top level ({', '.join(top)}) and in class sub-folders; put "
            "every image in a sub-folder named after its class, or none of them."
        )
    if len(classes) > MAX_CLASSES:
        raise DatasetError(
            f"{path}: {len(classes)} class sub-folders ({', '.join(classes)}); deepgen's models and "
            f"evaluators take at most {MAX_CLASSES} classes."
        )
    return classes


def _path_hash(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()
