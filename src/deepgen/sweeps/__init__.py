"""``kedro sweep <name>``: the hyperparameter search of a sweep file (``spec``) as an Optuna study
(``study``), its trials run as tasks on a Dask cluster by ``kedro distribute``'s machinery,
each a ``kedro run --pipelines=sweep.<family>`` in a scratch project of its own: trained as the
family's pipeline trains, scored on the validation images only, each a W&B run in the sweep's
group, pruned when its validation FD probes fall behind. Then the study's report here
(``sweep.report``), and with ``--best-env`` the best trial as a Kedro environment.

The study lives in its storage (SQLite under the output root, or ``--storage``): a finished
trial is never lost, and the same command again continues the study where it stopped."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import click

from .spec import SweepSpec, check_against_family, load_spec

SWEEP_NAME = "DEEPGEN_SWEEP"  # the sweep whose report a run is: W&B names its run after it


def sweep(
    name: str,
    env: str | None,
    workers: int,
    scheduler: str | None,
    storage: str | None,
    params: str,
    trials: int | None,
    best_env: str | None,
) -> None:
    """Runs the sweep ``name``'s trials still to do on the cluster, then its report here."""
    from deepgen.distribute.cluster import run_on_cluster
    from deepgen.params import use_run_configuration

    try:
        run = SweepRun(name, env, storage, params, trials, workers)
        first = run.next_trials()
        _, failures = (
            run_on_cluster(run.task(), first, workers, scheduler, run.progress, run.gather, more=run.next_trials)
            if first
            else ([], [])
        )
        run.finish(best_env, failures)
    finally:
        use_run_configuration(None)


class SweepRun:
    """One ``kedro sweep`` command: the sweep file checked against the run's configuration, the
    study opened (stale trials asked for again), trials asked for as workers free up and told
    their results as they arrive."""

    def __init__(self, name: str, env: str | None, storage: str | None, params: str, trials: int | None, workers: int):
        from kedro.config import MissingConfigException
        from kedro.framework.project import settings

        from deepgen.distribute.cluster import Progress
        from deepgen.distribute.members import runtime_params
        from deepgen.families import FAMILIES
        from deepgen.params import configuration

        from . import study as studies

        self.name, self.params, self.workers = name, params, workers
        self.project = Path.cwd()
        self.environment = env or os.environ.get("KEDRO_ENV") or settings.CONFIG_LOADER_ARGS["default_run_env"]
        config = configuration(self.environment, self.project, runtime_params(params))
        try:
            self.parameters, self.outputs = config["parameters"], config["globals"]["outputs"]
        except MissingConfigException as error:
            raise click.ClickException(
                f"The configuration of environment {self.environment!r} does not read: {error}"
            ) from None
        self.spec, path = load_spec(name, self.project, self.environment)
        check_against_family(self.spec, path, self.parameters.get(self.spec.family, {}))
        self.family, self.seed = FAMILIES[self.spec.family], int(self.parameters["seed"])
        self.url = storage or studies.default_storage(self.project, self.outputs, name)
        self.study = studies.open_study(self.spec, name, self.url)
        self.size = trials or self.spec.size()
        self.folder = self.project / self.outputs / "08_reporting" / "sweeps" / name
        self.progress = Progress()
        self.in_flight: dict = {}  # member → trial number
        resumed, done = studies.resume(self.study), studies.finished(self.study)
        self.progress.say(
            f"sweep {name}: {self.family.label}, {self.spec.method} on {self.spec.metric} (validation), {self.size} "
            f"trial(s); {done} finished before{f', {len(resumed)} left running asked for again' if resumed else ''}; "
            f"study in {self.url}; W&B group {name}"
        )

    def next_trials(self) -> list:
        """As many new trials as free workers and the sweep's size allow, as members."""
        from deepgen.distribute.work import expected_work

        from . import study as studies

        members = []
        while studies.finished(self.study) + len(self.in_flight) < self.size and len(self.in_flight) < self.workers:
            asked = studies.ask(self.study, self.spec)
            context = studies.TrialContext(self.name, asked.number, self.url, self.spec.pruning.model_dump())
            member = _trial_member(
                self.spec, self.name, self.seed, self.spec.fixed | asked.parameters, asked.digest(), context
            )
            expected_work(member, self.parameters, self.environment)  # the block it runs with is valid, or stop
            self.in_flight[member] = asked.number
            self.progress.say(f"trial {asked.number}: {', '.join(f'{k}={v}' for k, v in asked.parameters.items())}")
            members.append(member)
        return members

    def gather(self, record: dict | None, member) -> None:
        """A trial's end told to the study: its metric, pruned, or failed (no record)."""
        from . import study as studies

        number = self.in_flight.pop(member)
        if record is None:
            studies.tell(self.study, number, failed=True)
        elif record.get("stopped"):
            studies.tell(self.study, number, pruned=True)
            self.progress.say(f"trial {number} pruned: {record['stopped'].get('reason', '')}")
        else:
            value = _keep_report(record, self.folder, number).value(self.spec.metric, self.spec.sampler)
            studies.tell(self.study, number, value)
            self.progress.say(f"trial {number}: {self.spec.metric} {value}")

    def task(self):
        """``run_member`` with what every trial shares: the client's environment,
        configuration, commit, and the sweep's W&B group."""
        import functools

        import deepgen
        from deepgen.distribute.cluster import run_member
        from deepgen.distribute.scratch import Configuration
        from deepgen.report import git_commit

        return functools.partial(
            run_member,
            env=self.environment,
            params=self.params,
            outputs=self.outputs,
            client={"commit": git_commit(self.project), "version": deepgen.__version__},
            configuration=Configuration.of(self.project),
            group=self.name,
        )

    def finish(self, best_env: str | None, failures: list) -> None:
        """The study recorded and reported; the best trial written as an environment if asked."""
        from . import study as studies

        record = _record_study(
            self.study, self.spec, self.name, self.url, self.environment, self.family.label, self.folder
        )
        self.progress.say(f"{studies.finished(self.study)} of {self.size} trial(s) finished; report in {self.folder}")
        _run_report(self.project, self.name, self.environment, self.params)
        if best_env:
            written = _write_best_env(self.project, best_env, record, self.spec, self.environment, self.parameters)
            self.progress.say(
                f"the best trial as an environment: {written} (`kedro run --env={best_env} --pipelines={self.spec.family}`)"
            )
        if failures:
            raise click.ClickException(
                f"{len(failures)} trial(s) failed. The others are in the study; run the same command again to run "
                "the trials still to do."
            )


