"""The tutorial's variational autoencoder: a Gaussian encoder q(z|x), the reparameterisation
trick and a Bernoulli decoder p(x|z), trained on reconstruction + beta·KL (the loss is in
``deepgen.models.variational``)."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from deepgen.figures import image_grid
from deepgen.models import blocks, predict, variational
from deepgen.params import MixtureSampledParams

from . import samplers, vae_base
from .contract import N_DIGITS, AnomalyDetection, Family, FigureInputs, Restoration, TutorialReference


class VAEParams(vae_base.VariationalParams, MixtureSampledParams):
    RESUMABLE_CHANGES = vae_base.VariationalParams.RESUMABLE_CHANGES | MixtureSampledParams.RESUMABLE_CHANGES


def build(params: VAEParams) -> dict:
    return {
        "encoder": variational.build_encoder(params.latent_dim, params.architecture, params.hidden_units),
        "decoder": blocks.build_decoder(params.latent_dim, params.architecture, params.hidden_units),
    }


def encode(networks, images: np.ndarray, labels=None) -> np.ndarray:
    """The posterior means."""
    return predict(networks["encoder"], images)[0]


def metrics(networks, test_x: np.ndarray, test_labels, params: VAEParams, seed: int) -> dict:
    return vae_base.likelihood_metrics(networks, test_x, params, seed)


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
    return image_grid(predict(decoder, grid), "VAE latent manifold over z_0, z_1 (prior quantiles)", ncols=n)


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
    return image_grid(rows.reshape(-1, 28, 28), title, ncols=12)


def tutorial_training(params: VAEParams, images: np.ndarray, epochs: int, clock) -> None:
    """The tutorial's: ``compile`` and ``fit`` with Keras' defaults."""
    model = variational.VAE(**build(params), beta=params.beta, reconstruction=params.reconstruction, seed=0)
    model.compile(optimizer="adam")
    model.fit(images, batch_size=params.batch_size, epochs=epochs, verbose=0, callbacks=[clock])


def negative_elbo(networks, images: np.ndarray, params: VAEParams, seed: int) -> np.ndarray:
    """−ELBO per image (nats): an upper bound on −log p(x)."""
    return -variational.elbo(networks["encoder"], networks["decoder"], images, seed)


def importance_weighted_nll(networks, images: np.ndarray, params: VAEParams, seed: int) -> np.ndarray:
    """The importance-weighted −log p(x) per image (nats), ``iw_samples`` samples each."""
    return variational.importance_weighted_nll(
        networks["encoder"], networks["decoder"], images, params.iw_samples, seed
    )


FAMILY = Family(
    name="vae",
    label="VAE",
    params=VAEParams,
    build=build,
    train=vae_base.train,
    networks=("encoder", "decoder"),
    encode=encode,
    decode=lambda networks, codes, digits: predict(networks["decoder"], codes),
    samplers=(samplers.prior, samplers.mixture),
    epoch_image="reconstructions",
    metrics=metrics,
    figures=figures,
    figure_names=("latent_manifold", "interpolations"),
    anomaly=AnomalyDetection({"neg_elbo": negative_elbo, "nll_iw": importance_weighted_nll}),
    restoration=Restoration(vae_base.train),
    tutorial=TutorialReference(tutorial_training),
)
