"""The tutorial's variational autoencoder: a Gaussian encoder q(z|x), the reparameterisation
trick and a Bernoulli decoder p(x|z), trained on reconstruction + beta·KL (the loss is in
``deepgen.models.vae``)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, PositiveInt
from scipy.stats import norm

from deepgen import reporting
from deepgen.models import blocks, predict, vae
from deepgen.params import AutoencodingParams, MixtureSampledParams
from deepgen.training import compile_model, fit_epochs

from . import samplers
from .contract import N_DIGITS, Family, FigureInputs, TrainingResult


class VariationalParams(AutoencodingParams):
    """The VAE's and the CVAE's keys."""

    beta: float = Field(ge=0)  # weight of the KL term
    reconstruction: Literal["bce", "mse"]  # Bernoulli log-likelihood or the tutorial's 784·MSE
    iw_samples: PositiveInt  # K, importance samples per test image for nll_iw

    RESUMABLE_CHANGES = AutoencodingParams.RESUMABLE_CHANGES | {"iw_samples"}


class VAEParams(VariationalParams, MixtureSampledParams):
    RESUMABLE_CHANGES = VariationalParams.RESUMABLE_CHANGES | MixtureSampledParams.RESUMABLE_CHANGES


def build(params: VAEParams) -> dict:
    return {
        "encoder": vae.build_encoder(params.latent_dim, params.architecture, params.hidden_units),
        "decoder": blocks.build_decoder(params.latent_dim, params.architecture, params.hidden_units),
    }


def train(
    networks,
    train_x,
    validation_x,
    params: VAEParams,
    seed: int,
    callbacks: list,
    train_targets=None,
    validation_targets=None,
) -> TrainingResult:
    """The ELBO; with targets (clean images for corrupted ``train_x``) a denoising VAE."""
    model = vae.VAE(**networks, beta=params.beta, reconstruction=params.reconstruction, seed=seed)
    compile_model(model, params)
    history, stats = fit_epochs(model, params, train_x, train_targets, (validation_x, validation_targets), callbacks)
    return TrainingResult(history, stats)


def encode(networks, images: np.ndarray) -> np.ndarray:
    """The posterior means."""
    return predict(networks["encoder"], images)[0]


def metrics(networks, test_x: np.ndarray, test_labels, params: VariationalParams, seed: int, digits=None) -> dict:
    """Test ELBO and the importance-weighted estimate of −log p(x), nats per image, and the
    active units; given the test ``digits`` (the CVAE), all conditioned on them: log p(x|y)."""
    encoder, decoder = networks["encoder"], networks["decoder"]
    nll = vae.importance_weighted_nll(encoder, decoder, test_x, params.iw_samples, seed, digits)
    return {
        "elbo": float(np.mean(vae.elbo(encoder, decoder, test_x, seed, digits))),
        "nll_iw": float(np.mean(nll)),
        "active_units": vae.active_units(encoder, test_x, digits),
    }


def figures(networks, given: FigureInputs) -> dict:
    return {
        "latent_manifold": _latent_manifold(networks["decoder"]),
        "interpolations": _interpolations(networks, given.test_x, given.test_labels),
    }


def _latent_manifold(decoder):
    """Images decoded over a 20×20 grid of the 2-D prior's quantiles (Kingma & Welling, fig. 4);
    with a larger code, the grid spans the first two dimensions, the others held at 0."""
    n = 20
    quantiles = norm.ppf(np.linspace(0.05, 0.95, n)).astype(np.float32)
    grid = np.zeros((n * n, decoder.input_shape[-1]), np.float32)
    grid[:, :2] = [[x, y] for y in quantiles[::-1] for x in quantiles]
    return reporting.image_grid(predict(decoder, grid), "VAE latent manifold over z_0, z_1 (prior quantiles)", ncols=n)


def _interpolations(networks, test_x: np.ndarray, test_labels: np.ndarray):
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
    title = "VAE interpolations between test digits (shown at the ends)"
    return reporting.image_grid(rows.reshape(-1, 28, 28), title, ncols=12)


def negative_elbo(networks, images: np.ndarray, params: VAEParams, seed: int) -> np.ndarray:
    """−ELBO per image (nats): an upper bound on −log p(x)."""
    return -vae.elbo(networks["encoder"], networks["decoder"], images, seed)


def importance_weighted_nll(networks, images: np.ndarray, params: VAEParams, seed: int) -> np.ndarray:
    """The importance-weighted −log p(x) per image (nats), ``iw_samples`` samples each."""
    return vae.importance_weighted_nll(networks["encoder"], networks["decoder"], images, params.iw_samples, seed)


FAMILY = Family(
    name="vae",
    label="VAE",
    params=VAEParams,
    build=build,
    train=train,
    networks=("encoder", "decoder"),
    encode=encode,
    decode=lambda networks, codes: predict(networks["decoder"], codes),
    samplers=(samplers.prior, samplers.mixture),
    epoch_image="reconstructions",
    metrics=metrics,
    figures=figures,
    figure_names=("latent_manifold", "interpolations"),
    anomaly_scores={"neg_elbo": negative_elbo, "nll_iw": importance_weighted_nll},
    denoises=True,
)
