"""The denoising diffusion model (networks, training step and DDIM sampler in
``deepgen.models.ddpm``): trained for a number of steps on images in [-1, 1], sampled with
DDIM in ``sampling_steps`` steps from the exponential moving average of its weights. With
``conditional: true`` the denoiser also reads the digit, hidden from it for ``label_dropout`` of
the training images, and samples are guided towards the digit asked for (classifier-free
guidance, weight ``guidance``)."""

from __future__ import annotations

import logging
import time
import weakref

import keras
import numpy as np
from pydantic import Field, PositiveInt, model_validator

from deepgen.figures import labelled_rows, metric_curves, note_figure
from deepgen.models import ddpm
from deepgen.models.blocks import IMAGE_SHAPE, to_unit
from deepgen.params import StepCountedParams
from deepgen.training import compile_model, fit_steps

from .conditional import digit_grid
from .contract import Family, FigureInputs, Sampler, TrainingData, TrainingResult, evaluation_digits

IMAGE_SIZE = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]  # the noise a sample starts from is an image
TRAJECTORY_IMAGES = 8  # rows of the denoising trajectory figure
TRAJECTORY_STEPS = 8  # columns: visited steps shown, noise to image
SAMPLING_CLOCK_IMAGES = 1000  # images drawn to time sampling (fewer when the family draws fewer samples)
GRID_SAMPLING_STEPS = 20  # DDIM steps of the grids drawn without the parameters (after each epoch)
GRID_GUIDANCE = 1.0  # their guidance, for a conditional denoiser

log = logging.getLogger(__name__)


class DiffusionParams(StepCountedParams):
    """``steps`` counts optimiser updates."""

    widths: list[PositiveInt] = Field(min_length=2, max_length=3)  # U-Net channels at 28×28, 14×14 (, 7×7)
    embedding_dim: PositiveInt  # the step's sinusoidal embedding and its MLP
    groups: PositiveInt  # GroupNormalization groups (each width a multiple)
    ema_momentum: float = Field(ge=0, lt=1)  # the moving average of the weights that samples
    sampling_steps: PositiveInt  # DDIM steps per image: more is slower and better
    sampling_curve: list[PositiveInt] = Field(min_length=1)  # the sampling_steps values of the FD-against-steps figure
    curve_samples: PositiveInt  # images per point of that figure
    conditional: bool  # the denoiser reads the digit; samples are asked for digits
    label_dropout: float = Field(ge=0, lt=1)  # share of training images whose digit is hidden (conditional)
    guidance: float = Field(ge=0)  # classifier-free guidance weight when sampling (conditional): 0 none

    RESUMABLE_CHANGES = StepCountedParams.RESUMABLE_CHANGES | {
        "sampling_steps",
        "sampling_curve",
        "curve_samples",
        "guidance",
    }

    @model_validator(mode="after")
    def _consistent(self) -> DiffusionParams:
        if self.latent_dim != IMAGE_SIZE:
            raise ValueError(f"latent_dim must be {IMAGE_SIZE}: a sample starts from an image of noise")
        if any(width % self.groups for width in self.widths):
            raise ValueError(f"every width ({self.widths}) must be a multiple of groups ({self.groups})")
        if self.conditional and self.guidance > 0 and self.label_dropout == 0:
            raise ValueError(
                f"guidance ({self.guidance}) needs label_dropout > 0: the denoiser learns to predict without "
                "the digit only from the training images whose digit is hidden"
            )
        return self


def build(params: DiffusionParams) -> dict:
    return {
        "denoiser": ddpm.build_denoiser(tuple(params.widths), params.embedding_dim, params.groups, params.conditional)
    }


def train(networks, data: TrainingData, params: DiffusionParams, seed: int, callbacks: list) -> TrainingResult:
    """``params.steps`` updates in Keras epochs of ``gen_interval`` steps. The optimiser keeps
    the moving average of the weights, and ``fit`` swaps it in when it ends: the saved denoiser
    is the average. A conditional denoiser's batches carry each image's digit."""
    model = ddpm.Diffusion(networks["denoiser"], ddpm.cosine_alpha_bars(), drop_digit=params.label_dropout, seed=seed)
    optimizer = keras.optimizers.Adam(params.learning_rate, use_ema=True, ema_momentum=params.ema_momentum)
    compile_model(model, params, optimizer=optimizer)
    digits = data.labels.astype(np.int32) if model.conditional else None
    return TrainingResult(*fit_steps(model, params, data.x, digits, seed, callbacks))


_SAMPLERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # one compiled sampler per denoiser


def _sampler(networks) -> ddpm.DDIMSampler:
    denoiser = networks["denoiser"]
    if denoiser not in _SAMPLERS:
        _SAMPLERS[denoiser] = ddpm.DDIMSampler(denoiser, ddpm.cosine_alpha_bars())
    return _SAMPLERS[denoiser]


def _noise(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, IMAGE_SIZE), dtype=np.float32)


