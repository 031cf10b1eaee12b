"""What ``kedro distribute`` runs: its members (a sweep instance or a family, at a seed) and
the pipeline that reports on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

STAGES = ("06_models", "07_model_output", "08_reporting")  # where a member's outputs go, each in its folder


@dataclass(frozen=True)
class Member:
    """One task: a pipeline, a seed, and its folder in each stage of the data root; what it
    trains: a family, with ``changes`` to its parameter block (a sweep instance's size, a sweep
    trial's parameters)."""

    pipeline: str
    seed: int
    folder: str  # a family's name, `latent_sweep/<instance>`, `sweep/<family>`
    family: str
    changes: tuple[tuple[str, Any], ...] = ()
    repeat: int | None = None  # its place among ``--repeats`` (None: no repeats)
    # A sweep trial's: its run is given ``changes`` as ``--params`` (a sweep instance's
    # pipeline sets its own), ``environment`` (the trial it reports to), a ``tag`` naming its
    # scratch project, and it sends back only its ``stages``' files (its report).
    given: bool = False
    environment: tuple[tuple[str, str], ...] = ()
    tag: str | None = None
    stages: tuple[str, ...] = STAGES

    @property
    def name(self) -> str:
        if self.tag is not None:
            return self.tag
        return self.pipeline if self.repeat is None else f"{self.pipeline}@seed{self.seed}"

    @property
    def owned(self) -> tuple[str, ...]:
        """Its output folders, relative to the data root."""
        return tuple(f"{stage}/{self.folder}" for stage in self.stages)

    def parameters(self) -> list[str]:
        """``--params`` items of its run besides the command's own: the seed, and ``changes``
        where the member is given them."""
        given = [f"{self.family}.{key}={_yaml_scalar(value)}" for key, value in self.changes] if self.given else []
        return [f"seed={self.seed}", *given]

    @property
    def done_marker(self) -> str:
        """The file whose presence means the member has run."""
        return f"08_reporting/{self.folder}/metrics.json"

    def root(self, outputs: str) -> str:
        """Where its outputs go on the client, relative to the project."""
        # Imported here: the comparison package loads TensorFlow, which a Dask worker, unpickling a
        # member, has no use for.
        from deepgen.pipelines.comparison.repeats import seed_folder

        return outputs if self.repeat is None else f"{outputs}/repeats/{seed_folder(self.seed)}"


def _yaml_scalar(value: Any) -> str:
    """``value`` as ``--params`` reads it back (YAML): ``true``, ``0.001``, ``null``."""
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True).strip()
    return text.removesuffix("...").strip()


def members_of(pipelines: str, seed: int, repeats: int) -> tuple[list[Member], str]:
    """The members ``--pipelines`` names, each ``repeats`` times (seeds ``seed``, ``seed + 1``,
    …), and the pipeline that reports on them (over the seeds, with repeats)."""
    from deepgen.families import FAMILIES, default_run
    from deepgen.pipelines.latent_sweep.pipeline import instances

    if pipelines == "latent_sweep":
        kinds = [
            (
                f"latent_sweep.{family.name}_{dim}",
                f"latent_sweep/{family.name}_{dim}",
                family.name,
                (("latent_dim", dim),),
            )
            for family, dim in instances()
        ]
        report = "latent_sweep.report" if repeats == 1 else "repeats.latent_sweep"
    else:
        chosen = default_run() if pipelines == "__default__" else None
        if chosen is None:
            unknown = [name for name in pipelines.split(",") if name not in FAMILIES]
            if unknown:
                raise click.BadParameter(
                    f"{', '.join(unknown)}: not a family. --pipelines takes latent_sweep, __default__ or families "
                    f"({', '.join(FAMILIES)}), comma-separated.",
                    param_hint="--pipelines",
                )
            chosen = [FAMILIES[name] for name in pipelines.split(",")]
        kinds = [(family.name, family.name, family.name, ()) for family in chosen]
        report = "comparison" if repeats == 1 else "repeats.comparison"
    if repeats == 1:
        return [Member(pipeline, seed, folder, family, changes) for pipeline, folder, family, changes in kinds], report
    return [
        Member(pipeline, seed + r, folder, family, changes, repeat=r)
        for r in range(repeats)
        for pipeline, folder, family, changes in kinds
    ], report


def runtime_params(text: str) -> dict:
    """``--params`` as ``kedro run`` reads it: ``key.sub=value,…`` as a nested dict, each value
    parsed as YAML (``[2, 10]`` is a list)."""
    from omegaconf import OmegaConf

    items = [item.strip() for item in text.split(",") if item.strip()]
    for item in items:
        if "=" not in item or not item.partition("=")[0].strip():
            raise click.BadParameter(f"{item!r} is not key=value", param_hint="--params")
    return OmegaConf.to_container(OmegaConf.from_dotlist(items))
