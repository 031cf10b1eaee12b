"""Metric definitions of DESIGN.md, as plain NumPy functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

_EPS = 1e-7  # keeps log() finite where a decoder outputs exactly 0 or 1


def recon_mse(images: np.ndarray, reconstructions: np.ndarray) -> float:
    """Mean squared error per pixel, on the [0,1] scale."""
    return float(np.mean((images - reconstructions) ** 2))


def recon_bce(images: np.ndarray, reconstructions: np.ndarray) -> float:
    """Binary cross-entropy summed over pixels, averaged over images (nats)."""
    p = np.clip(reconstructions, _EPS, 1 - _EPS).reshape(len(images), -1)
    x = images.reshape(len(images), -1)
    return float(np.mean(-np.sum(x * np.log(p) + (1 - x) * np.log1p(-p), axis=1)))


# --- sample quality, in the evaluator's feature space ---------------------------------------


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0, None))) @ eigenvectors.T


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """‖μa − μb‖² + Tr(Σa + Σb − 2(Σa Σb)^½) between Gaussians fitted to two feature sets.

    Tr((Σa Σb)^½) is computed as Σ √λ of the symmetric Σa^½ Σb Σa^½, which stays exact when
    ReLU features leave the covariances singular (where ``scipy.linalg.sqrtm`` of the
    product goes inaccurate)."""
    mu_a, mu_b = features_a.mean(0), features_b.mean(0)
    cov_a = np.cov(features_a, rowvar=False)
    cov_b = np.cov(features_b, rowvar=False)
    root_a = _psd_sqrt(cov_a)
    trace_covmean = np.sum(np.sqrt(np.clip(np.linalg.eigvalsh(root_a @ cov_b @ root_a), 0, None)))
    distance = np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_covmean
    return float(max(distance, 0.0))


def class_score(probabilities: np.ndarray) -> float:
    """exp(E_x KL(p(y|x) ‖ p(y))): 10 for confident predictions spread over all digits, 1 for one class."""
    p = np.clip(probabilities, 1e-12, 1.0)
    marginal = p.mean(axis=0, keepdims=True)
    return float(np.exp(np.mean(np.sum(p * (np.log(p) - np.log(marginal)), axis=1))))


def kth_neighbour_radii(features: np.ndarray, k: int) -> np.ndarray:
    """Each point's distance to its k-th nearest other point (the point itself is the 0th)."""
    from sklearn.neighbors import NearestNeighbors

    features = features.astype(np.float64)
    distances, _ = NearestNeighbors(n_neighbors=k + 1, algorithm="brute").fit(features).kneighbors(features)
    return distances[:, k]


