import keras
import numpy as np
import pytest
import tensorflow as tf
from kedro_datasets.tensorflow import TensorFlowModelDataset
from pydantic import ValidationError

from deepgen.families import FAMILIES
from deepgen.models import adversarial
from tests.conftest import base_params

FAMILY = FAMILIES["dcgan"]


def _compiled(seed: int = 0) -> adversarial.DCGAN:
    keras.utils.set_random_seed(seed)
    model = adversarial.DCGAN(**FAMILY.build(base_params("dcgan")), seed=seed)
    model.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5)
    )
    return model


def test_networks_match_keras_gan():
    networks = FAMILY.build(base_params("dcgan"))
    assert networks["generator"].output_shape == (None, 28, 28)
    assert networks["discriminator"].output_shape == (None, 1)
    momenta = {
        layer.momentum for net in networks.values() for layer in net.layers if "batch_normalization" in layer.name
    }
    assert momenta == {0.8}
    dropout = {layer.rate for layer in networks["discriminator"].layers if isinstance(layer, keras.layers.Dropout)}
    assert dropout == {base_params("dcgan").discriminator_dropout}
    tutorial = FAMILY.build(base_params("dcgan", **FAMILY.tutorial.networks))["discriminator"]  # what the race trains
    assert [layer.rate for layer in tutorial.layers if isinstance(layer, keras.layers.Dropout)] == [0.25] * 4


@pytest.mark.slow  # tracing the GAN's step takes seconds
def test_fused_steps_update_both_networks_and_a_frozen_generator_loses(mnist_batch):
    model = _compiled()
    real = mnist_batch[:128] * 2 - 1
    before = {
        name: [w.numpy().copy() for w in net.trainable_weights]
        for name, net in (("g", model.generator), ("d", model.discriminator))
    }
    logs = model.fit(real[:32], batch_size=32, epochs=1, verbose=0).history
    assert set(logs) == {"d_loss", "g_loss", "d_accuracy"}
    assert 0 <= logs["d_accuracy"][0] <= 1
    for name, net in (("g", model.generator), ("d", model.discriminator)):
        assert any(not np.allclose(b, w.numpy()) for b, w in zip(before[name], net.trainable_weights)), name

    # The same compiled step with the generator's learning rate at 0: the discriminator must win.
    model.g_optimizer.learning_rate.assign(0.0)
    history = model.fit(real, batch_size=32, epochs=3, verbose=0).history
    assert history["d_accuracy"][-1] > 0.9 and history["d_loss"][-1] < history["d_loss"][0]


def test_samples_and_round_trip(tmp_path):
    params = base_params("dcgan")
    generator = FAMILY.build(params)["generator"]
    prior = FAMILY.samplers[0]
    samples = prior.draw(FAMILY, {"generator": generator}, params, 16, 0, None)
    assert samples.shape == (16, 28, 28) and 0 <= samples.min() and samples.max() <= 1
    dataset = TensorFlowModelDataset(filepath=str(tmp_path / "generator.keras"), load_args={"compile": False})
    dataset.save(generator)
    np.testing.assert_allclose(
        prior.draw(FAMILY, {"generator": dataset.load()}, params, 16, 0, None), samples, atol=1e-6
    )


def _generators_with_equal_weights():
    keras.utils.set_random_seed(0)
    keras_gan = adversarial.build_generator(100, fused_upsampling=False)
    fused = adversarial.build_generator(100, fused_upsampling=True)
    assert [w.shape for w in fused.weights] == [w.shape for w in keras_gan.weights]  # same parameters
    fused.set_weights(keras_gan.get_weights())
    return keras_gan, fused


def test_fused_upsampling_computes_the_keras_gan_generator():
    keras_gan, fused = _generators_with_equal_weights()
    noise = np.random.default_rng(1).standard_normal((16, 100)).astype(np.float32)
    for training in (False, True):
        np.testing.assert_allclose(fused(noise, training=training), keras_gan(noise, training=training), atol=2e-5)


def test_fused_upsampling_has_the_keras_gan_gradients():
    keras_gan, fused = _generators_with_equal_weights()
    noise = np.random.default_rng(2).standard_normal((16, 100)).astype(np.float32)
    target = np.random.default_rng(3).uniform(-1, 1, (16, 28, 28)).astype(np.float32)

    def gradients(generator):
        with tf.GradientTape() as tape:
            loss = keras.ops.mean(keras.ops.square(generator(noise, training=True) - target))
        return tape.gradient(loss, generator.trainable_weights)

    for ours, theirs in zip(gradients(fused), gradients(keras_gan), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)


def test_fused_generator_saves_and_loads(tmp_path):
    _, fused = _generators_with_equal_weights()
    fused.save(tmp_path / "generator.keras")
    loaded = keras.models.load_model(tmp_path / "generator.keras", compile=False)
    noise = np.random.default_rng(4).standard_normal((8, 100)).astype(np.float32)
    np.testing.assert_array_equal(loaded(noise), fused(noise))


def test_steps_per_execution_must_divide_the_sample_interval():
    with pytest.raises(ValidationError, match=r"gen_interval \(100\) must be a multiple of steps_per_execution \(30\)"):
        base_params("dcgan", steps_per_execution=30)
