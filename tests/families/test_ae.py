import keras
import numpy as np
import pytest
from kedro_datasets.tensorflow import TensorFlowModelDataset

from deepgen import evaluation
from deepgen.families import FAMILIES
from deepgen.families.ae import INK, AEParams
from deepgen.models import autoencoder
from tests.conftest import base_params

FAMILY = FAMILIES["ae"]


def _train_steps(params: AEParams, x: np.ndarray, steps: int) -> tuple[list[float], dict]:
    keras.utils.set_random_seed(0)
    networks = FAMILY.build(params)
    model = autoencoder.build_autoencoder(**networks)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    losses = [float(model.train_on_batch(x, x)) for _ in range(steps)]
    return losses, networks


def test_shapes_for_both_architectures(mnist_batch):
    x = mnist_batch[:8]
    for architecture in ("mlp", "conv"):
        networks = FAMILY.build(base_params("ae", architecture=architecture, latent_dim=3))
        z = networks["encoder"](x)
        assert z.shape == (8, 3)
        out = keras.ops.convert_to_numpy(networks["decoder"](z))
        assert out.shape == (8, 28, 28) and out.min() >= 0 and out.max() <= 1


def test_a_few_steps_lower_the_loss(mnist_batch):
    losses, _ = _train_steps(base_params("ae"), mnist_batch, steps=30)
    assert losses[-1] < 0.6 * losses[0]


@pytest.mark.slow  # saving and loading networks: seconds, and the slices save networks too
def test_save_and_load_through_the_catalog_dataset_give_the_same_outputs(tmp_path, mnist_batch):
    x = mnist_batch[:16]
    _, networks = _train_steps(base_params("ae", architecture="conv", latent_dim=4), x, steps=2)
    for name, net in networks.items():
        dataset = TensorFlowModelDataset(filepath=str(tmp_path / f"{name}.keras"), load_args={"compile": False})
        dataset.save(net)
        loaded = dataset.load()
        probe = x if name == "encoder" else np.random.default_rng(0).standard_normal((16, 4)).astype(np.float32)
        np.testing.assert_allclose(loaded(probe), net(probe), rtol=1e-6, atol=1e-6)


def test_prior_samples_are_seeded_images():
    params = base_params("ae", latent_dim=2)
    networks = FAMILY.build(params)
    first, again = (FAMILY.samplers[0].draw(FAMILY, networks, params, 50, 3, None) for _ in range(2))
    assert first.shape == (50, 28, 28) and first.dtype == np.float32
    assert 0 <= first.min() and first.max() <= 1
    np.testing.assert_array_equal(first, again)


def test_rotated_views_pair_each_turn_with_its_upright_image(mnist_batch):
    views, originals = FAMILY.anomaly.views(mnist_batch[:4])
    assert views.shape == originals.shape == (16, 28, 28)
    for turns in range(4):
        turned = views[4 * turns : 4 * turns + 4]
        np.testing.assert_array_equal(np.rot90(turned, -turns, axes=(1, 2)), mnist_batch[:4])
        np.testing.assert_array_equal(originals[4 * turns : 4 * turns + 4], mnist_batch[:4])


def test_the_restoration_error_is_relative_to_ink_where_the_reconstruction_error_is_not(mnist_batch):
    networks = FAMILY.build(base_params("ae", latent_dim=4))
    decoder = networks["decoder"]
    for layer in decoder.layers:  # a decoder that draws an empty image whatever the code
        if layer.weights:
            layer.set_weights(
                [np.zeros_like(w) for w in layer.get_weights()[:-1]] + [np.full_like(layer.get_weights()[-1], -30.0)]
            )
    images = mnist_batch[:8]
    relative = FAMILY.anomaly.scores["restoration_error"](networks, images, None, 0)
    absolute = FAMILY.anomaly.scores["reconstruction_error"](networks, images, None, 0)
    # All of each image's ink missed, whatever its amount: a relative error of 1, plus 1 − SSIM.
    empty = np.zeros_like(images)
    np.testing.assert_allclose(
        relative, 2.0 - evaluation.ssim_per_image(images, empty, window=7, over_ink=INK), atol=1e-4
    )
    np.testing.assert_allclose(absolute, np.mean(images**2, axis=(1, 2)), atol=1e-6)
    assert np.ptp(absolute) > 0.01
