"""The conditional VAE (Sohn et al. 2015): encoder q(z|x, y) and decoder p(x|z, y) both read
the digit y; the loss and the evaluation are the VAE's, conditioned on the true digit."""

from __future__ import annotations

import numpy as np

from deepgen import reporting
from deepgen.models import blocks, predict, vae
from deepgen.training import compile_model, fit_epochs

from . import samplers
from .conditional import digit_grid
from .contract import N_DIGITS, Family, FigureInputs, TrainingResult
from .vae import VariationalParams
from .vae import metrics as variational_metrics

STYLE_EXAMPLES = 8  # test digits in the style-transfer figure


class CVAEParams(VariationalParams):
    pass


def build(params: CVAEParams) -> dict:
    return {
        "encoder": vae.build_encoder(params.latent_dim, params.architecture, params.hidden_units, conditional=True),
        "decoder": blocks.build_decoder(params.latent_dim, params.architecture, params.hidden_units, conditional=True),
    }


def train(
    networks, train_x, validation_x, params: CVAEParams, seed: int, callbacks: list, train_labels, validation_labels
) -> TrainingResult:
    """The VAE's training on (image, digit) batches."""
    model = vae.VAE(**networks, beta=params.beta, reconstruction=params.reconstruction, seed=seed)
    compile_model(model, params)
    digits, validation_digits = train_labels.astype(np.int32), validation_labels.astype(np.int32)
    history, stats = fit_epochs(model, params, train_x, digits, (validation_x, validation_digits), callbacks)
    return TrainingResult(history, stats)


def encode(networks, images: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """The posterior means of q(z|x, y)."""
    return predict(networks["encoder"], [images, digits])[0]


def decode(networks, codes: np.ndarray, digits: np.ndarray) -> np.ndarray:
    return predict(networks["decoder"], [codes, digits])


def metrics(networks, test_x: np.ndarray, test_labels: np.ndarray, params: CVAEParams, seed: int) -> dict:
    """The VAE's ELBO and IW-NLL, conditioned on each test image's digit."""
    return variational_metrics(networks, test_x, test_labels, params, seed, digits=test_labels.astype(np.int32))


def figures(networks, given: FigureInputs) -> dict:
    return {
        "digit_grid": digit_grid(FAMILY, networks, networks["decoder"].input_shape[0][-1]),
        "style_transfer": _style_transfer(networks, given.test_x, given.test_labels),
    }


def _style_transfer(networks, test_x: np.ndarray, test_labels: np.ndarray):
    """Test digits encoded with their own label, then decoded as each of the ten digits: the
    code keeps what the label does not say (slant, stroke width)."""
    _, first = np.unique(test_labels, return_index=True)  # the first test image of each digit
    examples, labels = test_x[first[:STYLE_EXAMPLES]], test_labels[first[:STYLE_EXAMPLES]].astype(np.int32)
    codes = encode(networks, examples, labels)
    digits = np.tile(np.arange(N_DIGITS, dtype=np.int32), len(examples))
    decoded = decode(networks, np.repeat(codes, N_DIGITS, axis=0), digits).reshape(len(examples), N_DIGITS, 28, 28)
    rows = {
        f"test {label}": np.concatenate([image[None], row])
        for image, label, row in zip(examples, labels, decoded, strict=True)
    }
    return reporting.labelled_rows(rows, "CVAE style transfer: a test digit (left), decoded as 0–9")


FAMILY = Family(
    name="cvae",
    label="CVAE",
    params=CVAEParams,
    build=build,
    train=train,
    networks=("encoder", "decoder"),
    encode=encode,
    decode=decode,
    samplers=(samplers.prior,),
    conditional=True,
    epoch_image="reconstructions",
    metrics=metrics,
    figures=figures,
    figure_names=("digit_grid", "style_transfer"),
)
