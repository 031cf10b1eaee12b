"""The DCGAN of the Keras-GAN collection, trained with one fused step per batch."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from . import predict

IMAGE_SHAPE = (28, 28)


def build_generator(latent_dim: int) -> keras.Model:
    """Noise to a 28×28 image in [-1, 1] (tanh), as in Keras-GAN."""
    noise = keras.Input(shape=(latent_dim,), name="noise")
    x = layers.Dense(128 * 7 * 7, activation="relu")(noise)
    x = layers.Reshape((7, 7, 128))(x)
    for filters in (128, 64):  # 7 → 14 → 28
        x = layers.UpSampling2D()(x)
        x = layers.Conv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization(momentum=0.8)(x)
        x = layers.Activation("relu")(x)
    x = layers.Conv2D(1, 3, padding="same", activation="tanh")(x)
    return keras.Model(noise, layers.Reshape(IMAGE_SHAPE, name="image")(x), name="generator")


def build_discriminator() -> keras.Model:
    """Image to the probability that it is real, as in Keras-GAN."""
    images = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = layers.Reshape((*IMAGE_SHAPE, 1))(images)
    x = layers.Conv2D(32, 3, strides=2, padding="same")(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Dropout(0.25)(x)
    for filters, strides in ((64, 2), (128, 2), (256, 1)):
        x = layers.Conv2D(filters, 3, strides=strides, padding="same")(x)
        if filters == 64:  # noqa: PLR2004 - Keras-GAN pads 7×7 to 8×8 here
            x = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(x)
        x = layers.BatchNormalization(momentum=0.8)(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
        x = layers.Dropout(0.25)(x)
    x = layers.Flatten()(x)
    return keras.Model(images, layers.Dense(1, activation="sigmoid")(x), name="discriminator")


def build(cfg) -> dict[str, keras.Model]:
    return {"generator": build_generator(cfg.latent_dim), "discriminator": build_discriminator()}


class DCGAN(keras.Model):
    """One compiled ``train_step`` = discriminator updates on a real and a generated batch,
    then a generator update; both optimisers live here, no ``trainable=False`` re-compiling."""

    def __init__(self, generator, discriminator, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.generator, self.discriminator = generator, discriminator
        self.latent_dim = generator.input_shape[-1]
        self.noise = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_accuracy_tracker = keras.metrics.Mean(name="d_accuracy")

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        self.bce = keras.losses.BinaryCrossentropy()

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_accuracy_tracker]

    def call(self, noise, training=False):
        return self.generator(noise, training=training)

    def _discriminator_update(self, images, target: float):
        with tf.GradientTape() as tape:
            p = self.discriminator(images, training=True)
            loss = self.bce(ops.full_like(p, target), p)
        gradients = tape.gradient(loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(gradients, self.discriminator.trainable_weights))
        return p, loss

    def train_step(self, data):
        real_images = data[0] if isinstance(data, tuple) else data
        batch_size = tf.shape(real_images)[0]

        # As Keras-GAN: one noise batch per step, for the discriminator's fakes and for the
        # generator's update. The generator runs once; both phases use that pass.
        noise = keras.random.normal((batch_size, self.latent_dim), seed=self.noise)
        with tf.GradientTape() as tape:
            fake_images = self.generator(noise, training=True)

            # Phase 1: the discriminator, as Keras-GAN trains it: one update on a real batch,
            # one on a generated batch (BatchNorm sees pure batches).
            with tape.stop_recording():
                p_real, loss_real = self._discriminator_update(real_images, target=1.0)
                p_fake, loss_fake = self._discriminator_update(fake_images, target=0.0)

            # Phase 2: the generator, through the updated discriminator, towards "real".
            p_generated = self.discriminator(fake_images, training=True)
            g_loss = self.bce(ops.ones_like(p_generated), p_generated)
        gradients = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(gradients, self.generator.trainable_weights))
        d_loss = 0.5 * (loss_real + loss_fake)

        correct = ops.concatenate([ops.cast(p_real > 0.5, "float32"), ops.cast(p_fake <= 0.5, "float32")])
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_accuracy_tracker.update_state(ops.mean(correct))
        return {m.name: m.result() for m in self.metrics}


class SampleProgression(keras.callbacks.Callback):
    """Keeps the generator's images for one fixed noise batch at the end of every epoch
    (the DCGAN trains in epochs of ``gen_interval`` steps)."""

    def __init__(self, noise: np.ndarray, steps_per_epoch: int):
        super().__init__()
        self.noise, self.steps_per_epoch = noise, steps_per_epoch
        self.steps: list[int] = []
        self.frames: list[np.ndarray] = []

    def on_epoch_end(self, epoch, logs=None):
        self.steps.append((epoch + 1) * self.steps_per_epoch)
        self.frames.append(to_unit(predict(self.model.generator, self.noise)))


def to_unit(images: np.ndarray) -> np.ndarray:
    """Generator output in [-1, 1] to images in [0, 1]."""
    return np.clip((images + 1.0) / 2.0, 0.0, 1.0).astype(np.float32)


def sample(generator: keras.Model, n: int, seed: int) -> np.ndarray:
    """``n`` generated images, N×28×28 float32 in [0, 1]."""
    noise = np.random.default_rng(seed).standard_normal((n, generator.input_shape[-1]), dtype=np.float32)
    return to_unit(predict(generator, noise))
