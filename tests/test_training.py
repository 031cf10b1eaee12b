"""Speed settings reach Keras as configured."""

import keras
from tensorflow.python.framework import config as tf_config

from deepgen.families import FAMILIES
from deepgen.models import ae
from deepgen.training import compile_model, start_training
from tests.conftest import base_params


def test_xla_stays_on_under_op_determinism():
    # Keras drops jit_compile=True when TensorFlow's op determinism is on; compile_model keeps
    # it, and leaves determinism on for training.
    params = base_params("ae", jit_compile=True, deterministic=True, steps_per_execution=8)
    start_training(0, params.deterministic)
    try:
        model = ae.build_autoencoder(**FAMILIES["ae"].build(params))
        compile_model(model, params, loss="mse")
        assert model.jit_compile is True and model.steps_per_execution == 8
        assert tf_config.is_op_determinism_enabled()
    finally:
        tf_config.disable_op_determinism()


def test_with_a_gpu_visible_determinism_turns_xla_off_as_keras_rules(monkeypatch):
    # No GPU here: the branch a GPU machine takes is forced by what deepgen asks TensorFlow.
    monkeypatch.setattr("deepgen.training.gpu_visible", lambda: True)
    params = base_params("ae", jit_compile=True, deterministic=True, steps_per_execution=8)
    start_training(0, params.deterministic)
    try:
        model = ae.build_autoencoder(**FAMILIES["ae"].build(params))
        compile_model(model, params, loss="mse")
        assert model.jit_compile is False and tf_config.is_op_determinism_enabled()
    finally:
        tf_config.disable_op_determinism()
    # Without determinism a GPU keeps XLA.
    params = base_params("ae", jit_compile=True, deterministic=False)
    start_training(0, params.deterministic)
    model = ae.build_autoencoder(**FAMILIES["ae"].build(params))
    compile_model(model, params, loss="mse")
    assert model.jit_compile is True


def test_auto_leaves_xla_to_keras_on_cpu():
    params = base_params("ae", jit_compile="auto", deterministic=False)
    start_training(0, params.deterministic)
    model = ae.build_autoencoder(**FAMILIES["ae"].build(params))
    compile_model(model, params, loss="mse")
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert model.jit_compile is False  # Keras' own choice without a GPU
