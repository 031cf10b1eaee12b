"""Raw images (MNIST, Fashion-MNIST, a folder of images) to validated, split and scaled arrays."""

from __future__ import annotations

import hashlib

import numpy as np

from deepgen.datasets.labels import is_labelled
from deepgen.params import DataParams

IMAGE_SHAPE = (28, 28)
N_CLASSES = 10


def _check_split(split: dict[str, np.ndarray], name: str, files: dict[str, str] | None) -> None:
    """``files``: the dataset's ``images`` and ``labels`` files, which an error names."""
    images, labels = split["images"], split["labels"]
    where = files or {"images": "images", "labels": "labels"}
    problems = []
    if images.dtype != np.uint8:
        problems.append(f"{where['images']}: its values are {images.dtype}, expected uint8")
    if labels.dtype != np.uint8:
        problems.append(f"{where['labels']}: its values are {labels.dtype}, expected uint8")
    if images.shape[1:] != IMAGE_SHAPE:
        problems.append(f"{where['images']}: its images are {images.shape[1:]}, expected {IMAGE_SHAPE}")
    if len(images) != len(labels):
        held = f" ({where['images']}, {where['labels']})" if files else ""
        problems.append(f"{len(images)} images but {len(labels)} labels{held}")
    if len(images) == 0:
        problems.append(f"{where['images']}: it holds no images")
    if is_labelled(labels) and labels.size and labels.max() >= N_CLASSES:
        problems.append(f"{where['labels']}: labels range up to {labels.max()}, expected 0–{N_CLASSES - 1}")
    if problems:
        raise ValueError(f"Dataset '{name}' does not hold 28×28 images labelled 0–9: " + "; ".join(problems) + ".")


def validate_training_images(
    raw_train: dict[str, np.ndarray], raw_files: dict | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Check the training images' dtype, shape, label range and counts; return images and
    labels. ``raw_files``: each raw dataset's ``images`` and ``labels`` files by dataset name,
    for the errors to name."""
    _check_split(raw_train, "raw_train", (raw_files or {}).get("raw_train"))
    return raw_train["images"], raw_train["labels"]


def validate_test_images(
    raw_test: dict[str, np.ndarray], train_labels: np.ndarray, raw_files: dict | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The test images checked as the training images are, and labelled 0–9 where those are,
    unlabelled (a flat folder of images) where those are not."""
    _check_split(raw_test, "raw_test", (raw_files or {}).get("raw_test"))
    if is_labelled(train_labels) != is_labelled(raw_test["labels"]):
        raise ValueError("Datasets 'raw_train' and 'raw_test' must both be labelled or both unlabelled.")
    return raw_test["images"], raw_test["labels"]


def split_train_validation(
    images: np.ndarray, labels: np.ndarray, params: DataParams, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Seeded shuffle of the training pool into train and validation parts."""
    order = np.random.default_rng(seed).permutation(len(images))
    if params.max_train_images is not None:
        order = order[: params.max_train_images]
    _, n_validation = params.split_sizes(len(images))
    validation, train = order[:n_validation], order[n_validation:]
    return images[train], labels[train], images[validation], labels[validation]


def limit_test_set(images: np.ndarray, labels: np.ndarray, params: DataParams) -> tuple[np.ndarray, np.ndarray]:
    """The first ``max_test_images`` test images (all 10,000 by default)."""
    return images[: params.max_test_images], labels[: params.max_test_images]


def scale_to_unit(*images: np.ndarray) -> tuple[np.ndarray, ...]:
    """uint8 → float32 in [0, 1] (families with sigmoid outputs)."""
    return tuple(batch.astype(np.float32) / 255.0 for batch in images)


def scale_to_symmetric(*images: np.ndarray) -> tuple[np.ndarray, ...]:
    """uint8 → float32 in [-1, 1] (families with tanh outputs)."""
    return tuple(batch.astype(np.float32) / 127.5 - 1.0 for batch in images)


def _held_out_draws(params: DataParams) -> tuple[np.random.Generator, np.random.Generator]:
    """The validation and the test images' binarizations: two streams of ``binarize_seed``."""
    validation_rng, test_rng = np.random.default_rng(params.binarize_seed).spawn(2)
    return validation_rng, test_rng


def binarize_validation(validation_x: np.ndarray, params: DataParams) -> np.ndarray:
    """With ``params.binarize``, the validation images (in [0, 1]) binarized once: each pixel 1
    with probability its intensity, drawn from ``params.binarize_seed``, so that every run and
    every sweep trial scores the same binary images; else as they are."""
    return binary_draw(validation_x, _held_out_draws(params)[0]) if params.binarize else validation_x


def binarize_test(test_x: np.ndarray, params: DataParams) -> tuple[np.ndarray, dict]:
    """The test images as ``binarize_validation`` makes the validation images (their own draw),
    and what identifies the test images scored: their SHA-256 (and the binarization's seed)."""
    drawn = {}
    if params.binarize:
        test_x, drawn = binary_draw(test_x, _held_out_draws(params)[1]), {"binarize_seed": params.binarize_seed}
    sha256 = hashlib.sha256(np.ascontiguousarray(test_x, np.float32).tobytes()).hexdigest()
    return test_x, {"sha256": sha256, **drawn}


def binary_draw(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each pixel 1 with probability its intensity (images in [0, 1]), else 0."""
    return (rng.random(images.shape, dtype=np.float32) < images).astype(np.float32)
