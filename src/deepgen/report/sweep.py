"""A sweep's reports: each trial's (``TrialReport``, measured on the validation images only) and
the study's (``SweepStudy``: every trial, the best, what mattered)."""

from __future__ import annotations

from typing import Any, Literal

from .model import Report, SampleMetrics, TrainingStats

# What better means for each metric a trial measures (``SweepSpec.direction`` may say otherwise).
DIRECTIONS: dict[str, Literal["minimize", "maximize"]] = {
    "fd": "minimize",
    "fd_per_class": "minimize",
    "recon_mse": "minimize",
    "recon_bce": "minimize",
    "nll_iw": "minimize",
    "class_score": "maximize",
    "precision": "maximize",
    "recall": "maximize",
    "conditional_accuracy": "maximize",
    "elbo": "maximize",
}


class TrialReport(Report):
    """``08_reporting/sweep/<family>/trial.json`` of a trial's run: what it trained with and how
    it did on the validation images (never the test set)."""

    family: str
    label: str
    parameters: dict[str, Any]
    metrics: dict[str, float]  # on the validation images: reconstruction and the family's own
    samples: dict[str, SampleMetrics]  # by sampler (``prior`` first), against the validation images
    training: TrainingStats
    n_train_images: int
    n_validation_images: int
    environment: str
    dataset: str
    commit: str
    provenance: dict[str, Any]

    def value(self, metric: str, sampler: str = "prior") -> float | None:
        """``metric`` of this trial: a sample metric of ``sampler``'s samples, or one of ``metrics``."""
        if metric in SampleMetrics.model_fields:
            return getattr(self.samples[sampler], metric)
        return self.metrics.get(metric)

    def summary(self) -> dict[str, Any]:
        """Flat keys for a W&B run summary: ``validation/<metric>`` (other samplers':
        ``validation/<sampler>/<metric>``), ``training/seconds``."""
        measured = dict(self.metrics)
        for sampler, metrics in self.samples.items():
            prefix = "" if sampler == "prior" else f"{sampler}/"
            measured |= {
                f"{prefix}{k}": v for k, v in metrics.model_dump(exclude_none=True, exclude={"class_freq"}).items()
            }
        return {f"validation/{key}": value for key, value in measured.items()} | {
            "training/seconds": self.training.seconds
        }


class TrialRecord(Report):
    """One trial of a study as the sweep's command saw it end."""

    number: int
    state: Literal["complete", "pruned", "failed", "running"]
    parameters: dict[str, Any]  # the searched keys' values
    value: float | None = None  # the sweep's metric (complete trials)
    intermediate: dict[int, float] = {}  # validation FD of the probes, by epoch or step
    seconds: float | None = None  # the trial's run, start to end


class SweepStudy(Report):
    """``08_reporting/sweeps/<name>/study.json``: a sweep's trials, the best of them and the
    parameters' importances (Optuna's PED-ANOVA, over the complete trials)."""

    name: str
    family: str
    label: str
    method: str
    metric: str
    sampler: str = "prior"
    direction: Literal["minimize", "maximize"]
    storage: str
    trials: list[TrialRecord]
    best: TrialRecord | None
    importances: dict[str, float] = {}
    environment: str = "unknown"

    def table(self) -> tuple[list[str], list[list]]:
        """Every trial as a row: number, state, the metric, the searched parameters, seconds."""
        keys = list(dict.fromkeys(key for trial in self.trials for key in trial.parameters))
        header = ["trial", "state", self.metric, *keys, "seconds"]
        rows = [
            [t.number, t.state, t.value, *(t.parameters.get(k) for k in keys), t.seconds]
            for t in sorted(self.trials, key=lambda t: t.number)
        ]
        return header, rows

    def summary(self) -> dict[str, Any]:
        """Flat keys for the group's summary run: the best trial and its parameters, the counts."""
        counts = {f"trials/{state}": sum(t.state == state for t in self.trials) for state in ("complete", "pruned")}
        if self.best is None:
            return counts
        best = {f"best/{key}": value for key, value in self.best.parameters.items()}
        return counts | best | {f"best/{self.metric}": self.best.value, "best/trial": self.best.number}
