"""`kedro run --pipelines=anomaly`: the one-class protocol on the smoke settings, in-process."""

import json

import pytest

from deepgen.pipelines.anomaly.pipeline import detecting_families
from tests.conftest import FEW_IMAGES, run_in_process
from tests.wandb_reader import offline_runs

pytestmark = pytest.mark.slow


@pytest.mark.tracked
@pytest.mark.user_commands("kedro run --pipelines=anomaly")
def test_the_smoke_run_writes_every_member_the_table_and_the_figures(project_copy):
    run_in_process(project_copy, "anomaly", params={"anomaly": {"normal_classes": [0, 1]}})  # members for two digits
    folder = project_copy / "data/08_reporting/anomaly"
    detectors = [(family.label, name) for family in detecting_families() for name in family.anomaly.scores]
    assert detectors == [
        ("AE", "reconstruction_error"),
        ("AE", "restoration_error"),
        ("VAE", "neg_elbo"),
        ("VAE", "nll_iw"),
    ]

    results = json.loads((folder / "results.json").read_text())
    assert [(row["model"], row["score"], row["metric"]) for row in results["rows"]] == [
        (*detector, metric) for detector in detectors for metric in ("auroc", "average_precision")
    ]
    for row in results["rows"]:
        per_digit = [row[str(digit)] for digit in (0, 1)]
        assert all(0 <= value <= 1 for value in per_digit) and "2" not in row
        assert row["mean"] == pytest.approx(sum(per_digit) / 2)
    table = (folder / "table.md").read_text()
    assert "| VAE | nll_iw | auroc |" in table
    # The papers' AUROCs beside deepgen's, for the digits the run has: Deep SVDD's 0.980 and 0.997.
    svdd = next(row for row in results["published"] if row["model"].startswith("Deep SVDD"))
    assert (svdd["0"], svdd["1"], svdd["mean"]) == (0.980, 0.997, pytest.approx(0.9885))
    assert "| OCGAN (Perera et al., 2019) | published | auroc |" in table

    for family in detecting_families():
        for digit in (0, 1):
            member = json.loads((folder / f"{family.name}_{digit}.json").read_text())
            assert member["normal_class"] == digit and set(member["scores"]) == set(family.anomaly.scores)
            assert 0 < member["n_train_images"] < 400  # one digit of the smoke run's 2,700 training images
            for network in family.networks:
                assert (project_copy / f"data/06_models/anomaly/{family.name}_{digit}/{network}.keras").is_file()
    for figure in ("roc", "histograms", "extremes"):
        assert (folder / f"{figure}.png").stat().st_size > 10_000

    runs = offline_runs(project_copy)  # a W&B run per member, and the report's
    assert set(runs) == {"anomaly.ae_0.ae", "anomaly.ae_1.ae", "anomaly.vae_0.vae", "anomaly.vae_1.vae", "anomaly"}
    assert runs["anomaly.vae_1.vae"].config["epochs"] == 1 and runs["anomaly.vae_1.vae"].config["iw_samples"] == 5
    assert any(path.name.startswith("roc") for path in runs["anomaly"].media())


def test_a_bad_training_key_names_the_block_before_any_training(project_copy):
    with pytest.raises(
        Exception,
        match=r"anomaly\.training\.ae does not make a valid block: latnet_dim: Extra inputs are not permitted",
    ):
        run_in_process(
            project_copy, "anomaly", params={**FEW_IMAGES, "anomaly": {"training": {"ae": {"latnet_dim": 4}}}}
        )
    assert not (project_copy / "data/06_models/anomaly").exists()
