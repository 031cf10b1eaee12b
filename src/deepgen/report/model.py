"""A model's report (``metrics.json``) and a one-class detector's: what its evaluation measured."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from .provenance import flat_keys, normalised

SAMPLE_COLUMNS = ("fd", "class_score", "precision", "recall")
CONDITIONAL_COLUMNS = ("conditional_accuracy", "fd_per_class")  # samples asked for given digits


class Report(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SampleMetrics(Report):
    """Sample quality under the frozen evaluator, samples against the test set. What could not
    be measured is None: everything without an evaluator, the class-based metrics on
    unlabelled images (the evaluator's classes are not theirs)."""

    fd: float | None = None
    class_score: float | None = None
    precision: float | None = None
    recall: float | None = None
    class_freq: list[float] | None = None
    # Conditional families' samples only (see deepgen.evaluation.conditional_quality).
    conditional_accuracy: float | None = None
    fd_per_class: float | None = None


class TrainingStats(Report):
    seconds: float  # all of training, the sample scoring during it included
    images: int
    images_per_second: float
    final_losses: dict[str, float] = {}
    sample_quality_seconds: float | None = None  # of ``seconds``: scoring samples during training
    # The training node's seconds by phase (deepgen.pipelines.family.nodes._phases), ``node`` all of it.
    phases: dict[str, float] = {}
    # The probe's measurements as training went on (a series per key: epoch, step, seconds of
    # training before each, fd, class_score, …); empty when it did not run.
    quality: dict[str, list[float]] = {}


class ModelReport(Report):
    """``data/08_reporting/<family>/metrics.json``."""

    family: str
    label: str
    metrics: dict[str, float]  # on the test set: reconstruction and the family's own
    samples: dict[str, SampleMetrics]  # by sampler, ``prior`` first
    training: TrainingStats
    parameters: dict[str, Any]
    n_test_images: int
    commit: str
    evaluator_sha256: str
    # Reports written before these were recorded read as "unknown".
    environment: str = "unknown"  # the Kedro environment of the run (`--env`)
    n_train_images: int | None = None
    dataset: str = "unknown"  # what it was trained and scored on (`mnist`, `fashion-mnist`, a folder's name)
    notes: list[str] = []  # what was not measured, and why
    # With ``parameters``, the work that made it (``provenance``): what a rerun must match to be
    # the same work. Reports written before it was recorded have none, and match nothing.
    provenance: dict[str, Any] = {}
    # The test images scored: their SHA-256, and the seed of their binarization where binarized.
    test_set: dict[str, Any] = {}

    def differences(self, parameters: dict[str, Any], provenance: dict[str, Any]) -> list[str]:
        """How the work ``parameters`` and ``provenance`` describe differs from this report's,
        in words (``<family>.epochs was 5, now 2``); empty if it is the same work."""
        if not self.provenance:
            return ["its report does not say what made it"]
        recorded = {**{f"{self.family}.{k}": v for k, v in self.parameters.items()}, **flat_keys(self.provenance)}
        expected = {
            **{f"{self.family}.{k}": v for k, v in normalised(parameters).items()},
            **flat_keys(normalised(provenance)),
        }
        missing = object()
        return [
            f"{key} was {recorded.get(key, 'not set')!r}, now {expected.get(key, 'not set')!r}"
            for key in dict.fromkeys([*recorded, *expected])
            if recorded.get(key, missing) != expected.get(key, missing)
        ]

    def summary(self) -> dict[str, Any]:
        """Flat keys for a W&B run summary: test metrics and the prior's sample metrics as they
        are, other samplers' as ``<sampler>/fd``, training as ``training/seconds``."""
        flat: dict[str, Any] = dict(self.metrics)
        for sampler, metrics in self.samples.items():
            prefix = "" if sampler == "prior" else f"{sampler}/"
            flat |= {f"{prefix}{key}": value for key, value in metrics.model_dump(exclude_none=True).items()}
        training = self.training.model_dump()
        flat |= {f"final_losses/{key}": value for key, value in training.pop("final_losses").items()}
        return flat | {f"training/{key}": value for key, value in training.items()}


class Separation(Report):
    """How well an anomaly score separates anomalies from the normal class."""

    auroc: float
    average_precision: float


class OneClassReport(Report):
    """``data/08_reporting/anomaly/<family>_<digit>.json``: a family trained on one digit."""

    family: str
    label: str
    normal_class: int
    n_train_images: int
    scores: dict[str, Separation]  # by anomaly score

    def summary(self) -> dict[str, Any]:
        """Flat keys for a W&B run summary: ``<score>/auroc``, ``<score>/average_precision``."""
        return {f"{name}/{key}": value for name, score in self.scores.items() for key, value in score}
