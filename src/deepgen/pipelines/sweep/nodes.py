"""A sweep's nodes: a trial's report on the validation images, and the study's summary."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from deepgen.families import Family
from deepgen.figures import importance_bars, sweep_history
from deepgen.params import DataParams, FamilyParams
from deepgen.report import SampleMetrics, SweepStudy, TrainingStats, TrialReport, markdown_table, provenance
from deepgen.training import QUALITY


def trial_report(
    family: Family,
    params: FamilyParams,
    metrics: dict[str, float],
    training_stats: dict,
    training_history: dict,
    train_x: np.ndarray,
    validation_x: np.ndarray,
    environment: str,
    dataset: str,
    commit: str,
    data: DataParams,
    seed: int,
    **samples: SampleMetrics,
) -> TrialReport:
    """What the trial trained with and how it did on the validation images (``samples``: each
    sampler's sample metrics, by sampler)."""
    final_losses = {name: values[-1] for name, values in training_history.items() if name not in ("step", QUALITY)}
    return TrialReport(
        family=family.name,
        label=family.label,
        parameters=params.model_dump(),
        metrics=metrics,
        samples={sampler.name: samples[sampler.name] for sampler in family.samplers},
        training=TrainingStats(**training_stats, final_losses=final_losses, quality=training_history.get(QUALITY, {})),
        n_train_images=len(train_x),
        n_validation_images=len(validation_x),
        environment=environment,
        dataset=dataset,
        commit=commit,
        provenance=provenance(data.model_dump(), seed, environment),
    )


def summarize_sweep(study: SweepStudy) -> tuple[str, dict, Figure, Figure]:
    """The study as a table (``summary.md``) and JSON, its history and its importances."""
    header, rows = study.table()
    best = study.best
    judged = study.metric if study.sampler == "prior" else f"{study.metric} of the {study.sampler} samples"
    lines = [
        f"# Sweep `{study.name}`: {study.label}, {study.method}, {judged} on the validation images ({study.direction})",
        "",
        f"Storage: `{study.storage}`. Environment: `{study.environment}`.",
        "",
        "No trial read the test images: each scored its samples (and reconstructions) against the validation split.",
        "",
    ]
    if best is not None:
        chosen = ", ".join(f"`{key}: {value}`" for key, value in best.parameters.items())
        lines += [f"**Best: trial {best.number}**, {study.metric} {best.value:.4g}: {chosen}.", ""]
    lines += [markdown_table(header, rows), ""]
    if study.importances:
        lines += ["Importances (share of the metric's variation over the complete trials):", ""]
        lines += [markdown_table(["parameter", "importance"], [[k, v] for k, v in study.importances.items()]), ""]
    values = [(t.number, t.value, t.state) for t in study.trials]
    curves = {t.number: t.intermediate for t in study.trials if t.intermediate}
    title = f"Sweep {study.name}: {study.label}, {study.metric} ({study.method})"
    return (
        "\n".join(lines),
        {"rows": [dict(zip(header, row, strict=True)) for row in rows]},
        sweep_history(values, curves, study.metric, study.direction, title),
        importance_bars(study.importances, f"Sweep {study.name}: what mattered for {study.metric}"),
    )
