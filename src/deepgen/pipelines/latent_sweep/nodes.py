"""The tutorial's experiment: how the size of the latent space changes reconstruction."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from deepgen import reporting
from deepgen.families import Family
from deepgen.params import FamilyParams, LatentSweepParams
from deepgen.report import ModelReport, markdown_table

COLUMNS = ("recon_mse", "recon_bce", "elbo", "nll_iw", "active_units", "fd", "class_score", "conditional_accuracy")


def resize_latent(
    params: FamilyParams, latent_dim: int, sweep: LatentSweepParams, built_for: list[int]
) -> FamilyParams:
    """A family's parameter block with another ``latent_dim`` (one per sweep instance). These
    nodes run first: a list of sizes other than the one the pipeline was built for stops the
    run before any training."""
    if sorted(sweep.latent_dims) != sorted(built_for):
        raise ValueError(
            f"latent_sweep.latent_dims is {sweep.latent_dims} but the pipeline was built for {sorted(built_for)}: the "
            "list shapes the pipeline, so set it in conf/base/parameters_latent_sweep.yml, not per run or environment."
        )
    return params.model_copy(update={"latent_dim": latent_dim})


def reconstruct_examples(family: Family, test_x: np.ndarray, test_labels: np.ndarray, **networks) -> np.ndarray:
    """The first ten test images, reconstructed: the same digits at every size in the report."""
    return family.reconstruct(networks, test_x[:10], test_labels[:10])


def report_latent_sweep(test_x: np.ndarray, *instances) -> tuple[Figure, Figure, str, dict]:
    """Curves of the metrics against latent size, the same test digits reconstructed at each
    size, and the table behind both. ``instances``: each instance's report, then its examples."""
    reports: list[ModelReport] = list(instances[::2])
    rows = [
        {
            "model": report.label,
            "latent_dim": report.parameters["latent_dim"],
            **report.metrics,
            **report.samples["prior"].model_dump(exclude_none=True),
        }
        for report in reports
    ]
    examples = {f"{row['model']} z={row['latent_dim']}": images for row, images in zip(rows, instances[1::2])}
    table_rows = [{column: row.get(column) for column in ("model", "latent_dim", *COLUMNS)} for row in rows]
    return (
        reporting.metric_curves(rows, COLUMNS, "latent_dim", "Metrics against latent size"),
        reporting.labelled_rows(
            {"test images": test_x[:10], **examples}, "The same test digits reconstructed at each latent size"
        ),
        markdown_table(["model", "latent_dim", *COLUMNS], [list(row.values()) for row in table_rows]),
        {"rows": table_rows},
    )
