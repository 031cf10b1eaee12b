import keras
import numpy as np
from kedro_datasets.tensorflow import TensorFlowModelDataset

from deepgen.models import dcgan
from deepgen.params import DCGANParams


def _compiled(seed: int = 0) -> dcgan.DCGAN:
    keras.utils.set_random_seed(seed)
    model = dcgan.DCGAN(**dcgan.build(DCGANParams()), seed=seed)
    model.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    return model


def test_networks_match_keras_gan():
    networks = dcgan.build(DCGANParams())
    assert networks["generator"].output_shape == (None, 28, 28)
    assert networks["discriminator"].output_shape == (None, 1)
    momenta = {layer.momentum for net in networks.values() for layer in net.layers if "batch_normalization" in layer.name}
    assert momenta == {0.8}


def test_one_fused_step_updates_both_networks(mnist_batch):
    model = _compiled()
    real = mnist_batch[:32] * 2 - 1
    before = {name: [w.numpy().copy() for w in net.trainable_weights] for name, net in
              (("g", model.generator), ("d", model.discriminator))}
    logs = model.fit(real, batch_size=32, epochs=1, verbose=0).history
    assert set(logs) == {"d_loss", "g_loss", "d_accuracy"}
    assert 0 <= logs["d_accuracy"][0] <= 1
    for name, net in (("g", model.generator), ("d", model.discriminator)):
        assert any(not np.allclose(b, w.numpy()) for b, w in zip(before[name], net.trainable_weights)), name


def test_discriminator_learns_real_from_noise_generator(mnist_batch):
    model = _compiled()
    model.g_optimizer.learning_rate.assign(0.0)  # a frozen generator: the discriminator must win
    history = model.fit(mnist_batch * 2 - 1, batch_size=32, epochs=5, verbose=0).history
    assert history["d_accuracy"][-1] > 0.9 and history["d_loss"][-1] < history["d_loss"][0]


def test_samples_and_round_trip(tmp_path):
    generator = dcgan.build(DCGANParams())["generator"]
    samples = dcgan.sample(generator, 16, seed=0)
    assert samples.shape == (16, 28, 28) and 0 <= samples.min() and samples.max() <= 1
    dataset = TensorFlowModelDataset(filepath=str(tmp_path / "generator.keras"), load_args={"compile": False})
    dataset.save(generator)
    np.testing.assert_allclose(dcgan.sample(dataset.load(), 16, seed=0), samples, atol=1e-6)
