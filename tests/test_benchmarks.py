"""`python -m deepgen.benchmarks --quick` runs and writes its table (a check of the script, not of speed)."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def test_benchmark_writes_its_table(project_copy):
    result = subprocess.run(
        [sys.executable, "-m", "deepgen.benchmarks", "--quick", "--images", "4000"],
        cwd=project_copy, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = json.loads((project_copy / "data/08_reporting/benchmarks.json").read_text())
    assert [row["model"] for row in rows] == ["ae", "vae", "dcgan"]
    for row in rows:
        assert row["batch_size"] == 32
        assert row["reference_images_per_s"] > 0 and row["deepgen_images_per_s"] > 0
        # speedup is rounded to 2 decimals, the rates to 1: equal up to that rounding
        assert row["speedup"] == pytest.approx(row["deepgen_images_per_s"] / row["reference_images_per_s"], abs=0.006)
    overhead = json.loads((project_copy / "data/08_reporting/kedro_overhead.json").read_text())
    assert 0 < overhead["node_seconds"] < overhead["run_seconds"]
    assert 0 <= overhead["kedro_and_tracking_fraction"] <= overhead["overhead_fraction"] < 1
    assert not (project_copy / "data/08_reporting/ae").exists()  # the smoke run went to a scratch copy
