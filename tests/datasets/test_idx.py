import gzip

import numpy as np
import pytest
from kedro.io.core import DatasetError

from deepgen.datasets import IDXDataset, IDXFormatError, LabelledIDXDataset
from tests.conftest import RAW_MNIST


@pytest.mark.parametrize("name", ["images.idx", "images.idx.gz"])
def test_round_trip(tmp_path, name):
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    dataset = IDXDataset(filepath=str(tmp_path / name))
    dataset.save(images)
    assert dataset.exists()
    np.testing.assert_array_equal(dataset.load(), images)
    if name.endswith(".gz"):
        assert (tmp_path / name).read_bytes()[:2] == b"\x1f\x8b"


def test_round_trip_of_other_types(tmp_path):
    values = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    dataset = IDXDataset(filepath=str(tmp_path / "floats.idx"))
    dataset.save(values)
    np.testing.assert_array_equal(dataset.load(), values)


def test_loads_real_mnist():
    train = LabelledIDXDataset(
        images={"filepath": str(RAW_MNIST / "train-images-idx3-ubyte.gz")},
        labels={"filepath": str(RAW_MNIST / "train-labels-idx1-ubyte.gz")},
    ).load()
    assert train["images"].shape == (60000, 28, 28) and train["images"].dtype == np.uint8
    assert train["labels"].shape == (60000,) and set(np.unique(train["labels"])) == set(range(10))
    assert train["images"].mean() / 255 == pytest.approx(0.1307, abs=1e-4)


def _write(path, raw: bytes, compress: bool) -> str:
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return str(path)


@pytest.fixture
def good_labels() -> bytes:
    return b"\x00\x00\x08\x01" + (4).to_bytes(4, "big") + bytes([1, 2, 3, 4])


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda raw: raw[:-1], "truncated"),
        (lambda raw: raw[:6], "truncated inside the header"),
        (lambda raw: raw[:2], "too short"),
        (lambda raw: raw + b"\x00", "trailing bytes"),
        (lambda raw: b"\x1f\x00" + raw[2:], "wrong magic number"),
        (lambda raw: raw[:2] + b"\x07" + raw[3:], "unknown IDX type code 0x07"),
    ],
)
def test_corrupt_file_names_file_and_problem(tmp_path, good_labels, mangle, message, compress):
    path = _write(tmp_path / "labels.idx", mangle(good_labels), compress)
    with pytest.raises(IDXFormatError, match=message) as excinfo:
        IDXDataset(filepath=path).load()
    assert path in str(excinfo.value)


def test_corrupt_gzip_stream(tmp_path, good_labels):
    path = tmp_path / "labels.idx.gz"
    path.write_bytes(gzip.compress(good_labels)[:-6])
    with pytest.raises(IDXFormatError, match="corrupt gzip stream"):
        IDXDataset(filepath=str(path)).load()


def test_missing_file_says_where_the_data_belongs(tmp_path):
    with pytest.raises(DatasetError, match="file not found.*data/01_raw/mnist"):
        IDXDataset(filepath=str(tmp_path / "nothing.gz")).load()


def test_mismatched_counts_name_both_files(tmp_path):
    IDXDataset(filepath=str(tmp_path / "img.idx")).save(np.zeros((3, 28, 28), np.uint8))
    IDXDataset(filepath=str(tmp_path / "lab.idx")).save(np.zeros(2, np.uint8))
    dataset = LabelledIDXDataset(
        images={"filepath": str(tmp_path / "img.idx")}, labels={"filepath": str(tmp_path / "lab.idx")}
    )
    with pytest.raises(IDXFormatError, match=r"img\.idx holds 3 images but .*lab\.idx holds 2 labels"):
        dataset.load()


def test_images_file_with_wrong_rank(tmp_path):
    IDXDataset(filepath=str(tmp_path / "img.idx")).save(np.zeros((3, 784), np.uint8))
    IDXDataset(filepath=str(tmp_path / "lab.idx")).save(np.zeros(3, np.uint8))
    dataset = LabelledIDXDataset(
        images={"filepath": str(tmp_path / "img.idx")}, labels={"filepath": str(tmp_path / "lab.idx")}
    )
    with pytest.raises(IDXFormatError, match=r"img\.idx: expected images"):
        dataset.load()


def test_count_reads_the_header_alone(tmp_path):
    assert IDXDataset(filepath=str(RAW_MNIST / "train-images-idx3-ubyte.gz")).count() == 60_000
    with pytest.raises(DatasetError, match="file not found"):
        IDXDataset(filepath=str(tmp_path / "missing.gz")).count()
