"""The samplers families share: decode draws from the prior, or from a mixture fitted to codes."""

from __future__ import annotations

import numpy as np

from .contract import Sampler


def _draw_prior(family, networks, params, n: int, seed: int, train_x: np.ndarray, digits=None) -> np.ndarray:
    z = np.random.default_rng(seed).standard_normal((n, params.latent_dim), dtype=np.float32)
    return family.images(networks, z, digits)


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
mixture = Sampler("mixture", "mixture samples", _draw_mixture)
