import numpy as np
import pytest

from deepgen.datasets import IDXDataset
from tests.conftest import RAW_MNIST


@pytest.fixture(scope="session")
def mnist_batch() -> np.ndarray:
    """256 real test images in [0, 1]."""
    images = IDXDataset(filepath=str(RAW_MNIST / "t10k-images-idx3-ubyte.gz")).load()
    return images[:256].astype(np.float32) / 255
