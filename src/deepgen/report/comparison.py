"""The comparison of every model beside the real-data row (``comparison.md``/``.json``)."""

from __future__ import annotations

from typing import Any

from .model import CONDITIONAL_COLUMNS, SAMPLE_COLUMNS, ModelReport, Report, SampleMetrics


class RealDataMetrics(SampleMetrics):
    """The evaluator's fixed reference: real training images scored against the test set."""

    n_train_images: int
    n_test_images: int


class Yardstick(Report):
    """What a comparison measures against: the evaluator's real-data row (None where the
    dataset's evaluator has scored no real images), the run's environment, the dataset and the
    evaluator's SHA-256."""

    real_data: RealDataMetrics | None
    environment: str
    dataset: str
    evaluator_sha256: str


class ComparisonRow(Report):
    label: str
    samples_key: str | None = None  # the plot's key for this row's samples (``<family>.<sampler>``)
    metrics: dict[str, float | None]
    environment: str | None = None  # None: the same in every environment (the real-data row)
    n_train_images: int | None = None
    n_test_images: int | None = None
    n_samples: int | None = None
    train_seconds: float | None = None
    images_per_second: float | None = None
    commit: str | None = None
    parameters: dict[str, Any] | None = None
    # Over seed repeats: ``metrics`` hold the means, ``spread`` the sample standard deviations
    # and ``seeds`` each seed's metrics.
    spread: dict[str, float] | None = None
    seeds: list[dict[str, Any]] | None = None

    def cell(self, column: str) -> float | str | None:
        """A metric as tables show it: the value, or ``mean ± sd`` over seeds."""
        return mean_and_sd_cell(self.metrics.get(column), (self.spread or {}).get(column))


class Comparison(Report):
    """``data/08_reporting/comparison.json``: the real-data row, then one row per model and
    sampler; ``environment`` is the run's, whose rows come first."""

    environment: str
    columns: list[str]
    rows: list[ComparisonRow]
    dataset: str = "unknown"  # every row's: each dataset's runs save their comparison apart
    evaluator_sha256: str = "unknown"
    notes: list[str] = []  # what some rows could not measure, and why

    def environments(self) -> list[str]:
        """This run's environment, then any other the saved reports came from."""
        others = dict.fromkeys(row.environment for row in self.rows if row.environment not in (None, self.environment))
        return [self.environment, *others]

    def table(self, environment: str | None = None, *, numeric: bool = False) -> tuple[list[str], list[list]]:
        """Header and rows of one environment (this run's by default) with the real-data row,
        as W&B tables and the Markdown file show them: rows of different environments trained
        and scored on different amounts of data, so they never share a table. Over seed
        repeats a cell reads ``mean ± sd``; ``numeric`` keeps the mean a number and puts the
        standard deviations in columns of their own (a W&B column holds one type)."""
        environment = environment or self.environment
        spread = [c for c in self.columns if any(c in (row.spread or {}) for row in self.rows)] if numeric else []
        header = [
            "model",
            *self.columns,
            *(f"{c} sd" for c in spread),
            *("train images", "test images", "samples", "train s", "train img/s", "commit"),
        ]
        rows = [
            [
                row.label,
                *(row.metrics.get(c) if numeric else row.cell(c) for c in self.columns),
                *((row.spread or {}).get(c) for c in spread),
                row.n_train_images,
                row.n_test_images,
                row.n_samples,
                row.train_seconds,
                row.images_per_second,
                row.commit,
            ]
            for row in self.rows
            if row.environment in (None, environment)
        ]
        return header, rows


def real_data_row(metrics: RealDataMetrics) -> ComparisonRow:
    return ComparisonRow(
        label=f"real data ({metrics.n_train_images:,} train vs {metrics.n_test_images:,} test images)",
        metrics=metrics.model_dump(include={*SAMPLE_COLUMNS, *CONDITIONAL_COLUMNS}),
        n_train_images=metrics.n_train_images,
        n_test_images=metrics.n_test_images,
        n_samples=metrics.n_train_images,
    )