def _covered(points: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """For each point: does it fall inside any centre's k-NN ball?"""
    from sklearn.metrics import pairwise_distances_chunked

    chunks = pairwise_distances_chunked(
        points, centres, reduce_func=lambda distances, start: np.any(distances <= radii[None, :], axis=1)
    )
    return np.concatenate(list(chunks))


def precision_recall(
    real: np.ndarray, generated: np.ndarray, k: int = 3, real_radii: np.ndarray | None = None
) -> tuple[float, float]:
    """k-NN manifold precision (generated samples inside the real manifold) and recall (real
    images inside the generated manifold), Kynkäänniemi et al. 2019. ``real_radii``: the real
    points' ``kth_neighbour_radii``, when they are already known (the test set's, once a run)."""
    real, generated = real.astype(np.float64), generated.astype(np.float64)
    real_radii = kth_neighbour_radii(real, k) if real_radii is None else real_radii
    precision = _covered(generated, real, real_radii).mean()
    recall = _covered(real, generated, kth_neighbour_radii(generated, k)).mean()
    return float(precision), float(recall)


def class_frequencies(probabilities: np.ndarray) -> list[float]:
    """Fraction of samples per predicted digit 0–9."""
    return (np.bincount(probabilities.argmax(axis=1), minlength=10) / len(probabilities)).tolist()


def sample_quality(sample_features, sample_probabilities, test_features, k: int = 3, test_radii=None) -> dict:
    """Every sample metric of DESIGN.md, samples against the test set."""
    precision, recall = precision_recall(test_features, sample_features, k, test_radii)
    return {
        "fd": frechet_distance(sample_features, test_features),
        "class_score": class_score(sample_probabilities),
        "precision": precision,
        "recall": recall,
        "class_freq": class_frequencies(sample_probabilities),
    }


def conditional_quality(sample_features, sample_probabilities, digits, test_features, test_labels) -> dict:
    """How well samples asked for ``digits`` are those digits: the evaluator's accuracy against
    the digit asked for, and the mean over digits k of the FD between the samples of k and the
    test images of k (a digit that no sample or no test image has is left out of the mean)."""
    per_digit = [
        frechet_distance(sample_features[digits == k], test_features[test_labels == k])
        for k in np.unique(digits)
        if np.sum(digits == k) > 1 and np.sum(test_labels == k) > 1
    ]
    return {
        "conditional_accuracy": float(np.mean(sample_probabilities.argmax(axis=1) == digits)),
        "fd_per_class": float(np.mean(per_digit)) if per_digit else None,
    }


def evaluator_outputs(classifier, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The frozen evaluator's penultimate features and class probabilities of ``images``."""
    from deepgen.models import predict
    from deepgen.models.classifier import features_and_probabilities

    features, probabilities = predict(features_and_probabilities(classifier), images)
    return features, probabilities


@dataclass(frozen=True)
class FeatureReference:
    """The frozen evaluator and the features of the real images that samples are compared with:
    what scores samples while a family trains and in its figures. Without an evaluator
    (``classifier`` None) nothing can be scored."""

    classifier: Any
    features: np.ndarray

    @property
    def available(self) -> bool:
        return self.classifier is not None

    def score(self, images: np.ndarray, digits: np.ndarray | None = None) -> dict[str, float]:
        """FD and class score of ``images``; with the ``digits`` each was asked for, how often
        the evaluator sees that digit."""
        features, probabilities = evaluator_outputs(self.classifier, images)
        scores = {"fd": frechet_distance(features, self.features), "class_score": class_score(probabilities)}
        if digits is not None:
            scores["conditional_accuracy"] = float(np.mean(probabilities.argmax(axis=1) == digits))
        return scores


def score_images(
    classifier,
    images: np.ndarray,
    test_features: np.ndarray,
    k: int,
    digits: np.ndarray | None = None,
    test_labels: np.ndarray | None = None,
    test_radii: np.ndarray | None = None,
) -> dict:
    """Sample metrics of ``images`` against the test set (its evaluator features, and their
    k-th neighbour radii if known) under the frozen evaluator; with the ``digits`` each image
    was asked for (and the test images' labels), the conditional ones."""
    features, probabilities = evaluator_outputs(classifier, images)
    scores = sample_quality(features, probabilities, test_features, k, test_radii)
    if digits is not None:
        scores |= conditional_quality(features, probabilities, digits, test_features, test_labels)
    return scores


# --- anomaly detection: how well a score separates anomalies from the normal class -----------


def auroc(scores: np.ndarray, anomalous: np.ndarray) -> float:
    """Area under the ROC curve of ``scores`` (higher: more anomalous) for the ``anomalous``
    (True) against the normal images: the probability that a random anomaly scores above a
    random normal image, ties counting one half."""
    from sklearn.metrics import roc_auc_score

    anomalous = np.asarray(anomalous, dtype=bool)
    if anomalous.all() or not anomalous.any():
        raise ValueError("AUROC needs both normal and anomalous images.")
    return float(roc_auc_score(anomalous, scores))


def average_precision(scores: np.ndarray, anomalous: np.ndarray) -> float:
    """The mean of the precision at each anomaly's rank, scores highest first (images with
    equal scores enter together): the area under the precision-recall curve, step-wise."""
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(np.asarray(anomalous, dtype=bool), scores))


def roc_points(scores: np.ndarray, anomalous: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ROC curve: false and true positive rates at every threshold."""
    from sklearn.metrics import roc_curve

    false_positives, true_positives, _ = roc_curve(np.asarray(anomalous, dtype=bool), scores)
    return false_positives, true_positives


# --- restoration: how close restored images are to the originals -----------------------------


def psnr(originals: np.ndarray, images: np.ndarray) -> float:
    """Peak signal-to-noise ratio (dB) of ``images`` against ``originals``, pixels in [0, 1]:
    10 log10(1 / MSE) per image, averaged over images."""
    mse = np.mean((originals.astype(np.float64) - images.astype(np.float64)) ** 2, axis=(1, 2))
    return float(np.mean(10 * np.log10(1.0 / np.maximum(mse, 1e-12))))


def ssim(originals: np.ndarray, images: np.ndarray) -> float:
    """Structural similarity (Wang et al. 2004) of ``images`` against ``originals``, pixels in
    [0, 1], averaged over images: TensorFlow's ``tf.image.ssim`` (an 11×11 Gaussian window of
    σ 1.5, K1 = 0.01, K2 = 0.03, as the paper)."""
    return float(np.mean(ssim_per_image(originals, images)))


def ssim_per_image(
    originals: np.ndarray, images: np.ndarray, window: int = 11, over_ink: float | None = None
) -> np.ndarray:
    """Each image's structural similarity to its original (``ssim``), over ``window``-pixel
    windows. With ``over_ink``, averaged only over the windows where either image's mean
    intensity exceeds it (all windows where none does): where both are blank, SSIM is a ratio
    of two near-zero variances, noise that drowns the strokes' structure."""
    import tensorflow as tf

    a, b = (np.asarray(x, np.float32)[..., None] for x in (originals, images))
    if over_ink is None:
        return tf.image.ssim(a, b, max_val=1.0, filter_size=window).numpy()
    local = tf.image.ssim(a, b, max_val=1.0, filter_size=window, return_index_map=True).numpy()
    box = np.full((window, window, 1, 1), 1.0 / window**2, np.float32)
    ink = np.maximum(*(tf.nn.conv2d(x, box, 1, "VALID").numpy()[..., 0] for x in (a, b))) > over_ink
    inked = np.sum(local * ink, axis=(1, 2)) / np.maximum(np.sum(ink, axis=(1, 2)), 1)
    return np.where(ink.any(axis=(1, 2)), inked, local.mean(axis=(1, 2)))
