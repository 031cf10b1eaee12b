"""What a model family declares: the one object the pipelines, reports and tracking read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import keras
import numpy as np
from matplotlib.figure import Figure

from deepgen.params import FamilyParams

Networks = dict[str, keras.Model]


@dataclass(frozen=True)
class TrainingResult:
    """What a family's ``train`` hands back besides its (trained in place) networks."""

    history: dict[str, list[float]]  # per epoch; a ``step`` series, if any, is the x axis
    stats: dict[str, float]  # seconds, images, images_per_second (deepgen.training.TrainingClock)
    extras: dict[str, Any] = field(default_factory=dict)  # for the family's own figures


@dataclass(frozen=True)
class Sampler:
    """One way of drawing images from trained networks: N×28×28 float32 in [0, 1]."""

    name: str  # ``prior`` writes ``samples.npy``; any other ``<name>_samples.npy``
    label: str  # how the comparison names its rows
    draw: Callable[..., np.ndarray]  # (family, networks, params, n, seed, train_x) -> images


@dataclass(frozen=True)
class Family:
    """A kind of generative model. ``name`` is its registry key, Kedro namespace, parameter
    block and output folder; everything else the template, comparison and tracking need is here."""

    name: str
    label: str
    params: type[FamilyParams]
    build: Callable[[FamilyParams], Networks]  # untrained networks from the parameters
    # (networks, train_x, validation_x, params, seed, callbacks) -> TrainingResult; images in ``scaling``
    train: Callable[..., TrainingResult]
    networks: tuple[str, ...]  # which of ``build``'s networks are saved (data/06_models/<name>/)
    decode: Callable[[Networks, np.ndarray], np.ndarray]  # latent codes -> images in [0, 1]
    samplers: tuple[Sampler, ...]
    scaling: Literal["unit", "symmetric"] = "unit"  # training images in [0,1] (sigmoid) or [-1,1] (tanh)
    encode: Callable[[Networks, np.ndarray], np.ndarray] | None = None  # [0,1] images -> codes (means)
    epoch_image: Literal["reconstructions", "samples"] = "samples"  # logged after every epoch
    # Family-specific metrics on the test set: (networks, test_x, params, seed) -> {name: value}
    metrics: Callable[..., dict[str, float]] | None = None
    # Family-specific figures: (networks, test_x, test_labels, training extras) -> {name: Figure}
    figures: Callable[..., dict[str, Figure]] | None = None
    figure_names: tuple[str, ...] = ()  # the keys ``figures`` returns (saved as <name>/<figure>.png)
    in_default_run: bool = True  # part of plain `kedro run` (its default budget fits the main job)
    # Fewer training images than this cannot train anything worth scoring (runs stop before any work).
    min_train_images: int = 100

    def reconstruct(self, networks: Networks, images: np.ndarray) -> np.ndarray:
        return self.decode(networks, self.encode(networks, images))
