"""The tutorial's experiment: how the size of the latent space changes reconstruction."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.figure import Figure

from deepgen.families import Family
from deepgen.figures import labelled_rows, metric_curves
from deepgen.params import FamilyParams
from deepgen.pipelines.comparison.repeats import split_partition, table_rows_over_seeds, with_spread
from deepgen.report import ModelReport, markdown_table

COLUMNS = ("recon_mse", "recon_bce", "elbo", "nll_iw", "active_units", "fd", "class_score", "conditional_accuracy")
TABLE_COLUMNS = ("model", "latent_dim", *COLUMNS)


def resize_latent(latent_dim: int, params: FamilyParams) -> FamilyParams:
    """A family's parameter block with another ``latent_dim`` (one per sweep instance)."""
    return params.model_copy(update={"latent_dim": latent_dim})


def reconstruct_examples(family: Family, test_x: np.ndarray, test_labels: np.ndarray, **networks) -> np.ndarray:
    """The first ten test images, reconstructed: the same digits at every size in the report."""
    return family.reconstruct(networks, test_x[:10], test_labels[:10])


def report_latent_sweep(test_x: np.ndarray, *instances) -> tuple[Figure, Figure, str, dict]:
    """Curves of the metrics against latent size, the same test digits reconstructed at each
    size, and the table behind both. ``instances``: each instance's report, then its examples."""
    rows = [_sweep_row(report) for report in instances[::2]]
    examples = {f"{row['model']} z={row['latent_dim']}": images for row, images in zip(rows, instances[1::2])}
    table_rows = [{column: row.get(column) for column in TABLE_COLUMNS} for row in rows]
    return (
        metric_curves(rows, COLUMNS, "latent_dim", "Metrics against latent size"),
        labelled_rows(
            {"test images": test_x[:10], **examples}, "The same test digits reconstructed at each latent size"
        ),
        markdown_table(list(TABLE_COLUMNS), [list(row.values()) for row in table_rows]),
        {"rows": table_rows},
    )


def report_sweep_over_seeds(repeat_reports: dict[str, Callable[[], ModelReport]]) -> tuple[Figure, str, dict]:
    """The sweep's curves and table over its seed repeats (``<outputs>/repeats/seed_<seed>/``):
    each metric the mean ± standard deviation over the seeds (error bars), each seed's row kept
    in the JSON."""
    seeded = []
    for partition, load in repeat_reports.items():
        seed, folder = split_partition(partition)
        if folder.startswith("latent_sweep/"):
            seeded.append((seed, _sweep_row(load())))
    if not seeded:
        raise ValueError(
            "No sweep instance's seed repeats under <outputs>/repeats/seed_<seed>/: "
            "`kedro distribute --pipelines=latent_sweep --repeats=N` makes them."
        )
    seeded.sort(key=lambda item: (item[1]["model"], item[1]["latent_dim"], item[0]))
    rows = table_rows_over_seeds(
        ((seed, {c: row.get(c) for c in TABLE_COLUMNS}) for seed, row in seeded),
        key=("model", "latent_dim"),
    )
    seeds = ", ".join(str(seed) for seed in sorted({seed for seed, _ in seeded}))
    table = markdown_table(list(TABLE_COLUMNS), [with_spread(row, TABLE_COLUMNS) for row in rows])
    note = f"Mean ± sample standard deviation over seeds {seeds}; `results.json` keeps each seed's row (`seeds`).\n\n"
    return (
        metric_curves(rows, COLUMNS, "latent_dim", f"Metrics against latent size (mean ± sd, seeds {seeds})"),
        note + table,
        {"rows": rows},
    )


def _sweep_row(report: ModelReport) -> dict:
    return {
        "model": report.label,
        "latent_dim": report.parameters["latent_dim"],
        **report.metrics,
        **report.samples["prior"].model_dump(exclude_none=True),
    }