def _trial_member(spec: SweepSpec, name: str, seed: int, changes: dict, digest: str, context):
    """A trial as ``kedro distribute`` runs a member: ``sweep.<family>`` given the trial's
    parameters, in a scratch project named after them, sending back its report."""
    from deepgen.distribute.members import Member

    return Member(
        pipeline=f"sweep.{spec.family}",
        seed=seed,
        folder=f"sweep/{spec.family}",
        family=spec.family,
        changes=tuple(changes.items()),
        given=True,
        environment=context.environment(),
        tag=f"sweep-{name}-{digest}",
        stages=("08_reporting",),
    )


def _keep_report(record: dict, folder: Path, number: int):
    """The trial's report, kept as ``trials/<number>.json`` beside the study."""
    from deepgen.report import TrialReport

    content = next(data for path, data in record["files"].items() if path.endswith("trial.json"))
    target = folder / "trials" / f"{number}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(target.name + ".arriving")
    staged.write_bytes(content)
    os.replace(staged, target)
    return TrialReport.model_validate_json(content)


def _record_study(study, spec: SweepSpec, name: str, url: str, environment: str, label: str, folder: Path):
    """``study.json``: what the report pipeline draws from; returned as a ``SweepStudy``."""
    from deepgen.report import SweepStudy, TrialRecord

    from . import study as studies

    trials = [TrialRecord(**record) for record in studies.records(study)]
    complete = [t for t in trials if t.state == "complete"]
    pick = min if spec.goal == "minimize" else max
    best = pick(complete, key=lambda t: t.value) if complete else None
    record = SweepStudy(
        name=name,
        family=spec.family,
        label=label,
        method=spec.method,
        metric=spec.metric,
        sampler=spec.sampler,
        direction=spec.goal,
        storage=url,
        trials=trials,
        best=best,
        importances=studies.importances(study) if len(complete) > 1 else {},
        environment=environment,
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "study.json").write_text(record.model_dump_json(indent=2) + "\n")
    return record


def _run_report(project: Path, name: str, environment: str, params: str) -> None:
    """``sweep.report`` in this process, its W&B run the group's summary run."""
    from kedro.framework.session import KedroSession

    from deepgen.distribute.members import runtime_params

    saved = {key: os.environ.get(key) for key in ("WANDB_RUN_GROUP", SWEEP_NAME)}
    os.environ["WANDB_RUN_GROUP"] = os.environ[SWEEP_NAME] = name
    try:
        given = runtime_params(params) | {"sweep_name": name}
        with KedroSession.create(project_path=project, env=environment, runtime_params=given) as session:
            session.run(pipeline_names=["sweep.report"])
    except Exception as error:
        raise click.ClickException(
            f"The sweep's report failed: {error}. Its study is kept; `kedro sweep {name}` again reports on it."
        ) from error
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


BEST_ENV_MARK = "# Written by `kedro sweep"


def _write_best_env(project, env_name, record, spec, environment, parameters) -> Path:
    """``conf/<env_name>/``: the sweep's environment (its files but parameters and credentials)
    and ``parameters.yml`` with the best trial's whole block, the data block and the seed, so
    that ``kedro run --env=<env_name>`` trains the best trial again. An existing folder that a
    sweep did not write is left alone."""
    import shutil

    import yaml

    from deepgen.families import FAMILIES

    best, name = record.best, record.name
    if best is None:
        raise click.ClickException(f"Sweep {name} has no complete trial: no best environment to write.")
    target = project / "conf" / env_name
    written = target / "parameters.yml"
    if target.exists() and not (written.is_file() and written.read_text().startswith(BEST_ENV_MARK)):
        raise click.ClickException(f"conf/{env_name} exists and was not written by a sweep: choose another --best-env.")
    target.mkdir(parents=True, exist_ok=True)
    source = project / "conf" / environment
    if source.is_dir() and environment != "base":
        for path in source.iterdir():
            if path.is_file() and not path.name.startswith(("parameters", "credentials")):
                shutil.copy(path, target / path.name)
    block = FAMILIES[spec.family].params(**(parameters[spec.family] | spec.fixed | best.parameters))
    content = {
        "seed": parameters["seed"],
        "data": parameters["data"],
        spec.family: json.loads(block.model_dump_json()),
    }
    header = (
        f"{BEST_ENV_MARK} {name} --best-env={env_name}` on {time.strftime('%Y-%m-%d')}: its best trial, "
        f"{best.number} ({spec.metric} {best.value:.5g} on the validation images), from environment "
        f"{environment}.\n# `kedro run --env={env_name} --pipelines={spec.family}` trains it again.\n"
    )
    written.write_text(header + yaml.safe_dump(content, sort_keys=False))
    return target
