"""Validated parameter blocks, one per part of the project (``conf/*/parameters*.yml``).

Nodes type-hint their ``params:<block>`` input with these models; Kedro validates and
instantiates them once, when a run starts, so a typo or an out-of-range value stops the
run before any training with an error that names the key (``Parameter 'ae': latent_dim ...``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, model_validator


class _Block(BaseModel):
    # Unknown keys are errors: a misspelt `latnet_dim` must not be silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataParams(_Block):
    validation_fraction: float = Field(0.1, gt=0, lt=1)  # of the 60k training images
    max_train_images: PositiveInt | None = None  # subset after shuffling (smoke runs)
    max_test_images: PositiveInt | None = None  # subset of the test set (smoke runs)


class TrainingParams(_Block):
    """What every trained model shares: optimisation and speed settings."""

    batch_size: PositiveInt = 128
    learning_rate: PositiveFloat = 1e-3
    # Keras runs this many batches per call into the compiled graph: less Python per step.
    steps_per_execution: PositiveInt = 1
    # XLA: "auto" is Keras' default (on for GPU, off for CPU).
    jit_compile: bool | Literal["auto"] = "auto"
    deterministic: bool = True  # identical results for one seed; False trades that for speed


class AEParams(TrainingParams):
    steps_per_execution: PositiveInt = 256  # as conf/base: these MLPs' steps are short, Python per step weighs
    jit_compile: bool | Literal["auto"] = True
    architecture: Literal["mlp", "conv"] = "mlp"
    latent_dim: PositiveInt = 2
    hidden_units: PositiveInt = 512  # the tutorial's intermediate Dense layer
    # The tutorial put a ReLU on the code; "linear" avoids dead latent units at small sizes.
    latent_activation: Literal["linear", "relu"] = "linear"
    epochs: PositiveInt = 20
    resume: bool = True  # continue from data/06_models/<model>/checkpoints/ after an interruption
    n_samples: PositiveInt = 10_000  # images generated from the prior for samples.npy
    mixture_components: PositiveInt = 10  # Gaussian mixture fitted to training codes, a second sampler


class VAEParams(TrainingParams):
    steps_per_execution: PositiveInt = 256
    jit_compile: bool | Literal["auto"] = True
    architecture: Literal["mlp", "conv"] = "mlp"
    latent_dim: PositiveInt = 2
    hidden_units: PositiveInt = 512
    beta: float = Field(1.0, ge=0)  # weight of the KL term
    reconstruction: Literal["bce", "mse"] = "bce"  # Bernoulli log-likelihood or 784·MSE
    epochs: PositiveInt = 20
    resume: bool = True
    n_samples: PositiveInt = 10_000
    iw_samples: PositiveInt = 100  # K, importance samples per image for nll_iw


class EvaluatorParams(TrainingParams):
    epochs: PositiveInt = 10
    feature_units: PositiveInt = 128  # width of the penultimate layer the metrics compare
    min_test_accuracy: float = Field(0.99, ge=0, le=1)  # below this the evaluator is not saved
    n_real_images: PositiveInt = 10_000  # training images in the real-data comparison row
    neighbours: PositiveInt = 3  # k of the k-NN precision and recall


class DCGANParams(_Block):
    latent_dim: PositiveInt = 100
    batch_size: PositiveInt = 32
    learning_rate: PositiveFloat = 2e-4
    beta_1: float = Field(0.5, ge=0, lt=1)
    steps: PositiveInt = 3000  # generator updates
    gen_interval: PositiveInt = 500  # keep a fixed-noise sample grid every this many steps
    steps_per_execution: PositiveInt = 50
    jit_compile: bool | Literal["auto"] = "auto"
    fused_upsampling: bool = True  # see deepgen.models.dcgan.UpsampleConv2D
    resume: bool = True
    deterministic: bool = True
    n_samples: PositiveInt = 10_000

    @model_validator(mode="after")
    def _whole_intervals(self) -> DCGANParams:
        # Training runs in Keras epochs of gen_interval steps, one sample grid after each.
        if self.steps % self.gen_interval:
            raise ValueError(f"steps ({self.steps}) must be a multiple of gen_interval ({self.gen_interval})")
        # A sample grid and a checkpoint need the compiled graph to stop at the interval's end.
        if self.gen_interval % self.steps_per_execution:
            raise ValueError(
                f"gen_interval ({self.gen_interval}) must be a multiple of steps_per_execution ({self.steps_per_execution})"
            )
        return self


class LatentSweepParams(_Block):
    # One AE and one VAE instance per size. The list shapes the pipeline: it is read from
    # conf/base/parameters_latent_sweep.yml when pipelines are registered.
    latent_dims: list[PositiveInt] = [2, 10, 100]
