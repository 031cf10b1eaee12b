"""What the variational families (the VAE, the CVAE) share: their parameters, their training on
the ELBO and their likelihood metrics. Not a family itself."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, PositiveInt

from deepgen.models import variational
from deepgen.params import AutoencodingParams
from deepgen.training import compile_model, fit_epochs

from .contract import TrainingData, TrainingResult


class VariationalParams(AutoencodingParams):
    """The VAE's and the CVAE's keys."""

    beta: float = Field(ge=0)  # weight of the KL term
    reconstruction: Literal["bce", "mse"]  # Bernoulli log-likelihood or the tutorial's 784·MSE
    iw_samples: PositiveInt  # K, importance samples per test image for nll_iw

    RESUMABLE_CHANGES = AutoencodingParams.RESUMABLE_CHANGES | {"iw_samples"}


def train(networks, data: TrainingData, params: VariationalParams, seed: int, callbacks: list) -> TrainingResult:
    """The ELBO (with ``beta`` on the KL term). Conditional networks train on (image, digit)
    batches; with ``data.targets`` (clean images for corrupted ``data.x``) a denoising VAE."""
    model = variational.VAE(**networks, beta=params.beta, reconstruction=params.reconstruction, seed=seed)
    compile_model(model, params)
    if model.conditional:
        second, validation_second = data.labels.astype(np.int32), data.validation_labels.astype(np.int32)
    else:
        second, validation_second = data.targets, data.validation_targets
    history, stats = fit_epochs(model, params, data.x, second, (data.validation_x, validation_second), callbacks)
    return TrainingResult(history, stats)


def likelihood_metrics(
    networks, test_x: np.ndarray, params: VariationalParams, seed: int, digits: np.ndarray | None = None
) -> dict:
    """Test ELBO and the importance-weighted estimate of −log p(x), nats per image, and the
    active units; given the test ``digits`` (the CVAE), all conditioned on them: log p(x|y)."""
    encoder, decoder = networks["encoder"], networks["decoder"]
    nll = variational.importance_weighted_nll(encoder, decoder, test_x, params.iw_samples, seed, digits)
    return {
        "elbo": float(np.mean(variational.elbo(encoder, decoder, test_x, seed, digits))),
        "nll_iw": float(np.mean(nll)),
        "active_units": variational.active_units(encoder, test_x, digits),
    }
