"""The DCGAN of the Keras-GAN collection, trained with one fused step per batch."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from .blocks import N_DIGITS, OUTPUTS, conditioned, predict, to_unit

IMAGE_SHAPE = (28, 28)
KERAS_GAN_DROPOUT = 0.25  # the rate of each of the Keras-GAN discriminator's Dropout layers


@keras.saving.register_keras_serializable(package="deepgen")
class UpsampleConv2D(layers.Layer):
    """``UpSampling2D()`` (nearest, 2×) then ``Conv2D(filters, 3, padding="same")``, computed as
    one stride-2 transposed convolution: the same weights (a 3×3 kernel and a bias) and the same
    outputs, up to float rounding, for 4 multiply-adds per output value instead of 9.

    Why it is exact: an output pixel's 3×3 window on the upsampled map covers only 2×2 input
    pixels, the duplicated rows and columns falling on the same input pixel; so each of the four
    output phases is a 2×2 convolution with sums of the 3×3 kernel's taps, which is what a
    stride-2 transposed convolution with the 4×4 kernel ``M k Mᵀ`` computes.
    """

    # Row u of the 4×4 transposed kernel sums the 3×3 kernel's rows marked in row u.
    _TAPS = ((0, 0, 1), (0, 1, 1), (1, 1, 0), (1, 0, 0))

    def __init__(self, filters: int, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(3, 3, input_shape[-1], self.filters), initializer="glorot_uniform", name="kernel"
        )
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")

    def call(self, inputs):
        taps = ops.convert_to_tensor(self._TAPS, dtype=self.kernel.dtype)
        kernel = ops.einsum("ua,vb,abio->uvoi", taps, taps, self.kernel)  # (4, 4, out, in)
        return ops.conv_transpose(inputs, kernel, strides=2, padding="same") + self.bias

    def compute_output_shape(self, input_shape):
        batch, height, width, _ = input_shape
        return (batch, None if height is None else 2 * height, None if width is None else 2 * width, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters}


def build_generator(latent_dim: int, fused_upsampling: bool = True, label_embedding: int | None = None) -> keras.Model:
    """Noise to a 28×28 image in [-1, 1] (tanh), as in Keras-GAN. ``fused_upsampling``: each
    upsample-and-convolve as one ``UpsampleConv2D`` (same function and weights, ~2× fewer
    operations) instead of Keras-GAN's ``UpSampling2D`` + ``Conv2D`` pair. ``label_embedding``
    (the conditional DCGAN): a second input, the digit, whose learnt embedding of that size
    joins the noise."""
    noise = keras.Input(shape=(latent_dim,), name="noise")
    inputs, x = noise, noise
    if label_embedding is not None:
        digit = keras.Input(shape=(), dtype="int32", name="digit")
        inputs, x = [noise, digit], layers.Concatenate()([noise, layers.Embedding(N_DIGITS, label_embedding)(digit)])
    x = layers.Dense(128 * 7 * 7, activation="relu")(x)
    x = layers.Reshape((7, 7, 128))(x)
    for filters in (128, 64):  # 7 → 14 → 28
        if fused_upsampling:
            x = UpsampleConv2D(filters)(x)
        else:
            x = layers.Conv2D(filters, 3, padding="same")(layers.UpSampling2D()(x))
        x = layers.BatchNormalization(momentum=0.8)(x)
        x = layers.Activation("relu")(x)
    x = layers.Conv2D(1, 3, padding="same", activation="tanh", dtype=OUTPUTS)(x)
    return keras.Model(inputs, layers.Reshape(IMAGE_SHAPE, name="image", dtype=OUTPUTS)(x), name="generator")


def build_discriminator(conditional: bool = False, dropout: float = KERAS_GAN_DROPOUT) -> keras.Model:
    """Image to the probability that it is real, as in Keras-GAN (``dropout``: the share of
    features each of its four Dropout layers drops).

    ``conditional``: a projection discriminator (Miyato & Koyama 2018) that also reads the
    digit: its logit is Keras-GAN's plus the inner product of the image's features with a
    learnt embedding of the digit. Joining a one-hot digit to the image as ten extra channels
    would multiply the first convolution's work by 11 and tell the network less (the projection
    is what a discriminator of p(x, y) factorises to); the projection costs one dot product."""
    images = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = layers.Reshape((*IMAGE_SHAPE, 1))(images)
    x = layers.Conv2D(32, 3, strides=2, padding="same")(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Dropout(dropout)(x)
    for filters, strides in ((64, 2), (128, 2), (256, 1)):
        x = layers.Conv2D(filters, 3, strides=strides, padding="same")(x)
        if filters == 64:  # noqa: PLR2004 - Keras-GAN pads 7×7 to 8×8 here
            x = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(x)
        x = layers.BatchNormalization(momentum=0.8)(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
        x = layers.Dropout(dropout)(x)
    features = layers.Flatten()(x)
    if not conditional:
        return keras.Model(images, layers.Dense(1, activation="sigmoid", dtype=OUTPUTS)(features), name="discriminator")
    digit = keras.Input(shape=(), dtype="int32", name="digit")
    embedded = layers.Embedding(N_DIGITS, features.shape[-1])(digit)
    projection = layers.Dot(axes=1, dtype=OUTPUTS)([embedded, features])
    logit = layers.Add(dtype=OUTPUTS)([layers.Dense(1, dtype=OUTPUTS)(features), projection])
    return keras.Model([images, digit], layers.Activation("sigmoid", dtype=OUTPUTS)(logit), name="discriminator")


class DCGAN(keras.Model):
    """One compiled ``train_step`` = discriminator updates on a real and a generated batch,
    then a generator update; both optimisers live here, no ``trainable=False`` re-compiling.
    With conditional networks (two inputs each), batches are (images, digits) and the
    generated batch is asked for the real batch's digits."""

    def __init__(self, generator, discriminator, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.generator, self.discriminator = generator, discriminator
        self.conditional = len(generator.inputs) == 2  # noqa: PLR2004 - noise and digit
        self.latent_dim = generator.inputs[0].shape[-1]
        self.noise = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_accuracy_tracker = keras.metrics.Mean(name="d_accuracy")

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        # Their variables made now, not by the step's first trace (which TensorFlow would then redo).
        d_optimizer.build(self.discriminator.trainable_variables)
        g_optimizer.build(self.generator.trainable_variables)
        self.bce = keras.losses.BinaryCrossentropy()

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_accuracy_tracker]

    def call(self, noise, training=False):
        return self.generator(noise, training=training)

    def _discriminator_update(self, images, digits, target: float):
        with tf.GradientTape() as tape:
            p = self.discriminator(conditioned(images, digits), training=True)
            loss = self.bce(ops.full_like(p, target), p)
            scaled = self.d_optimizer.scale_loss(loss)  # unchanged unless mixed_float16 scales it
        gradients = tape.gradient(scaled, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(gradients, self.discriminator.trainable_weights))
        return p, loss

    def train_step(self, data):
        if self.conditional:
            real_images, digits = data[0], data[1]
        else:
            real_images, digits = (data[0] if isinstance(data, tuple) else data), None
        batch_size = tf.shape(real_images)[0]

        # As Keras-GAN: one noise batch per step, for the discriminator's fakes and for the
        # generator's update. The generator runs once; both phases use that pass.
        noise = keras.random.normal((batch_size, self.latent_dim), seed=self.noise)
        with tf.GradientTape() as tape:
            fake_images = self.generator(conditioned(noise, digits), training=True)

            # Phase 1: the discriminator, as Keras-GAN trains it: one update on a real batch,
            # one on a generated batch (BatchNorm sees pure batches).
            with tape.stop_recording():
                p_real, loss_real = self._discriminator_update(real_images, digits, target=1.0)
                p_fake, loss_fake = self._discriminator_update(fake_images, digits, target=0.0)

            # Phase 2: the generator, through the updated discriminator, towards "real".
            p_generated = self.discriminator(conditioned(fake_images, digits), training=True)
            g_loss = self.bce(ops.ones_like(p_generated), p_generated)
            scaled = self.g_optimizer.scale_loss(g_loss)
        gradients = tape.gradient(scaled, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(gradients, self.generator.trainable_weights))
        d_loss = 0.5 * (loss_real + loss_fake)

        threshold = 0.5  # the discriminator's decision: real above, generated at or below
        correct = ops.concatenate([ops.cast(p_real > threshold, "float32"), ops.cast(p_fake <= threshold, "float32")])
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_accuracy_tracker.update_state(ops.mean(correct))
        return {m.name: m.result() for m in self.metrics}


class SampleProgression(keras.callbacks.Callback):
    """Keeps the generator's images for one fixed noise batch (and, for a conditional
    generator, fixed digits) at the end of every epoch (the DCGAN trains in epochs of
    ``gen_interval`` steps)."""

    def __init__(self, noise: np.ndarray, steps_per_epoch: int, digits: np.ndarray | None = None):
        super().__init__()
        self.noise, self.steps_per_epoch, self.digits = noise, steps_per_epoch, digits
        self.steps: list[int] = []
        self.frames: list[np.ndarray] = []

    def on_epoch_end(self, epoch, logs=None):
        self.steps.append((epoch + 1) * self.steps_per_epoch)
        self.frames.append(to_unit(predict(self.model.generator, conditioned(self.noise, self.digits))))
