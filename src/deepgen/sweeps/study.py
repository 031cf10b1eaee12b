"""A sweep's Optuna study: its storage (SQLite under the output root, or any database URL),
its sampler and pruner, the trials it asks for and what it is told, and its record. The one
place Optuna is imported, for the command and for a trial's run alike."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from .spec import SweepSpec

STATES = {"COMPLETE": "complete", "PRUNED": "pruned", "FAIL": "failed", "RUNNING": "running", "WAITING": "running"}
SPEC_ATTRIBUTE = "deepgen_sweep_spec"  # the study's user attribute: the sweep file it was begun with


def default_storage(project: Path, outputs: str, name: str) -> str:
    """``sqlite:///<project>/<outputs>/sweeps/<name>.db``: beside the run's other outputs."""
    path = (project / outputs / "sweeps" / f"{name}.db").resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _storage(url: str):
    import optuna

    # SQLite's writers wait for each other (the command and its trials' runs share the file).
    arguments = {"engine_kwargs": {"connect_args": {"timeout": 60}}} if url.startswith("sqlite") else {}
    return optuna.storages.RDBStorage(url, **arguments)


def _pruner(pruning: dict[str, Any]):
    import optuna

    if pruning["pruner"] == "none":
        return optuna.pruners.NopPruner()
    return optuna.pruners.MedianPruner(n_startup_trials=pruning["startup_trials"], n_warmup_steps=pruning["warmup"])


def _sampler(spec: SweepSpec):
    import optuna

    # A grid is its combinations asked for in turn (``open_study`` enqueues them): Optuna's
    # GridSampler stops the study from inside ``tell``, which only ``optimize`` allows.
    if spec.method in ("grid", "random"):
        return optuna.samplers.RandomSampler(seed=spec.seed)
    return optuna.samplers.TPESampler(seed=spec.seed, constant_liar=True)  # trials in flight count as tried


def distributions(spec: SweepSpec) -> dict:
    """Each searched key's Optuna distribution: its values, or its range."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    def one(values):
        if isinstance(values, list):
            return CategoricalDistribution(values)
        if values.integers:
            return IntDistribution(int(values.low), int(values.high), log=values.log)
        return FloatDistribution(values.low, values.high, log=values.log, step=values.step)

    return {key: one(values) for key, values in spec.parameters.items()}


def open_study(spec: SweepSpec, name: str, url: str):
    """The sweep's study in ``url``: new, or the one a previous command began with the same
    sweep file (another file under the same name is an error: its trials are not comparable)."""
    import optuna
    from sqlalchemy.exc import SQLAlchemyError

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.create_study(
            study_name=name,
            storage=_storage(url),
            sampler=_sampler(spec),
            pruner=_pruner(spec.pruning.model_dump()),
            direction=spec.goal,
            load_if_exists=True,
        )
    except SQLAlchemyError as error:
        raise click.ClickException(
            f"The sweep's storage does not answer at {url}: {error.__class__.__name__}: {error}"
        ) from None
    described = spec.model_dump_json()
    begun = study.user_attrs.get(SPEC_ATTRIBUTE)
    if begun is None:
        study.set_user_attr(SPEC_ATTRIBUTE, described)
        for combination in spec.grid()[: spec.size()] if spec.method == "grid" else []:
            study.enqueue_trial(combination)
    elif begun != described:
        raise click.ClickException(
            f"The study {name!r} in {url} was begun with another sweep file; its trials do not compare with this "
            "one's. Give the sweep another name, another --storage, or delete the study to start afresh."
        )
    return study


def resume(study) -> list[int]:
    """Trials a stopped command left running (its process gone): marked failed, their
    parameters asked for again. Returns their numbers."""
    import optuna

    stale = [trial for trial in study.get_trials(deepcopy=False) if trial.state == optuna.trial.TrialState.RUNNING]
    for trial in stale:
        study.tell(trial.number, state=optuna.trial.TrialState.FAIL)
        study.enqueue_trial(trial.params, skip_if_exists=True)
    return [trial.number for trial in stale]


def finished(study) -> int:
    """Trials that count towards the sweep's size: complete or pruned."""
    import optuna

    done = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    return len(study.get_trials(deepcopy=False, states=done))


@dataclass(frozen=True)
class Asked:
    """A trial the study asked for: its number and parameters."""

    number: int
    parameters: dict[str, Any]

    def digest(self) -> str:
        """A name for its parameters: the same parameters, the same scratch project (a trial asked
        for again after its command stopped resumes from its checkpoint)."""
        return hashlib.sha256(json.dumps(self.parameters, sort_keys=True).encode()).hexdigest()[:10]


def ask(study, spec: SweepSpec) -> Asked:
    trial = study.ask(distributions(spec))
    return Asked(trial.number, dict(trial.params))


def tell(study, number: int, value: float | None = None, *, pruned: bool = False, failed: bool = False) -> None:
    import optuna

    state = optuna.trial.TrialState
    if pruned:
        study.tell(number, state=state.PRUNED)
    elif failed or value is None or math.isnan(value):  # nothing to compare
        study.tell(number, state=state.FAIL)
    else:
        study.tell(number, value)


def records(study) -> list[dict[str, Any]]:
    """Every trial: number, state, parameters, value, probes, seconds."""
    return [
        {
            "number": trial.number,
            "state": STATES.get(trial.state.name, "failed"),
            "parameters": dict(trial.params),
            "value": trial.value if trial.state.name == "COMPLETE" else None,
            "intermediate": {int(step): float(value) for step, value in trial.intermediate_values.items()},
            "seconds": trial.duration.total_seconds() if trial.duration else None,
        }
        for trial in study.get_trials(deepcopy=False)
    ]


def importances(study) -> dict[str, float]:
    """Optuna's PED-ANOVA importances over the complete trials (none with fewer than two, or
    with one value of every parameter)."""
    import optuna

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # experimental-API notes, nothing to act on
            return {key: float(value) for key, value in optuna.importance.get_param_importances(study).items()}
    except (RuntimeError, ValueError, ZeroDivisionError) as error:
        logging.getLogger(__name__).info("No parameter importances: %s", error)
        return {}


# --- a trial's run: reporting the probes and asking whether to stop -------------------------


@dataclass(frozen=True)
class TrialContext:
    """What ``kedro sweep`` tells a trial's run (``DEEPGEN_SWEEP_TRIAL`` in its environment): the
    sweep, the trial, the study's storage and pruner."""

    sweep: str
    number: int
    storage: str
    pruning: dict[str, Any]

    VARIABLE = "DEEPGEN_SWEEP_TRIAL"

    def environment(self) -> tuple[tuple[str, str], ...]:
        return ((self.VARIABLE, json.dumps(self.__dict__)),)

    @classmethod
    def from_environment(cls, environ) -> TrialContext | None:
        text = environ.get(cls.VARIABLE)
        return None if not text else cls(**json.loads(text))

    def open(self):
        """The run's handle on its Optuna trial: ``report`` and ``should_prune``."""
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        storage = _storage(self.storage)
        study = optuna.load_study(study_name=self.sweep, storage=storage, pruner=_pruner(self.pruning))
        trial_id = storage.get_trial_id_from_study_id_trial_number(
            storage.get_study_id_from_name(self.sweep), self.number
        )
        return optuna.trial.Trial(study, trial_id)
