"""A small CNN digit classifier: the fixed yardstick for sample quality (an MNIST analogue of
the Inception network behind FID and IS)."""

from __future__ import annotations

import keras
from keras import layers

from .blocks import OUTPUTS

IMAGE_SHAPE = (28, 28)
FEATURES_LAYER = "features"  # the penultimate layer, whose activations the metrics compare


def build_classifier(feature_units: int = 128) -> keras.Model:
    images = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = layers.Reshape((*IMAGE_SHAPE, 1))(images)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Dropout(0.25)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(feature_units, activation="relu", name=FEATURES_LAYER, dtype=OUTPUTS)(x)
    x = layers.Dropout(0.5, dtype=OUTPUTS)(x)
    probabilities = layers.Dense(10, activation="softmax", name="probabilities", dtype=OUTPUTS)(x)
    return keras.Model(images, probabilities, name="evaluator")


def features_and_probabilities(classifier: keras.Model) -> keras.Model:
    """The classifier with two outputs: penultimate features and class probabilities."""
    return keras.Model(classifier.input, [classifier.get_layer(FEATURES_LAYER).output, classifier.output])
