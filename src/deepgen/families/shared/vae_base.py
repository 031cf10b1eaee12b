"""What the variational families (the VAE, the IWAE, the CVAE) share: their parameters, their
training, their likelihood metrics, and the unconditional ones' networks, figures and anomaly
scores. Not a family itself."""

from __future__ import annotations

import logging
import time
from typing import Literal

import numpy as np
from pydantic import Field, PositiveInt
from scipy.stats import norm

from deepgen.figures import image_grid
from deepgen.models import blocks, predict, variational
from deepgen.params import AutoencodingParams, MixtureSampledParams
from deepgen.training import compile_model, fit_epochs

from . import samplers
from .contract import N_DIGITS, AnomalyDetection, FigureInputs, TrainingData, TrainingResult

logger = logging.getLogger(__name__)


class VariationalParams(AutoencodingParams):
    """The VAE's, the IWAE's and the CVAE's keys."""

    beta: float = Field(ge=0)  # weight of the KL term
    reconstruction: Literal["bce", "mse"]  # Bernoulli log-likelihood or the tutorial's 784·MSE
    iw_samples: PositiveInt  # K, importance samples per test image for nll_iw

    RESUMABLE_CHANGES = AutoencodingParams.RESUMABLE_CHANGES | {"iw_samples"}


class UnconditionalParams(VariationalParams, MixtureSampledParams):
    """The unconditional variational families' keys: also a mixture sampler."""

    RESUMABLE_CHANGES = VariationalParams.RESUMABLE_CHANGES | MixtureSampledParams.RESUMABLE_CHANGES


def train(networks, data: TrainingData, params: VariationalParams, seed: int, callbacks: list) -> TrainingResult:
    """The ELBO (with ``beta`` on the KL term). Conditional networks train on (image, digit)
    batches; with ``data.targets`` (clean images for corrupted ``data.x``) a denoising VAE."""
    model = variational.VAE(
        **networks, beta=params.beta, reconstruction=params.reconstruction, seed=seed, binarize=data.binarize
    )
    return fit_variational(model, data, params, callbacks)


def fit_variational(model, data: TrainingData, params: VariationalParams, callbacks: list) -> TrainingResult:
    """``model`` (a ``variational.VAE``) compiled and fitted for ``params.epochs`` epochs."""
    compile_model(model, params)
    if model.conditional:
        second, validation_second = data.labels.astype(np.int32), data.validation_labels.astype(np.int32)
    else:
        second, validation_second = data.targets, data.validation_targets
    validation = (data.validation_x, validation_second)
    history, stats = fit_epochs(model, params, data.x, second, validation, callbacks, params.learning_rate_schedule)
    return TrainingResult(history, stats)


def likelihood_metrics(
    networks, test_x: np.ndarray, params: VariationalParams, seed: int, digits: np.ndarray | None = None
) -> dict:
    """Test ELBO, the importance-weighted estimate of −log p(x) at ``iw_samples`` samples with
    its standard error, the bounds at fewer samples, nats per image, and the active units;
    given the test ``digits`` (the CVAE), all conditioned on them: log p(x|y)."""
    encoder, decoder = networks["encoder"], networks["decoder"]
    estimate = variational.importance_weighted_nll(
        encoder, decoder, test_x, params.iw_samples, seed, digits, progress=_progress(params.iw_samples)
    )
    return {
        "elbo": float(np.mean(variational.elbo(encoder, decoder, test_x, seed, digits))),
        **estimate.summary(),
        "iw_samples": params.iw_samples,
        "active_units": variational.active_units(encoder, test_x, digits),
    }


def _progress(k: int, every: float = 30.0):
    """A log line with the images done and the time left at most every ``every`` seconds
    (K in the thousands takes minutes)."""
    start = last = time.perf_counter()

    def report(done: int, total: int) -> None:
        nonlocal last
        now = time.perf_counter()
        if now - last >= every and done < total:
            last = now
            left = (now - start) / done * (total - done)
            logger.info("nll_iw at K = %d: %d of %d test images, about %.0f s left", k, done, total, left)

    return report


# --- the unconditional families' networks, figures and anomaly scores -------------------------


