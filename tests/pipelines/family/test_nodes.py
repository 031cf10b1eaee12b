"""The template's nodes, called directly on small arrays."""

import numpy as np

from deepgen.families import FAMILIES, Sampler
from deepgen.pipelines.family.nodes import draw_samples
from tests.conftest import base_params


def test_a_sampler_fitted_to_codes_sees_the_images_as_the_family_trained_on_them(mnist_batch):
    """Binary draws for a family with a Bernoulli decoder where the run binarizes (its codes are
    of binary images), the gray images otherwise."""
    seen = []
    recording = Sampler(
        "mixture", "recorded", lambda family, networks, params, n, seed, train_x, digits: seen.append(train_x)
    )
    binarized, gray = base_params("data", binarize=True), base_params("data")
    for name, data in (("vae", binarized), ("ae", binarized), ("vae", gray)):
        draw_samples(FAMILIES[name], recording, base_params(name), 0, mnist_batch, data)
    vae_binary, ae_gray, vae_gray = seen
    assert set(np.unique(vae_binary)) == {0.0, 1.0} and abs(vae_binary.mean() - mnist_batch.mean()) < 0.01
    assert ae_gray is mnist_batch and vae_gray is mnist_batch


def test_no_training_and_no_probe_reads_the_test_images():
    """Everything upstream of a family's training (its probe included) reads the training
    split and the validation images' features, never a test dataset."""
    from deepgen.pipeline_registry import family_pipeline

    for name, family in FAMILIES.items():
        upstream = family_pipeline(family).to_outputs(f"{name}.training_history")
        read = upstream.all_inputs() | upstream.all_outputs()
        assert "probe_reference" in read and "validation_features" in read, name
        assert sorted(dataset for dataset in read if "test" in dataset) == [], name
