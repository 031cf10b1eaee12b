"""What a model family declares: the one object the pipelines, reports and tracking read.

Every family has the essentials (its networks, how they train, how codes become images, its
samplers); what only some families can do comes as optional capabilities (``anomaly``,
``restoration``). The callables' signatures are the protocols below."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

import keras
import numpy as np
from matplotlib.figure import Figure

from deepgen.models.blocks import N_DIGITS
from deepgen.params import FamilyParams

Networks = dict[str, keras.Model]


@dataclass(frozen=True)
class TrainingData:
    """What a family trains on: images in its ``scaling``; a conditional family's also read
    their digits (``labels``, None for the others); ``targets`` are what the images should
    become, for a family that learns to restore corrupted images (None: the images themselves).
    ``binarize``: the run's protocol asks for binary training images, drawn afresh each time an
    image is seen (``data.binarize``; the families with a Bernoulli likelihood honour it)."""

    x: np.ndarray
    validation_x: np.ndarray
    labels: np.ndarray | None = None
    validation_labels: np.ndarray | None = None
    targets: np.ndarray | None = None
    validation_targets: np.ndarray | None = None
    binarize: bool = False


@dataclass(frozen=True)
class TrainingResult:
    """What a family's ``train`` hands back besides its (trained in place) networks."""

    history: dict[str, list[float]]  # per epoch; a ``step`` series, if any, is the x axis
    stats: dict[str, float]  # seconds, images, images_per_second (deepgen.training.callbacks.TrainingClock)
    extras: dict[str, Any] = field(default_factory=dict)  # for the family's own figures


@dataclass(frozen=True)
class FigureInputs:
    """What a family's own figures may draw on besides its networks."""

    family: Family  # as its parameters make it (``Family.configured``)
    test_x: np.ndarray  # [0, 1]
    test_labels: np.ndarray
    extras: dict[str, Any]  # TrainingResult.extras
    params: FamilyParams
    seed: int
    score: Score | None  # None without an evaluator


class Build(Protocol):
    def __call__(self, params: FamilyParams, /) -> Networks:
        """The untrained networks."""


class Train(Protocol):
    def __call__(
        self, networks: Networks, data: TrainingData, params: FamilyParams, seed: int, callbacks: list, /
    ) -> TrainingResult:
        """Trains ``networks`` in place through Keras ``fit`` with the ``callbacks`` given."""


class Decode(Protocol):
    def __call__(self, networks: Networks, codes: np.ndarray, digits: np.ndarray | None, /) -> np.ndarray:
        """Codes (and, for a conditional family, one digit each) to images in [0, 1], by the
        decoder (a GAN's generator): one network's forward pass."""


class Generate(Protocol):
    def __call__(
        self, networks: Networks, params: FamilyParams, noise: np.ndarray, digits: np.ndarray | None, /
    ) -> np.ndarray:
        """Images in [0, 1] from standard normal ``noise`` (N × ``latent_dim``): the same noise
        gives the same images."""


class Encode(Protocol):
    def __call__(self, networks: Networks, images: np.ndarray, labels: np.ndarray | None, /) -> np.ndarray:
        """Images in [0, 1] (and a conditional family's labels) to codes: posterior means where there are any."""


class Draw(Protocol):
    def __call__(
        self,
        family: Family,
        networks: Networks,
        params: FamilyParams,
        n: int,
        seed: int,
        train_x: np.ndarray | None,
        digits: np.ndarray | None,
        /,
    ) -> np.ndarray:
        """``n`` images in [0, 1] (``digits``: one per image for a conditional family, else None)."""


class Metrics(Protocol):
    def __call__(
        self, networks: Networks, test_x: np.ndarray, test_labels: np.ndarray, params: FamilyParams, seed: int, /
    ) -> dict[str, float]:
        """The family's own metrics on the test set."""


class Figures(Protocol):
    def __call__(self, networks: Networks, given: FigureInputs, /) -> dict[str, Figure]:
        """The family's own figures, by name (``Family.figure_names``)."""


class Score(Protocol):
    def __call__(self, images: np.ndarray, /) -> dict[str, float]:
        """Images in [0, 1] → their FD and class score under the evaluator."""


class AnomalyScore(Protocol):
    def __call__(self, networks: Networks, images: np.ndarray, params: FamilyParams, seed: int, /) -> np.ndarray:
        """One score per image, higher for images less like the training set."""


class TutorialTraining(Protocol):
    def __call__(self, params: FamilyParams, images: np.ndarray, epochs: int, clock: keras.callbacks.Callback, /):
        """Trains the family's networks on ``images`` for ``epochs`` epochs (a family counted in
        steps: epochs of ``gen_interval`` steps) as the tutorial's code did, telling ``clock``
        when training begins and each epoch ends."""


@dataclass(frozen=True)
class Sampler:
    """One way of drawing images from trained networks: N×28×28 float32 in [0, 1]."""

    name: str  # ``prior`` writes ``samples.npy``; any other ``<name>_samples.npy``
    label: str  # how the comparison names its rows
    draw: Draw


@dataclass(frozen=True)
class AnomalyDetection:
    """A capability: scores that tell how unlike its training images an image is (the
    ``anomaly`` pipeline trains the family on one digit and asks how well each finds the other nine).
    ``views``: where the family learns to restore its digit's images from altered views of them
    (Ye et al.'s attribute restoration, ARNet), the images to (views, the originals they restore
    to); the member then trains through the family's ``restoration`` on them."""

    scores: dict[str, AnomalyScore]
    views: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None


