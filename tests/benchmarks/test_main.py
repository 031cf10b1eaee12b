"""`python -m deepgen.benchmarks --quick` runs and writes its table (a check of the script, not of speed)."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def test_benchmark_writes_its_table(project_copy):
    result = subprocess.run(
        [sys.executable, "-m", "deepgen.benchmarks", "--quick", "--images", "2000"],
        cwd=project_copy,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    benchmark = json.loads((project_copy / "data/08_reporting/benchmarks.json").read_text())
    rows = benchmark["rows"]
    assert benchmark["measured_at"] and "CPU cores" in benchmark["machine"]
    assert [row["model"] for row in rows] == ["ae", "vae", "dcgan"]
    for row in rows:
        assert row["batch_size"] == 32 and row["rounds"] == 1 == len(row["speedup_per_round"])
        assert row["reference_images_per_s"] > 0 and row["deepgen_images_per_s"] > 0
        # one round: its ratio is the speedup, equal to the rates' ratio up to their rounding
        assert row["speedup"] == row["speedup_per_round"][0]
        assert row["speedup"] == pytest.approx(row["deepgen_images_per_s"] / row["reference_images_per_s"], abs=0.006)
        assert "ablations" not in row  # only with --ablations
    assert rows[2]["deepgen_settings"]["fused_upsampling"] is True
    overhead = json.loads((project_copy / "data/08_reporting/kedro_overhead.json").read_text())
    assert [run["wandb_mode"] for run in overhead["runs"]["offline"]] == ["offline"]
    assert [run["wandb_mode"] for run in overhead["runs"]["disabled"]] == ["disabled"]
    assert overhead["tensorflow_import_seconds"] > 0 and overhead["run_seconds"] == pytest.approx(
        overhead["runs"]["offline"][0]["run_seconds"], abs=0.01
    )
    disabled = overhead["runs"]["disabled"][0]
    assert 0 < disabled["startup_seconds"] < disabled["kedro_seconds"] < disabled["run_seconds"]
    assert disabled["node_seconds"] + disabled["dataset_io_seconds"] + disabled["kedro_seconds"] == pytest.approx(
        disabled["run_seconds"], abs=0.002
    )
    assert 0 < overhead["kedro_fraction"] <= overhead["overhead_fraction"] < 1
    assert overhead["kedro_and_tracking_fraction"] == pytest.approx(
        overhead["kedro_fraction"] + overhead["tracking_fraction"], abs=0.002
    )
    assert not (project_copy / "data/08_reporting/ae").exists()  # the smoke run went to a scratch copy
