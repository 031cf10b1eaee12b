"""Sweep files checked before any trial, and the Optuna study a sweep keeps (a real SQLite
storage in the test's folder)."""

import click
import pytest
import yaml

from deepgen.distribute.members import Member
from deepgen.sweeps import study as studies
from deepgen.sweeps.spec import check_against_family, load_spec
from tests.conftest import base_params

BLOCK = base_params("ae").model_dump()
GOOD = {"family": "ae", "method": "grid", "metric": "recon_mse", "parameters": {"latent_dim": [2, 10, 100]}}


def _spec(tmp_path, **changes):
    folder = tmp_path / "conf" / "base" / "sweeps"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "s.yml").write_text(yaml.safe_dump(GOOD | changes))
    spec, path = load_spec("s", tmp_path, "local")
    check_against_family(spec, path, BLOCK)
    return spec


def test_the_tutorials_grid_is_its_three_sizes(tmp_path):
    spec = _spec(tmp_path)
    assert spec.size() == 3 and spec.goal == "minimize"
    assert spec.grid() == [{"latent_dim": 2}, {"latent_dim": 10}, {"latent_dim": 100}]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"family": "gan"}, "family 'gan' is not one of ae, vae"),
        ({"parameters": {"latnet_dim": [2]}}, "latnet_dim: not a key of the ae block"),
        ({"parameters": {}}, "parameters: Dictionary should have at least 1 item"),
        ({"parameters": {"latent_dim": []}}, "parameters.latent_dim lists no values"),
        ({"parameters": {"latent_dim": [2, -1]}}, r"a trial with \{'latent_dim': -1\} is not a valid ae block"),
        ({"method": "tpe"}, "a tpe sweep needs `trials`"),
        ({"parameters": {"learning_rate": {"low": 0.1, "high": 0.01}}}, "low .* must be below high"),
        ({"metric": "accuracy"}, "metric 'accuracy' is not one a trial measures"),
        ({"sampler": "mixtures"}, "sampler: ae has no 'mixtures' sampler"),
    ],
)
def test_a_bad_sweep_file_is_named_with_the_key(tmp_path, changes, message):
    with pytest.raises(click.ClickException, match=rf"s\.yml: .*{message}"):
        _spec(tmp_path, **changes)


def test_a_missing_sweep_file_lists_the_others(tmp_path):
    _spec(tmp_path)
    with pytest.raises(click.ClickException, match=r"No sweep file nope\.yml .*there are: s\."):
        load_spec("nope", tmp_path, "local")


def test_a_study_that_cannot_be_reached_is_named(tmp_path):
    url = f"sqlite:///{tmp_path}/no/such/folder/s.db"
    with pytest.raises(click.ClickException, match="The sweep's storage does not answer at sqlite:///"):
        studies.open_study(_spec(tmp_path), "s", url)


def test_a_rerun_continues_the_study_and_asks_again_for_what_a_stopped_command_left_running(tmp_path):
    spec, url = _spec(tmp_path), f"sqlite:///{tmp_path}/s.db"
    study = studies.open_study(spec, "s", url)
    first, second = studies.ask(study, spec), studies.ask(study, spec)
    assert [first.parameters, second.parameters] == [{"latent_dim": 2}, {"latent_dim": 10}]
    studies.tell(study, first.number, 0.07)  # the command stops with the second still running

    again = studies.open_study(spec, "s", url)
    assert studies.resume(again) == [second.number] and studies.finished(again) == 1
    asked = sorted(studies.ask(again, spec).parameters["latent_dim"] for _ in range(2))
    assert asked == [10, 100]  # the stale one again, and the rest of the grid
    states = {r["number"]: r["state"] for r in studies.records(again)}
    assert states[first.number] == "complete" and states[second.number] == "failed"

    with pytest.raises(click.ClickException, match="was begun with another sweep file"):
        studies.open_study(_spec(tmp_path, parameters={"latent_dim": [3]}), "s", url)


def test_a_trials_parameters_reach_its_run_as_params():
    member = Member("sweep.ae", 42, "sweep/ae", "ae", (("learning_rate", 0.001), ("latent_dim", 10)), given=True)
    assert member.parameters() == ["seed=42", "ae.learning_rate=0.001", "ae.latent_dim=10"]
    assert Member("ae", 7, "ae", "ae", (("latent_dim", 3),)).parameters() == ["seed=7"]  # a sweep instance sets its own
