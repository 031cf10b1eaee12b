"""Images from a family trained earlier: its saved networks, its own sampler, no training."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
from matplotlib.figure import Figure
from pydantic import Field, NonNegativeInt, model_validator

from deepgen.families import FAMILIES
from deepgen.figures import image_grid
from deepgen.params import Block
from deepgen.report import ModelReport


class GenerateParams(Block):
    family: str  # a registered family, trained before (`kedro run --pipelines=<family>`)
    n: int = Field(gt=0, le=100_000)  # images to draw
    digit: int | None = Field(ge=0, le=9)  # conditional families: the digit; null: 0, 1, …, 9 in turn
    sampler: str  # one of the family's samplers: prior (all), mixture (families with an encoder)
    seed: NonNegativeInt  # the same seed and parameters give the same images
    name: str = Field(pattern=r"^[\w.-]+$")  # the files' name: <name>.npy and <name>.png
    # Keys of the family's block changed for this drawing, among those that leave its training as
    # it was (a sampler's solver, sampling_steps, guidance): {} draws as its run drew.
    sampling: dict[str, Any]

    @model_validator(mode="after")
    def _known_family_and_sampler(self) -> GenerateParams:
        if self.family not in FAMILIES:
            raise ValueError(f"generate.family is '{self.family}'; the families are {', '.join(FAMILIES)}.")
        family = FAMILIES[self.family]
        if self.digit is not None and not family.may_be_conditional:
            conditional = ", ".join(name for name, f in FAMILIES.items() if f.may_be_conditional)
            raise ValueError(
                f"generate.digit = {self.digit}, but {self.family} is unconditional: it cannot be asked for a digit. "
                f"Leave generate.digit null, or generate from a conditional family ({conditional})."
            )
        samplers = [sampler.name for sampler in family.samplers]
        if self.sampler not in samplers:
            raise ValueError(f"generate.sampler is '{self.sampler}'; {self.family} has {', '.join(samplers)}.")
        retraining = sorted(set(self.sampling) - family.params.RESUMABLE_CHANGES)
        if retraining:
            allowed = ", ".join(sorted(family.params.RESUMABLE_CHANGES & set(family.params.model_fields)))
            raise ValueError(
                f"generate.sampling changes {', '.join(retraining)}, which the trained {self.family} cannot change "
                f"without training again; it may change {allowed}."
            )
        return self


def generate(
    params: GenerateParams,
    trained_networks: dict[str, Callable[[], keras.Model]],
    saved_reports: dict[str, Callable[[], ModelReport]],
    train_x: np.ndarray,
) -> tuple[dict[str, np.ndarray], dict[str, Figure]]:
    """``params.n`` images from the family's saved networks, drawn as its training run drew its
    samples, with the parameters that run recorded; keyed ``<family>/<name>`` for the files."""
    family = FAMILIES[params.family]
    missing = [network for network in family.networks if f"{family.name}/{network}" not in trained_networks]
    if missing or family.name not in saved_reports:
        absent = [f"06_models/{family.name}/{network}.keras" for network in missing] or [
            f"08_reporting/{family.name}/metrics.json"
        ]
        raise FileNotFoundError(
            f"No trained {family.label} to generate from: this environment's data root lacks "
            f"{', '.join(absent)}. `kedro run --pipelines={family.name}` (with the same --env) trains it."
        )
    networks = {network: trained_networks[f"{family.name}/{network}"]() for network in family.networks}
    trained_with = family.params(**saved_reports[family.name]().parameters)
    family = family.configured(trained_with)
    trained_with = trained_with.changed(params.sampling, "generate.sampling")
    if params.digit is not None and not family.conditional:
        raise ValueError(
            f"generate.digit = {params.digit}, but the saved {family.label} was trained unconditional "
            f"({family.name}.conditional: false): it cannot be asked for a digit. Leave generate.digit null, "
            f"or train it with {family.name}.conditional: true."
        )
    sampler = next(sampler for sampler in family.samplers if sampler.name == params.sampler)
    images = family.sample(sampler, networks, trained_with, params.n, params.seed, train_x, params.digit)
    key = f"{family.name}/{params.name}"
    return {key: images}, {key: _grid(images, family.label, params, family.conditional)}


def _grid(images: np.ndarray, label: str, params: GenerateParams, conditional: bool) -> Figure:
    asked = f"digit {params.digit}" if params.digit is not None else ("digits 0–9 by column" if conditional else "")
    title = ", ".join(part for part in (f"{label} ({params.sampler})", asked, f"seed {params.seed}") if part)
    ncols = 10 if conditional and params.digit is None else math.ceil(math.sqrt(len(images)))
    return image_grid(images, title, ncols=min(ncols, len(images)))
