"""A sweep file, ``conf/<env>/sweeps/<name>.yml`` (or ``conf/base/sweeps/``): which family, what
to search, how, and by which metric of the validation images. Read and checked once, before
any trial runs: an unknown family or key, an empty space or a value the family's block refuses
is an error that names the file and the key.

    family: <name>              # a registered family
    method: grid                # grid | random | tpe
    metric: recon_mse           # measured on the validation images (report.sweep.DIRECTIONS)
    sampler: prior              # whose samples a sample metric is of (or a family's other sampler: mixture)
    parameters:                 # keys of the family's block
      latent_dim: [2, 10, 100]                          # these values
      learning_rate: {low: 1.0e-4, high: 1.0e-2, log: true}   # a range (random, tpe)
    fixed: {epochs: 5}          # the same change in every trial
    trials: null                # random and tpe: how many; grid: null = every combination
    seed: 0                     # the sampler's
    pruning: {pruner: median, startup_trials: 2, warmup: 1}   # or {pruner: none}
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any, Literal

import click
import yaml
from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt, ValidationError, model_validator

SWEEPS = "sweeps"  # the folder of an environment that holds its sweep files


class Range(BaseModel):
    """Values from ``low`` to ``high``: integers when both are, on a log scale with ``log``, on a
    grid of ``step`` with ``step``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: float
    high: float
    log: bool = False
    step: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.log and self.low <= 0:
            raise ValueError(f"a log range needs low > 0, not {self.low}")
        return self

    @property
    def integers(self) -> bool:
        return float(self.low).is_integer() and float(self.high).is_integer() and self.step in (None, 1)


class Pruning(BaseModel):
    """Optuna's median pruner on the trials' validation FD probes: a trial whose probe at an
    epoch (or step) is worse than the median of the earlier trials' at the same point stops
    there, once ``startup_trials`` trials are done; not before epoch (or step) ``warmup``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pruner: Literal["median", "none"] = "median"
    startup_trials: NonNegativeInt = 2
    warmup: NonNegativeInt = 0


class SweepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    family: str
    method: Literal["grid", "random", "tpe"]
    metric: str
    sampler: str = "prior"  # whose samples a sample metric (fd, …) is of
    direction: Literal["minimize", "maximize"] | None = None  # None: the metric's own
    parameters: dict[str, list[Any] | Range] = Field(min_length=1)
    fixed: dict[str, Any] = {}
    trials: PositiveInt | None = None
    seed: NonNegativeInt = 0
    pruning: Pruning = Pruning()

    @model_validator(mode="after")
    def _searchable(self) -> SweepSpec:
        from deepgen.report import DIRECTIONS

        if self.metric not in DIRECTIONS:
            raise ValueError(f"metric {self.metric!r} is not one a trial measures ({', '.join(DIRECTIONS)})")
        for key, values in self.parameters.items():
            if isinstance(values, list) and not values:
                raise ValueError(f"parameters.{key} lists no values")
            if self.method == "grid" and not isinstance(values, list):
                raise ValueError(f"parameters.{key}: a grid sweep takes a list of values, not a range")
        if self.method != "grid" and self.trials is None:
            raise ValueError(f"a {self.method} sweep needs `trials`: how many to run")
        return self

    @property
    def goal(self) -> Literal["minimize", "maximize"]:
        from deepgen.report import DIRECTIONS

        return self.direction or DIRECTIONS[self.metric]

    def size(self) -> int:
        """How many trials the sweep runs: ``trials``, or every combination of a grid's values
        (at most ``trials`` of them)."""
        if self.method != "grid":
            return self.trials
        grid = math.prod(len(values) for values in self.parameters.values())
        return min(grid, self.trials or grid)

    def grid(self) -> list[dict[str, Any]]:
        """A grid sweep's combinations, the first parameter's values varying slowest."""
        keys = list(self.parameters)
        return [dict(zip(keys, values, strict=True)) for values in itertools.product(*self.parameters.values())]

    def corners(self) -> list[dict[str, Any]]:
        """Values every parameter can take at its ends: each checked against the family's block."""
        ends = [
            values if isinstance(values, list) else [values.low, values.high] for values in self.parameters.values()
        ]
        keys = list(self.parameters)
        return [dict(zip(keys, combination, strict=True)) for combination in itertools.product(*ends)][:64]


def load_spec(name: str, project: Path, environment: str) -> tuple[SweepSpec, Path]:
    """The sweep file ``name`` of the run's environment (``conf/<env>/sweeps/<name>.yml``), else
    of ``conf/base``; with its path. A missing or invalid file is an error naming it."""
    folders = [project / "conf" / environment / SWEEPS, project / "conf" / "base" / SWEEPS]
    path = next((folder / f"{name}.yml" for folder in folders if (folder / f"{name}.yml").is_file()), None)
    if path is None:
        known = sorted({p.stem for folder in folders if folder.is_dir() for p in folder.glob("*.yml")})
        raise click.ClickException(
            f"No sweep file {name}.yml in conf/{environment}/{SWEEPS}/ or conf/base/{SWEEPS}/"
            + (f"; there are: {', '.join(known)}." if known else ".")
        )
    try:
        return SweepSpec(**(yaml.safe_load(path.read_text()) or {})), path
    except yaml.YAMLError as error:
        raise click.ClickException(f"{path}: not valid YAML ({error}).") from None
    except (TypeError, ValidationError) as error:
        raise click.ClickException(f"{path}: {_problems(error)}.") from None


def _problems(error: Exception) -> str:
    if not isinstance(error, ValidationError):
        return str(error)
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'the file'}: {e['msg'].removeprefix('Value error, ')}"
        for e in error.errors()
    )


def check_against_family(spec: SweepSpec, path: Path, block: dict[str, Any]) -> None:
    """The spec's family is registered, and every value its trials can take makes a valid block
    of it (``block``: the family's block as the run's configuration sets it)."""
    from deepgen.families import FAMILIES

    if spec.family not in FAMILIES:
        raise click.ClickException(f"{path}: family {spec.family!r} is not one of {', '.join(FAMILIES)}.")
    samplers = [sampler.name for sampler in FAMILIES[spec.family].samplers]
    if spec.sampler not in samplers:
        raise click.ClickException(
            f"{path}: sampler: {spec.family} has no {spec.sampler!r} sampler ({', '.join(samplers)})."
        )
    params = FAMILIES[spec.family].params
    unknown = [key for key in [*spec.parameters, *spec.fixed] if key not in params.model_fields]
    if unknown:
        raise click.ClickException(
            f"{path}: {', '.join(unknown)}: not a key of the {spec.family} block "
            f"(its keys: {', '.join(params.model_fields)})."
        )
    for corner in spec.corners():
        try:
            params(**(block | spec.fixed | _typed(spec, corner)))
        except ValidationError as error:
            raise click.ClickException(
                f"{path}: a trial with {corner} is not a valid {spec.family} block: {_problems(error)}."
            ) from None


def _typed(spec: SweepSpec, values: dict[str, Any]) -> dict[str, Any]:
    """Range ends of integer ranges as integers."""
    return {
        key: int(value) if isinstance(spec.parameters[key], Range) and spec.parameters[key].integers else value
        for key, value in values.items()
    }
