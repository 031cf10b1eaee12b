"""Seed repeats (``kedro distribute --repeats=N``): rows of the comparison and of the sweep
table measured once per seed become one row each, every metric the mean ± sample standard
deviation over the seeds, with each seed's numbers kept beside them."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from deepgen.report import ComparisonRow, mean_and_sd_cell

SEED_FOLDER = "seed_"  # <outputs>/repeats/seed_<seed>/: one seed's outputs, laid out like <outputs>/


def seed_folder(seed: int) -> str:
    return f"{SEED_FOLDER}{seed}"


def split_partition(partition: str) -> tuple[int, str]:
    """A report's partition under ``<outputs>/repeats``, as its seed and its report's folder:
    ``seed_43/08_reporting/latent_sweep/vae_10`` → ``(43, "latent_sweep/vae_10")``."""
    folder, _, rest = partition.partition("/")
    if not folder.startswith(SEED_FOLDER) or not folder.removeprefix(SEED_FOLDER).isdigit():
        raise ValueError(f"{partition}: not under a {SEED_FOLDER}<seed> folder")
    return int(folder.removeprefix(SEED_FOLDER)), rest.removeprefix("08_reporting/")


def mean_and_sd(metrics_by_seed: dict[int, dict[str, Any]]) -> tuple[dict[str, float | None], dict[str, float]]:
    """Per metric, over the seeds that measured it: the mean, and the sample standard deviation
    (0 from a single seed). A metric no seed measured stays ``None``."""
    names = dict.fromkeys(name for metrics in metrics_by_seed.values() for name in metrics)
    means, sds = {}, {}
    for name in names:
        values = [m[name] for m in metrics_by_seed.values() if isinstance(m.get(name), int | float)]
        means[name] = statistics.fmean(values) if values else None
        if values:
            sds[name] = statistics.stdev(values) if len(values) > 1 else 0.0
    return means, sds


def _grouped(items: Iterable[tuple[int, Any]], key: Callable[[Any], Hashable]) -> dict[Hashable, dict[int, Any]]:
    groups: dict[Hashable, dict[int, Any]] = {}
    for seed, item in items:
        groups.setdefault(key(item), {})[seed] = item
    return groups


def comparison_rows_over_seeds(rows: Iterable[tuple[int, ComparisonRow]]) -> list[ComparisonRow]:
    """Rows of one model and environment from several seeds as one row: the metrics' means and
    standard deviations, the mean training time, each seed's metrics in ``seeds``."""
    merged = []
    for by_seed in _grouped(rows, lambda row: (row.environment, row.label)).values():
        first = next(iter(by_seed.values()))
        means, sds = mean_and_sd({seed: row.metrics for seed, row in by_seed.items()})
        timing = mean_and_sd(
            {
                seed: {"train_seconds": r.train_seconds, "images_per_second": r.images_per_second}
                for seed, r in by_seed.items()
            }
        )[0]
        merged.append(
            first.model_copy(
                update={
                    "metrics": means,
                    "spread": sds,
                    "seeds": [{"seed": seed, **row.metrics} for seed, row in sorted(by_seed.items())],
                    **timing,
                }
            )
        )
    return merged


def table_rows_over_seeds(rows: Iterable[tuple[int, dict]], key: tuple[str, ...]) -> list[dict]:
    """Table rows (dicts) of the same ``key`` columns from several seeds as one row: the key,
    each other column's mean, its standard deviation in ``spread`` and each seed's row in
    ``seeds``."""
    merged = []
    for by_seed in _grouped(rows, lambda row: tuple(row[column] for column in key)).values():
        first = next(iter(by_seed.values()))
        measured = {seed: {k: v for k, v in row.items() if k not in key} for seed, row in by_seed.items()}
        means, sds = mean_and_sd(measured)
        merged.append(
            {
                **{column: first[column] for column in key},
                **means,
                "spread": sds,
                "seeds": [{"seed": seed, **row} for seed, row in sorted(by_seed.items())],
            }
        )
    return merged


def with_spread(row: dict, columns: Iterable[str]) -> list:
    """A merged row's cells: ``mean ± sd`` where the seeds measured the column."""
    return [mean_and_sd_cell(row.get(c), row.get("spread", {}).get(c)) for c in columns]
