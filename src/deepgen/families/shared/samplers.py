"""The samplers families share: images from the prior's noise, or decoded from a mixture
fitted to the training codes."""

from __future__ import annotations

import numpy as np

from .contract import Sampler


def _draw_prior(family, networks, params, n: int, seed: int, train_x: np.ndarray, digits=None) -> np.ndarray:
    return family.from_noise(networks, params, family.noise(params, n, seed), digits)


def _draw_mixture(family, networks, params, n: int, seed: int, train_x: np.ndarray, digits=None) -> np.ndarray:
    # An autoencoder's codes need not follow N(0, I): a mixture fitted to the training codes
    # samples where the decoder was trained.
    from sklearn.mixture import GaussianMixture

    # In float64: covariances fitted in float32 can fail NumPy's positive-semidefinite check
    # by rounding alone when it samples from them.
    codes = family.codes(networks, train_x, None).astype(np.float64)
    mixture = GaussianMixture(params.mixture_components, covariance_type="full", random_state=seed).fit(codes)
    z, _ = mixture.sample(n)  # grouped by component: shuffled so that grids show a mix
    z = np.random.default_rng(seed).permutation(z).astype(np.float32)
    return family.images(networks, z, digits)


prior = Sampler("prior", "N(0, I) samples", _draw_prior)
from_noise = Sampler("prior", "samples from noise", _draw_prior)  # the same draw, named as diffusion's are
mixture = Sampler("mixture", "mixture samples", _draw_mixture)
