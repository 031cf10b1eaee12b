"""Tests leave the repository as they found it: what they run, they run in pytest's temporary
folders (kedro-viz's `.viz/`, W&B's `wandb/` and every output under `data/` included)."""

import pytest

from tests.conftest import FEW_IMAGES, run_in_process, working_tree


@pytest.mark.tracked
@pytest.mark.slow
def test_the_shared_smoke_run_and_an_in_process_run_leave_the_working_tree_alone(
    tree_at_start, default_smoke_run, project_copy
):
    run_in_process(project_copy, "ae", params=FEW_IMAGES)  # a real session: hooks, W&B, kedro-viz
    now = working_tree()
    assert sorted(set(now) ^ set(tree_at_start)) == []  # nothing added or removed
    assert [path for path in now if now[path] != tree_at_start[path]] == []  # nothing rewritten
