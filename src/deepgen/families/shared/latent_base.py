"""What the families over an autoencoder's codes share (latent diffusion, flow matching): the
autoencoder and prior network's parameters, their networks, the two stages' training in one
``fit``, and the codes' encoding and decoding (``deepgen.models.latent``). Not a family
itself: each family says what its prior learns (its model class and its prior network's name)."""

from __future__ import annotations

import keras
import numpy as np
from pydantic import Field, PositiveInt, model_validator

from deepgen.models import latent
from deepgen.training import compile_model, fit_steps

from .contract import TrainingData, TrainingResult
from .drawing import DrawnParams

DECODING_BATCH = 1000


class LatentParams(DrawnParams):
    """``steps`` counts both stages' updates: the first ``autoencoder_steps`` train the
    autoencoder at ``learning_rate``, the rest the prior network, from ``learning_rate`` down to 0
    along half a cosine."""

    widths: list[PositiveInt] = Field(min_length=2, max_length=2)  # the encoder's convolutions (stride 2 each)
    code_noise: float = Field(ge=0)  # Gaussian noise on the codes the decoder learns from (code standard deviations)
    autoencoder_steps: PositiveInt
    units: PositiveInt  # the prior MLP's width
    blocks: PositiveInt  # its residual blocks
    embedding_dim: PositiveInt  # the time's sinusoidal embedding
    noise_draws: PositiveInt  # noises drawn per code in each of the prior's steps

    def shortened(self, steps: int, gen_interval: int) -> LatentParams:
        """Both stages shortened in proportion (at least a step each)."""
        autoencoder_steps = min(max(1, round(steps * self.autoencoder_steps / self.steps)), steps - 1)
        return super().shortened(steps, gen_interval).model_copy(update={"autoencoder_steps": autoencoder_steps})

    @model_validator(mode="after")
    def _stages(self) -> LatentParams:
        if self.autoencoder_steps >= self.steps:
            raise ValueError(
                f"autoencoder_steps ({self.autoencoder_steps}) must be fewer than steps ({self.steps}): "
                "the steps after them train the prior network"
            )
        return self


def build(params: LatentParams, prior: str) -> dict:
    """The encoder, decoder and the prior network, named ``prior``."""
    widths = tuple(params.widths)
    return {
        "encoder": latent.build_encoder(params.latent_dim, widths),
        "decoder": latent.build_decoder(params.latent_dim, widths),
        prior: latent.build_prior_network(
            params.latent_dim, params.units, params.blocks, params.embedding_dim, params.conditional, prior
        ),
    }


def train(model_class, prior: str, networks, data: TrainingData, params: LatentParams, seed: int, callbacks, **model):
    """``params.steps`` updates of ``model_class`` (a ``latent.TwoStageLatent``) in Keras epochs
    of ``gen_interval`` steps, the autoencoder's first. The prior's optimiser keeps the moving
    average of its weights, swapped in at the end: the saved prior network is the average."""
    trained = model_class(
        networks["encoder"],
        networks["decoder"],
        networks[prior],
        autoencoder_steps=params.autoencoder_steps,
        code_noise=params.code_noise,
        noise_draws=params.noise_draws,
        drop_digit=params.label_dropout,
        seed=seed,
        **model,
    )
    prior_rate = keras.optimizers.schedules.CosineDecay(params.learning_rate, params.steps - params.autoencoder_steps)
    compile_model(
        trained,
        params,
        autoencoder_optimizer=keras.optimizers.Adam(params.learning_rate),
        prior_optimizer=keras.optimizers.Adam(prior_rate, use_ema=True, ema_momentum=params.ema_momentum),
    )
    digits = data.labels.astype(np.int32) if trained.conditional else None
    history, stats = fit_steps(trained, params, data.x, digits, seed, callbacks)
    trained.prior_optimizer.finalize_variable_values(networks[prior].trainable_weights)
    return TrainingResult(history, stats)


def encode(networks, images, labels=None) -> np.ndarray:
    return networks["encoder"].predict(images, batch_size=DECODING_BATCH, verbose=0)


def decode(networks, codes, digits=None) -> np.ndarray:
    """The decoder: codes to images (whatever digit they are: the codes say it)."""
    return networks["decoder"].predict(np.asarray(codes, np.float32), batch_size=DECODING_BATCH, verbose=0)
