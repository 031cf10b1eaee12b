"""Model families, plain Keras 3: one module per family, no Kedro and no W&B."""

from __future__ import annotations

import keras
import numpy as np


def predict(model: keras.Model, inputs: np.ndarray, batch_size: int = 1000) -> np.ndarray | list[np.ndarray]:
    """Run ``model`` over ``inputs`` in eager batches.

    ``Model.predict`` traces a new graph for each model it meets; for the handful of
    one-off inference passes a pipeline makes, plain calls are as fast and quieter.
    """
    batches = [model(inputs[i : i + batch_size], training=False) for i in range(0, len(inputs), batch_size)]
    if isinstance(batches[0], list | tuple):
        return [np.concatenate([keras.ops.convert_to_numpy(b[k]) for b in batches]) for k in range(len(batches[0]))]
    return np.concatenate([keras.ops.convert_to_numpy(b) for b in batches])
