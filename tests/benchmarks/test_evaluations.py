"""The equal-evaluations study: saved networks sampled by every solver at each count of
function evaluations, scored on the validation images, and its table in docs/performance.md."""

import pytest

from deepgen.benchmarks.evaluations import MARKER, measure, write_table
from deepgen.families import FAMILIES
from tests.conftest import base_params, make_project_copy, smoke_parameters


@pytest.mark.slow  # a Kedro session over a project copy
def test_every_solver_at_each_count_its_steps_can_spend(tmp_path):
    from deepgen.datasets import KerasModelDataset

    project = make_project_copy(tmp_path / "project")
    family = FAMILIES["flow_matching"]
    networks = family.build(base_params("flow_matching", **smoke_parameters()["flow_matching"]))
    for name, network in networks.items():
        KerasModelDataset(filepath=str(project / f"data/06_models/flow_matching/{name}.keras")).save(network)

    rows = measure(project, ["flow_matching"], samples=40, env="smoke")
    assert [(r["solver"], r["evaluations"], r["steps"]) for r in rows] == [
        ("euler", 1, 1), ("euler", 2, 2), ("euler", 4, 4), ("euler", 5, 5), ("euler", 8, 8), ("euler", 10, 10),
        ("euler", 16, 16), ("heun", 2, 1), ("heun", 4, 2), ("heun", 8, 4), ("heun", 10, 5), ("heun", 16, 8),
    ]  # fmt: skip
    assert all(r["fd"] > 0 and r["seconds per 1,000"] > 0 for r in rows)
    with pytest.raises(SystemExit, match="No saved networks of latent_diffusion"):
        measure(project, ["flow_matching", "latent_diffusion"], samples=40, env="smoke")


def test_the_table_goes_between_its_markers(tmp_path):
    page = tmp_path / "performance.md"
    page.write_text(f"# Prose\n\n<!-- {MARKER}: begin -->\nold\n<!-- {MARKER}: end -->\n\nMore.\n")
    rows = [
        {"family": "Flow matching", "solver": "heun", "evaluations": 2, "fd": 30.1, "seconds per 1,000": 0.2},
        {"family": "Flow matching", "solver": "euler", "evaluations": 1, "fd": 80.0, "seconds per 1,000": 0.1},
    ]
    write_table(page, rows)
    text = page.read_text()
    assert "old" not in text and text.endswith("\n\nMore.\n")
    assert (
        "| Flow matching | heun | – | 30.1 (0.2 s) |" in text and "| Flow matching | euler | 80.0 (0.1 s) | – |" in text
    )
