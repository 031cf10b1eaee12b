"""The comparison's tables: one per environment, the real-data row in each."""

from deepgen.report import (
    ComparisonRow,
    ModelReport,
    RealDataMetrics,
    SampleMetrics,
    TrainingStats,
    comparison_markdown,
    model_rows,
    tabulate,
)

SAMPLES = {"fd": 10.0, "class_score": 9.0, "precision": 0.9, "recall": 0.5, "class_freq": [0.1] * 10}


def _report(family: str, environment: str) -> ModelReport:
    return ModelReport(
        family=family,
        label=family.upper(),
        metrics={"recon_mse": 0.01},
        samples={"prior": SampleMetrics(**SAMPLES)},
        training=TrainingStats(seconds=1.0, images=100, images_per_second=100.0),
        parameters={"n_samples": 500},
        n_test_images=1000,
        commit="abc",
        evaluator_sha256="0" * 64,
        environment=environment,
        n_train_images=2700,
    )


def _comparison():
    real = RealDataMetrics(**SAMPLES, n_train_images=10_000, n_test_images=10_000)
    rows: list[ComparisonRow] = [
        *model_rows(_report("ae", "smoke"), {}),
        *model_rows(_report("vae", "local"), {}),
    ]
    return tabulate(real, rows, environment="smoke")


def test_each_environment_has_its_table_with_the_real_data_row():
    comparison = _comparison()
    assert comparison.environments() == ["smoke", "local"]
    header, smoke = comparison.table()
    assert [row[0] for row in smoke] == ["real data (10,000 train vs 10,000 test images)", "AE"]
    assert [row[0] for row in comparison.table("local")[1]] == ["real data (10,000 train vs 10,000 test images)", "VAE"]
    sizes = [header.index(column) for column in ("train images", "test images", "samples")]
    assert [smoke[1][i] for i in sizes] == [2700, 1000, 500]


def test_markdown_separates_environments_and_explains_precision():
    page = comparison_markdown(_comparison())
    assert page.index("## Environment `smoke` (this run's)") < page.index("## Environment `local`")
    assert "blurry" in page and "`recall`" in page


def test_reports_written_before_environments_were_recorded_still_load():
    legacy = _report("ae", "smoke").model_dump()
    del legacy["environment"], legacy["n_train_images"]
    report = ModelReport(**legacy)
    assert report.environment == "unknown" and report.n_train_images is None


def test_a_dataset_without_evaluator_or_labels_shows_dashes_and_says_why():
    report = _report("vae", "mine").model_copy(
        update={"samples": {"prior": SampleMetrics()}, "notes": ["No sample metrics: `mine` has no evaluator."]}
    )
    comparison = tabulate(None, model_rows(report, {}), "mine", "mine", "none", report.notes)
    header, rows = comparison.table()
    assert [row[0] for row in rows] == ["VAE"]  # no real-data row
    assert rows[0][header.index("fd")] is None
    page = comparison_markdown(comparison)
    assert "model comparison on `mine`" in page and "**Note:** No sample metrics" in page
    assert "| – |" in page
