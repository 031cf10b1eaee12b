"""The conditional families' contract: samplers take the digits wanted, unconditional families
refuse them, and both networks of each conditional family read the digit."""

import keras
import numpy as np
import pytest

from deepgen.families import FAMILIES
from deepgen.families.shared.contract import evaluation_digits
from deepgen.models import adversarial, variational
from tests.conftest import base_params

CONDITIONAL = [name for name, family in FAMILIES.items() if family.conditional]


def _networks(name: str) -> dict:
    keras.utils.set_random_seed(0)
    return FAMILIES[name].build(base_params(name))


def test_the_conditional_families_are_registered():
    assert set(CONDITIONAL) == {"cvae", "cdcgan"}


def test_evaluation_digits_are_balanced_in_any_first_part():
    digits = evaluation_digits(10_000)
    assert np.bincount(digits).tolist() == [1000] * 10
    assert np.bincount(digits[:30]).tolist() == [3] * 10


@pytest.mark.parametrize("name", CONDITIONAL)
def test_a_conditional_sampler_draws_the_digits_asked_for(name):
    family, networks = FAMILIES[name], _networks(name)
    params = base_params(name)
    prior = family.samplers[0]
    sevens = family.sample(prior, networks, params, 12, seed=3, train_x=None, digits=7)
    assert sevens.shape == (12, 28, 28) and sevens.dtype == np.float32 and 0 <= sevens.min() <= sevens.max() <= 1
    # The digit changes the image: same noise, another digit, other pixels.
    twos = family.sample(prior, networks, params, 12, seed=3, train_x=None, digits=2)
    assert not np.allclose(sevens, twos)
    # Seeded, and by default one of each digit in turn.
    np.testing.assert_array_equal(sevens, family.sample(prior, networks, params, 12, 3, None, 7))
    balanced = family.sample(prior, networks, params, 10, seed=3, train_x=None)
    expected = family.from_noise(networks, params, family.noise(params, 10, seed=3), np.arange(10))
    np.testing.assert_allclose(balanced, expected, atol=1e-6)
    with pytest.raises(ValueError, match=r"Digits must be 0–9, not \[12\]"):
        family.sample(prior, networks, params, 4, 0, None, digits=12)
    with pytest.raises(ValueError, match="conditional: say which digit"):
        family.images(networks, np.zeros((2, params.latent_dim), np.float32))


@pytest.mark.parametrize("name", [name for name in FAMILIES if name not in CONDITIONAL])
def test_an_unconditional_family_refuses_digits(name):
    family, networks = FAMILIES[name], _networks(name)
    with pytest.raises(ValueError, match="unconditional: it cannot be asked for particular digits"):
        family.sample(family.samplers[0], networks, base_params(name), 4, 0, None, digits=3)


def test_cvae_encoder_and_decoder_read_the_digit(mnist_batch):
    networks = _networks("cvae")
    images, digits = mnist_batch[:8], np.arange(8, dtype=np.int32)
    z_mean, z_mean_other = (np.asarray(networks["encoder"]([images, d])[0]) for d in (digits, (digits + 1) % 10))
    assert not np.allclose(z_mean, z_mean_other)
    assert networks["decoder"]([z_mean, digits]).shape == (8, 28, 28)


def test_cvae_trains_on_image_digit_batches_and_its_nll_is_conditioned(mnist_batch):
    family, params = FAMILIES["cvae"], base_params("cvae", epochs=2, steps_per_execution=1, jit_compile=False)
    networks = _networks("cvae")
    labels = np.arange(len(mnist_batch)) % 10  # stand-ins: the test checks the plumbing, not the digits
    model = variational.VAE(**networks, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = model.fit(mnist_batch, labels.astype(np.int32), batch_size=32, epochs=2, verbose=0).history
    assert history["loss"][-1] < history["loss"][0] and history["kl_loss"][-1] > 0
    metrics = family.metrics(networks, mnist_batch[:20], labels[:20], params.model_copy(update={"iw_samples": 5}), 0)
    assert metrics["nll_iw"] <= -metrics["elbo"] + 5  # IW bound is tighter than the ELBO, up to noise


@pytest.mark.slow  # tracing the GAN step takes ~10-20 s
def test_cdcgan_projection_discriminator_and_fused_step(mnist_batch):
    networks = _networks("cdcgan")
    discriminator = networks["discriminator"]
    images, digits = mnist_batch[:4] * 2 - 1, np.arange(4, dtype=np.int32)
    assert discriminator([images, digits]).shape == (4, 1)
    assert not np.allclose(discriminator([images, digits]), discriminator([images, digits + 1]))
    model = adversarial.DCGAN(**networks, seed=0)
    model.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5)
    )
    before = [w.numpy().copy() for w in networks["generator"].trainable_weights]
    logs = model.fit(mnist_batch[:64] * 2 - 1, np.arange(64, dtype=np.int32) % 10, batch_size=32, verbose=0).history
    assert set(logs) == {"d_loss", "g_loss", "d_accuracy"}
    embedding = next(w for w in networks["generator"].trainable_weights if "embedding" in w.path)
    assert any(not np.allclose(b, w.numpy()) for b, w in zip(before, networks["generator"].trainable_weights))
    assert embedding.shape == (10, base_params("cdcgan").label_embedding)


def test_cvae_conv_architecture_reads_the_digit_too(mnist_batch):
    family = FAMILIES["cvae"]
    networks = family.build(base_params("cvae", architecture="conv"))
    assert any("conv" in layer.name for layer in networks["encoder"].layers)
    digits = np.arange(8, dtype=np.int32)
    reconstructions = family.reconstruct(networks, mnist_batch[:8], digits)
    assert reconstructions.shape == (8, 28, 28)
    assert not np.allclose(
        family.codes(networks, mnist_batch[:8], digits), family.codes(networks, mnist_batch[:8], 9 - digits)
    )
