"""Flow matching (rectified flow, networks in ``deepgen.models.latent`` and ``flow``): the latent
diffusion's convolutional autoencoder, then a velocity field over its ``latent_dim``
standardised codes, learnt on the straight paths from codes to noise; both trained in one
``fit`` of ``steps`` steps (the first ``autoencoder_steps`` train the autoencoder), at times
drawn by ``time_sampling`` between codes and noises paired by ``coupling``. Samples are
codes integrated from noise by ``solver`` in ``sampling_steps`` steps and decoded. With
``conditional: true`` the velocity field also reads the digit (classifier-free guidance)."""

from __future__ import annotations

from typing import Literal

from deepgen.models import flow

from .shared import latent_base, samplers
from .shared.contract import Family, TrainingData, TrainingResult
from .shared.drawing import Drawing


class FlowMatchingParams(latent_base.LatentParams):
    # euler: first order, one evaluation a step; heun: second order, two
    solver: Literal["euler", "heun"]
    time_sampling: Literal["uniform", "logit_normal"]  # the training paths' times (flow.TIME_SAMPLINGS)
    coupling: Literal["independent", "minibatch_ot"]  # how a batch's noises pair with its codes


def build(params: FlowMatchingParams) -> dict:
    return latent_base.build(params, "velocity")


def train(networks, data: TrainingData, params: FlowMatchingParams, seed: int, callbacks: list) -> TrainingResult:
    """The autoencoder, then the velocity field of straight paths over its codes."""
    return latent_base.train(
        flow.LatentFlow,
        "velocity",
        networks,
        data,
        params,
        seed,
        callbacks,
        time_sampling=params.time_sampling,
        coupling=params.coupling,
    )


DRAWING = Drawing(
    network="velocity",
    make_sampler=flow.FlowSampler,
    solvers=flow.SOLVERS,
    to_images=latent_base.decode,
)


FAMILY = Family(
    name="flow_matching",
    label="Flow matching",
    params=FlowMatchingParams,
    build=build,
    train=train,
    networks=("encoder", "decoder", "velocity"),
    decode=latent_base.decode,
    generate=DRAWING.draw,
    drawing=DRAWING,
    encode=latent_base.encode,
    samplers=(samplers.from_noise,),
    scaling="unit",
    epoch_image="reconstructions",
    metrics=DRAWING.metrics,
    figures=DRAWING.figures,
    figure_names=Drawing.FIGURE_NAMES,
)
