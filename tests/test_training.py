"""Speed and precision settings reach Keras as configured."""

import math

import keras
import numpy as np
import pytest
from tensorflow.python.framework import config as tf_config

from deepgen.datasets.runtime import TrainingContext
from deepgen.evaluation import FeatureReference
from deepgen.families import FAMILIES, TrainingData
from deepgen.models import adversarial, autoencoder
from deepgen.pipelines.family import nodes
from deepgen.training import compile_model, fit_epochs, start_training
from tests.conftest import base_params


def test_xla_stays_on_under_op_determinism():
    # Keras drops jit_compile=True when TensorFlow's op determinism is on; compile_model keeps
    # it, and leaves determinism on for training.
    params = base_params("ae", jit_compile=True, deterministic=True, steps_per_execution=8)
    start_training(0, params.deterministic)
    try:
        model = autoencoder.build_autoencoder(**FAMILIES["ae"].build(params))
        compile_model(model, params, loss="mse")
        assert model.jit_compile is True and model.steps_per_execution == 8
        assert tf_config.is_op_determinism_enabled()
    finally:
        tf_config.disable_op_determinism()


def test_with_a_gpu_visible_determinism_turns_xla_off_as_keras_rules(monkeypatch):
    # No GPU here: the branch a GPU machine takes is forced by what deepgen asks TensorFlow.
    monkeypatch.setattr("deepgen.training.setup.gpu_visible", lambda: True)
    params = base_params("ae", jit_compile=True, deterministic=True, steps_per_execution=8)
    start_training(0, params.deterministic)
    try:
        model = autoencoder.build_autoencoder(**FAMILIES["ae"].build(params))
        with pytest.warns(UserWarning, match="doesn't support `jit_compile=True`"):  # Keras says so
            compile_model(model, params, loss="mse")
        assert model.jit_compile is False and tf_config.is_op_determinism_enabled()
    finally:
        tf_config.disable_op_determinism()
    # Without determinism a GPU keeps XLA.
    params = base_params("ae", jit_compile=True, deterministic=False)
    start_training(0, params.deterministic)
    model = autoencoder.build_autoencoder(**FAMILIES["ae"].build(params))
    compile_model(model, params, loss="mse")
    assert model.jit_compile is True


def test_auto_leaves_xla_to_keras_on_cpu():
    params = base_params("ae", jit_compile="auto", deterministic=False)
    start_training(0, params.deterministic)
    model = autoencoder.build_autoencoder(**FAMILIES["ae"].build(params))
    compile_model(model, params, loss="mse")
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert model.jit_compile is False  # Keras' own choice without a GPU


SHORT = {
    "epochs": 1,
    "steps": 4,
    "autoencoder_steps": 2,
    "gen_interval": 2,
    "iw_samples": 5,
    "widths": [8, 16],
    "groups": 4,
    "units": 16,
    "blocks": 1,
}
TINY = {"batch_size": 16, "steps_per_execution": 1, "jit_compile": False, "eval_interval": 0}


# One case with the fast tests; the others (a GAN's step takes seconds to trace) with the slow.
@pytest.mark.parametrize(
    ("name", "precision"),
    [
        pytest.param(name, precision, marks=[] if (name, precision) == ("ae", "mixed_bfloat16") else [pytest.mark.slow])
        for name in FAMILIES
        for precision in ("mixed_bfloat16", "mixed_float16")
    ],
)
def test_every_family_trains_in_mixed_precision_with_float32_outputs(name, precision, mnist_batch):
    family = FAMILIES[name]
    short = {key: value for key, value in SHORT.items() if key in family.params.model_fields}
    params = base_params(name, **TINY, **short, precision=precision)
    images = mnist_batch[:64] if family.scaling == "unit" else mnist_batch[:64] * 2 - 1
    labels = np.arange(64) % 10
    data = TrainingData(images, images[:16], labels, labels[:16])
    trained = nodes.train(family, data, params, 0, TrainingContext(), FeatureReference(None, np.zeros((0, 1))))
    outputs = trained.networks | {"training_history": trained.history}

    assert keras.config.dtype_policy().name == "float32"  # the next network built is not mixed
    compute = {"mixed_bfloat16": "bfloat16", "mixed_float16": "float16"}[precision]
    for network in family.networks:  # 16-bit maths inside, float32 weights and outputs
        model = outputs[network]
        assert {layer.compute_dtype for layer in model.layers if layer.weights} >= {compute, "float32"}
        assert all(weight.dtype == "float32" for weight in model.weights)
        assert all(output.dtype == "float32" for output in model.outputs)
    history = outputs["training_history"]
    losses = {key: values for key, values in history.items() if "loss" in key}
    assert losses and all(np.isfinite(values).all() for values in losses.values()), losses
    samples = family.from_noise(outputs, params, family.noise(params, 10, seed=0), family.default_digits(10))
    assert samples.dtype == np.float32 and np.isfinite(samples).all()


def test_mixed_float16_scales_every_optimisers_loss():
    model = autoencoder.build_autoencoder(**FAMILIES["ae"].build(base_params("ae")))
    compile_model(model, base_params("ae", precision="mixed_float16"), loss="mse")
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    gan = adversarial.DCGAN(**FAMILIES["dcgan"].build(base_params("dcgan")), seed=0)
    compile_model(
        gan,
        base_params("dcgan", precision="mixed_float16"),
        d_optimizer=keras.optimizers.Adam(),
        g_optimizer=keras.optimizers.Adam(),
    )
    assert isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)
    compile_model(model, base_params("ae"), loss="mse")  # float32: no scaling
    assert not isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)


def test_a_cosine_schedule_sets_each_epochs_rate_down_towards_zero(mnist_batch):
    params = base_params("ae", epochs=4, learning_rate=0.01, learning_rate_schedule="cosine", jit_compile=False)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])  # the schedule, not the network
    compile_model(model, params, loss="mse")
    rates = []
    seen = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: rates.append(float(model.optimizer.learning_rate))
    )
    x = mnist_batch[:8, 0, :4]
    fit_epochs(model, params, x, x[:, :1], (x, x[:, :1]), [seen], params.learning_rate_schedule)
    assert rates == pytest.approx(
        [0.01, 0.01 * (1 + math.cos(math.pi / 4)) / 2, 0.005, 0.01 * (1 - math.cos(math.pi / 4)) / 2]
    )
