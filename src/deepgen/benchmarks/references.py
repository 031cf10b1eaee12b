"""Training written the way the tutorial wrote it: the yardstick the benchmark compares with.

AE and VAE: the same networks, ``compile`` and ``fit`` with Keras' defaults. DCGAN: the
Keras-GAN networks (``UpSampling2D`` + ``Conv2D`` in the generator) and loop, four Keras calls
per step (``generator.predict``, two ``discriminator.train_on_batch``,
``combined.train_on_batch``), the discriminator's ``trainable`` switched around its updates as
a Keras 3 port of the tutorial must (Keras-GAN's set-once ``trainable=False`` would leave it
untrained under Keras 3).
"""

from __future__ import annotations

import keras
import numpy as np

from deepgen.families import FAMILIES
from deepgen.models import ae, dcgan, vae


def fit_autoencoder(params, images: np.ndarray, epochs: int, callbacks=()) -> None:
    networks = FAMILIES["ae"].build(params)
    model = ae.build_autoencoder(**networks)
    model.compile(optimizer="adam", loss="mean_squared_error")
    model.fit(images, images, batch_size=params.batch_size, epochs=epochs, verbose=0, callbacks=list(callbacks))


def fit_vae(params, images: np.ndarray, epochs: int, callbacks=()) -> None:
    model = vae.VAE(**FAMILIES["vae"].build(params), beta=params.beta, reconstruction=params.reconstruction, seed=0)
    model.compile(optimizer="adam")
    model.fit(images, batch_size=params.batch_size, epochs=epochs, verbose=0, callbacks=list(callbacks))


class KerasGANLoop:
    """The Keras-GAN DCGAN training loop."""

    def __init__(self, params):
        self.batch_size, self.latent_dim = params.batch_size, params.latent_dim
        self.generator = dcgan.build_generator(params.latent_dim, fused_upsampling=False)
        self.discriminator = dcgan.build_discriminator()
        optimizer = lambda: keras.optimizers.Adam(params.learning_rate, beta_1=params.beta_1)  # noqa: E731
        self.discriminator.compile(loss="binary_crossentropy", optimizer=optimizer(), metrics=["accuracy"])
        self.discriminator.trainable = False
        noise = keras.Input(shape=(self.latent_dim,))
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
