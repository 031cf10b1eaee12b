"""The project's Data Catalog: datasets it does not name stay in memory, without copies."""

import numpy as np
import pytest

from deepgen.datasets.catalog import InMemoryWithoutCopiesCatalog


def test_unnamed_datasets_hand_data_on_as_it_is():
    catalog = InMemoryWithoutCopiesCatalog()
    images = np.zeros((4, 28, 28), dtype=np.float32)
    catalog.get("train_x_unit", fallback_to_runtime_pattern=True)  # as Kedro's runner creates it
    catalog.save("train_x_unit", images)
    assert catalog.load("train_x_unit") is images  # MemoryDataset's default would copy


@pytest.mark.slow  # reads the log of a real `kedro run`
def test_a_run_uses_it_without_warnings(default_smoke_run):
    # A catch-all "{name}" entry in catalog.yml did the same with a warning per dataset.
    log = (default_smoke_run / "run.log").read_text()
    assert "override the default dataset creation" not in log
    assert "Pipeline execution completed" in log


@pytest.mark.slow
def test_the_default_smoke_run_log_is_short_and_holds_nothing_that_looks_like_an_error(default_smoke_run):
    lines = (default_smoke_run / "run.log").read_text().splitlines()
    alarming = ("E0000", "I0000", "ERROR", "Traceback", "Warning:", "absl", "cuda")
    assert [line for line in lines if any(word in line for word in alarming)] == []
    nodes = sum("Completed node:" in line for line in lines)
    assert len(lines) < 4 * nodes + 40  # a few lines a node and the results, not every dataset load
    assert sum("wandb sync" in line for line in lines) == 1  # one hint, at the end