def draw(networks, noise, n_steps: int, digits=None, guidance: float = 0.0) -> np.ndarray:
    """Images in [0, 1] from noise (N×784) in ``n_steps`` DDIM steps; with ``digits``, guided
    towards them with weight ``guidance``."""
    images, _ = _sampler(networks)(noise.reshape(-1, *IMAGE_SHAPE), n_steps, digits, guidance)
    return to_unit(images)


def decode(networks, noise, digits=None) -> np.ndarray:
    """The grids drawn without the parameters (fixed-noise samples after each epoch, the digit
    grid): ``GRID_SAMPLING_STEPS`` steps, guidance ``GRID_GUIDANCE``."""
    return draw(networks, noise, GRID_SAMPLING_STEPS, digits, GRID_GUIDANCE if digits is not None else 0.0)


def _draw_ddim(family, networks, params: DiffusionParams, n: int, seed: int, train_x, digits=None) -> np.ndarray:
    return draw(networks, _noise(n, seed), params.sampling_steps, digits, params.guidance)


def metrics(networks, test_x, test_labels, params: DiffusionParams, seed: int) -> dict:
    """What sampling costs, where a diffusion model's cost is: seconds per 1,000 images at
    ``sampling_steps`` DDIM steps (timed on 1,000 images, or ``n_samples`` if fewer, after a
    first call has traced the step)."""
    return {"sampling_seconds_per_1000": _seconds_per_1000(networks, params, params.sampling_steps, seed)}


def _seconds_per_1000(networks, params: DiffusionParams, n_steps: int, seed: int) -> float:
    noise = _noise(min(SAMPLING_CLOCK_IMAGES, params.n_samples), seed)
    digits = evaluation_digits(len(noise)) if params.conditional else None
    draw(networks, noise[:2], n_steps, None if digits is None else digits[:2], params.guidance)  # traces the step
    start = time.perf_counter()
    draw(networks, noise, n_steps, digits, params.guidance)
    return (time.perf_counter() - start) * 1000 / len(noise)


def figures(networks, given: FigureInputs) -> dict:
    params = given.params
    return {
        "trajectory": trajectory(networks, params),
        "sampling_steps": sampling_steps_curve(networks, params, given.seed, given.score),
        "digit_grid": digit_grid(FAMILY.configured(params), networks, IMAGE_SIZE)
        if params.conditional
        else note_figure("Diffusion digit grid", "Unconditional (diffusion.conditional: false): no digits to ask for."),
    }


def trajectory(networks, params: DiffusionParams, seed: int = 0) -> object:
    """A row per image: its predicted clean image at evenly spaced steps of a 50-step DDIM run,
    from pure noise to the final image (conditional: digits 0, 1, …)."""
    n_steps = 50
    noise = np.random.default_rng(seed).standard_normal((TRAJECTORY_IMAGES, *IMAGE_SHAPE), dtype=np.float32)
    digits = evaluation_digits(TRAJECTORY_IMAGES) if params.conditional else None
    shown = np.linspace(0, n_steps - 1, TRAJECTORY_STEPS).round().astype(int)
    _, kept = _sampler(networks)(noise, n_steps, digits, params.guidance, keep=tuple(shown))
    rows = {
        (f"digit {digits[i]}" if digits is not None else f"image {i + 1}"): to_unit(
            np.stack([kept[p][i] for p in shown])
        )
        for i in range(TRAJECTORY_IMAGES)
    }
    return labelled_rows(rows, f"The predicted clean image at DDIM steps {shown[0] + 1}…{n_steps}")


def sampling_steps_curve(networks, params: DiffusionParams, seed: int, score) -> object:
    """FD, class score and sampling time of ``curve_samples`` images at each ``sampling_curve``
    number of DDIM steps: what fewer steps cost in quality, and save in time."""
    title = f"Diffusion samples against DDIM steps ({params.curve_samples:,} samples each)"
    if score is None:
        return note_figure(title, "Not measured: this dataset has no evaluator.")
    noise = _noise(params.curve_samples, seed)
    digits = evaluation_digits(len(noise)) if params.conditional else None
    rows = []
    for n_steps in sorted(set(params.sampling_curve)):
        draw(networks, noise[:2], n_steps, None if digits is None else digits[:2], params.guidance)  # traces
        start = time.perf_counter()
        images = draw(networks, noise, n_steps, digits, params.guidance)
        seconds = (time.perf_counter() - start) * 1000 / len(noise)
        row = {"model": "diffusion", "sampling_steps": n_steps, **score(images), "seconds per 1,000": seconds}
        log.info("Diffusion at %d DDIM steps: %s", n_steps, {k: round(v, 3) for k, v in row.items() if k != "model"})
        rows.append(row)
    return metric_curves(rows, ("fd", "class_score", "seconds per 1,000"), "sampling_steps", title)


FAMILY = Family(
    name="diffusion",
    label="Diffusion (DDIM)",
    params=DiffusionParams,
    build=build,
    train=train,
    networks=("denoiser",),
    decode=decode,
    samplers=(Sampler("prior", "DDIM samples", _draw_ddim),),
    scaling="symmetric",
    epoch_image="samples",
    metrics=metrics,
    figures=figures,
    figure_names=("trajectory", "sampling_steps", "digit_grid"),
)