@dataclass(frozen=True)
class TutorialReference:
    """A capability: the family's training written the way the tutorial wrote it (Keras' defaults,
    the Keras-GAN loop), which ``python -m deepgen.benchmarks`` races its training node against.
    ``networks``: the parameters that give the node the tutorial's networks where the family's
    defaults have changed them, so that the race trains the same networks both ways."""

    train: TutorialTraining
    networks: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Restoration:
    """A capability: a training that learns ``TrainingData.targets`` (clean images) from
    ``TrainingData.x`` (their corrupted copies); the ``denoise`` pipeline trains the family so."""

    train: Train


@dataclass(frozen=True)
class Family:
    """A kind of generative model. ``name`` is its registry key, Kedro namespace, parameter
    block and output folder; everything else the template, comparison and tracking need is here."""

    name: str
    label: str
    params: type[FamilyParams]
    build: Build
    train: Train
    networks: tuple[str, ...]  # which of ``build``'s networks are saved (data/06_models/<name>/)
    samplers: tuple[Sampler, ...]  # ``prior`` first
    scaling: Literal["unit", "symmetric"] = "unit"  # training images in [0,1] (sigmoid) or [-1,1] (tanh)
    decode: Decode | None = None  # codes to images by its decoder (None: it has none, as pixel diffusion)
    # Noise to images, where that takes more than decoding the noise (a diffusion family's
    # solver); None: ``decode``. Samples from the prior, the grids of fixed noise and the digit
    # grid are drawn through it (``from_noise``).
    generate: Generate | None = None
    encode: Encode | None = None  # families with an encoder: embeddings, reconstructions, the latent sweep
    # Its networks read the digit: samplers draw the digits asked for (a family whose parameters
    # have ``conditional`` is so when they say it: see ``configured``).
    conditional: bool = False
    # Its decoder is a Bernoulli likelihood: where the run's protocol binarizes the images
    # (``data.binarize``) it trains on binary draws of them, and its codes are of binary images.
    binary_images: bool = False
    epoch_image: Literal["reconstructions", "samples"] = "samples"  # logged after every epoch
    metrics: Metrics | None = None
    figures: Figures | None = None
    figure_names: tuple[str, ...] = ()  # the keys ``figures`` returns (saved as <name>/<figure>.png)
    # Fewer training images than this cannot train anything worth scoring (runs stop before any work).
    min_train_images: int = 100
    # Optional capabilities: what the applications' pipelines look for.
    anomaly: AnomalyDetection | None = None
    restoration: Restoration | None = None
    tutorial: TutorialReference | None = None
    # A capability: the solver-based drawing its ``generate`` is (``shared.drawing.Drawing``:
    # its solvers and their evaluations), which the equal-evaluations study compares.
    drawing: Any | None = None

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

    def codes(self, networks: Networks, images: np.ndarray, labels: np.ndarray | None) -> np.ndarray:
        """``images`` encoded; a conditional encoder also reads their ``labels``, others ignore them."""
        return self.encode(networks, images, self._condition(labels))

    def images(self, networks: Networks, codes: np.ndarray, digits: np.ndarray | None = None) -> np.ndarray:
        """``codes`` decoded, each as the digit asked for where the family is conditional."""
        if self.decode is None:
            raise ValueError(f"The {self.label} has no decoder: it draws images from noise only (from_noise).")
        return self.decode(networks, codes, self._digits_asked(digits))

    def noise(self, params: FamilyParams, n: int, seed: int) -> np.ndarray:
        """``n`` standard normal vectors of ``latent_dim``, the same for the same ``seed``."""
        return np.random.default_rng(seed).standard_normal((n, params.latent_dim), dtype=np.float32)

    def from_noise(
        self, networks: Networks, params: FamilyParams, noise: np.ndarray, digits: np.ndarray | None = None
    ) -> np.ndarray:
        """Images from ``noise`` (``Family.noise``), each as the digit asked for where the family
        is conditional: by ``generate``, or by decoding the noise."""
        if self.generate is None:
            return self.images(networks, noise, digits)
        return self.generate(networks, params, noise, self._digits_asked(digits))

    def _digits_asked(self, digits: np.ndarray | None) -> np.ndarray | None:
        if digits is None and self.conditional:
            raise ValueError(f"The {self.label} is conditional: say which digit each image should be.")
        return self._condition(self._refuse_digits_if_unconditional(digits))

    def reconstruct(self, networks: Networks, images: np.ndarray, labels: np.ndarray | None) -> np.ndarray:
        return self.decode(networks, self.codes(networks, images, labels), self._condition(labels))

    def sample(
        self,
        sampler: Sampler,
        networks: Networks,
        params: FamilyParams,
        n: int,
        seed: int,
        train_x: np.ndarray | None,
        digits=None,
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

    def _condition(self, labels: np.ndarray | None) -> np.ndarray | None:
        """What the networks get of the labels: a conditional family's as digits, the others' nothing."""
        return np.asarray(labels, np.int32) if self.conditional else None


def evaluation_digits(n: int) -> np.ndarray:
    """The digits a conditional family's ``n`` samples are asked for by default: 0, 1, …, 9,
    0, 1, …, so that every digit has ``n / 10`` and any first part of the samples is balanced."""
    return np.arange(n, dtype=np.int32) % N_DIGITS
