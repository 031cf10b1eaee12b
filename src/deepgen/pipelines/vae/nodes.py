"""VAE nodes: train, embed, sample, evaluate, report."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.stats import norm

from deepgen import evaluation, reporting
from deepgen.models import predict, vae
from deepgen.params import EvaluatorParams, VAEParams
from deepgen.training import compile_model, fit_epochs, start_training


def train_vae(
    train_x: np.ndarray, validation_x: np.ndarray, params: VAEParams, seed: int
) -> tuple[keras.Model, keras.Model, dict, dict]:
    """Fit on reconstruction + beta·KL; return encoder, decoder, the per-epoch losses and timing."""
    start_training(seed, params.deterministic)
    networks = vae.build(params)
    model = vae.VAE(**networks, beta=params.beta, reconstruction=params.reconstruction, seed=seed)
    compile_model(model, params)
    history, timing = fit_epochs(model, "vae", params, train_x, None, validation_data=(validation_x,))
    return networks["encoder"], networks["decoder"], history, timing


def embed_images(encoder: keras.Model, images: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """One row per image: the posterior mean ``z_i``, its log-variance ``z_log_var_i``, the digit."""
    z_mean, z_log_var = predict(encoder, images)
    table = pd.DataFrame(
        np.hstack([z_mean, z_log_var]),
        columns=[f"z_{i}" for i in range(z_mean.shape[1])] + [f"z_log_var_{i}" for i in range(z_mean.shape[1])],
    )
    table["label"] = labels.astype(np.int64)
    return table


def sample_prior(decoder: keras.Model, params: VAEParams, seed: int) -> np.ndarray:
    return vae.sample(decoder, params.n_samples, seed)


def evaluate_vae(  # noqa: PLR0913
    encoder: keras.Model,
    decoder: keras.Model,
    test_x: np.ndarray,
    samples: np.ndarray,
    classifier: keras.Model,
    evaluator_params: EvaluatorParams,
    training: dict,
    params: VAEParams,
    seed: int,
) -> dict:
    """Reconstruction (from the posterior mean), ELBO, importance-weighted NLL and sample quality."""
    reconstructions = predict(decoder, predict(encoder, test_x)[0])
    return {
        "model": "vae",
        "metrics": {
            "recon_mse": evaluation.recon_mse(test_x, reconstructions),
            "recon_bce": evaluation.recon_bce(test_x, reconstructions),
            "elbo": float(np.mean(vae.elbo(encoder, decoder, test_x, seed))),
            "nll_iw": float(np.mean(vae.importance_weighted_nll(encoder, decoder, test_x, params.iw_samples, seed))),
            **evaluation.score_images(classifier, samples, test_x, evaluator_params.neighbours),
        },
        "training": training,
        "parameters": params.model_dump(),
        "n_test_images": len(test_x),
    }


def plot_reconstructions(encoder: keras.Model, decoder: keras.Model, test_x: np.ndarray) -> Figure:
    originals = test_x[:16]
    return reporting.reconstruction_grid(originals, predict(decoder, predict(encoder, originals)[0]), "VAE")


def plot_latent_scatter(embeddings: pd.DataFrame) -> Figure:
    return reporting.latent_scatter(embeddings, "VAE latent space of the test set (posterior means)")


def plot_latent_manifold(decoder: keras.Model) -> Figure:
    """Images decoded over a 20×20 grid of the 2-D prior's quantiles (Kingma & Welling, fig. 4);
    with a larger code, the grid spans the first two dimensions, the others held at 0."""
    n = 20
    quantiles = norm.ppf(np.linspace(0.05, 0.95, n)).astype(np.float32)
    grid = np.zeros((n * n, decoder.input_shape[-1]), np.float32)
    grid[:, :2] = [[x, y] for y in quantiles[::-1] for x in quantiles]
    return reporting.image_grid(predict(decoder, grid), "VAE latent manifold over z_0, z_1 (prior quantiles)", ncols=n)


def plot_interpolations(encoder: keras.Model, decoder: keras.Model, test_x: np.ndarray, test_labels: np.ndarray) -> Figure:
    """Straight lines between the posterior means of pairs of test digits, decoded."""
    starts = [int(np.flatnonzero(test_labels == d)[0]) for d in range(5)]
    ends = [int(np.flatnonzero(test_labels == d)[0]) for d in range(5, 10)]
    z_mean = predict(encoder, test_x[starts + ends])[0]
    weights = np.linspace(0, 1, 10, dtype=np.float32)[None, :, None]
    path = (1 - weights) * z_mean[:5, None] + weights * z_mean[5:, None]  # 5 pairs × 10 steps × d
    images = predict(decoder, path.reshape(-1, z_mean.shape[1]))
    return reporting.image_grid(images, "VAE interpolations between test digits (0→5, 1→6, …)", ncols=10)


def plot_samples(samples: np.ndarray) -> Figure:
    return reporting.image_grid(samples, "VAE samples from N(0, I)")


def plot_training_history(history: dict) -> Figure:
    return reporting.loss_curves(history, "VAE training (nats per image)")
