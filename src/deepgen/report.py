"""Typed reports: what a model's evaluation measured, and the comparison of every model.

The nodes build them, ``deepgen.datasets.ReportDataset`` saves them as JSON, and the comparison
and W&B read their fields.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

SAMPLE_COLUMNS = ("fd", "class_score", "precision", "recall")


class _Report(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SampleMetrics(_Report):
    """Sample quality under the frozen evaluator, samples against the test set."""

    fd: float
    class_score: float
    precision: float
    recall: float
    class_freq: list[float]


class TrainingStats(_Report):
    seconds: float
    images: int
    images_per_second: float
    final_losses: dict[str, float] = {}


class ModelReport(_Report):
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

    def summary(self) -> dict[str, Any]:
        """Flat keys for a W&B run summary: test metrics and the prior's sample metrics as they
        are, other samplers' as ``<sampler>/fd``, training as ``training/seconds``."""
        flat: dict[str, Any] = dict(self.metrics)
        for sampler, metrics in self.samples.items():
            prefix = "" if sampler == "prior" else f"{sampler}/"
            flat |= {f"{prefix}{key}": value for key, value in metrics.model_dump().items()}
        training = self.training.model_dump()
        flat |= {f"final_losses/{key}": value for key, value in training.pop("final_losses").items()}
        return flat | {f"training/{key}": value for key, value in training.items()}


class ComparisonRow(_Report):
    label: str
    samples_key: str | None = None  # the plot's key for this row's samples (``<family>.<sampler>``)
    metrics: dict[str, float | None]
    train_seconds: float | None = None
    images_per_second: float | None = None
    commit: str | None = None
    parameters: dict[str, Any] | None = None


class Comparison(_Report):
    """``data/08_reporting/comparison.json``: the real-data row, then one row per model and sampler."""

    columns: list[str]
    rows: list[ComparisonRow]

    def table(self) -> tuple[list[str], list[list]]:
        """Header and rows, as W&B tables and the Markdown file show them."""
        header = ["model", *self.columns, "train s", "train img/s", "commit"]
        rows = [
            [
                row.label,
                *(row.metrics.get(c) for c in self.columns),
                row.train_seconds,
                row.images_per_second,
                row.commit,
            ]
            for row in self.rows
        ]
        return header, rows


def real_data_row(metrics: SampleMetrics) -> ComparisonRow:
    return ComparisonRow(label="real data (train vs test)", metrics=metrics.model_dump(include=set(SAMPLE_COLUMNS)))


def model_rows(report: ModelReport, sampler_labels: dict[str, str]) -> list[ComparisonRow]:
    """One row per sampler; a family with a single sampler is named by its label alone."""
    rows = []
    for sampler, metrics in report.samples.items():
        label = report.label if len(report.samples) == 1 else f"{report.label}, {sampler_labels.get(sampler, sampler)}"
        rows.append(
            ComparisonRow(
                label=label,
                samples_key=f"{report.family}.{sampler}",
                metrics=report.metrics | metrics.model_dump(include=set(SAMPLE_COLUMNS)),
                train_seconds=report.training.seconds,
                images_per_second=report.training.images_per_second,
                commit=report.commit,
                parameters=report.parameters if sampler == next(iter(report.samples)) else None,
            )
        )
    return rows


def tabulate(real_data: SampleMetrics, rows: list[ComparisonRow]) -> Comparison:
    """The comparison: the real-data row first, columns in the order the rows bring them."""
    test_columns = dict.fromkeys(key for row in rows for key in row.metrics if key not in SAMPLE_COLUMNS)
    return Comparison(columns=[*test_columns, *SAMPLE_COLUMNS], rows=[real_data_row(real_data), *rows])


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"  # noqa: PLR2004
    return str(value)


def markdown_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def comparison_markdown(result: Comparison) -> str:
    """The comparison as a Markdown page: the table, what its columns mean, the parameters."""
    parameters = [
        f"- **{row.label}**: " + ", ".join(f"{k}={v}" for k, v in row.parameters.items())
        for row in result.rows
        if row.parameters
    ]
    return "\n".join(
        [
            "# deepgen: model comparison",
            "",
            "On the test set and on generated samples, under the frozen evaluator (`data/06_models/evaluator`). "
            "`fd`: Fréchet distance of evaluator features (lower is better); `class_score`: MNIST analogue of the "
            "Inception Score (10 at best); `precision`/`recall`: k-NN manifold coverage; reconstruction metrics "
            "on [0,1] pixels, `recon_bce`, `elbo` and `nll_iw` in nats per image.",
            "",
            markdown_table(*result.table()),
            "Parameters:",
            "",
            *parameters,
            "",
        ]
    )
