"""Every command a user runs is tested once in the default environment (``local``), as users run
it, with small settings through ``--params`` rather than ``--env=smoke``: a test says which it
runs with the ``user_commands`` marker, and conftest fails it unless it ran them so."""

from __future__ import annotations

import ast
import json

import pytest

from tests.conftest import PROJECT_ROOT, run_in_process

# `kedro distribute`'s paths: a family's members (run, rerun with other settings, reused, refused
# for an invalid --params), a sweep's instances, seed repeats.
SCENARIOS = {
    "distribute": {
        "kedro distribute --pipelines=ae",
        "kedro distribute --pipelines=latent_sweep",
        "kedro distribute --repeats",
    }
}


def user_commands() -> set[str]:
    """``kedro run`` of every registered pipeline a user names (those without a dot: the dotted
    ones are the members and reports that ``kedro distribute`` runs), the project's own commands
    (``cli.py``), and kedro-viz."""
    from deepgen.cli import cli
    from deepgen.pipeline_registry import register_pipelines

    pipelines = sorted(name for name in register_pipelines() if "." not in name and name != "__default__")
    commands = {"kedro run", "kedro viz build", *(f"kedro run --pipelines={name}" for name in pipelines)}
    for name in cli.commands:
        commands |= SCENARIOS.get(name, {f"kedro {name}"})
    return commands


def marked_commands() -> dict[str, list[str]]:
    """The commands each test module's ``user_commands`` markers name, from their source."""
    marked = {}
    for path in sorted((PROJECT_ROOT / "tests").rglob("test_*.py")):
        for call in ast.walk(ast.parse(path.read_text())):
            if isinstance(call, ast.Call) and ast.unparse(call.func) == "pytest.mark.user_commands":
                for argument in call.args:
                    marked.setdefault(argument.value, []).append(str(path.relative_to(PROJECT_ROOT)))
    return marked


def test_every_user_command_has_a_test_in_the_default_environment():
    marked = marked_commands()
    assert sorted(user_commands() - set(marked)) == []
    assert sorted(set(marked) - user_commands()) == []  # no marker names a command that is not one


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.user_commands(
    "kedro run --pipelines=data_processing",
    "kedro run --pipelines=dcgan",
    "kedro run --pipelines=cdcgan",
    "kedro run --pipelines=iwae",
    "kedro run --pipelines=latent_diffusion",
    "kedro run --pipelines=flow_matching",
    "kedro run --pipelines=comparison",
)
def test_the_pipelines_no_other_test_runs_whole_run_in_the_default_environment(project_copy):
    """Each family's own pipeline, from the raw files to its report and the comparison, at small
    settings; then the comparison alone, of every report saved."""
    small = {"data": {"max_train_images": 1200, "max_test_images": 300}}
    run_in_process(project_copy, "data_processing", params=small)
    trained = {
        "dcgan": {"steps": 20, "gen_interval": 10, "steps_per_execution": 10, "eval_interval": 0, "n_samples": 200},
        "cdcgan": {"steps": 20, "gen_interval": 10, "steps_per_execution": 10, "n_samples": 200},
        "iwae": {"n_samples": 200},
        "latent_diffusion": {},
        "flow_matching": {},
    }
    for family, settings in trained.items():
        run_in_process(project_copy, family, params=small | {family: settings})
        report = json.loads((project_copy / f"data/08_reporting/{family}/metrics.json").read_text())
        assert report["environment"] == "local" and report["n_train_images"] == 1080, family
        assert report["samples"] and all(s["fd"] > 0 for s in report["samples"].values()), family
    (project_copy / "data/08_reporting/comparison.json").unlink()
    run_in_process(project_copy, "comparison", params=small)
    rows = json.loads((project_copy / "data/08_reporting/comparison.json").read_text())["rows"]
    assert {row["samples_key"].split(".")[0] for row in rows if row.get("samples_key")} == set(trained)
