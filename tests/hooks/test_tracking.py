"""W&B tracking, read back from the real offline run files of smoke runs (tests/wandb_reader.py)."""

import json
import logging

import pytest

from tests.conftest import FEW_IMAGES, kedro_run, params_argument, run_in_process, smoke_parameters
from tests.wandb_reader import all_offline_runs, offline_runs

SMALL = smoke_parameters()

pytestmark = [pytest.mark.slow, pytest.mark.tracked]  # reads the runs' W&B files


def _metrics(project, model):
    return json.loads((project / f"data/08_reporting/{model}/metrics.json").read_text())


@pytest.mark.user_commands("kedro run")
def test_vae_run_holds_config_history_images_summary_and_artifacts(default_smoke_run):
    runs = offline_runs(default_smoke_run)
    trained = {"ae", "vae", "cvae", "dcgan", "cdcgan", "flow_matching"}
    assert set(runs) == trained | {"comparison"}  # one per trained model, the comparison
    run = runs["vae"]
    assert run.job_type == "train" and run.group == runs["comparison"].group and run.exit_code == 0

    assert run.config["latent_dim"] == 2 and run.config["beta"] == 1.0 and run.config["epochs"] == 1
    assert run.config["data"]["max_train_images"] == 3000 and run.config["seed"] == 42
    assert run.config["kedro_env"] == "local" and "git_commit" in run.config

    for key in ("loss", "reconstruction_loss", "kl_loss", "val_loss", "val_reconstruction_loss", "val_kl_loss"):
        assert len(run.column(key)) == 1, key  # one entry per epoch
    assert run.column("reconstructions/_type") == ["image-file"]

    report = _metrics(default_smoke_run, "vae")
    for key, value in {**report["metrics"], **report["samples"]["prior"]}.items():
        assert run.summary[key] == pytest.approx(value), key
    assert run.summary["mixture/fd"] == pytest.approx(report["samples"]["mixture"]["fd"])
    assert run.summary["training/images"] == 2700

    assert {a.name for a in run.artifacts if a.type == "model"} == {"vae-encoder", "vae-decoder"}
    media = {path.name.split("_")[0] for path in run.media()}
    assert {"reconstructions", "latent", "interpolations", "samples"} <= media
    assert all(path.stat().st_size > 0 for path in run.media())


def test_dcgan_run_logs_losses_and_sample_grids_per_interval(default_smoke_run):
    run = offline_runs(default_smoke_run)["dcgan"]
    assert [row["step"] for row in run.history if "d_loss" in row] == [20, 40]  # later rows (figures) get the last step
    for key in ("d_loss", "g_loss", "d_accuracy"):
        assert len(run.column(key)) == 2
    assert run.column("samples/_type") == ["image-file"] * 2
    assert run.summary["fd"] == pytest.approx(_metrics(default_smoke_run, "dcgan")["samples"]["prior"]["fd"])
    assert {a.name for a in run.artifacts if a.type == "model"} == {"dcgan-generator", "dcgan-discriminator"}


def test_conditional_runs_hold_the_conditional_metrics_and_digit_grids(default_smoke_run):
    for name in ("cvae", "cdcgan"):
        run = offline_runs(default_smoke_run)[name]
        prior = _metrics(default_smoke_run, name)["samples"]["prior"]
        assert run.summary["conditional_accuracy"] == pytest.approx(prior["conditional_accuracy"])
        assert run.summary["fd_per_class"] == pytest.approx(prior["fd_per_class"])
        assert "digit" in {path.name.split("_")[0] for path in run.media()}, name
    assert "conditional_accuracy" not in offline_runs(default_smoke_run)["dcgan"].summary


def test_runs_say_where_they_are_what_measured_them_and_their_x_axis(default_smoke_run):
    runs = offline_runs(default_smoke_run)
    checksum = (default_smoke_run / "data/06_models/evaluator/classifier.keras.sha256").read_text().split()[0]
    for name in ("vae", "cdcgan"):
        assert runs[name].config["dataset"] == "mnist" and runs[name].config["evaluator_sha256"] == checksum
    assert runs["dcgan"].step_metrics["*"] == "step" and runs["vae"].step_metrics["*"] == "epoch"
    log = (default_smoke_run / "run.log").read_text()
    assert "W&B run 'vae': " in log and "offline-run-" in log  # where each run's files are, as it starts


