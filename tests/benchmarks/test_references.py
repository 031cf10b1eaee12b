"""The benchmark's tutorial-style DCGAN trains both networks, as a working GAN must; its
ablations undo real settings."""

import numpy as np
import pytest

from deepgen.benchmarks.speed import ablations_of
from deepgen.families import FAMILIES
from deepgen.models.keras_gan import KerasGANLoop
from tests.conftest import base_params


def _kernels(network) -> list[np.ndarray]:
    return [weight.numpy().copy() for weight in network.weights if "kernel" in weight.path]


@pytest.mark.slow  # builds and traces the tutorial's three GAN models
def test_reference_gan_updates_its_discriminator_and_only_the_generator_in_the_combined_step(mnist_batch):
    params = base_params("dcgan", batch_size=16)
    loop = KerasGANLoop(params.latent_dim, params.batch_size, params.learning_rate, params.beta_1)
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
    for family in (family for family in FAMILIES.values() if family.tutorial is not None):
        ablations = ablations_of(family)
        assert ablations, family.name
        for name, changes in ablations.items():
            assert base_params(family.name).model_copy(update=changes) != base_params(family.name), (family.name, name)
