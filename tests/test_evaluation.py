"""Metric functions on cases with known answers."""

import numpy as np
import pytest

from deepgen import evaluation


def test_reconstruction_metrics():
    x = np.array([[[1.0, 0.0]]], np.float32)
    r = np.array([[[0.5, 0.0]]], np.float32)
    assert evaluation.recon_mse(x, r) == pytest.approx(0.125)
    assert evaluation.recon_bce(x, r) == pytest.approx(np.log(2), rel=1e-5)  # the 0 pixel costs ~nothing


def test_frechet_distance_of_a_set_with_itself_is_zero():
    features = np.random.default_rng(0).standard_normal((2000, 8))
    assert evaluation.frechet_distance(features, features) == pytest.approx(0, abs=1e-6)


def test_frechet_distance_of_two_gaussians_has_the_closed_form():
    """Covariances that do not commute: the cross term Tr((Σa Σb)^½) is not Σ √(λa λb) of their
    eigenvalues then, and an estimator that treats it so is off by far more than the 2 %."""
    from scipy.linalg import sqrtm

    rng = np.random.default_rng(1)
    mu = np.array([1.0, -2.0, 0.5])
    # Two elongated Gaussians 45° apart in the first plane: the closed form is 10.3, the
    # commuting-case cross term Tr(Σa^½ Σb^½) would give 12.5.
    cov_a = np.diag([9.0, 0.1, 1.0])
    turn = np.array([[1.0, -1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, np.sqrt(2)]]) / np.sqrt(2)
    cov_b = turn @ cov_a @ turn.T
    assert not np.allclose(cov_a @ cov_b, cov_b @ cov_a)
    expected = np.sum(mu**2) + np.trace(cov_a + cov_b - 2 * sqrtm(cov_a @ cov_b).real)
    a = rng.multivariate_normal(np.zeros(3), cov_a, 200_000)
    b = rng.multivariate_normal(mu, cov_b, 200_000)
    assert evaluation.frechet_distance(a, b) == pytest.approx(expected, rel=0.02)


def test_class_score_bounds():
    confident_uniform = np.eye(10)[np.arange(1000) % 10]
    one_class = np.eye(10)[np.zeros(1000, int)]
    assert evaluation.class_score(confident_uniform) == pytest.approx(10, rel=1e-6)
    assert evaluation.class_score(one_class) == pytest.approx(1, rel=1e-6)
    assert evaluation.class_score(np.full((100, 10), 0.1)) == pytest.approx(1, rel=1e-6)  # unsure about everything


def test_precision_and_recall():
    rng = np.random.default_rng(2)
    cluster = rng.standard_normal((500, 4))
    far_away = cluster + 100
    assert evaluation.precision_recall(cluster, cluster) == (1.0, 1.0)
    assert evaluation.precision_recall(cluster, far_away) == (0.0, 0.0)
    # Generated samples covering half of the real modes: precise, but half the recall.
    real = np.vstack([cluster, far_away])
    precision, recall = evaluation.precision_recall(real, cluster + 0.01)
    assert precision == 1.0 and recall == pytest.approx(0.5, abs=0.02)


def test_class_frequencies():
    probabilities = np.eye(10)[[0, 0, 3, 9]]
    frequencies = evaluation.class_frequencies(probabilities)
    assert frequencies[0] == 0.5 and frequencies[3] == 0.25 and frequencies[9] == 0.25 and sum(frequencies) == 1


def test_auroc_and_average_precision_by_hand():
    scores, anomalous = np.array([0.1, 0.4, 0.35, 0.8]), np.array([False, False, True, True])
    # Pairs (anomaly, normal) ordered right: (0.35, 0.1), (0.8, 0.1), (0.8, 0.4); wrong: (0.35, 0.4).
    assert evaluation.auroc(scores, anomalous) == pytest.approx(3 / 4)
    # Highest first: 0.8 (hit, precision 1, recall 1/2), 0.4 (miss), 0.35 (hit, precision 2/3, recall 1).
    assert evaluation.average_precision(scores, anomalous) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    # A tie between an anomaly and a normal image counts one half; tied images enter together.
    assert evaluation.auroc(np.array([1.0, 1.0]), np.array([False, True])) == 0.5
    assert evaluation.average_precision(np.array([1.0, 1.0]), np.array([False, True])) == 0.5
    assert evaluation.auroc(np.array([0.0, 1.0]), np.array([False, True])) == 1.0
    with pytest.raises(ValueError, match="both normal and anomalous"):
        evaluation.auroc(np.array([0.0, 1.0]), np.array([True, True]))


def test_psnr_by_hand():
    originals = np.zeros((2, 28, 28))
    images = np.full((2, 28, 28), 0.1)  # MSE 0.01: 10 log10(1 / 0.01) = 20 dB
    assert evaluation.psnr(originals, images) == pytest.approx(20.0)
    images[1] = 0.01  # MSE 1e-4: 40 dB; the mean over images is 30 dB
    assert evaluation.psnr(originals, images) == pytest.approx(30.0)


def test_ssim_by_hand():
    rng = np.random.default_rng(0)
    images = rng.random((3, 28, 28)).astype(np.float32)
    assert evaluation.ssim(images, images) == pytest.approx(1.0, abs=1e-6)
    # Two flat images: no variance, so only the luminance term is left:
    # (2 μa μb + C1) / (μa² + μb² + C1) with C1 = (0.01 · 1)².
    a, b = np.full((1, 28, 28), 0.2, np.float32), np.full((1, 28, 28), 0.6, np.float32)
    c1 = 0.01**2
    # TensorFlow computes in float32: a flat image's variance E[x²] − μ² comes out at ~1e-7 beside
    # C2 = 9e-4, which moves the structure term by ~1e-4.
    assert evaluation.ssim(a, b) == pytest.approx((2 * 0.2 * 0.6 + c1) / (0.2**2 + 0.6**2 + c1), abs=2e-4)
    assert evaluation.ssim(images, rng.random((3, 28, 28)).astype(np.float32)) < 0.2  # unrelated noise


def test_ssim_over_ink_leaves_out_the_windows_blank_in_both_images(mnist_batch):
    digits = mnist_batch[:8]
    rng = np.random.default_rng(0)
    # Faint noise (< 0.01) where the digit has no ink: structure the eye cannot see.
    speckled = (digits + np.where(digits == 0, rng.uniform(0, 0.01, digits.shape), 0)).astype(np.float32)
    everywhere = evaluation.ssim_per_image(digits, speckled, window=7)
    over_ink = evaluation.ssim_per_image(digits, speckled, window=7, over_ink=0.01)
    assert np.all(over_ink > 0.97) and np.all(everywhere < over_ink - 0.02)
    blank = np.zeros((2, 28, 28), np.float32)  # no window with ink: every window counts, as without the option
    np.testing.assert_allclose(evaluation.ssim_per_image(blank, blank, window=7, over_ink=0.01), 1.0, atol=1e-6)
