"""Autoencoder nodes: train, embed, sample, evaluate, report."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from deepgen import evaluation, reporting
from deepgen.models import ae, predict
from deepgen.params import AEParams, EvaluatorParams
from deepgen.training import compile_model, fit_epochs, start_training


def train_autoencoder(
    train_x: np.ndarray, validation_x: np.ndarray, params: AEParams, seed: int
) -> tuple[keras.Model, keras.Model, dict, dict]:
    """Fit encoder and decoder jointly on pixel MSE; return both, the loss history and timing."""
    start_training(seed, params.deterministic)
    networks = ae.build(params)
    model = ae.build_autoencoder(**networks)
    compile_model(model, params, loss="mse")
    history, timing = fit_epochs(model, "ae", params, train_x, train_x, validation_data=(validation_x, validation_x))
    return networks["encoder"], networks["decoder"], history, timing


def embed_images(encoder: keras.Model, images: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """One row per image: its code ``z_0…z_k`` and its digit."""
    codes = predict(encoder, images)
    table = pd.DataFrame(codes, columns=[f"z_{i}" for i in range(codes.shape[1])])
    table["label"] = labels.astype(np.int64)
    return table


def sample_prior(decoder: keras.Model, params: AEParams, seed: int) -> np.ndarray:
    """Images decoded from N(0, I) codes, as in the tutorial."""
    return ae.sample(decoder, params.n_samples, seed)


def sample_latent_mixture(
    encoder: keras.Model, decoder: keras.Model, train_x: np.ndarray, params: AEParams, seed: int
) -> np.ndarray:
    """Images decoded from a Gaussian mixture fitted to the training codes: the AE's codes
    do not follow N(0, I), so this is the fair way to sample it."""
    return ae.sample_mixture(encoder, decoder, train_x, params.mixture_components, params.n_samples, seed)


def evaluate_autoencoder(  # noqa: PLR0913
    encoder: keras.Model,
    decoder: keras.Model,
    test_x: np.ndarray,
    prior_samples: np.ndarray,
    mixture_samples: np.ndarray,
    classifier: keras.Model,
    evaluator_params: EvaluatorParams,
    training: dict,
    params: AEParams,
) -> dict:
    """Test-set reconstruction, and sample quality for both samplers, beside the parameters."""
    reconstructions = predict(decoder, predict(encoder, test_x))
    k = evaluator_params.neighbours
    return {
        "model": "ae",
        "metrics": {
            "recon_mse": evaluation.recon_mse(test_x, reconstructions),
            "recon_bce": evaluation.recon_bce(test_x, reconstructions),
            **evaluation.score_images(classifier, prior_samples, test_x, k),
        },
        "mixture_metrics": evaluation.score_images(classifier, mixture_samples, test_x, k),
        "training": training,
        "parameters": params.model_dump(),
        "n_test_images": len(test_x),
    }


def plot_reconstructions(encoder: keras.Model, decoder: keras.Model, test_x: np.ndarray) -> Figure:
    originals = test_x[:16]
    return reporting.reconstruction_grid(originals, predict(decoder, predict(encoder, originals)), "AE")


def plot_latent_scatter(embeddings: pd.DataFrame) -> Figure:
    return reporting.latent_scatter(embeddings, "AE latent space of the test set")


def plot_samples(samples: np.ndarray) -> Figure:
    return reporting.image_grid(samples, "AE samples decoded from N(0, I)")


def plot_mixture_samples(samples: np.ndarray) -> Figure:
    return reporting.image_grid(samples, "AE samples decoded from a mixture fitted to training codes")


def plot_training_history(history: dict) -> Figure:
    return reporting.loss_curves(history, "AE training (MSE per pixel)")
