import keras
import numpy as np
import pytest
from kedro_datasets.tensorflow import TensorFlowModelDataset
from keras import ops

from deepgen.families import FAMILIES
from deepgen.families.vae import VAEParams
from deepgen.models import blocks, variational
from tests.conftest import base_params

FAMILY = FAMILIES["vae"]


def test_kl_of_the_prior_is_zero():
    z = np.zeros((4, 3), np.float32)
    np.testing.assert_allclose(ops.convert_to_numpy(variational.kl_divergence(z, z)), 0, atol=1e-7)


def test_kl_closed_form():
    z_mean, z_log_var = np.array([[1.0, 0.0]], np.float32), np.array([[0.0, np.log(4.0)]], np.float32)
    expected = 0.5 * (1.0) + 0.5 * (4.0 - 1 - np.log(4.0))  # Σ ½(μ² + σ² − 1 − log σ²)
    np.testing.assert_allclose(
        ops.convert_to_numpy(variational.kl_divergence(z_mean, z_log_var)), [expected], rtol=1e-6
    )


def test_bernoulli_nll_is_summed_binary_cross_entropy_of_the_logits():
    x = np.array([[[1.0, 0.0, 1.0]]], np.float32)
    p = np.array([0.8, 0.3, 1 - 1e-12])
    logits = np.log(p / (1 - p)).astype(np.float32)[None, None]
    expected = -np.log(0.8) - np.log(0.7) - np.log1p(-1e-12)  # a probability float32 would round to 1
    np.testing.assert_allclose(ops.convert_to_numpy(variational.bernoulli_nll(x, logits)), [expected], rtol=1e-6)
    far = np.array([[[200.0, -200.0, -200.0]]], np.float32)  # σ(±200) is 1 and 0 in float32: costs 0, 0, 200
    np.testing.assert_allclose(ops.convert_to_numpy(variational.bernoulli_nll(x, far)), [200.0])


