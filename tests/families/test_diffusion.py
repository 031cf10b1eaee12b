"""The diffusion family: its schedule's closed forms, a training step, DDIM's determinism."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from deepgen.families import FAMILIES
from deepgen.models import ddpm
from tests.conftest import base_params

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_cosine_alpha_bars_fall_from_one_to_zero_as_their_betas_say():
    alpha_bars = ddpm.cosine_alpha_bars(1000)
    assert alpha_bars.shape == (1000,)
    assert np.all(np.diff(alpha_bars) < 0) and 0.99 < alpha_bars[0] < 1 and alpha_bars[-1] < 1e-4
    # Direct computation: f(t)/f(0) wherever no β was clipped.
    t = np.arange(1, 1001) / 1000
    f = np.cos((t + 0.008) / 1.008 * np.pi / 2) ** 2 / np.cos(0.008 / 1.008 * np.pi / 2) ** 2
    assert np.allclose(alpha_bars[:990], f[:990], rtol=1e-9)


def test_noised_images_have_the_moments_of_q():
    rng = np.random.default_rng(0)
    x0 = np.full((20000, 28, 28), 0.6, np.float32)
    noise = rng.standard_normal(x0.shape).astype(np.float32)
    alpha_bar = np.full(len(x0), 0.3, np.float32)
    x_t = np.asarray(ddpm.noised(x0, noise, alpha_bar))
    assert np.mean(x_t) == pytest.approx(np.sqrt(0.3) * 0.6, abs=2e-3)
    assert np.var(x_t) == pytest.approx(0.7, rel=2e-3)


def _tiny_denoiser(conditional=False):
    return ddpm.build_denoiser((16, 32), 32, 8, conditional)


def test_the_u_net_predicts_noise_of_the_images_shape():
    denoiser = _tiny_denoiser(conditional=True)
    out = denoiser([np.zeros((3, 28, 28), np.float32), np.array([0, 500, 999]), np.array([1, 2, ddpm.NULL_DIGIT])])
    assert out.shape == (3, 28, 28)


@pytest.mark.slow  # tracing the U-Net's training step takes ~8 s here
def test_training_steps_lower_the_loss_on_a_tiny_batch(mnist_batch):
    """Conditional: one in five images trains the unconditional step too (``drop_digit``); the
    unconditional network trains in its family slice."""
    import keras

    keras.utils.set_random_seed(0)
    model = ddpm.Diffusion(_tiny_denoiser(conditional=True), ddpm.cosine_alpha_bars(), drop_digit=0.2, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(2e-3))
    batch = (mnist_batch[:32] * 2 - 1, np.arange(32) % 10)
    first = model.train_on_batch(*batch, return_dict=True)["loss"]
    for _ in range(15):
        last = model.train_on_batch(*batch, return_dict=True)["loss"]
    assert last < 0.7 * first


def test_ddim_with_the_same_noise_gives_the_same_images_and_visits_the_steps_asked():
    sampler = ddpm.DiffusionSampler(_tiny_denoiser(), ddpm.cosine_alpha_bars(), batch_size=4)
    noise = np.random.default_rng(1).standard_normal((6, 28, 28), dtype=np.float32)
    first, kept = sampler(noise, 5, keep=(0, 4))
    again, _ = sampler(noise, 5)
    assert np.array_equal(first, again) and first.shape == (6, 28, 28)
    assert np.all(np.abs(first) <= 1) and set(kept) == {0, 4}
    assert np.array_equal(kept[4], first)  # the last step's predicted image is the sample
    assert ddpm.ddim_steps(5).tolist() == [999, 749, 500, 250, 0]


def test_guidance_moves_each_step_along_the_conditional_minus_the_unconditional_prediction():
    """Classifier-free guidance at w draws what an unguided sampler draws from a denoiser whose
    prediction is (1 + w)·ε̂(x, digit) − w·ε̂(x, ∅), built here by hand: away from the
    unconditional prediction, towards the digit (a flipped sign would draw other images)."""
    denoiser = _tiny_denoiser(conditional=True)
    rng = np.random.default_rng(3)  # its output layer starts at zero: any input would predict no noise
    denoiser.set_weights([rng.normal(0, 0.1, w.shape).astype(np.float32) for w in denoiser.get_weights()])
    w = 2.0
    x, step, digit = keras.Input((28, 28)), keras.Input((), dtype="int32"), keras.Input((), dtype="int32")
    no_digit = keras.layers.Lambda(lambda d: keras.ops.full_like(d, ddpm.NULL_DIGIT))(digit)
    by_hand = keras.Model([x, step, digit], (1 + w) * denoiser([x, step, digit]) - w * denoiser([x, step, no_digit]))
    noise = np.random.default_rng(2).standard_normal((4, 28, 28), dtype=np.float32)
    digits = np.array([1, 2, 3, 4], np.int32)
    guided, _ = ddpm.DiffusionSampler(denoiser, ddpm.cosine_alpha_bars())(noise, 3, digits=digits, guidance=w)
    expected, _ = ddpm.DiffusionSampler(by_hand, ddpm.cosine_alpha_bars())(noise, 3, digits=digits, guidance=0.0)
    unguided, _ = ddpm.DiffusionSampler(denoiser, ddpm.cosine_alpha_bars())(noise, 3, digits=digits, guidance=0.0)
    np.testing.assert_allclose(guided, expected, atol=1e-5)
    assert not np.allclose(guided, unguided, atol=1e-3)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"latent_dim": 100}, "latent_dim must be 784"),
        ({"widths": [12, 32]}, r"every width \(\[12, 32\]\) must be a multiple of groups \(8\)"),
        ({"steps": 2100}, r"steps \(2100\) must be a multiple of gen_interval"),
        ({"conditional": True, "label_dropout": 0.0}, "guidance .* needs label_dropout > 0"),
        ({"guidance": -1}, "greater than or equal to 0"),
    ],
)
def test_parameters_that_cannot_train_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        base_params("diffusion", **settings)


def test_its_parameters_make_the_family_conditional_or_not():
    family = FAMILIES["diffusion"]
    assert not family.conditional and family.may_be_conditional
    assert family.configured(base_params("diffusion")) is family
    conditional = family.configured(base_params("diffusion", conditional=True))
    assert conditional.conditional and conditional.label == "Diffusion, conditional"
    assert conditional.default_digits(12).tolist() == [*range(10), 0, 1]
    assert not FAMILIES["dcgan"].may_be_conditional and FAMILIES["cdcgan"].may_be_conditional


def test_the_family_draws_the_same_images_for_the_same_seed_and_others_for_another():
    family = FAMILIES["diffusion"]
    params = base_params("diffusion", widths=[16, 32], sampling_steps=4)
    networks = family.build(params)
    draw = lambda seed: family.sample(family.samplers[0], networks, params, 6, seed, None)  # noqa: E731
    first, again, other = draw(1), draw(1), draw(2)
    assert first.shape == (6, 28, 28) and first.dtype == np.float32 and 0 <= first.min() <= first.max() <= 1
    assert np.array_equal(first, again) and not np.array_equal(first, other)


@pytest.mark.slow
def test_a_checkpoint_restores_the_moving_average_that_samples(tmp_path, mnist_batch):
    import keras

    from deepgen.training import TrainingCheckpoint

    def model():
        keras.utils.set_random_seed(0)
        denoising = ddpm.Diffusion(_tiny_denoiser(), ddpm.cosine_alpha_bars(), seed=0)
        denoising.compile(optimizer=keras.optimizers.Adam(1e-2, use_ema=True, ema_momentum=0.5))
        return denoising

    images = mnist_batch[:32] * 2 - 1
    trained = model()
    trained.fit(images, batch_size=16, epochs=1, callbacks=[TrainingCheckpoint(str(tmp_path))], verbose=0)
    resumed = model()  # its one epoch is done: it restores, trains nothing, and ends on the average
    resumed.fit(images, batch_size=16, epochs=1, callbacks=[TrainingCheckpoint(str(tmp_path))], verbose=0)
    for restored, saved in zip(resumed.denoiser.get_weights(), trained.denoiser.get_weights(), strict=True):
        np.testing.assert_array_equal(restored, saved)


class _GaussianDataDenoiser:
    """The exact noise prediction when the data are N(0, s² I): E[ε | x_t] = σ_t x_t / (ᾱ_t s² + σ_t²).
    The probability-flow ODE then carries noise x_T to s·x_T / √(ᾱ_T s² + 1 − ᾱ_T) exactly."""

    def __init__(self, alpha_bars, s):
        import tensorflow as tf

        self.alpha_bars, self.s = tf.constant(alpha_bars, tf.float32), s

    def __call__(self, inputs, training=False):
        import tensorflow as tf

        x, steps = inputs
        alpha_bar = tf.reshape(tf.gather(self.alpha_bars, steps), (-1, 1))
        return tf.sqrt(1 - alpha_bar) * x / (alpha_bar * self.s**2 + 1 - alpha_bar)


def test_the_solvers_converge_to_the_odes_solution_at_their_order():
    """Four times the steps: DDIM's error falls about four times (first order), DPM-Solver++(2M)'s
    about sixteen (second order)."""
    alpha_bars, s = ddpm.cosine_alpha_bars(), 0.5
    sampler = ddpm.DiffusionSampler(_GaussianDataDenoiser(alpha_bars, s), alpha_bars, clip=100.0)
    noise = np.random.default_rng(0).standard_normal((50, 4), dtype=np.float32)
    exact = s * noise / np.sqrt(alpha_bars[-1] * s**2 + 1 - alpha_bars[-1])

    def error(solver, n_steps):
        return np.abs(sampler(noise, n_steps, solver=solver)[0] - exact).max()

    ddim, second_order = (
        error("ddim", 50) / error("ddim", 200),
        error("dpm_solver_2m", 50) / error("dpm_solver_2m", 200),
    )
    assert 3 < ddim < 6 and second_order > 10, (ddim, second_order)


def test_ddim_coefficients_are_its_update_and_an_unknown_solver_is_refused():
    alpha_bars = ddpm.cosine_alpha_bars()
    steps = ddpm.ddim_steps(4)
    a, b, c, e = ddpm.solver_coefficients(alpha_bars, steps, "ddim").T
    assert np.all(a == 0) and np.all(c == 0)
    assert np.allclose(b, np.sqrt(np.append(alpha_bars[steps[1:]], 1))) and e[-1] == 0
    with pytest.raises(ValueError, match="solver must be one of"):
        ddpm.solver_coefficients(alpha_bars, steps, "euler")


def test_min_snr_weights_leave_the_noisy_steps_and_damp_the_clean_ones():
    alpha_bars = ddpm.cosine_alpha_bars()
    assert np.all(ddpm.loss_weights(alpha_bars, None) == 1)
    weights = ddpm.loss_weights(alpha_bars, 5.0)
    snr = alpha_bars / (1 - alpha_bars)
    assert np.all(weights[snr <= 5] == 1) and np.allclose(weights[snr > 5], 5 / snr[snr > 5])
    assert weights[0] < 1e-3 and np.all(np.diff(weights) >= 0)  # the cleanest step counts least
