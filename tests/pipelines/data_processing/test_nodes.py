import numpy as np
import pytest

from deepgen.datasets.labels import UNLABELLED, is_labelled
from deepgen.pipelines.data_processing.nodes import (
    binarize_test,
    binarize_validation,
    limit_test_set,
    scale_to_symmetric,
    scale_to_unit,
    split_train_validation,
    validate_test_images,
    validate_training_images,
)
from tests.conftest import base_params


def validate_raw_images(raw_train, raw_test, raw_files=None):
    """Both parts, as a run checks them."""
    train = validate_training_images(raw_train, raw_files)
    return (*train, *validate_test_images(raw_test, train[1], raw_files))


def _split(n: int, label_max: int = 9, dtype=np.uint8, shape=(28, 28)) -> dict:
    rng = np.random.default_rng(n)
    return {
        "images": rng.integers(0, 256, (n, *shape)).astype(dtype),
        "labels": (np.arange(n) % (label_max + 1)).astype(np.uint8),
    }


def test_validate_returns_the_arrays():
    train, test = _split(20), _split(10)
    out = validate_raw_images(train, test)
    assert [a.shape for a in out] == [(20, 28, 28), (20,), (10, 28, 28), (10,)]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (_split(20, label_max=10), "labels range up to 10"),
        (_split(10, dtype=np.float32), "expected uint8"),
        (_split(10, shape=(32, 32)), r"images are \(32, 32\)"),
        ({"images": np.zeros((3, 28, 28), np.uint8), "labels": np.zeros(2, np.uint8)}, "3 images but 2 labels"),
    ],
)
def test_validate_names_the_dataset_and_problem(bad, message):
    with pytest.raises(ValueError, match=f"'raw_test'.*{message}"):
        validate_raw_images(_split(20), bad)


def test_validate_names_the_file_behind_each_problem():
    files = {"raw_test": {"images": "mnist/t10k-images.gz", "labels": "mnist/t10k-labels.gz"}}
    with pytest.raises(ValueError, match=r"'raw_test'.*mnist/t10k-images.gz: its values are float32, expected uint8"):
        validate_raw_images(_split(20), _split(10, dtype=np.float32), files)
    with pytest.raises(ValueError, match=r"mnist/t10k-labels.gz: labels range up to 10"):
        validate_raw_images(_split(20), _split(20, label_max=10), files)


def test_split_is_seeded_disjoint_and_complete():
    images = np.arange(100, dtype=np.uint8).reshape(100, 1, 1) * np.ones((1, 28, 28), np.uint8)
    labels = (np.arange(100) % 10).astype(np.uint8)
    params = base_params("data", validation_fraction=0.2)
    first = split_train_validation(images, labels, params, seed=1)
    again = split_train_validation(images, labels, params, seed=1)
    other = split_train_validation(images, labels, params, seed=2)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[2], other[2])
    train_ids, val_ids = first[0][:, 0, 0], first[2][:, 0, 0]
    assert len(train_ids) == 80 and len(val_ids) == 20
    assert set(train_ids).isdisjoint(val_ids) and set(train_ids) | set(val_ids) == set(range(100))
    np.testing.assert_array_equal(first[1], first[0][:, 0, 0] % 10)  # labels follow their images


def test_split_respects_max_train_images():
    images, labels = np.zeros((100, 28, 28), np.uint8), np.zeros(100, np.uint8)
    train, _, validation, _ = split_train_validation(images, labels, base_params("data", max_train_images=30), seed=0)
    assert len(train) + len(validation) == 30


def test_limit_test_set():
    images, labels = np.zeros((50, 28, 28), np.uint8), np.arange(50, dtype=np.uint8)
    assert len(limit_test_set(images, labels, base_params("data"))[0]) == 50
    _, limited = limit_test_set(images, labels, base_params("data", max_test_images=7))
    np.testing.assert_array_equal(limited, np.arange(7))


def test_scaling_ranges():
    images = np.array([[[0, 255]]], np.uint8)
    (unit,) = scale_to_unit(images)
    (symmetric,) = scale_to_symmetric(images)
    assert unit.dtype == symmetric.dtype == np.float32
    np.testing.assert_allclose(unit.ravel(), [0, 1])
    np.testing.assert_allclose(symmetric.ravel(), [-1, 1])


def test_unlabelled_images_pass_but_not_beside_labelled_ones():
    flat = {"images": np.zeros((10, 28, 28), np.uint8), "labels": np.full(10, UNLABELLED, np.uint8)}
    assert is_labelled(validate_raw_images(flat, flat)[1]) is False
    with pytest.raises(ValueError, match="both be labelled or both unlabelled"):
        validate_raw_images(_split(20), flat)


def test_binarized_held_out_images_are_the_same_in_every_run():
    from deepgen.datasets import IDXDataset
    from tests.conftest import RAW_MNIST

    test = IDXDataset(filepath=str(RAW_MNIST / "t10k-images-idx3-ubyte.gz")).load()
    validation, test = scale_to_unit(test[:500], test)  # the real test set: what every run binarizes
    binarized = base_params("data", binarize=True)
    first = binarize_test(test, binarized)
    again = binarize_test(test.copy(), binarized)  # a second run's
    assert first[1] == again[1] and first[1]["binarize_seed"] == 2016 and len(first[1]["sha256"]) == 64
    np.testing.assert_array_equal(first[0], again[0])
    assert set(np.unique(first[0])) == {0.0, 1.0}
    assert abs(first[0].mean() - test.mean()) < 1e-3  # each pixel 1 with probability its intensity
    other = binarize_test(test, base_params("data", binarize=True, binarize_seed=7))
    assert other[1]["sha256"] != first[1]["sha256"]
    gray = binarize_test(test, base_params("data"))  # unbinarized: as given, and identified
    assert gray[0] is test and "binarize_seed" not in gray[1]
    # The validation images: a draw of their own, the same in every run (and every sweep trial).
    drawn = binarize_validation(validation, binarized)
    np.testing.assert_array_equal(drawn, binarize_validation(validation.copy(), binarized))
    assert set(np.unique(drawn)) == {0.0, 1.0} and binarize_validation(validation, base_params("data")) is validation
