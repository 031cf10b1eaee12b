"""``kedro distribute``: the members of a sweep, the families of ``kedro run`` and their seed
repeats as tasks on a Dask cluster (a ``LocalCluster`` here, or ``--scheduler`` for one that
runs elsewhere), then the report on this machine.

A member is a registered pipeline that runs on its own from the raw data: a sweep instance
(``latent_sweep.<family>_<size>``) or a family (``members``). Each task runs ``kedro run
--pipelines=<member>`` in a fresh process on its worker (TensorFlow's state never leaks from one
member to the next), in a scratch project under the worker's ``data/distribute/`` whose name is
the member's (``scratch``): a member rescheduled after its worker was lost resumes from its
checkpoint there when the new worker shares that disk. The task returns the member's output
files; the client writes them into its own data folder and runs the report (the sweep's table,
the comparison) in its own process once all are in (``cluster``, the one module that imports Dask).
"""

from __future__ import annotations

import functools
import json
import os
import time
import uuid
from pathlib import Path

import click

from .members import members_of, runtime_params
from .work import expected_work, why_rerun


def distribute(pipelines: str, env: str | None, workers: int, scheduler: str | None, repeats: int, params: str) -> None:
    """Runs the members of ``pipelines`` on the cluster, then their report here."""
    from deepgen.params import use_run_configuration

    try:
        _distribute(pipelines, env, workers, scheduler, repeats, params)
    finally:
        use_run_configuration(None)  # pipelines built after the command are shaped afresh


def _distribute(
    pipelines: str, env: str | None, workers: int, scheduler: str | None, repeats: int, params: str
) -> None:
    from kedro.config import MissingConfigException
    from kedro.framework.project import settings

    import deepgen
    from deepgen.params import configuration, use_run_configuration
    from deepgen.report import git_commit

    from .cluster import Progress, run_member, run_on_cluster
    from .scratch import Configuration, gather

    project = Path.cwd()
    # The environment `kedro run` would take here; every member and the report run in it.
    environment = env or os.environ.get("KEDRO_ENV") or settings.CONFIG_LOADER_ARGS["default_run_env"]
    config = configuration(environment, project, runtime_params(params))
    try:
        parameters, outputs = config["parameters"], config["globals"]["outputs"]
    except MissingConfigException as error:  # as `kedro run` would stop, before any member is queued
        raise click.ClickException(f"The configuration of environment {environment!r} does not read: {error}") from None
    use_run_configuration(config)  # the members' pipelines are shaped as their runs will shape them
    seed = int(parameters["seed"])
    members, report = members_of(pipelines, seed, repeats)
    works = {member: expected_work(member, parameters, environment) for member in members}  # all valid, or stop
    reasons = {
        member: why_rerun(project / member.root(outputs) / member.done_marker, works[member]) for member in members
    }
    todo = [member for member in members if reasons[member] is not None]
    group = f"distribute-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    progress = Progress()
    rerun = {member: why for member, why in reasons.items() if why}
    progress.say(
        f"{len(members)} member(s): {len(members) - len(todo)} reused, {len(rerun)} rerun, "
        f"{len(todo) - len(rerun)} new; {len(todo)} queued (W&B group {group})"
    )
    for member, why in rerun.items():
        shown = "; ".join(why[:3]) + (f"; and {len(why) - 3} more" if len(why) > 3 else "")  # noqa: PLR2004
        progress.say(f"rerun {member.name}: {shown}")
    client_identity = {"commit": git_commit(project), "version": deepgen.__version__}
    task = functools.partial(
        run_member,
        env=environment,
        params=params,
        outputs=outputs,
        client=client_identity,
        configuration=Configuration.of(project),
        group=group,
    )
    records, failures = (
        run_on_cluster(
            task, todo, workers, scheduler, progress, lambda r, m: r and gather(r["files"], project, m.root(outputs))
        )
        if todo
        else ([], [])
    )
    summary = project / outputs / "08_reporting" / "distribute" / f"{group}.json"
    summary.parent.mkdir(parents=True, exist_ok=True)
    run = {"group": group, "pipelines": pipelines, "env": env, "client_pid": os.getpid(), "records": records}
    summary.write_text(json.dumps(run, indent=2) + "\n")
    if failures:
        names = ", ".join(member.name for member, _ in failures)
        raise click.ClickException(
            f"{len(failures)} member(s) failed: {names}. The others' outputs are kept; rerun the same command to run only "
            "the members whose outputs are not this work's."
        )
    progress.say(f"all members done; records in {summary}; running {report} here")
    _run_report(project, report, environment, params, group)


def _run_report(project: Path, report: str, env: str, params: str, group: str) -> None:
    """``kedro run --pipelines=<report>`` with the command's ``--env`` and ``--params``, in this
    process (TensorFlow and the project are loaded already); its W&B run joins the members' group."""
    from kedro.framework.session import KedroSession

    previous_group = os.environ.get("WANDB_RUN_GROUP")
    os.environ["WANDB_RUN_GROUP"] = group
    try:
        with KedroSession.create(project_path=project, env=env, runtime_params=runtime_params(params)) as session:
            session.run(pipeline_names=[report])
    except Exception as error:
        raise click.ClickException(
            f"The report ({report}) failed: {error}. The members' outputs are in place: run "
            f"`kedro run --pipelines={report}` with the same --env and --params to report on them."
        ) from error
    finally:
        if previous_group is None:
            os.environ.pop("WANDB_RUN_GROUP", None)
        else:
            os.environ["WANDB_RUN_GROUP"] = previous_group
