"""The comparison of every family's saved report beside the real-data row, and of their seed
repeats as mean ± sd."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

import numpy as np
from kedro.io.core import DatasetError
from matplotlib.figure import Figure

from deepgen.families import FAMILIES
from deepgen.figures import note_figure, quality_over_time, samples_side_by_side
from deepgen.report import (
    Comparison,
    ComparisonRow,
    Likelihoods,
    ModelReport,
    RealDataMetrics,
    Yardstick,
    comparison_markdown,
    likelihood_row,
    model_rows,
    tabulate,
)

from .repeats import comparison_rows_over_seeds, split_partition

logger = logging.getLogger(__name__)


def yardstick(real_data: RealDataMetrics | None, environment: str, dataset: str, evaluator_checksum: str) -> Yardstick:
    """What the comparison measures against, in one value."""
    return Yardstick(real_data=real_data, environment=environment, dataset=dataset, evaluator_sha256=evaluator_checksum)


def compare_models(
    saved_reports: dict[str, Callable[[], ModelReport]], against: Yardstick, *fresh_reports: ModelReport
) -> tuple[str, Comparison]:
    """Every registered family's metrics beside the real-data row, a table per environment
    (this run's first); each family's best sampler first.

    ``saved_reports`` holds every ``metrics.json`` under data/08_reporting, so a one-family run
    updates its own rows and keeps the others; ``fresh_reports`` are this run's (they also make
    Kedro run this node after them).
    """
    reports = _latest_reports(saved_reports, fresh_reports)
    rows = [row for report in reports for row in _best_first(_family_rows(report))]
    notes = [note for report in reports for note in report.notes]
    return _compared(against, rows, notes)


def _best_first(rows: list[ComparisonRow]) -> list[ComparisonRow]:
    """A family's samplers, the lowest FD first (what the table and the samples figure show
    first of it); unscored ones keep their order, after."""
    return sorted(rows, key=lambda row: math.inf if row.metrics.get("fd") is None else row.metrics["fd"])


def plot_quality_over_time(saved_reports: dict[str, Callable[[], ModelReport]], *fresh_reports: ModelReport) -> Figure:
    """Every family's sample quality against its training seconds (the probe's measurements
    while it trained), from the same reports as the comparison."""
    curves = {
        report.label: report.training.quality
        for report in _latest_reports(saved_reports, fresh_reports)
        if report.training.quality.get("seconds")
    }
    title = "Sample quality against training time (each model's probe, as it trained)"
    if not curves:
        return note_figure(title, "No model measured its samples while training (every <family>.eval_interval is 0).")
    return quality_over_time(curves, title)


def _latest_reports(
    saved_reports: dict[str, Callable[[], ModelReport]], fresh_reports: tuple[ModelReport, ...]
) -> list[ModelReport]:
    """Each registered family's report, in registry order: this run's, else its saved one."""
    reports = {}
    for partition, load in saved_reports.items():
        if partition in FAMILIES:  # <family>/metrics.json (not a sweep instance's)
            report = _loaded(partition, load)
            if report is not None:
                reports[partition] = report
    reports |= {report.family: report for report in fresh_reports}
    return [reports[family] for family in FAMILIES if family in reports]


def compare_over_seeds(
    repeat_reports: dict[str, Callable[[], ModelReport]], against: Yardstick
) -> tuple[str, Comparison]:
    """The comparison of the families' seed repeats (``<outputs>/repeats/seed_<seed>/``): one
    row per model, each metric the mean ± standard deviation over its seeds; the JSON keeps
    every seed's metrics."""
    reports = []
    for partition, load in repeat_reports.items():
        seed, folder = split_partition(partition)
        report = _loaded(partition, load) if folder in FAMILIES else None  # not a sweep instance's
        if report is not None:
            reports.append((seed, report))
    if not reports:
        raise ValueError(
            "No family's seed repeats under <outputs>/repeats/seed_<seed>/: `kedro distribute --repeats=N` makes them."
        )
    order = list(FAMILIES)
    reports.sort(key=lambda seeded: (order.index(seeded[1].family), seeded[0]))
    rows = comparison_rows_over_seeds((seed, row) for seed, report in reports for row in _family_rows(report))
    seeds = ", ".join(str(seed) for seed in sorted({seed for seed, _ in reports}))
    notes = [
        f"Every model's metrics are the mean ± sample standard deviation over its seeds ({seeds}); "
        "`comparison.json` keeps each seed's numbers (`seeds`).",
        *(note for _, report in reports for note in report.notes),
    ]
    return _compared(against, rows, notes)


def _loaded(partition: str, load: Callable[[], ModelReport]) -> ModelReport | None:
    try:
        return load()
    except DatasetError as exc:
        logger.warning("Left out of the comparison: %s (%s)", exc, partition)
        return None


def _family_rows(report: ModelReport) -> list[ComparisonRow]:
    return model_rows(report, {sampler.name: sampler.label for sampler in FAMILIES[report.family].samplers})


def _compared(against: Yardstick, rows: list[ComparisonRow], notes: list[str]) -> tuple[str, Comparison]:
    if against.real_data is None:
        notes = [
            *notes,
            "No real-data row: this dataset's evaluator has not scored real images "
            "(`kedro run --pipelines=evaluator` does, on labelled data).",
        ]
    result = tabulate(against.real_data, rows, against.environment, against.dataset, against.evaluator_sha256, notes)
    return comparison_markdown(result), result


def plot_model_samples(comparison: Comparison, **samples: np.ndarray) -> Figure:
    """Each model's samples side by side, its headline metrics in the title; ``samples`` is
    keyed like the rows' ``samples_key``."""
    panels = [
        (row.label, samples[row.samples_key], row.metrics) for row in comparison.rows if row.samples_key in samples
    ]
    return samples_side_by_side(panels)


def tabulate_likelihoods(
    saved_reports: dict[str, Callable[[], ModelReport]], dataset: str, binary: bool, *fresh_reports: ModelReport
) -> tuple[str, Likelihoods]:
    """The test likelihoods of the models that measure one (the variational families), from the
    same reports as the comparison; ``binary``: the run's images are binarized (``data.binarize``)."""
    rows = [row for report in _latest_reports(saved_reports, fresh_reports) if (row := likelihood_row(report))]
    result = Likelihoods(dataset=dataset, binary=binary, rows=rows)
    return result.markdown(), result
