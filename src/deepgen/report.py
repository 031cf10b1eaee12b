"""Typed reports: what a model's evaluation measured, and the comparison of every model; and
the commit every report records.

The nodes build them, ``deepgen.datasets.ReportDataset`` saves them as JSON, and the comparison
and W&B read their fields.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

PROJECT_COMMIT = "DEEPGEN_PROJECT_COMMIT"  # set by `kedro distribute` for members run outside the repository


def git_commit(project_path: Path | str = ".") -> str:
    """The checked-out commit (``+dirty`` when tracked files differ from it), or ``unknown``;
    a member of ``kedro distribute``, run in a scratch copy of the project, is given its
    project's in ``DEEPGEN_PROJECT_COMMIT``."""
    if os.environ.get(PROJECT_COMMIT):
        return os.environ[PROJECT_COMMIT]

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=project_path, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        return git("rev-parse", "--short", "HEAD") + (
            "+dirty" if git("status", "--porcelain", "--untracked-files=no") else ""
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def provenance(data: dict[str, Any], seed: int, environment: str) -> dict[str, Any]:
    """What, besides its parameter block, makes a model's training what it is: the data block,
    the seed, the Kedro environment and deepgen's version."""
    import deepgen

    return {"data": data, "seed": seed, "environment": environment, "version": deepgen.__version__}


def _normalised(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as they read back from a report's JSON (tuples as lists, …)."""
    return json.loads(json.dumps(values))


def _flat(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat |= _flat(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


SAMPLE_COLUMNS = ("fd", "class_score", "precision", "recall")
CONDITIONAL_COLUMNS = ("conditional_accuracy", "fd_per_class")  # samples asked for given digits


class _Report(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SampleMetrics(_Report):
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


class TrainingStats(_Report):
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
        recorded = {**{f"{self.family}.{k}": v for k, v in self.parameters.items()}, **_flat(self.provenance)}
        expected = {
            **{f"{self.family}.{k}": v for k, v in _normalised(parameters).items()},
            **_flat(_normalised(provenance)),
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


class Separation(_Report):
    """How well an anomaly score separates anomalies from the normal class."""

    auroc: float
    average_precision: float


class OneClassReport(_Report):
    """``data/08_reporting/anomaly/<family>_<digit>.json``: a family trained on one digit."""

    family: str
    label: str
    normal_class: int
    n_train_images: int
    scores: dict[str, Separation]  # by anomaly score

    def summary(self) -> dict[str, Any]:
        """Flat keys for a W&B run summary: ``<score>/auroc``, ``<score>/average_precision``."""
        return {f"{name}/{key}": value for name, score in self.scores.items() for key, value in score}


class RealDataMetrics(SampleMetrics):
    """The evaluator's fixed reference: real training images scored against the test set."""

    n_train_images: int
    n_test_images: int


class Yardstick(_Report):
    """What a comparison measures against: the evaluator's real-data row (None where the
    dataset's evaluator has scored no real images), the run's environment, the dataset and the
    evaluator's SHA-256."""

    real_data: RealDataMetrics | None
    environment: str
    dataset: str
    evaluator_sha256: str


class ComparisonRow(_Report):
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


class Comparison(_Report):
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


class LikelihoodRow(_Report):
    """One model's test likelihood: the importance-weighted NLL at K samples with its standard
    error over the test images, the ELBO, the bounds at fewer samples, nats per image."""

    label: str
    k: int
    nll: float
    nll_se: float | None
    elbo: float
    bounds: dict[str, float]  # the IW bounds on log p(x) by sample count: "1", "5", "50"
    active_units: int | None
    architecture: str | None
    epochs: int | None
    train_minutes: float


class Likelihoods(_Report):
    """``<outputs>/08_reporting/comparison/likelihood.json``: the test likelihoods of the models
    that have one, on one dataset; ``binary``: its images are binary, so the numbers are the
    literature's (Bernoulli log-likelihoods of binary images)."""

    dataset: str
    binary: bool
    rows: list[LikelihoodRow]

    def table(self) -> tuple[list[str], list[list]]:
        """Header and rows, as the Markdown page and W&B show them."""
        bounds = sorted({k for row in self.rows for k in row.bounds}, key=int)
        header = ["model", "K", "NLL", "± SE", "ELBO", *(f"IW bound, K={k}" for k in bounds)]
        header += ["active units", "architecture", "epochs", "train min"]
        rows = [
            [
                row.label,
                row.k,
                round(row.nll, 2),
                None if row.nll_se is None else round(row.nll_se, 2),
                round(row.elbo, 2),
                *(None if k not in row.bounds else round(row.bounds[k], 2) for k in bounds),
                row.active_units,
                row.architecture,
                row.epochs,
                round(row.train_minutes, 1),
            ]
            for row in self.rows
        ]
        return header, rows

    def markdown(self) -> str:
        meaning = (
            "Binary images (each pixel drawn once from its intensity, the same for every run): the Bernoulli "
            "decoder's −log p(x) is the likelihood the literature reports."
            if self.binary
            else "Gray pixels: the Bernoulli decoder's −log p(x) of gray values is not a likelihood of the images, "
            "and not comparable with the literature's, which is on binarized MNIST (`kedro run --env=binarized`)."
        )
        lines = [
            f"# deepgen: test likelihoods on `{self.dataset}`",
            "",
            "Nats per test image. `NLL`: the importance-weighted estimate of −log p(x) with K samples per image "
            "(Burda et al. 2016), `± SE` its standard error over the test images; `ELBO` and the IW bounds of "
            "the first K' of those samples are lower bounds on log p(x) (higher is better); active units: latent dimensions whose "
            "posterior mean varies with the image (variance > 0.01).",
            "",
            meaning,
            "",
        ]
        table = markdown_table(*self.table()) if self.rows else "No model here measures a likelihood.\n"
        return "\n".join([*lines, table])


def likelihood_row(report: ModelReport) -> LikelihoodRow | None:
    """``report``'s test likelihood, if its family measures one."""
    metrics = report.metrics
    if "nll_iw" not in metrics:
        return None
    prefix = "iw_bound_"
    return LikelihoodRow(
        label=report.label,
        k=int(metrics.get("iw_samples", report.parameters.get("iw_samples", 0))),
        nll=metrics["nll_iw"],
        nll_se=metrics.get("nll_iw_se"),
        elbo=metrics["elbo"],
        bounds={key.removeprefix(prefix): value for key, value in metrics.items() if key.startswith(prefix)},
        active_units=None if "active_units" not in metrics else int(metrics["active_units"]),
        architecture=report.parameters.get("architecture"),
        epochs=report.parameters.get("epochs"),
        train_minutes=report.training.seconds / 60,
    )


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
