"""Before a network trains: seeding and determinism, the dtype policy it is built under, GPU
memory, and compiling it with its optimiser and speed settings."""

from __future__ import annotations

import contextlib

import keras
from tensorflow.python.framework import config as tf_config  # disable_op_determinism is not public

from deepgen.params import TrainingParams


def start_training(seed: int, deterministic: bool = True) -> None:
    """Seed Python, NumPy and the backend so a model's initial weights follow from ``seed``;
    ``deterministic`` also makes TensorFlow pick deterministic kernels (same numbers for the
    same seed, a little slower where a faster kernel would reorder sums)."""
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf_config.enable_op_determinism()
    else:
        tf_config.disable_op_determinism()


@contextlib.contextmanager
def dtype_policy(precision: str):
    """Networks built inside compute in ``precision`` (Keras' dtype policy); the global policy is
    restored after, so that nothing else a run builds (the evaluator, the next family) inherits it."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def gpu_visible() -> bool:
    return bool(tf_config.list_physical_devices("GPU"))


def grow_gpu_memory() -> None:
    """Let each visible GPU's memory grow as a run needs it, instead of TensorFlow taking all of
    it at start, so that several runs share a card. It must happen before TensorFlow first uses
    the GPU; afterwards TensorFlow refuses the change, and there is nothing left to change."""
    for gpu in tf_config.list_physical_devices("GPU"):
        with contextlib.suppress(RuntimeError):
            tf_config.set_memory_growth(gpu, True)


def compile_model(model: keras.Model, params: TrainingParams, **compile_args) -> None:
    """``model.compile`` with the speed settings of ``params`` and, unless ``compile_args``
    name their own optimisers, Adam at ``params.learning_rate``; under ``mixed_float16`` each
    optimiser scales the loss (Keras' dynamic loss scale; a model's own ``train_step`` calls
    ``optimizer.scale_loss``).

    Keras drops ``jit_compile=True`` (with a warning) whenever TensorFlow's op determinism is
    on, because some XLA kernels have no deterministic GPU version (tensorflow#69417: the
    MaxPool gradient). XLA's CPU code is deterministic (same seed, same metrics:
    test_same_seed_same_metrics in tests/test_reliability.py runs with it), so with no GPU
    visible Keras' check runs with determinism off and training with it back on, so that
    ``deterministic: true`` keeps XLA's speed-up. With a GPU, Keras' rule stands.
    """
    if not any("optimizer" in name for name in compile_args):
        compile_args["optimizer"] = keras.optimizers.Adam(params.learning_rate)
    if params.precision == "mixed_float16":  # float16's small range: gradients would underflow unscaled
        compile_args = {
            name: keras.optimizers.LossScaleOptimizer(value) if "optimizer" in name else value
            for name, value in compile_args.items()
        }
    deterministic = tf_config.is_op_determinism_enabled()
    keep_xla = deterministic and not gpu_visible()
    if keep_xla:
        tf_config.disable_op_determinism()
    try:
        model.compile(steps_per_execution=params.steps_per_execution, jit_compile=params.jit_compile, **compile_args)
    finally:
        if keep_xla:
            tf_config.enable_op_determinism()
    if "optimizer" in compile_args:
        # Its variables made now rather than by the first trace of the training step: TensorFlow
        # traces a step a second time when its first call made variables (twice the tracing).
        model.optimizer.build(model.trainable_variables)
