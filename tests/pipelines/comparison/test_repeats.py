"""Seed repeats: rows measured once per seed become mean ± sd rows that keep every seed's
numbers, in the comparison (``repeats.comparison``) and the sweep table (``repeats.latent_sweep``)."""

import json

import pytest

from deepgen.pipelines.comparison.repeats import (
    comparison_rows_over_seeds,
    split_partition,
    table_rows_over_seeds,
    with_spread,
)
from deepgen.report import ModelReport, SampleMetrics, TrainingStats, comparison_markdown, model_rows, tabulate
from tests.conftest import run_in_process


def _report(family: str, label: str, fd: float, recon_mse: float, **parameters) -> ModelReport:
    return ModelReport(
        family=family,
        label=label,
        metrics={"recon_mse": recon_mse},
        samples={"prior": SampleMetrics(fd=fd, class_score=8.0, precision=0.8, recall=0.4, class_freq=[0.1] * 10)},
        training=TrainingStats(seconds=fd, images=100, images_per_second=100.0),
        parameters={"n_samples": 500, **parameters},
        n_test_images=1000,
        commit="abc",
        evaluator_sha256="0" * 64,
        environment="smoke",
        n_train_images=2700,
    )


def test_rows_of_one_model_over_seeds_become_mean_and_sd_keeping_each_seed():
    seeded = [
        (seed, row) for seed, fd in ((42, 10.0), (43, 14.0)) for row in model_rows(_report("ae", "AE", fd, 0.5), {})
    ]
    (row,) = comparison_rows_over_seeds(seeded)
    assert row.metrics["fd"] == 12.0 and row.spread["fd"] == pytest.approx(2.8284271)
    assert row.spread["recon_mse"] == 0.0 and row.train_seconds == 12.0
    assert [(s["seed"], s["fd"]) for s in row.seeds] == [(42, 10.0), (43, 14.0)]
    header, rows = tabulate(None, [row], "smoke").table()
    assert rows[0][header.index("fd")] == "12 ± 2.8"
    assert "| AE | 0.5 ± 0 | 12 ± 2.8 |" in comparison_markdown(tabulate(None, [row], "smoke"))


def test_sweep_rows_are_merged_by_model_and_size_and_a_metric_one_seed_missed_is_averaged_over_the_others():
    rows = table_rows_over_seeds(
        [
            (1, {"model": "VAE", "latent_dim": 2, "fd": 30.0, "nll_iw": 100.0}),
            (2, {"model": "VAE", "latent_dim": 2, "fd": 34.0, "nll_iw": None}),
            (1, {"model": "VAE", "latent_dim": 10, "fd": 20.0, "nll_iw": 90.0}),
        ],
        key=("model", "latent_dim"),
    )
    assert [(r["latent_dim"], r["fd"], r["nll_iw"]) for r in rows] == [(2, 32.0, 100.0), (10, 20.0, 90.0)]
    assert rows[0]["spread"] == {"fd": pytest.approx(2.8284271), "nll_iw": 0.0} and len(rows[0]["seeds"]) == 2
    assert with_spread(rows[0], ("model", "latent_dim", "fd", "elbo")) == ["VAE", 2, "32 ± 2.8", None]


def test_a_report_outside_a_seed_folder_is_named():
    assert split_partition("seed_43/08_reporting/latent_sweep/vae_10") == (43, "latent_sweep/vae_10")
    with pytest.raises(ValueError, match="seed_x/08_reporting/ae: not under a seed_<seed> folder"):
        split_partition("seed_x/08_reporting/ae")


def _write_seeds(project, reports: dict[int, dict[str, ModelReport]]) -> None:
    for seed, by_folder in reports.items():
        for folder, report in by_folder.items():
            path = project / f"data/repeats/seed_{seed}/08_reporting/{folder}/metrics.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(report.model_dump_json())


@pytest.mark.slow  # a Kedro session
def test_the_comparison_over_seeds_has_a_mean_and_sd_row_per_model_and_the_real_data_row(project_copy):
    _write_seeds(
        project_copy,
        {
            seed: {"ae": _report("ae", "AE", 10.0 + seed, 0.5), "vae": _report("vae", "VAE", 20.0 - seed, 0.4)}
            for seed in (1, 2, 3)
        },
    )
    run_in_process(project_copy, "repeats.comparison")
    table = (project_copy / "data/repeats/comparison.md").read_text()
    assert "| AE | 0.5 ± 0 | 12 ± 1 |" in table and "| VAE | 0.4 ± 0 | 18 ± 1 |" in table
    assert "| real data (" in table and "over its seeds (1, 2, 3)" in table
    rows = json.loads((project_copy / "data/repeats/comparison.json").read_text())["rows"]
    ae = next(row for row in rows if row["label"] == "AE")
    assert [s["fd"] for s in ae["seeds"]] == [11.0, 12.0, 13.0] and ae["spread"]["fd"] == 1.0


@pytest.mark.slow  # a Kedro session
def test_the_sweep_over_seeds_writes_its_table_curves_and_each_seeds_rows(project_copy):
    _write_seeds(
        project_copy,
        {
            seed: {
                f"latent_sweep/vae_{dim}": _report("vae", "VAE", dim + seed, 0.1 * dim, latent_dim=dim)
                for dim in (2, 10)
            }
            for seed in (5, 6)
        },
    )
    run_in_process(project_copy, "repeats.latent_sweep")
    folder = project_copy / "data/repeats/latent_sweep"
    assert "| VAE | 2 | 0.2 ± 0 |" in (folder / "table.md").read_text()
    rows = json.loads((folder / "results.json").read_text())["rows"]
    assert [(r["latent_dim"], r["fd"], [s["seed"] for s in r["seeds"]]) for r in rows] == [
        (2, 7.5, [5, 6]),
        (10, 15.5, [5, 6]),
    ]
    assert (folder / "curves.png").stat().st_size > 0


def test_the_comparison_over_seeds_without_repeats_says_what_makes_them():
    from deepgen.pipelines.comparison.nodes import compare_over_seeds
    from deepgen.report import Yardstick

    with pytest.raises(ValueError, match=r"kedro distribute --repeats=N"):
        compare_over_seeds(
            {}, Yardstick(real_data=None, environment="smoke", dataset="mnist", evaluator_sha256="0" * 64)
        )
