"""Model families, plain Keras 3: one module per family, no Kedro and no W&B."""

from __future__ import annotations

import keras
import numpy as np


def predict(
    model: keras.Model, inputs: np.ndarray | list[np.ndarray], batch_size: int = 1000
) -> np.ndarray | list[np.ndarray]:
    """Run ``model`` over ``inputs`` (one array, or a list for a model with several inputs) in
    eager batches.

    ``Model.predict`` traces a new graph for each model it meets; for the handful of
    one-off inference passes a pipeline makes, plain calls are as fast and quieter.
    """
    several = isinstance(inputs, list | tuple)
    n = len(inputs[0]) if several else len(inputs)
    batches = [
        model([part[i : i + batch_size] for part in inputs] if several else inputs[i : i + batch_size], training=False)
        for i in range(0, n, batch_size)
    ]
    if isinstance(batches[0], list | tuple):
        return [np.concatenate([keras.ops.convert_to_numpy(b[k]) for b in batches]) for k in range(len(batches[0]))]
    return np.concatenate([keras.ops.convert_to_numpy(b) for b in batches])


def conditioned(inputs, digits) -> list | np.ndarray:
    """A network's input: ``inputs`` alone, or with the digits for a conditional network
    (whose second input is the digit)."""
    return inputs if digits is None else [inputs, digits]