def model_rows(report: ModelReport, sampler_labels: dict[str, str]) -> list[ComparisonRow]:
    """One row per sampler; a family with a single sampler is named by its label alone."""
    rows = []
    for sampler, metrics in report.samples.items():
        label = report.label if len(report.samples) == 1 else f"{report.label}, {sampler_labels.get(sampler, sampler)}"
        rows.append(
            ComparisonRow(
                label=label,
                samples_key=f"{report.family}.{sampler}",
                metrics=report.metrics | metrics.model_dump(include={*SAMPLE_COLUMNS, *CONDITIONAL_COLUMNS}),
                environment=report.environment,
                n_train_images=report.n_train_images,
                n_test_images=report.n_test_images,
                n_samples=report.parameters.get("n_samples"),
                train_seconds=report.training.seconds,
                images_per_second=report.training.images_per_second,
                commit=report.commit,
                parameters=report.parameters if sampler == next(iter(report.samples)) else None,
            )
        )
    return rows


def tabulate(
    real_data: RealDataMetrics | None,
    rows: list[ComparisonRow],
    environment: str,
    dataset: str = "unknown",
    evaluator_sha256: str = "unknown",
    notes: list[str] = (),
) -> Comparison:
    """The comparison: the real-data row first (when the dataset's evaluator has scored real
    images), columns in the order the rows bring them; the conditional columns when some row
    has them (unconditional rows leave them empty)."""
    sample_columns = {*SAMPLE_COLUMNS, *CONDITIONAL_COLUMNS}
    test_columns = dict.fromkeys(key for row in rows for key in row.metrics if key not in sample_columns)
    conditional = [c for c in CONDITIONAL_COLUMNS if any(row.metrics.get(c) is not None for row in rows)]
    return Comparison(
        environment=environment,
        dataset=dataset,
        evaluator_sha256=evaluator_sha256,
        columns=[*test_columns, *SAMPLE_COLUMNS, *conditional],
        rows=[real_data_row(real_data), *rows] if real_data else rows,
        notes=list(dict.fromkeys(notes)),
    )


PRECISION_AND_RECALL = (
    "`precision`: the share of samples whose evaluator features fall within the k-nearest-neighbour "
    "radius of some test image, i.e. how many samples look like real digits; blurry, average-looking "
    "samples sit in the dense middle of the digits' features, so they score high precision without "
    "being good. `recall`: the share of test images within that radius of some sample, i.e. how much "
    "of the variety of real digits the samples cover."
)

CONDITIONAL = (
    "`conditional_accuracy` (conditional families, whose samples are asked for 1/10 of each digit; the "
    "real-data row: real images and their labels): the share of samples the evaluator reads as the digit asked "
    "for. `fd_per_class`: the mean over digits k of the FD between samples of k and test images of k, so a model "
    "that draws every digit well but mixes them up scores badly. Unconditional rows leave both empty."
)


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"  # noqa: PLR2004
    return str(value)


def mean_and_sd_cell(mean, sd: float | None):
    """``mean ± sd`` as a table shows it; the value itself when there is no standard deviation
    (a single run's, a label)."""
    return mean if mean is None or sd is None else f"{_cell(float(mean))} ± {sd:.2g}"


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
    tables = []
    for environment in result.environments():
        heading = f"## Environment `{environment}`" + (" (this run's)" if environment == result.environment else "")
        tables += [heading, "", markdown_table(*result.table(environment))]
    return "\n".join(
        [
            f"# deepgen: model comparison on `{result.dataset}`",
            "",
            "On the test set and on generated samples, under the frozen evaluator of this dataset "
            f"(SHA-256 `{result.evaluator_sha256[:12]}…`). "
            "`fd`: Fréchet distance of evaluator features (lower is better); `class_score`: an analogue of the "
            "Inception Score (10 at best); reconstruction metrics on [0,1] pixels, `recon_bce`, `elbo` and `nll_iw` "
            "in nats per image.",
            "",
            PRECISION_AND_RECALL,
            "",
            *([CONDITIONAL, ""] if set(CONDITIONAL_COLUMNS) & set(result.columns) else []),
            "Each environment has its own table: its models trained and were scored on the numbers of images "
            "its columns give. The real-data row is the same everywhere: the evaluator's fixed reference.",
            "",
            *(f"**Note:** {note}\n" for note in result.notes),
            *tables,
            "Parameters:",
            "",
            *parameters,
            "",
        ]
    )
