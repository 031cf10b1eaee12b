"""The latent sweep pipeline and kedro-viz, in scratch copies of the project."""

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import FEW_IMAGES, run_in_process
from tests.wandb_reader import all_offline_runs

pytestmark = pytest.mark.slow


def test_latent_sweep_writes_its_report(project_copy):
    # Two sizes instead of three, set where users set them: the same pipeline, shorter.
    (project_copy / "conf/base/parameters_latent_sweep.yml").write_text("latent_sweep:\n  latent_dims: [2, 10]\n")
    small = {
        "ae": {"n_samples": 100},
        "vae": {"n_samples": 100, "iw_samples": 2},
        "cvae": {"n_samples": 100, "iw_samples": 2},
    }
    run_in_process(project_copy, "latent_sweep", params={**FEW_IMAGES, **small})
    report = project_copy / "data/08_reporting/latent_sweep"
    rows = json.loads((report / "results.json").read_text())["rows"]
    assert [(row["model"], row["latent_dim"]) for row in rows] == [
        (m, d) for m in ("AE", "VAE", "CVAE") for d in (2, 10)
    ]
    assert all({"recon_mse", "recon_bce", "fd"} <= set(row) for row in rows)
    assert all(row["elbo"] < 0 < row["nll_iw"] for row in rows if row["model"] in ("VAE", "CVAE"))
    assert all((row["conditional_accuracy"] is not None) == (row["model"] == "CVAE") for row in rows)
    for figure in ("curves", "reconstructions"):
        with Image.open(report / f"{figure}.png") as image:
            assert image.format == "PNG"
    table = (report / "table.md").read_text()
    assert table.count("\n| VAE |") == 2
    for instance in ("ae_2", "ae_10", "vae_10", "cvae_2"):
        assert (report / instance / "metrics.json").is_file()
    assert not list((project_copy / "data").glob("*/latent_sweep.*"))  # instances keep the rest in memory

    runs = all_offline_runs(project_copy)
    assert len({run.group for run in runs}) == 1  # one group for the whole sweep
    assert sorted(run.name for run in runs) == sorted(
        [f"latent_sweep.{m}_{d}.{m}" for m in ("ae", "vae", "cvae") for d in (2, 10)] + ["latent_sweep"]
    )
    vae_10 = next(run for run in runs if run.name == "latent_sweep.vae_10.vae")
    assert vae_10.config["latent_dim"] == 10


def test_latent_sizes_are_fixed_by_conf_base(project_copy, caplog):
    with caplog.at_level(logging.INFO), pytest.raises(ValueError, match="conf/base/parameters_latent_sweep.yml"):
        run_in_process(project_copy, "latent_sweep", params={"latent_sweep": {"latent_dims": [3]}})
    assert "Running node: latent_sweep.ae_2.ae.train" not in caplog.text  # stopped before training


def test_kedro_viz_build_with_previews(project_copy):
    kedro = str(Path(sys.executable).with_name("kedro"))
    result = subprocess.run(
        [kedro, "viz", "build", "--include-previews"], cwd=project_copy, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (project_copy / "build/index.html").is_file()
    main = json.loads((project_copy / "build/api/main").read_text())
    assert {"ae", "vae", "cvae", "dcgan", "cdcgan", "latent_sweep", "evaluator", "generate", "__default__"} <= {
        p["id"] for p in main["pipelines"]
    }


def test_a_run_records_what_kedro_viz_run_status_shows(default_smoke_run):
    viz = default_smoke_run / "run.viz"  # .viz as the default run left it (later tests run there too)
    events = json.loads((viz / "kedro_pipeline_events.json").read_text())
    ran = {event["node"] for event in events if event["event"] == "after_node_run" and event["status"] == "success"}
    assert {"vae.train", "cdcgan.train", "comparison.compare_models"} <= ran
    assert all(event["duration"] >= 0 for event in events if event["event"] == "after_node_run")
    stats = json.loads((viz / "stats.json").read_text())
    assert stats["vae.latent_embeddings"]["rows"] == 1000  # the smoke test set
