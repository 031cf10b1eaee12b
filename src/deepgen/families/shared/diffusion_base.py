"""What the diffusion families (pixels, codes) share besides their drawing (``drawing``): the
solvers of the probability-flow ODE and the bounds the schedule sets. Not a family itself."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from deepgen.models import ddpm

from .drawing import Drawing, DrawnParams


class DiffusionParams(DrawnParams):
    # ddim: first order (Song et al. 2020); dpm_solver_2m: DPM-Solver++(2M), second order
    # (Lu et al. 2022), better at few steps at the same cost per step (ddpm.solver_coefficients)
    solver: Literal["ddim", "dpm_solver_2m"]
    # at most the schedule's steps: a sampler cannot visit more
    sampling_steps: int = Field(ge=1, le=ddpm.N_TIMESTEPS)
    sampling_curve: list[Annotated[int, Field(ge=1, le=ddpm.N_TIMESTEPS)]] = Field(min_length=1)


def diffusion_drawing(clip, to_images) -> Drawing:
    """A diffusion family's drawing: its denoiser, sampled on the cosine schedule with its
    predicted clean points clipped to ±``clip(params)``."""
    return Drawing(
        network="denoiser",
        make_sampler=lambda denoiser, bound: ddpm.DiffusionSampler(denoiser, ddpm.cosine_alpha_bars(), clip=bound),
        solvers=dict.fromkeys(ddpm.SOLVERS, 1),
        to_images=to_images,
        settings=lambda params: (clip(params),),
    )
