"""The families over an autoencoder's codes, latent diffusion and flow matching: their two
stages in one training, their parameters, their samples; the flow's solvers against a flow
known in closed form."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from deepgen.families import FAMILIES
from deepgen.models import ddpm, flow, latent
from deepgen.models.latent_diffusion import LatentDiffusion
from tests.conftest import base_params

TINY = {"widths": [8, 16], "units": 16, "blocks": 1, "embedding_dim": 8, "latent_dim": 4}
MODELS = {
    "latent_diffusion": (LatentDiffusion, "denoiser", {"alpha_bars": ddpm.cosine_alpha_bars()}),
    "flow_matching": (flow.LatentFlow, "velocity", {"time_sampling": "logit_normal", "coupling": "minibatch_ot"}),
}


@pytest.mark.parametrize("name", MODELS)
def test_the_autoencoder_trains_first_then_only_the_prior(name, mnist_batch):
    model_class, prior, extra = MODELS[name]
    keras.utils.set_random_seed(0)
    params = base_params(name, **TINY, conditional=True)
    networks = FAMILIES[name].build(params)
    model = model_class(
        networks["encoder"],
        networks["decoder"],
        networks[prior],
        autoencoder_steps=2,
        code_noise=0.1,
        noise_draws=2,
        drop_digit=0.5,
        seed=0,
        **extra,
    )
    model.compile(autoencoder_optimizer=keras.optimizers.Adam(1e-2), prior_optimizer=keras.optimizers.Adam(1e-2))
    batch = (mnist_batch[:16], np.arange(16) % 10)

    def weights():
        return {key: [w.copy() for w in network.get_weights()] for key, network in networks.items()}

    def changed(before, after):
        return {key for key in before if any(not np.array_equal(b, a) for b, a in zip(before[key], after[key]))}

    stages = []
    for _ in range(4):
        before = weights()
        logs = model.train_on_batch(*batch, return_dict=True)
        stages.append(changed(before, weights()))
        assert np.isfinite(logs["reconstruction_loss"]) and np.isfinite(logs[model.PRIOR_LOSS]), logs
    # The encoder's BatchNormalization keeps its moving statistics as weights: they move with it.
    assert stages == [{"encoder", "decoder"}] * 2 + [{prior}] * 2
    assert int(model.autoencoder_optimizer.iterations) == 2 and int(model.prior_optimizer.iterations) == 2


def _flow(conditional: bool) -> flow.LatentFlow:
    networks = FAMILIES["flow_matching"].build(base_params("flow_matching", **TINY, conditional=conditional))
    return flow.LatentFlow(*networks.values(), autoencoder_steps=1, code_noise=0.0, seed=0, coupling="minibatch_ot")


def test_minibatch_transport_pairs_codes_with_near_noises_and_keeps_to_each_digit():
    rng = np.random.default_rng(0)
    codes, noise = rng.standard_normal((2, 256, 4)).astype(np.float32)
    partners = np.asarray(_flow(conditional=False)._transport_partners(codes, noise, None))
    random_cost = np.mean(np.sum((codes - noise) ** 2, axis=1))
    transport_cost = np.mean(np.sum((codes - noise[partners]) ** 2, axis=1))
    assert transport_cost < 0.6 * random_cost  # a Sinkhorn of the wrong sign pairs farther than at random
    assert len(np.unique(partners)) > 0.5 * len(partners)  # close to a permutation: the noises stay a normal draw

    digits = np.arange(256) % 3
    partners = np.asarray(_flow(conditional=True)._transport_partners(codes, noise, digits))
    np.testing.assert_array_equal(digits[partners], digits)


def test_flow_training_choices_outside_the_lists_are_refused():
    networks = FAMILIES["flow_matching"].build(base_params("flow_matching", **TINY))
    with pytest.raises(ValueError, match="coupling one of .* and 'sinkhorn'"):
        flow.LatentFlow(*networks.values(), autoencoder_steps=1, code_noise=0.0, coupling="sinkhorn")


def test_codes_come_out_standardised_by_the_encoder():
    encoder = latent.build_encoder(6, (8, 16))
    encoder.layers[-1].moving_mean.assign(np.full(6, 3.0))
    encoder.layers[-1].moving_variance.assign(np.full(6, 4.0))
    images = np.zeros((2, 28, 28), np.float32)  # the dense layer's bias starts at 0: codes of 0 before normalising
    assert np.allclose(encoder(images, training=False), (0 - 3.0) / np.sqrt(4.0 + 1e-3), atol=1e-4)


@pytest.mark.parametrize(
    ("name", "settings", "message"),
    [
        ("latent_diffusion", {"autoencoder_steps": 8500}, r"autoencoder_steps \(8500\) must be fewer than steps"),
        ("flow_matching", {"widths": [8, 16, 32]}, "at most 2 items"),
        ("latent_diffusion", {"clip": 0}, "greater than 0"),
        ("latent_diffusion", {"solver": "euler"}, "'ddim' or 'dpm_solver_2m'"),
        ("latent_diffusion", {"sampling_steps": 1001}, "less than or equal to 1000"),
        ("flow_matching", {"solver": "ddim"}, "'euler' or 'heun'"),
        ("flow_matching", {"conditional": True, "label_dropout": 0.0}, "guidance .* needs label_dropout > 0"),
    ],
)
def test_parameters_that_cannot_train_are_refused(name, settings, message):
    with pytest.raises(ValueError, match=message):
        base_params(name, **settings)


@pytest.mark.parametrize(
    ("name", "solver"), [("latent_diffusion", s) for s in ddpm.SOLVERS] + [("flow_matching", s) for s in flow.SOLVERS]
)
def test_samples_are_decoded_codes_the_same_for_a_seed_with_every_solver(name, solver):
    family = FAMILIES[name]
    params = base_params(name, **TINY, sampling_steps=3, solver=solver)
    networks = family.build(params)
    draw = lambda seed: family.sample(family.samplers[0], networks, params, 6, seed, None)  # noqa: E731
    first, again, other = draw(1), draw(1), draw(2)
    assert first.shape == (6, 28, 28) and first.dtype == np.float32 and 0 <= first.min() <= first.max() <= 1
    assert np.array_equal(first, again) and not np.array_equal(first, other)


@pytest.mark.parametrize("name", MODELS)
def test_a_shortened_block_keeps_both_stages_in_proportion(name):
    base = base_params(name)
    params = base.shortened(100, 10)
    in_proportion = round(100 * base.autoencoder_steps / base.steps)
    assert (params.steps, params.autoencoder_steps, params.gen_interval, params.steps_per_execution) == (
        100,
        in_proportion,
        10,
        10,
    )
    assert base_params(name).shortened(2, 1).autoencoder_steps == 1


# --- the flow's solvers on Gaussian data, whose optimal straight-path velocity is known ----------
# Codes x₀ ~ N(m, s²) per dimension and x_t = (1 − t)·x₀ + t·ε: the velocity E[ε − x₀ | x_t] is
# linear in x_t, and its flow carries the noise x₁ to m + s·x₁ at t = 0 exactly. Step counts
# that divide 999 put every time the solver visits on a level the network reads.
MEAN, SPREAD = 1.5, 0.4


def _exact_velocity(dimensions: int) -> keras.Model:
    def velocity(inputs):
        x, levels = inputs
        t = keras.ops.cast(levels, "float32")[:, None] / (flow.TIME_LEVELS - 1)
        a, b = 1 - t, t
        variance = a**2 * SPREAD**2 + b**2
        centred = (x - a * MEAN) / variance
        return b * centred - (MEAN + a * SPREAD**2 * centred)

    codes, levels = keras.Input((dimensions,)), keras.Input((), dtype="int32")
    return keras.Model([codes, levels], keras.layers.Lambda(velocity)([codes, levels]))


def test_euler_is_first_order_and_heun_second():
    noise = np.random.default_rng(0).standard_normal((200, 3), dtype=np.float32)
    sampler, exact = flow.FlowSampler(_exact_velocity(3)), MEAN + SPREAD * noise

    def error(solver: str, n_steps: int) -> float:
        return float(np.max(np.abs(sampler(noise, n_steps, solver=solver)[0] - exact)))

    for solver, order in (("euler", 1), ("heun", 2)):
        ratio = error(solver, 9) / error(solver, 27)  # three times the steps
        assert 3**order * 0.7 < ratio < 3**order * 1.5, (solver, ratio)