def build(params: UnconditionalParams) -> dict:
    return {
        "encoder": variational.build_encoder(params.latent_dim, params.architecture, params.hidden_units),
        "decoder": blocks.build_decoder(params.latent_dim, params.architecture, params.hidden_units),
    }


def encode(networks, images: np.ndarray, labels=None) -> np.ndarray:
    """The posterior means."""
    return predict(networks["encoder"], images)[0]


def decode(networks, codes: np.ndarray, digits=None) -> np.ndarray:
    return predict(networks["decoder"], codes)


def metrics(networks, test_x: np.ndarray, test_labels, params: UnconditionalParams, seed: int) -> dict:
    return likelihood_metrics(networks, test_x, params, seed)


FIGURE_NAMES = ("latent_manifold", "interpolations")


def figures_of(label: str):
    """The figures of an unconditional variational family called ``label``."""

    def figures(networks, given: FigureInputs) -> dict:
        return {
            "latent_manifold": _latent_manifold(networks["decoder"], label),
            "interpolations": _interpolations(networks, given.test_x, given.test_labels, label),
        }

    return figures


def _latent_manifold(decoder, label: str):
    """Images decoded over a 20×20 grid of the 2-D prior's quantiles (Kingma & Welling, fig. 4);
    with a larger code, the grid spans the first two dimensions, the others held at 0."""
    n = 20
    quantiles = norm.ppf(np.linspace(0.05, 0.95, n)).astype(np.float32)
    grid = np.zeros((n * n, decoder.input_shape[-1]), np.float32)
    grid[:, :2] = [[x, y] for y in quantiles[::-1] for x in quantiles]
    return image_grid(predict(decoder, grid), f"{label} latent manifold over z_0, z_1 (prior quantiles)", ncols=n)


def _interpolations(networks, test_x: np.ndarray, test_labels: np.ndarray, label: str):
    """Straight lines between the posterior means of the first test 0 and 5, 1 and 6, …, decoded
    (data without all ten classes: the first ten test images, in pairs); each row between the two
    test images themselves, so that it shows which images it joins (and how far the decoded ends
    are from them)."""
    firsts = {d: int(np.flatnonzero(test_labels == d)[0]) for d in range(N_DIGITS) if np.any(test_labels == d)}
    order = [firsts[d] for d in range(N_DIGITS)] if len(firsts) == N_DIGITS else list(range(N_DIGITS))
    starts, ends = order[:5], order[5:]
    z_mean = encode(networks, test_x[starts + ends])
    weights = np.linspace(0, 1, 10, dtype=np.float32)[None, :, None]
    path = (1 - weights) * z_mean[:5, None] + weights * z_mean[5:, None]  # 5 pairs × 10 steps × d
    decoded = predict(networks["decoder"], path.reshape(-1, z_mean.shape[1])).reshape(5, 10, 28, 28)
    rows = np.concatenate([test_x[starts][:, None], decoded, test_x[ends][:, None]], axis=1)  # 5 × 12 images
    return image_grid(
        rows.reshape(-1, 28, 28), f"{label} interpolations between test digits (shown at the ends)", ncols=12
    )


def negative_elbo(networks, images: np.ndarray, params: VariationalParams, seed: int) -> np.ndarray:
    """−ELBO per image (nats): an upper bound on −log p(x)."""
    return -variational.elbo(networks["encoder"], networks["decoder"], images, seed)


def importance_weighted_nll(networks, images: np.ndarray, params: VariationalParams, seed: int) -> np.ndarray:
    """The importance-weighted −log p(x) per image (nats), ``iw_samples`` samples each."""
    return variational.importance_weighted_nll(
        networks["encoder"], networks["decoder"], images, params.iw_samples, seed
    ).nll


ANOMALY = AnomalyDetection({"neg_elbo": negative_elbo, "nll_iw": importance_weighted_nll})

# What an unconditional variational family declares besides its name, label, parameters,
# training and figures: ``Family(..., **UNCONDITIONAL)``.
UNCONDITIONAL = {
    "build": build,
    "binary_images": True,
    "networks": ("encoder", "decoder"),
    "encode": encode,
    "decode": decode,
    "samplers": (samplers.prior, samplers.mixture),
    "epoch_image": "reconstructions",
    "metrics": metrics,
    "figure_names": FIGURE_NAMES,
    "anomaly": ANOMALY,
}
