"""The Keras-GAN DCGAN training loop, as the tutorial ran it: the yardstick the benchmark races
the fused step against. Four Keras calls per step (``generator.predict``, two
``discriminator.train_on_batch``, ``combined.train_on_batch``), the Keras-GAN networks
(``UpSampling2D`` + ``Conv2D`` in the generator), and the discriminator's ``trainable``
switched around its updates as a Keras 3 port must (Keras-GAN's set-once ``trainable=False``
would leave it untrained under Keras 3)."""

from __future__ import annotations

import keras
import numpy as np

from .adversarial import build_discriminator, build_generator


class KerasGANLoop:
    def __init__(self, latent_dim: int, batch_size: int, learning_rate: float, beta_1: float):
        self.batch_size, self.latent_dim = batch_size, latent_dim
        self.generator = build_generator(latent_dim, fused_upsampling=False)
        self.discriminator = build_discriminator()
        optimizer = lambda: keras.optimizers.Adam(learning_rate, beta_1=beta_1)  # noqa: E731
        self.discriminator.compile(loss="binary_crossentropy", optimizer=optimizer(), metrics=["accuracy"])
        self.discriminator.trainable = False
        noise = keras.Input(shape=(latent_dim,))
        self.combined = keras.Model(noise, self.discriminator(self.generator(noise)))
        self.combined.compile(loss="binary_crossentropy", optimizer=optimizer())
        self.rng = np.random.default_rng(0)

    def train(self, images: np.ndarray, steps: int) -> None:
        valid, fake = np.ones((self.batch_size, 1)), np.zeros((self.batch_size, 1))
        for _ in range(steps):
            real = images[self.rng.integers(0, len(images), self.batch_size)]
            noise = self.rng.standard_normal((self.batch_size, self.latent_dim)).astype(np.float32)
            generated = self.generator.predict(noise, verbose=0)
            # Keras 3 trains the variables that are trainable when a step runs: the
            # discriminator is switched on for its own updates and off for the generator's.
            self.discriminator.trainable = True
            self.discriminator.train_on_batch(real, valid)
            self.discriminator.train_on_batch(generated, fake)
            self.discriminator.trainable = False
            self.combined.train_on_batch(noise, valid)
