"""The corruptions the `denoise` pipeline restores, on real MNIST images."""

import numpy as np

from deepgen.pipelines.denoise.corruptions import CORRUPTIONS, gaussian, mask, salt_and_pepper
from tests.conftest import base_params


def test_gaussian_noise_has_the_configured_spread_and_stays_in_range(mnist_batch):
    params = base_params("denoise", gaussian_sigma=0.3)
    noisy = gaussian(mnist_batch, params, np.random.default_rng(0))
    assert noisy.dtype == np.float32 and 0 <= noisy.min() <= noisy.max() <= 1
    middle = (mnist_batch > 0.4) & (mnist_batch < 0.6)  # far from the clipping at 0 and 1
    assert 0.25 < np.std((noisy - mnist_batch)[middle]) < 0.35


def test_salt_and_pepper_hits_the_configured_share_half_white(mnist_batch):
    params = base_params("denoise", salt_and_pepper_rate=0.2)
    hit = salt_and_pepper(mnist_batch, params, np.random.default_rng(0))
    changed_to = hit[hit != mnist_batch]
    assert set(np.unique(changed_to)) <= {0.0, 1.0}
    # Pixels already 0 (most of an MNIST image) that draw "pepper" do not change: about 0.2 of
    # all pixels are drawn, so at least 0.1 (the white half) and at most 0.2 change.
    assert 0.09 < np.mean(hit != mnist_batch) < 0.21
    assert 0.45 < np.mean(hit[(hit != mnist_batch)] == 1.0) <= 1.0


def test_mask_blanks_one_square_of_the_configured_size_per_image():
    params = base_params("denoise", mask_size=5)
    images = np.ones((50, 28, 28), np.float32)
    masked = mask(images, params, np.random.default_rng(0))
    for image in masked:
        rows, columns = np.nonzero(image == 0)
        assert len(rows) == 25 and np.ptp(rows) == 4 and np.ptp(columns) == 4
    assert len({tuple(np.argwhere(image == 0)[0]) for image in masked}) > 10  # at random places


def test_every_corruption_is_the_same_for_the_same_seed(mnist_batch):
    params = base_params("denoise")
    for corrupt in CORRUPTIONS.values():
        first = corrupt(mnist_batch, params, np.random.default_rng(3))
        assert np.array_equal(first, corrupt(mnist_batch, params, np.random.default_rng(3)))
        assert not np.array_equal(first, corrupt(mnist_batch, params, np.random.default_rng(4)))
        assert first.shape == mnist_batch.shape and first.dtype == mnist_batch.dtype
