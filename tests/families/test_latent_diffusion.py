"""The latent diffusion family: its two stages in one training, its parameters, its samples."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from deepgen.families import FAMILIES
from deepgen.models import ddpm
from deepgen.models import latent_diffusion as latent_networks
from tests.conftest import base_params

TINY = {"widths": [8, 16], "units": 16, "blocks": 1, "embedding_dim": 8, "latent_dim": 4}


def test_the_autoencoder_trains_first_then_only_the_denoiser(mnist_batch):
    keras.utils.set_random_seed(0)
    params = base_params("latent_diffusion", **TINY, conditional=True)
    networks = FAMILIES["latent_diffusion"].build(params)
    model = latent_networks.LatentDiffusion(
        **networks,
        alpha_bars=ddpm.cosine_alpha_bars(),
        autoencoder_steps=2,
        code_noise=0.1,
        noise_draws=2,
        drop_digit=0.5,
        seed=0,
    )
    model.compile(autoencoder_optimizer=keras.optimizers.Adam(1e-2), denoiser_optimizer=keras.optimizers.Adam(1e-2))
    batch = (mnist_batch[:16], np.arange(16) % 10)

    def weights():
        return {name: [w.copy() for w in network.get_weights()] for name, network in networks.items()}

    def changed(before, after):
        return {name for name in before if any(not np.array_equal(b, a) for b, a in zip(before[name], after[name]))}

    stages = []
    for _ in range(4):
        before = weights()
        logs = model.train_on_batch(*batch, return_dict=True)
        stages.append(changed(before, weights()))
        assert np.isfinite(logs["reconstruction_loss"]) and np.isfinite(logs["denoising_loss"]), logs
    # The encoder's BatchNormalization keeps its moving statistics as weights: they move with it.
    assert stages == [{"encoder", "decoder"}] * 2 + [{"denoiser"}] * 2
    assert int(model.autoencoder_optimizer.iterations) == 2 and int(model.denoiser_optimizer.iterations) == 2


def test_codes_come_out_standardised_by_the_encoder():
    encoder = latent_networks.build_encoder(6, (8, 16))
    encoder.layers[-1].moving_mean.assign(np.full(6, 3.0))
    encoder.layers[-1].moving_variance.assign(np.full(6, 4.0))
    images = np.zeros((2, 28, 28), np.float32)  # the dense layer's bias starts at 0: codes of 0 before normalising
    assert np.allclose(encoder(images, training=False), (0 - 3.0) / np.sqrt(4.0 + 1e-3), atol=1e-4)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"autoencoder_steps": 7250}, r"autoencoder_steps \(7250\) must be fewer than steps \(7250\)"),
        ({"widths": [8, 16, 32]}, "at most 2 items"),
        ({"clip": 0}, "greater than 0"),
        ({"solver": "euler"}, "'ddim' or 'dpm_solver_2m'"),
        ({"conditional": True, "label_dropout": 0.0}, "guidance .* needs label_dropout > 0"),
    ],
)
def test_parameters_that_cannot_train_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        base_params("latent_diffusion", **settings)


@pytest.mark.parametrize("solver", ddpm.SOLVERS)
def test_samples_are_decoded_codes_the_same_for_a_seed_with_either_solver(solver):
    family = FAMILIES["latent_diffusion"]
    params = base_params("latent_diffusion", **TINY, sampling_steps=3, solver=solver)
    networks = family.build(params)
    draw = lambda seed: family.sample(family.samplers[0], networks, params, 6, seed, None)  # noqa: E731
    first, again, other = draw(1), draw(1), draw(2)
    assert first.shape == (6, 28, 28) and first.dtype == np.float32 and 0 <= first.min() <= first.max() <= 1
    assert np.array_equal(first, again) and not np.array_equal(first, other)


def test_a_shortened_block_keeps_both_stages_in_proportion():
    params = base_params("latent_diffusion").shortened(100, 10)
    assert (params.steps, params.autoencoder_steps, params.gen_interval, params.steps_per_execution) == (
        100,
        17,
        10,
        10,
    )
    assert base_params("latent_diffusion").shortened(2, 1).autoencoder_steps == 1
