"""How the benchmark clocks a training: epoch by epoch, the steady rate and the warm-up."""

from __future__ import annotations

import time

import numpy as np


def epoch_clock():
    """A Keras callback keeping the wall time at the start of training and at every epoch's end."""
    import keras

    class EpochClock(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.times = [time.perf_counter()]

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter())

    return EpochClock()


def steady_rate(times: list[float], images_per_epoch: int) -> tuple[float, float]:
    """Images per second over the median epoch after the first, and the first epoch's excess
    over that median (the warm-up: tracing and compiling the training step)."""
    epochs = np.diff(times)
    typical = float(np.median(epochs[1:]))
    return images_per_epoch / typical, float(epochs[0]) - typical


def clocked_node(family, params, train_x: np.ndarray, validation_x: np.ndarray) -> list[float]:
    """Epoch times of the template's training node, the clock handed to ``fit`` through the
    training context as the Kedro hooks hand theirs (checkpoints, W&B). Training alone is
    clocked, as the references train: no sample scoring on the way, so no evaluator; the
    digits of a conditional family are the images' index modulo ten (their pixels matter
    to the speed, not their labels)."""
    from deepgen.datasets.runtime import TrainingContext
    from deepgen.evaluation import FeatureReference
    from deepgen.families import TrainingData
    from deepgen.pipelines.family.nodes import train

    clock = epoch_clock()
    training_only = params.model_copy(update={"eval_interval": 0})
    labels, validation_labels = (np.arange(len(x)) % 10 for x in (train_x, validation_x))
    context = TrainingContext(callbacks=[clock])
    data = TrainingData(train_x, validation_x, labels, validation_labels)
    train(family, data, training_only, 0, context, FeatureReference(None, np.zeros((0, 1))))
    return clock.times
