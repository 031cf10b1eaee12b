"""The latent sweep pipeline and kedro-viz, in scratch copies of the project (the sweep's report:
tests/test_distribute.py, beside the distributed sweep)."""

import json

import pytest

from tests.conftest import kedro_command

pytestmark = pytest.mark.slow


@pytest.mark.user_commands("kedro viz build")
def test_kedro_viz_build_with_previews(project_copy):
    result = kedro_command(project_copy, "viz", "build", "--include-previews", timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (project_copy / "build/index.html").is_file()
    main = json.loads((project_copy / "build/api/main").read_text())
    assert {"ae", "vae", "cvae", "dcgan", "cdcgan", "latent_sweep", "evaluator", "generate", "__default__"} <= {
        p["id"] for p in main["pipelines"]
    }


def test_a_run_records_what_kedro_viz_run_status_shows(default_smoke_run):
    viz = default_smoke_run / ".viz"
    events = json.loads((viz / "kedro_pipeline_events.json").read_text())
    ran = {event["node"] for event in events if event["event"] == "after_node_run" and event["status"] == "success"}
    assert {"vae.train", "cdcgan.train", "comparison.compare_models"} <= ran
    assert all(event["duration"] >= 0 for event in events if event["event"] == "after_node_run")
    stats = json.loads((viz / "stats.json").read_text())
    assert stats["vae.latent_embeddings"]["rows"] == 1000  # the smoke test set
