"""What a model family declares: the one object the pipelines, reports and tracking read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import keras
import numpy as np
from matplotlib.figure import Figure

from deepgen.models.blocks import N_DIGITS
from deepgen.params import FamilyParams

Networks = dict[str, keras.Model]


@dataclass(frozen=True)
class TrainingResult:
    """What a family's ``train`` hands back besides its (trained in place) networks."""

    history: dict[str, list[float]]  # per epoch; a ``step`` series, if any, is the x axis
    stats: dict[str, float]  # seconds, images, images_per_second (deepgen.training.TrainingClock)
    extras: dict[str, Any] = field(default_factory=dict)  # for the family's own figures


@dataclass(frozen=True)
class FigureInputs:
    """What a family's own figures may draw on besides its networks."""

    test_x: np.ndarray  # [0, 1]
    test_labels: np.ndarray
    extras: dict[str, Any]  # TrainingResult.extras
    params: FamilyParams
    seed: int
    # images in [0, 1] -> their FD and class score under the evaluator; None without an evaluator
    score: Callable[[np.ndarray], dict[str, float]] | None


@dataclass(frozen=True)
class Sampler:
    """One way of drawing images from trained networks: N×28×28 float32 in [0, 1]."""

    name: str  # ``prior`` writes ``samples.npy``; any other ``<name>_samples.npy``
    label: str  # how the comparison names its rows
    # (family, networks, params, n, seed, train_x, digits) -> images; ``digits`` (one per image)
    # for conditional families, None for the others
    draw: Callable[..., np.ndarray]


@dataclass(frozen=True)
class Family:
    """A kind of generative model. ``name`` is its registry key, Kedro namespace, parameter
    block and output folder; everything else the template, comparison and tracking need is here."""

    name: str
    label: str
    params: type[FamilyParams]
    build: Callable[[FamilyParams], Networks]  # untrained networks from the parameters
    # (networks, train_x, validation_x, params, seed, callbacks) -> TrainingResult; images in
    # ``scaling``; a conditional family's also takes ``train_labels`` and ``validation_labels``
    train: Callable[..., TrainingResult]
    networks: tuple[str, ...]  # which of ``build``'s networks are saved (data/06_models/<name>/)
    # (networks, codes) -> images in [0, 1]; a conditional family's takes the digits as a third argument
    decode: Callable[..., np.ndarray]
    samplers: tuple[Sampler, ...]
    scaling: Literal["unit", "symmetric"] = "unit"  # training images in [0,1] (sigmoid) or [-1,1] (tanh)
    # (networks, [0,1] images) -> codes (means); a conditional family's takes the labels as a third argument
    encode: Callable[..., np.ndarray] | None = None
    # its networks read the digit: samplers draw the digits asked for (a family whose parameters
    # have ``conditional`` is so when they say it: see ``configured``)
    conditional: bool = False
    epoch_image: Literal["reconstructions", "samples"] = "samples"  # logged after every epoch
    # Family-specific metrics on the test set: (networks, test_x, test_labels, params, seed) -> {name: value}
    metrics: Callable[..., dict[str, float]] | None = None
    # Family-specific figures: (networks, FigureInputs) -> {name: Figure}
    figures: Callable[..., dict[str, Figure]] | None = None
    figure_names: tuple[str, ...] = ()  # the keys ``figures`` returns (saved as <name>/<figure>.png)
    # Anomaly scores it offers, by name: (networks, [0,1] images, params, seed) -> one score per
    # image, higher for images less like its training set (the `anomaly` pipeline trains it on
    # one digit and asks how well each score finds the other nine).
    anomaly_scores: dict[str, Callable[..., np.ndarray]] = field(default_factory=dict)
    # Its ``train`` also takes ``train_targets`` and ``validation_targets``: the clean images it
    # learns to give for corrupted inputs (the `denoise` pipeline trains it so).
    denoises: bool = False
    in_default_run: bool = True  # part of plain `kedro run` (its default budget fits the main job)
    # Fewer training images than this cannot train anything worth scoring (runs stop before any work).
    min_train_images: int = 100

    def configured(self, params: FamilyParams) -> Family:
        """The family as ``params`` make it: one whose parameter block says ``conditional: true``
        acts as a conditional family (its networks read the digit, its samples are asked for
        digits, its reports carry the conditional metrics)."""
        if getattr(params, "conditional", False) and not self.conditional:
            return replace(self, conditional=True, label=f"{self.label}, conditional")
        return self

    @property
    def may_be_conditional(self) -> bool:
        return self.conditional or "conditional" in self.params.model_fields

    def codes(self, networks: Networks, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """``images`` encoded; a conditional encoder also reads their ``labels``, others ignore them."""
        return self.encode(networks, images, *self._condition(labels))

    def images(self, networks: Networks, codes: np.ndarray, digits: np.ndarray | None = None) -> np.ndarray:
        """``codes`` decoded, each as the digit asked for where the family is conditional."""
        if digits is None and self.conditional:
            raise ValueError(f"The {self.label} is conditional: say which digit each image should be.")
        return self.decode(networks, codes, *self._condition(self._refuse_digits_if_unconditional(digits)))

    def reconstruct(self, networks: Networks, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
        codes = self.codes(networks, images, labels)
        return self.decode(networks, codes, *self._condition(labels))

    def sample(
        self, sampler: Sampler, networks: Networks, params: FamilyParams, n: int, seed: int, train_x, digits=None
    ) -> np.ndarray:
        """``n`` images from ``sampler``; a conditional family draws ``digits`` (one digit for
        all, or one per image; by default 0, 1, …, 9, 0, 1, …: ``n / 10`` of each digit)."""
        self._refuse_digits_if_unconditional(digits)
        if self.conditional:
            digits = self.default_digits(n) if digits is None else np.broadcast_to(np.asarray(digits, np.int32), (n,))
            if digits.min() < 0 or digits.max() >= N_DIGITS:
                raise ValueError(f"Digits must be 0–{N_DIGITS - 1}, not {sorted(set(digits.tolist()))}.")
        return sampler.draw(self, networks, params, n, seed, train_x, digits)

    def default_digits(self, n: int) -> np.ndarray | None:
        """The digits ``n`` samples are asked for when nobody says (None: unconditional)."""
        return evaluation_digits(n) if self.conditional else None

    def _refuse_digits_if_unconditional(self, digits):
        if digits is not None and not self.conditional:
            raise ValueError(f"The {self.label} is unconditional: it cannot be asked for particular digits.")
        return digits

    def _condition(self, labels: np.ndarray) -> tuple[np.ndarray, ...]:
        return (np.asarray(labels, np.int32),) if self.conditional else ()


def evaluation_digits(n: int) -> np.ndarray:
    """The digits a conditional family's ``n`` samples are asked for by default: 0, 1, …, 9,
    0, 1, …, so that every digit has ``n / 10`` and any first part of the samples is balanced."""
    return np.arange(n, dtype=np.int32) % N_DIGITS
