"""Autoencoder nodes: train, embed, sample, evaluate, report."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from deepgen import evaluation, reporting
from deepgen.models import ae, predict
from deepgen.params import AEParams
from deepgen.training import compile_options, history_dict, progress_verbosity, start_training


def train_autoencoder(
    train_x: np.ndarray, validation_x: np.ndarray, params: AEParams, seed: int
) -> tuple[keras.Model, keras.Model, dict]:
    """Fit encoder and decoder jointly on pixel MSE; return both and the loss history."""
    start_training(seed)
    networks = ae.build(params)
    model = ae.build_autoencoder(**networks)
    model.compile(loss="mse", **compile_options(params))
    history = model.fit(
        train_x,
        train_x,
        validation_data=(validation_x, validation_x),
        batch_size=params.batch_size,
        epochs=params.epochs,
        verbose=progress_verbosity(),
    )
    return networks["encoder"], networks["decoder"], history_dict(history)


def embed_images(encoder: keras.Model, images: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """One row per image: its code ``z_0…z_k`` and its digit."""
    codes = predict(encoder, images)
    table = pd.DataFrame(codes, columns=[f"z_{i}" for i in range(codes.shape[1])])
    table["label"] = labels.astype(np.int64)
    return table


def sample_prior(decoder: keras.Model, params: AEParams, seed: int) -> np.ndarray:
    """Images decoded from N(0, I) codes, as in the tutorial."""
    return ae.sample(decoder, params.n_samples, seed)


def evaluate_reconstruction(
    encoder: keras.Model, decoder: keras.Model, test_x: np.ndarray, params: AEParams
) -> dict:
    """Test-set reconstruction metrics, beside the parameters that produced them."""
    reconstructions = predict(decoder, predict(encoder, test_x))
    return {
        "model": "ae",
        "metrics": {
            "recon_mse": evaluation.recon_mse(test_x, reconstructions),
            "recon_bce": evaluation.recon_bce(test_x, reconstructions),
        },
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


def plot_training_history(history: dict) -> Figure:
    return reporting.loss_curves(history, "AE training (MSE per pixel)")
