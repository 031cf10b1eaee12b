"""The benchmark's tutorial-style DCGAN trains both networks, as a working GAN must."""

import numpy as np
import pytest

from deepgen.benchmarks.__main__ import AUTOENCODER_ABLATIONS, DCGAN_ABLATIONS
from deepgen.benchmarks.references import KerasGANLoop
from deepgen.families import FAMILIES
from tests.conftest import base_params


def _kernels(network) -> list[np.ndarray]:
    return [weight.numpy().copy() for weight in network.weights if "kernel" in weight.path]


@pytest.mark.slow  # builds and traces the tutorial's three GAN models
def test_reference_gan_updates_its_discriminator_and_only_the_generator_in_the_combined_step(mnist_batch):
    loop = KerasGANLoop(base_params("dcgan", batch_size=16))
    before = _kernels(loop.discriminator)
    loop.train(mnist_batch * 2 - 1, steps=2)
    trained = _kernels(loop.discriminator)
    assert all(not np.allclose(b, a) for b, a in zip(before, trained))

    generator = _kernels(loop.generator)
    noise = np.random.default_rng(0).standard_normal((16, loop.latent_dim)).astype(np.float32)
    loop.combined.train_on_batch(noise, np.ones((16, 1)))
    assert all(np.array_equal(b, a) for b, a in zip(trained, _kernels(loop.discriminator)))
    assert any(not np.allclose(b, a) for b, a in zip(generator, _kernels(loop.generator)))


def test_every_ablation_undoes_real_settings():
    # model_copy(update=...) does not validate: a misspelt key would measure nothing.
    for family, ablations in (
        ("ae", AUTOENCODER_ABLATIONS),
        ("vae", AUTOENCODER_ABLATIONS),
        ("dcgan", DCGAN_ABLATIONS),
    ):
        fields = FAMILIES[family].params.model_fields
        for name, changes in ablations.items():
            assert set(changes) <= set(fields), (family, name)
            assert base_params(family).model_copy(update=changes) != base_params(family), (family, name)
