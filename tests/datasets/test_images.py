"""ImageFolderDataset: a folder of PNG/JPEG files as the raw data, real files written here."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from kedro.io import DatasetError
from PIL import Image

from deepgen.datasets import ImageFolderDataset
from deepgen.datasets.labels import UNLABELLED
from tests.conftest import write_image_folder


def _load(path, split, **kwargs):
    return ImageFolderDataset(path=str(path), split=split, min_images=5, **kwargs).load()


@pytest.fixture
def folder(tmp_path, mnist_batch):
    return write_image_folder(tmp_path / "digits", mnist_batch, {"one": 1, "seven": 7, "zero": 0}, per_class=20)


def test_sub_folders_are_labels_in_sorted_order_and_splits_partition_each_class(folder):
    train, test = _load(folder, "train"), _load(folder, "test")
    assert train["images"].shape == (48, 28, 28) and train["images"].dtype == np.uint8
    assert test["images"].shape == (12, 28, 28)
    assert np.bincount(train["labels"]).tolist() == [16, 16, 16]  # one, seven, zero
    assert np.bincount(test["labels"]).tolist() == [4, 4, 4]  # 0.2 of each class
    pixels = {image.tobytes() for image in np.concatenate([train["images"], test["images"]])}
    assert len(pixels) == 60  # no image in both parts


def test_images_arrive_as_written(tmp_path, mnist_batch):
    folder = write_image_folder(tmp_path / "d", mnist_batch, {"a": 0}, per_class=10)
    loaded = _load(folder, "train")["images"]
    written = {(np.clip(image, 0, 1) * 255).round().astype(np.uint8).tobytes() for image in mnist_batch[:10]}
    assert {image.tobytes() for image in loaded} <= written


def test_the_test_part_stays_when_images_are_added(folder, mnist_batch):
    before = {image.tobytes() for image in _load(folder, "test")["images"]}
    for i in range(20, 40):
        Image.fromarray((mnist_batch[100 + i] * 255).astype(np.uint8)).save(folder / "one" / f"{i:04d}.png")
    after = {image.tobytes() for image in _load(folder, "test")["images"]}
    assert len(after) == 16 and len(before & after) >= 10  # the grown class's test part keeps most of its files


def test_a_flat_folder_is_unlabelled(tmp_path, mnist_batch):
    folder = tmp_path / "flat"
    folder.mkdir()
    for i, image in enumerate(mnist_batch[:30]):
        Image.fromarray((image * 255).astype(np.uint8)).save(folder / f"{i}.png")
    train = _load(folder, "train")
    assert len(train["images"]) == 24 and set(train["labels"].tolist()) == {UNLABELLED}


def test_colour_images_of_any_size_become_28_by_28_grayscale(tmp_path):
    folder = tmp_path / "photos" / "red"
    folder.mkdir(parents=True)
    for i in range(6):
        Image.new("RGB", (64, 40), color=(200, 10 * i, 0)).save(folder / f"{i}.jpg")
    train = _load(folder.parent, "train")
    assert train["images"].shape[1:] == (28, 28)
    inverted = _load(folder.parent, "train", invert=True)
    assert np.array_equal(inverted["images"], 255 - train["images"])


@pytest.mark.parametrize("split", ["train", "test"])
def test_a_corrupt_file_is_named_in_the_split_it_falls_in(folder, split):
    # Twenty corrupt files among the class's forty: both splits get some (a file's split follows from its path).
    for i in range(20):
        (folder / "seven" / f"broken{i}.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with pytest.raises(DatasetError, match=r"seven/broken\d+\.png: not a readable image"):
        _load(folder, split)


def test_other_files_are_left_out(folder, caplog):
    (folder / "notes.txt").write_text("not an image")
    assert len(_load(folder, "train")["images"]) == 48
    assert "notes.txt" in caplog.text


@pytest.mark.parametrize(
    ("arrange", "message"),
    [
        (shutil.rmtree, "no such folder"),
        (lambda f: [shutil.rmtree(d) for d in f.iterdir()], "holds no PNG or JPEG images"),
        (lambda f: [p.unlink() for p in sorted(f.rglob("*.png"))[4:]], "holds 4 images; at least 5"),
        (lambda f: shutil.copy(next(f.rglob("*.png")), f / "stray.png"), "both at its top level"),
        (
            lambda f: [
                (f / f"c{i}").mkdir() or shutil.copy(next(f.rglob("*.png")), f / f"c{i}/x.png") for i in range(8)
            ],
            "11 class sub-folders",
        ),
    ],
    ids=["missing", "empty", "too-few", "mixed", "too-many-classes"],
)
def test_bad_folders_fail_naming_the_folder(folder, arrange, message):
    arrange(folder)
    with pytest.raises(DatasetError, match=message) as error:
        _load(folder, "train")
    assert str(folder) in str(error.value)


def test_the_source_is_the_folder_name(folder):
    assert ImageFolderDataset(path=f"{folder}/", split="test").source == "digits"


def test_count_reads_no_image(folder):
    (folder / "zero" / "broken.png").write_bytes(b"garbage")
    assert ImageFolderDataset(path=str(folder), split="test", min_images=5).count() == 12
