"""What the families that draw by solving an ODE from noise share (the diffusion families over
pixels and codes, flow matching): their sampling parameters, a sampler per network, what
sampling costs, and the figures of its trajectory and of quality against steps for every
solver. Not a family itself."""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import numpy as np
from pydantic import Field, PositiveInt, model_validator

from deepgen.figures import labelled_rows, metric_curves, note_figure
from deepgen.params import StepCountedParams

from .conditional import digit_grid
from .contract import FigureInputs, Networks, evaluation_digits

SAMPLING_CLOCK_IMAGES = 1000  # images drawn to time sampling (fewer when the family draws fewer samples)
TRAJECTORY_IMAGES = 8  # rows of the denoising trajectory figure
TRAJECTORY_STEPS = 8  # columns: visited steps shown, noise to image
TRAJECTORY_SAMPLING_STEPS = 50

log = logging.getLogger(__name__)


class DrawnParams(StepCountedParams):
    """``steps`` counts optimiser updates; samples are drawn by ``solver`` (each family's own
    choices) in ``sampling_steps`` steps, from the moving average of the network's weights."""

    ema_momentum: float = Field(ge=0, lt=1)  # the moving average of the weights that samples
    solver: str
    sampling_steps: int = Field(ge=1)  # the solver's steps per image: more is slower and better
    sampling_curve: list[Annotated[int, Field(ge=1)]] = Field(min_length=1)  # the figure's steps
    curve_samples: PositiveInt  # images per point of that figure
    conditional: bool  # the network reads the digit; samples are asked for digits
    label_dropout: float = Field(ge=0, lt=1)  # share of training images whose digit is hidden (conditional)
    guidance: float = Field(ge=0)  # classifier-free guidance weight when sampling (conditional): 0 none

    RESUMABLE_CHANGES = StepCountedParams.RESUMABLE_CHANGES | {
        "solver",
        "sampling_steps",
        "sampling_curve",
        "curve_samples",
        "guidance",
    }

    @model_validator(mode="after")
    def _guidance_learnable(self) -> DrawnParams:
        if self.conditional and self.guidance > 0 and self.label_dropout == 0:
            raise ValueError(
                f"guidance ({self.guidance}) needs label_dropout > 0: the network learns to predict without "
                "the digit only from the training images whose digit is hidden"
            )
        return self


