"""The conditional VAE (Sohn et al. 2015): encoder q(z|x, y) and decoder p(x|z, y) both read
the digit y; the loss and the evaluation are the VAE's, conditioned on the true digit."""

from __future__ import annotations

import numpy as np

from deepgen.figures import labelled_rows
from deepgen.models import blocks, predict, variational

from .shared import samplers, vae_base
from .shared.conditional import digit_grid
from .shared.contract import N_DIGITS, Family, FigureInputs

STYLE_EXAMPLES = 8  # test digits in the style-transfer figure


class CVAEParams(vae_base.VariationalParams):
    pass


def build(params: CVAEParams) -> dict:
    return {
        "encoder": variational.build_encoder(
            params.latent_dim, params.architecture, params.hidden_units, conditional=True
        ),
        "decoder": blocks.build_decoder(params.latent_dim, params.architecture, params.hidden_units, conditional=True),
    }


def encode(networks, images: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """The posterior means of q(z|x, y)."""
    return predict(networks["encoder"], [images, digits])[0]


def decode(networks, codes: np.ndarray, digits: np.ndarray) -> np.ndarray:
    return predict(networks["decoder"], [codes, digits])


def metrics(networks, test_x: np.ndarray, test_labels: np.ndarray, params: CVAEParams, seed: int) -> dict:
    """The VAE's ELBO and IW-NLL, conditioned on each test image's digit."""
    return vae_base.likelihood_metrics(networks, test_x, params, seed, digits=test_labels.astype(np.int32))


def figures(networks, given: FigureInputs) -> dict:
    return {
        "digit_grid": digit_grid(given.family, networks, given.params),
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
    return labelled_rows(rows, "CVAE style transfer: a test digit (left), decoded as 0–9")


FAMILY = Family(
    name="cvae",
    label="CVAE",
    params=CVAEParams,
    build=build,
    train=vae_base.train,
    networks=("encoder", "decoder"),
    encode=encode,
    decode=decode,
    samplers=(samplers.prior,),
    conditional=True,
    binary_images=True,
    epoch_image="reconstructions",
    metrics=metrics,
    figures=figures,
    figure_names=("digit_grid", "style_transfer"),
)