def test_dcgan_sample_quality_over_training_in_its_history_figure_and_run(default_smoke_run):
    folder = default_smoke_run / "data/08_reporting/dcgan"  # smoke: 40 steps, 200 samples scored every 20
    quality = json.loads((folder / "training_history.json").read_text())["sample_quality"]
    assert quality["step"] == [20, 40]
    assert quality["fd"][-1] < quality["fd"][0]  # the samples got closer to the test images
    assert (folder / "quality_over_training.png").stat().st_size > 10_000  # the curves, not a note
    training = _metrics(default_smoke_run, "dcgan")["training"]
    assert 0 < training["sample_quality_seconds"] < training["seconds"]

    run = offline_runs(default_smoke_run)["dcgan"]  # the same curve, against the generator's steps
    assert [row["step"] for row in run.history if "quality/fd" in row] == quality["step"]
    assert run.column("quality/fd") == pytest.approx(quality["fd"])
    assert run.column("quality/class_score") == pytest.approx(quality["class_score"])
    assert any(path.name.startswith("quality_over_training") for path in run.media())


def test_ae_run_summary_holds_both_samplers(default_smoke_run):
    run = offline_runs(default_smoke_run)["ae"]
    report = _metrics(default_smoke_run, "ae")
    assert run.summary["fd"] == pytest.approx(report["samples"]["prior"]["fd"])
    assert run.summary["mixture/fd"] == pytest.approx(report["samples"]["mixture"]["fd"])


def test_comparison_is_a_table_and_a_figure_of_quality_against_training_time(default_smoke_run):
    runs = all_offline_runs(default_smoke_run)
    group = runs[0].group  # the first `kedro run` there: every model, one group
    assert sorted(run.name for run in runs if run.group == group) == [
        "ae",
        "cdcgan",
        "comparison",
        "cvae",
        "dcgan",
        "flow_matching",
        "vae",
    ]
    comparison = next(run for run in runs if run.group == group and run.name == "comparison")
    table_file = next(p for p in comparison.media() if p.name.endswith(".table.json"))
    table = json.loads(table_file.read_text())
    rows = json.loads((default_smoke_run / "data/08_reporting/comparison.json").read_text())["rows"]
    assert [row[0] for row in table["data"]] == [row["label"] for row in rows]
    assert rows[0]["label"] == "real data (10,000 train vs 10,000 test images)" and len(rows) == 9
    families = [row["label"].split(",")[0] for row in rows[1:]]
    assert families == ["AE", "AE", "VAE", "VAE", "CVAE", "DCGAN", "cDCGAN", "Flow matching"]
    for family in ("AE", "VAE"):  # each family's best sampler first
        fds = [row["metrics"]["fd"] for row in rows if row["label"].startswith(f"{family},")]
        assert fds == sorted(fds), family
    figure = default_smoke_run / "data/08_reporting/comparison/quality_over_time.png"
    assert figure.stat().st_size > 10_000  # the DCGAN's curve (smoke: the one family probed)
    assert any(path.name.startswith("quality_over_time") for path in comparison.media())


@pytest.mark.user_commands("kedro run --pipelines=ae")
def test_unreachable_server_falls_back_to_offline(project_copy):
    # A user's command line, with the singular --pipeline flag the Kedro docs still show.
    (project_copy / "conf/local/wandb.yml").write_text("init_timeout: 3\n")
    result = kedro_run(
        project_copy,
        "--pipeline=ae",
        f"--params={params_argument({'data': SMALL['data'], 'ae': SMALL['ae']})}",
        env={"WANDB_MODE": "online", "WANDB_API_KEY": "0" * 40, "WANDB_BASE_URL": "http://127.0.0.1:9"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "logging offline instead" in result.stdout + result.stderr
    assert offline_runs(project_copy)["ae"].summary["recon_mse"] > 0


def test_broken_tracking_does_not_fail_the_run(project_copy, caplog):
    (project_copy / "conf/local/wandb.yml").write_text("project: [not, a, string]\n")
    with caplog.at_level(logging.WARNING):
        run_in_process(project_copy, "ae", params=FEW_IMAGES)
    assert "W&B tracking is off" in caplog.text
    assert (project_copy / "data/08_reporting/ae/metrics.json").is_file()


def test_disabled_logs_and_writes_nothing(project_copy, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "disabled")
    run_in_process(project_copy, "ae", params=FEW_IMAGES)
    assert (project_copy / "data/08_reporting/ae/metrics.json").is_file()
    assert not (project_copy / "wandb").exists()


def test_a_failed_pipeline_marks_the_run_failed(project_copy):
    # More mixture components than the 540 training codes: fails after training, in sampling.
    with pytest.raises(ValueError, match="n_components"):
        run_in_process(project_copy, "ae", params={**FEW_IMAGES, "ae": {"mixture_components": 1000}})
    run = offline_runs(project_copy)["ae"]
    assert run.exit_code == 1 and len(run.column("loss")) == 1