def _trained(params: VAEParams, x: np.ndarray, epochs: int) -> tuple[variational.VAE, dict]:
    keras.utils.set_random_seed(0)
    model = variational.VAE(**FAMILY.build(params), beta=params.beta, reconstruction=params.reconstruction, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = model.fit(x, batch_size=32, epochs=epochs, verbose=0)
    return model, history.history


@pytest.mark.parametrize("reconstruction", ["bce", "mse"])
def test_training_lowers_the_loss_and_tracks_its_terms(mnist_batch, reconstruction):
    model, history = _trained(base_params("vae", reconstruction=reconstruction), mnist_batch, epochs=4)
    assert set(history) == {"loss", "reconstruction_loss", "kl_loss"}
    assert history["loss"][-1] < 0.8 * history["loss"][0]
    np.testing.assert_allclose(
        np.array(history["loss"]), np.array(history["reconstruction_loss"]) + np.array(history["kl_loss"]), rtol=1e-4
    )
    if reconstruction == "bce":  # a likelihood: the IW estimate of the trained model
        _check_iw_estimate(model, mnist_batch[:64])


def _check_iw_estimate(model, x):
    """The importance-weighted −log p(x) is at most −ELBO, is −ELBO with one sample, and the
    bounds of its first 1, 5 and 50 of 200 samples tighten towards it."""
    elbo = variational.elbo(model.encoder, model.decoder, x, seed=0).mean()
    estimate = variational.importance_weighted_nll(model.encoder, model.decoder, x, k=200, seed=0)
    one_sample = variational.importance_weighted_nll(model.encoder, model.decoder, x, k=1, seed=0).nll.mean()
    summary = estimate.summary()
    assert summary["nll_iw"] <= -elbo
    assert one_sample == pytest.approx(-elbo, rel=0.02)  # with one sample the bound is the ELBO
    assert summary["iw_bound_1"] < summary["iw_bound_5"] < summary["iw_bound_50"] < -summary["nll_iw"]
    assert summary["nll_iw_se"] == pytest.approx(estimate.nll.std(ddof=1) / 8)


# --- the importance-weighted estimate against a likelihood known in closed form -----------------
# One pixel of the image is 1 with probability Φ(a·z + b), z ~ N(0, 1) in one dimension; the
# other 783 are 1 with probability ½ whatever z. Then p(x₀ = 1) = Φ(b / √(1 + a²)), and log p(x)
# = log p(x₀) + 783·log ½ exactly. The encoder proposes q(z|x) = N(0.3, 1.5²) for every image:
# neither the prior nor the posterior, so the estimate is right only if it weighs each draw by
# p(z) / q(z|x) (a proposal equal to the prior would hide a missing or swapped term), and the
# bound is loose at K = 1 and tightens as K grows.

SLOPE, OFFSET = 3.0, 0.5
PROPOSAL_MEAN, PROPOSAL_SD = 0.3, 1.5


def _probit_logit(z):
    """log Φ(u) − log Φ(−u) at u = a·z + b, in float64: Φ(u) rounds to 1 well before the logit is large."""
    u = (SLOPE * ops.cast(z, "float64") + OFFSET) / np.sqrt(2)
    return ops.cast(ops.log(0.5 * ops.erfc(-u)) - ops.log(0.5 * ops.erfc(u)), "float32")


def _toy_networks() -> tuple[keras.Model, keras.Model]:
    images = keras.Input((28, 28))
    flat = keras.layers.Flatten()(images)
    constant = {"kernel_initializer": "zeros"}
    z_mean = keras.layers.Dense(1, bias_initializer=keras.initializers.Constant(PROPOSAL_MEAN), **constant)(flat)
    log_var = keras.initializers.Constant(2 * np.log(PROPOSAL_SD))
    z_log_var = keras.layers.Dense(1, bias_initializer=log_var, **constant)(flat)
    encoder = keras.Model(images, [z_mean, z_log_var])
    z = keras.Input((1,))
    logit = keras.layers.Lambda(_probit_logit)(z)
    others = keras.layers.Lambda(lambda t: ops.zeros((ops.shape(t)[0], 783)))(z)  # logit 0: probability ½
    logits = keras.layers.Reshape((28, 28), name=blocks.LOGITS)(keras.layers.Concatenate()([logit, others]))
    return encoder, keras.Model(z, keras.layers.Activation("sigmoid")(logits))


def test_the_iw_estimate_converges_to_a_likelihood_known_in_closed_form():
    from scipy.stats import norm

    rng = np.random.default_rng(0)
    images = (rng.random((200, 28, 28)) < 0.5).astype(np.float32)
    p_on = norm.cdf(OFFSET / np.sqrt(1 + SLOPE**2))
    first = images[:, 0, 0]
    truth = -(np.where(first == 1, np.log(p_on), np.log(1 - p_on)) + 783 * np.log(0.5))
    encoder, decoder = _toy_networks()
    errors = {
        k: variational.importance_weighted_nll(encoder, decoder, images, k, seed=1).nll.mean() - truth.mean()
        for k in (1, 10, 1000)
    }
    assert errors[1] > errors[10] > errors[1000] > -0.01  # an upper bound on -log p(x), tightening with K
    assert errors[1] > 0.3 and abs(errors[1000]) < 0.01


@pytest.mark.slow  # a conv network saved and loaded: seconds, and the slices save networks too
def test_conv_variant_and_catalog_round_trip(tmp_path, mnist_batch):
    model, _ = _trained(base_params("vae", architecture="conv", latent_dim=3), mnist_batch[:64], epochs=1)
    for name, net, probe in [
        ("encoder", model.encoder, mnist_batch[:8]),
        ("decoder", model.decoder, np.random.default_rng(0).standard_normal((8, 3)).astype(np.float32)),
    ]:
        dataset = TensorFlowModelDataset(filepath=str(tmp_path / f"{name}.keras"), load_args={"compile": False})
        dataset.save(net)
        for got, want in zip(keras.tree.flatten(dataset.load()(probe)), keras.tree.flatten(net(probe))):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_samples_are_images():
    params = base_params("vae")
    samples = FAMILY.samplers[0].draw(FAMILY, FAMILY.build(params), params, 20, 1, None)
    assert samples.shape == (20, 28, 28) and samples.dtype == np.float32
    assert 0 <= samples.min() and samples.max() <= 1


def test_active_units_count_the_dimensions_whose_posterior_mean_varies(mnist_batch):
    # z_mean = (mean brightness × 10, 0, mean brightness × 0.01): only the first varies past 0.01.
    images = keras.Input((28, 28))
    brightness = keras.layers.Reshape((1,))(
        keras.layers.GlobalAveragePooling1D()(keras.layers.Flatten()(images)[..., None])
    )
    z_mean = keras.layers.Concatenate()([brightness * 10.0, brightness * 0.0, brightness * 0.01])
    encoder = keras.Model(images, [z_mean, z_mean * 0.0])
    assert np.var(mnist_batch.mean(axis=(1, 2)) * 10) > 0.01
    assert variational.active_units(encoder, mnist_batch) == 1


def test_the_iwae_trains_on_a_bound_tighter_than_the_elbo_of_its_own_samples(mnist_batch):
    params = base_params("iwae", latent_dim=4)
    keras.utils.set_random_seed(0)
    model = variational.IWAE(**FAMILIES["iwae"].build(params), k=5, seed=0, binarize=True)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = model.fit(mnist_batch, batch_size=64, epochs=3, verbose=0).history
    assert history["loss"][-1] < 0.9 * history["loss"][0]
    # −log-mean-exp of the k log-weights is at most minus their mean, the ELBO's two terms (Jensen)
    elbo_terms = np.add(history["reconstruction_loss"], history["kl_loss"])
    assert np.all(np.array(history["loss"]) < elbo_terms)


def test_a_binary_draw_is_one_with_the_pixels_intensity(mnist_batch):
    drawn = ops.convert_to_numpy(variational.binary_draw(mnist_batch, keras.random.SeedGenerator(0)))
    assert set(np.unique(drawn)) == {0.0, 1.0}
    assert abs(drawn.mean() - mnist_batch.mean()) < 0.01
    assert np.all(drawn[mnist_batch == 0] == 0) and np.all(drawn[mnist_batch == 1] == 1)
