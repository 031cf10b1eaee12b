"""Validated parameter blocks shared by every part of the project (``conf/*/parameters*.yml``).

Each family declares its own block in its module (``deepgen.families.<name>``), built on the
shared ``FamilyParams``. Nodes type-hint their ``params:<block>`` input with these models; Kedro
validates and instantiates them once, when a run starts, so a typo or an out-of-range value
stops the run before any training with an error that names the key. The values live in the
YAML files only: a key missing there is an error, not a silent default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    ValidationError,
    model_validator,
)


class Block(BaseModel):
    # Unknown keys are errors: a misspelt `latnet_dim` must not be silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataParams(Block):
    validation_fraction: float = Field(gt=0, lt=1)  # of the 60k training images
    max_train_images: PositiveInt | None  # subset after shuffling (smoke runs)
    max_test_images: PositiveInt | None  # subset of the test set (smoke runs)
    # Binarized MNIST as the likelihood literature uses it (Burda et al. 2016): training images
    # binarized afresh each time they are seen, validation and test images once, from
    # ``binarize_seed``, so that every run scores the same binary test set.
    binarize: bool
    binarize_seed: NonNegativeInt

    def split_sizes(self, pool: int) -> tuple[int, int]:
        """Training and validation images the (limited) training pool of ``pool`` images gives."""
        used = pool if self.max_train_images is None else min(pool, self.max_train_images)
        n_validation = max(1, round(used * self.validation_fraction))
        return used - n_validation, n_validation


class TrainingParams(Block):
    """What every trained network shares: optimisation and speed settings."""

    batch_size: PositiveInt
    learning_rate: PositiveFloat
    # Keras runs this many batches per call into the compiled graph: less Python per step.
    steps_per_execution: PositiveInt
    jit_compile: bool | Literal["auto"]  # XLA; "auto" is Keras' default (on for GPU, off for CPU)
    deterministic: bool  # identical results for one seed; False trades that for speed
    # Keras' dtype policy of the networks: mixed_* keeps weights, outputs and losses in float32
    # and computes in 16 bits (fast on GPUs with tensor cores; float16 with loss scaling).
    precision: Literal["float32", "mixed_float16", "mixed_bfloat16"]


class FamilyParams(TrainingParams):
    """The block every model family composes its own from."""

    latent_dim: PositiveInt
    resume: bool  # continue from the checkpoint beside the saved networks after an interruption
    n_samples: PositiveInt  # images each sampler generates for the metrics and samples.npy
    # Sample quality during training: every ``eval_interval`` epochs (families counted in
    # steps: steps) ``eval_samples`` prior samples are scored with the evaluator; 0: never.
    eval_interval: NonNegativeInt
    eval_samples: int = Field(ge=2)  # FD needs a covariance

    # Keys that leave what training computes unchanged (how long it runs, whether it resumes,
    # what is sampled and scored on the way or afterwards): a checkpoint made under other
    # values still resumes.
    RESUMABLE_CHANGES: ClassVar[frozenset[str]] = frozenset({"resume", "n_samples", "eval_interval", "eval_samples"})

    def shaping_training(self) -> dict:
        """The values a checkpoint must have been made with to be resumed."""
        return {key: value for key, value in self.model_dump().items() if key not in self.RESUMABLE_CHANGES}

    def changed(self, changes: dict[str, Any], where: str) -> FamilyParams:
        """This block with the keys ``changes`` sets, validated as the block is; ``where`` names
        the parameter that holds the changes, for the error."""
        try:
            return type(self)(**(self.model_dump() | changes))
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            raise ValueError(f"{where} does not make a valid block: {problems}") from None

    # What training is counted in: epochs (the default), or steps (``StepCountedParams``).
    COUNTED_IN: ClassVar[Literal["epoch", "step"]] = "epoch"

    @classmethod
    def counted_in(cls) -> Literal["epoch", "step"]:
        return cls.COUNTED_IN


class StepCountedParams(FamilyParams):
    """Families trained for a number of optimiser steps (the GANs' generator updates), in Keras
    epochs of ``gen_interval`` steps: a log row, a fixed-noise sample grid and a checkpoint after each."""

    steps: PositiveInt
    gen_interval: PositiveInt

    COUNTED_IN = "step"
    RESUMABLE_CHANGES = FamilyParams.RESUMABLE_CHANGES | {"steps"}

    def shortened(self, steps: int, gen_interval: int) -> StepCountedParams:
        """This block trained for ``steps`` steps in epochs of ``gen_interval`` (what a benchmark
        times); a block whose other keys count steps too keeps them in proportion."""
        return self.model_copy(
            update={
                "steps": steps,
                "gen_interval": gen_interval,
                "steps_per_execution": min(self.steps_per_execution, gen_interval),
            }
        )

    @model_validator(mode="after")
    def _whole_intervals(self) -> StepCountedParams:
        # Training runs in Keras epochs of gen_interval steps, one sample grid after each.
        if self.steps % self.gen_interval:
            raise ValueError(f"steps ({self.steps}) must be a multiple of gen_interval ({self.gen_interval})")
        # A sample grid and a checkpoint need the compiled graph to stop at the interval's end.
        if self.gen_interval % self.steps_per_execution:
            raise ValueError(
                f"gen_interval ({self.gen_interval}) must be a multiple of steps_per_execution ({self.steps_per_execution})"
            )
        # Samples are scored between Keras epochs.
        if self.eval_interval % self.gen_interval:
            raise ValueError(
                f"eval_interval ({self.eval_interval}) must be a multiple of gen_interval ({self.gen_interval})"
            )
        return self


class EvaluatorParams(TrainingParams):
    epochs: PositiveInt
    feature_units: PositiveInt  # width of the penultimate layer the metrics compare
    min_test_accuracy: float = Field(ge=0, le=1)  # below this the evaluator is not saved
    n_real_images: PositiveInt  # training images in the real-data comparison row
    neighbours: PositiveInt  # k of the k-NN precision and recall


class LatentSweepParams(Block):
    # One instance per family and size. The lists shape the pipeline: they are read from the
    # run's configuration when its pipelines are built (``shaping``).
    latent_dims: list[PositiveInt]
    families: list[str] | None = None  # None: every family with an encoder


class AutoencodingParams(FamilyParams):
    """Families with an encoder and a decoder, trained in epochs."""

    # mlp: the tutorial's 784 → hidden_units → latent; conv: strided convolutions first;
    # paper: Burda et al.'s two tanh layers of hidden_units (deepgen.models.blocks.ARCHITECTURES)
    architecture: Literal["mlp", "conv", "paper"]
    hidden_units: PositiveInt
    epochs: PositiveInt
    # constant: learning_rate throughout; cosine: from learning_rate down to 0 over the epochs
    # (half a cosine, epoch by epoch): the last epochs settle where a constant rate jitters.
    learning_rate_schedule: Literal["constant", "cosine"]

    RESUMABLE_CHANGES = FamilyParams.RESUMABLE_CHANGES | {"epochs"}


class MixtureSampledParams(AutoencodingParams):
    """Autoencoding families that also sample from a mixture fitted to their training codes."""

    mixture_components: PositiveInt  # Gaussian mixture fitted to training codes: the mixture sampler

    RESUMABLE_CHANGES = AutoencodingParams.RESUMABLE_CHANGES | {"mixture_components"}


class AnomalyParams(Block):
    """The one-class protocol: each family that offers anomaly scores is trained on the
    training images of one digit and scores the whole test set."""

    # The digits that get members, each in turn the normal class. The list shapes the pipeline:
    # it is read from the run's configuration when its pipelines are built (``shaping``).
    normal_classes: list[Annotated[int, Field(ge=0, le=9)]] = Field(min_length=1)
    families: list[str] | None  # the detecting families (None: every family with anomaly scores); shapes it too
    # Keys of a family's own block changed for its one-class trainings (validated against the
    # family's parameter class when the run starts): {family: {key: value}}.
    training: dict[str, dict[str, Any]]
    extremes: PositiveInt  # most and least anomalous test images shown per normal digit
    # Published AUROCs of this protocol set beside deepgen's in the report: {dataset: {method: the
    # AUROC with each class normal, 0 to 9}}; a dataset with none shows none.
    published: dict[
        str, dict[str, Annotated[list[Annotated[float, Field(ge=0, le=1)]], Field(min_length=10, max_length=10)]]
    ] = {}


class DenoiseParams(Block):
    """The corruptions the `denoise` pipeline restores, and how its models train."""

    gaussian_sigma: float = Field(gt=0)  # standard deviation of the added noise, pixels in [0, 1]
    salt_and_pepper_rate: float = Field(gt=0, lt=1)  # share of pixels set to 0 or 1
    mask_size: int = Field(ge=1, le=28)  # side of the blanked square (inpainting)
    # Keys of a family's own block changed for the denoising and plain models: {family: {key: value}}.
    training: dict[str, dict[str, Any]]
    examples: PositiveInt  # test images shown per corruption in the figure


def configuration(env: str | None = "base", project: Path | None = None, runtime_params: dict | None = None):
    """The project's configuration as ``kedro run --env=<env> --params=<runtime_params>`` reads
    it (``conf/base`` with ``env`` merged over it; ``"base"``: alone), through Kedro's own config
    loader and the project's settings: what ``kedro distribute`` and the benchmark read before
    any run.

    Not for use inside a run: a new loader takes over OmegaConf's process-wide ``globals``
    resolver, and the run's catalog would then resolve its paths with this one's globals."""
    from kedro.config import OmegaConfigLoader
    from kedro.framework.project import settings
    from kedro.framework.startup import bootstrap_project
    from kedro.utils import find_kedro_project

    project = project or find_kedro_project(Path.cwd()) or Path.cwd()  # a notebook runs in a sub-folder
    bootstrap_project(project)  # the project's settings: its merge strategy, its config patterns
    arguments = {
        **settings.CONFIG_LOADER_ARGS,
        "default_run_env": env or settings.CONFIG_LOADER_ARGS["default_run_env"],
    }
    return OmegaConfigLoader(str(project / settings.CONF_SOURCE), runtime_params=runtime_params, **arguments)


_run_configuration = None  # the config loader of the session under way, if any (``use_run_configuration``)
_run_parameters: dict | None = None  # its parameters, once resolved


def use_run_configuration(config_loader) -> None:
    """Pipelines built from now on are shaped by this configuration (``None``: by the default
    environment's). The provenance hook calls this as a session's context is made, before Kedro
    first asks for a pipeline; ``kedro distribute`` with its own ``--env`` and ``--params``."""
    global _run_configuration, _run_parameters  # one session at a time per process, as Kedro runs them
    _run_configuration, _run_parameters = config_loader, None


def shaping(block: type[Block], key: str) -> Block:
    """A parameter block that shapes pipelines (the latent sweep's sizes, the anomaly pipeline's
    digits) as the run's configuration sets it: conf/base, its environment and its ``--params``."""
    global _run_parameters  # noqa: PLW0603
    if _run_configuration is None:
        return block(**configuration(None)["parameters"][key])
    if _run_parameters is None:  # a loader reads and merges every file each time it is asked: once per run
        _run_parameters = _run_configuration["parameters"]
    return block(**_run_parameters[key])
