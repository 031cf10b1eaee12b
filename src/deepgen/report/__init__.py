"""Typed reports, by concern: a model's (``model``), the comparison of every model
(``comparison``), the test likelihoods (``likelihood``), a sweep's trials and study
(``sweep``), and what made a result (``provenance``: the commit, the work a rerun must match).

The nodes build them, ``deepgen.datasets.ReportDataset`` saves them as JSON, and the comparison
and W&B read their fields.
"""

from .comparison import (
    Comparison,
    ComparisonRow,
    RealDataMetrics,
    Yardstick,
    comparison_markdown,
    markdown_table,
    mean_and_sd_cell,
    model_rows,
    tabulate,
)
from .likelihood import Likelihoods, likelihood_row
from .model import ModelReport, OneClassReport, SampleMetrics, Separation, TrainingStats
from .provenance import PROJECT_COMMIT, git_commit, provenance
from .sweep import DIRECTIONS, SweepStudy, TrialRecord, TrialReport

__all__ = [
    "DIRECTIONS",
    "PROJECT_COMMIT",
    "Comparison",
    "ComparisonRow",
    "Likelihoods",
    "ModelReport",
    "OneClassReport",
    "RealDataMetrics",
    "SampleMetrics",
    "Separation",
    "SweepStudy",
    "TrainingStats",
    "TrialRecord",
    "TrialReport",
    "Yardstick",
    "comparison_markdown",
    "git_commit",
    "likelihood_row",
    "markdown_table",
    "mean_and_sd_cell",
    "model_rows",
    "provenance",
    "tabulate",
]