@dataclass(frozen=True)
class Drawing:
    """How a family that draws by solving an ODE from noise (a diffusion's denoiser, a flow's
    velocity field) becomes images: its ``network``; ``make_sampler(network, *settings(params))``,
    a sampler called as ``(noise, n_steps, digits, guidance, keep=…, solver=…)`` → (points,
    kept), made once per network and settings; its ``solvers`` and their function evaluations
    per step; and the way from the network's space to images in [0, 1] (``to_images``). Noise
    has the network's input shape."""

    network: str
    make_sampler: Callable
    solvers: dict[str, int]
    to_images: Callable[[Networks, np.ndarray], np.ndarray]
    settings: Callable[[DrawnParams], tuple] = lambda params: ()

    def sampler(self, networks: Networks, params: DrawnParams):
        """One compiled sampler per network (and settings)."""
        network, key = networks[self.network], self.settings(params)
        samplers = _SAMPLERS.setdefault(network, {})
        if key not in samplers:
            samplers[key] = self.make_sampler(network, *key)
        return samplers[key]

    def noise(self, networks: Networks, n: int, seed: int) -> np.ndarray:
        shape = tuple(networks[self.network].inputs[0].shape[1:])
        return np.random.default_rng(seed).standard_normal((n, *shape), dtype=np.float32)

    def draw(
        self,
        networks: Networks,
        params: DrawnParams,
        noise: np.ndarray,
        digits: np.ndarray | None = None,
        n_steps: int | None = None,
        solver: str | None = None,
        guidance: float | None = None,
    ) -> np.ndarray:
        """Images in [0, 1] from ``noise`` (the denoiser's shape, or N × its size), by the
        parameters' solver and steps unless others are given; with ``digits``, guided."""
        noise = noise.reshape(len(noise), *networks[self.network].inputs[0].shape[1:])
        points, _ = self.sampler(networks, params)(
            noise,
            n_steps or params.sampling_steps,
            digits,
            params.guidance if guidance is None else guidance,
            solver=solver or params.solver,
        )
        return self.to_images(networks, points)

    def metrics(self, networks: Networks, test_x, test_labels, params: DrawnParams, seed: int) -> dict:
        """What sampling costs, where a diffusion model's cost is: seconds per 1,000 images at the
        parameters' solver and steps (solving, and decoding where there are codes)."""
        return {"sampling_seconds_per_1000": self.seconds_per_1000(networks, params, seed)}

    def figures(self, networks: Networks, given: FigureInputs) -> dict:
        """The denoising trajectory, quality against sampling steps, and the digit grid."""
        family, params = given.family, given.params
        return {
            "trajectory": self.trajectory(networks, params),
            "sampling_steps": self.sampling_steps_curve(networks, params, given.seed, given.score, family.label),
            "digit_grid": digit_grid(family, networks, params),
        }

    FIGURE_NAMES = ("trajectory", "sampling_steps", "digit_grid")

    def seconds_per_1000(self, networks: Networks, params: DrawnParams, seed: int, **settings) -> float:
        """Seconds per 1,000 images (timed on 1,000, or ``n_samples`` if fewer) once a first
        call has traced the step; ``settings``: ``draw``'s ``n_steps``, ``solver``."""
        noise = self.noise(networks, min(SAMPLING_CLOCK_IMAGES, params.n_samples), seed)
        digits = evaluation_digits(len(noise)) if params.conditional else None
        self.draw(networks, params, noise[:2], None if digits is None else digits[:2], **settings)  # traces
        start = time.perf_counter()
        self.draw(networks, params, noise, digits, **settings)
        return (time.perf_counter() - start) * 1000 / len(noise)

    def trajectory(self, networks: Networks, params: DrawnParams, seed: int = 0):
        """A row per image: its predicted clean image at evenly spaced steps of a 50-step run of
        the parameters' solver, from pure noise to the final image (conditional: digits 0, 1, …)."""
        noise = self.noise(networks, TRAJECTORY_IMAGES, seed)
        digits = evaluation_digits(TRAJECTORY_IMAGES) if params.conditional else None
        shown = np.linspace(0, TRAJECTORY_SAMPLING_STEPS - 1, TRAJECTORY_STEPS).round().astype(int)
        _, kept = self.sampler(networks, params)(
            noise, TRAJECTORY_SAMPLING_STEPS, digits, params.guidance, keep=tuple(shown), solver=params.solver
        )
        rows = {
            (f"digit {digits[i]}" if digits is not None else f"image {i + 1}"): self.to_images(
                networks, np.stack([kept[p][i] for p in shown])
            )
            for i in range(TRAJECTORY_IMAGES)
        }
        return labelled_rows(rows, f"The predicted clean image at steps {shown[0] + 1}…{TRAJECTORY_SAMPLING_STEPS}")

    def sampling_steps_curve(self, networks: Networks, params: DrawnParams, seed: int, score, label: str):
        """FD, class score and sampling time of ``curve_samples`` images at each
        ``sampling_curve`` number of steps, for every solver: what fewer steps cost in quality,
        and save in time."""
        title = f"{label} samples against sampling steps ({params.curve_samples:,} samples each)"
        if score is None:
            return note_figure(title, "Not measured: this dataset has no evaluator.")
        noise = self.noise(networks, params.curve_samples, seed)
        digits = evaluation_digits(len(noise)) if params.conditional else None
        rows = []
        for solver in self.solvers:
            for n_steps in sorted(set(params.sampling_curve)):
                settings = {"n_steps": n_steps, "solver": solver}
                self.draw(networks, params, noise[:2], None if digits is None else digits[:2], **settings)  # traces
                start = time.perf_counter()
                images = self.draw(networks, params, noise, digits, **settings)
                seconds = (time.perf_counter() - start) * 1000 / len(noise)
                row = {"model": solver, "sampling_steps": n_steps, **score(images), "seconds per 1,000": seconds}
                log.info("%s, %s at %d steps: %s", label, solver, n_steps, _rounded(row))
                rows.append(row)
        return metric_curves(rows, ("fd", "class_score", "seconds per 1,000"), "sampling_steps", title)


_SAMPLERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # {network: {settings: sampler}}


def _rounded(row: dict) -> dict:
    return {k: round(v, 3) for k, v in row.items() if isinstance(v, float | int)}
