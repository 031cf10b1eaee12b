"""``kedro distribute``: the members of a sweep, the families of ``kedro run`` and their seed
repeats as tasks on a Dask cluster (a ``LocalCluster`` here, or ``--scheduler`` for one that
runs elsewhere), then the report on this machine. Dask is imported here only (the optional
extra ``deepgen[cluster]``).

A member is a registered pipeline that runs on its own from the raw data: a sweep instance
(``latent_sweep.<family>_<size>``) or a family. Each task runs ``kedro run --pipelines=<member>`` in a fresh
process on its worker (TensorFlow's state never leaks from one member to the next), in a
scratch project under the worker's ``data/distribute/`` whose name is the member's: a member
rescheduled after its worker was lost resumes from its checkpoint there when the new worker
shares that disk. The task returns the member's output files; the client writes them into its
own data folder and runs the report (the sweep's table, the comparison) once all are in.
"""

from __future__ import annotations

import ctypes
import functools
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import click

from deepgen.repeats import seed_folder

RESOURCE = "member"  # one slot per worker: a member uses both its threads and its memory
PROGRESS_TOPIC = "deepgen-distribute"
LOG_TAIL = 2000  # characters of a failed member's log in the error
CONNECT_SECONDS = 10  # to reach a --scheduler


STAGES = ("06_models", "07_model_output", "08_reporting")  # where a member's outputs go, each in its folder


@dataclass(frozen=True)
class Member:
    """One task: a pipeline, a seed, and its folder in each stage of the data root."""

    pipeline: str
    seed: int
    folder: str  # a family's name, or `latent_sweep/<instance>`
    repeat: int | None = None  # its place among ``--repeats`` (None: no repeats)

    @property
    def name(self) -> str:
        return self.pipeline if self.repeat is None else f"{self.pipeline}@seed{self.seed}"

    @property
    def owned(self) -> tuple[str, ...]:
        """Its output folders, relative to the data root."""
        return tuple(f"{stage}/{self.folder}" for stage in STAGES)

    @property
    def done_marker(self) -> str:
        """The file whose presence means the member has run."""
        return f"08_reporting/{self.folder}/metrics.json"

    def root(self, outputs: str) -> str:
        """Where its outputs go on the client, relative to the project."""
        return outputs if self.repeat is None else f"{outputs}/repeats/{seed_folder(self.seed)}"


@dataclass
class Progress:
    """What the client has heard of each member."""

    started: dict[str, str] = field(default_factory=dict)  # member → worker
    lock: threading.Lock = field(default_factory=threading.Lock)

    def say(self, message: str) -> None:
        with self.lock:
            click.echo(f"[{time.strftime('%H:%M:%S')}] {message}", err=True)


def members_of(pipelines: str, seed: int, repeats: int) -> tuple[list[Member], str]:
    """The members ``--pipelines`` names, each ``repeats`` times (seeds ``seed``, ``seed + 1``,
    …), and the pipeline that reports on them (over the seeds, with repeats)."""
    from deepgen.families import FAMILIES
    from deepgen.pipelines.latent_sweep.pipeline import member_pipelines

    if pipelines == "latent_sweep":
        folders = {name: name.replace(".", "/") for name in member_pipelines()}  # latent_sweep/vae_10
        report = "latent_sweep.report" if repeats == 1 else "repeats.latent_sweep"
    else:
        chosen = [f for f in FAMILIES.values() if f.in_default_run] if pipelines == "__default__" else None
        if chosen is None:
            unknown = [name for name in pipelines.split(",") if name not in FAMILIES]
            if unknown:
                raise click.BadParameter(
                    f"{', '.join(unknown)}: not a family. --pipelines takes latent_sweep, __default__ or families "
                    f"({', '.join(FAMILIES)}), comma-separated.",
                    param_hint="--pipelines",
                )
            chosen = [FAMILIES[name] for name in pipelines.split(",")]
        folders = {family.name: family.name for family in chosen}
        report = "comparison" if repeats == 1 else "repeats.comparison"
    if repeats == 1:
        return [Member(pipeline, seed, folder) for pipeline, folder in folders.items()], report
    return [
        Member(pipeline, seed + r, folder, repeat=r) for r in range(repeats) for pipeline, folder in folders.items()
    ], report


def _project_settings(project: Path, env: str | None) -> tuple[str, int]:
    """The data root (``globals.outputs``) and the seed of ``env``."""
    from kedro.config import OmegaConfigLoader

    config = OmegaConfigLoader(str(project / "conf"), base_env="base", default_run_env=env or "local")
    return config["globals"]["outputs"], int(config["parameters"]["seed"])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """The member's ``kedro run`` is killed with its worker (Linux): a lost worker leaves no
    orphan writing into the scratch project the rescheduled member resumes in."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def run_member(member: Member, *, env: str | None, params: str, outputs: str, client: dict, group: str) -> dict:
    """On a worker: the member's ``kedro run`` in its scratch project; its output files back."""
    import deepgen
    from deepgen.provenance import git_commit

    started = time.time()
    project = Path.cwd()
    worker = _worker_address()
    here = {"commit": git_commit(project), "version": deepgen.__version__}
    if here != {key: client[key] for key in here}:
        raise RuntimeError(
            f"worker {worker} ({socket.gethostname()}) runs deepgen {here['version']} at commit {here['commit']}, "
            f"the client {client['version']} at {client['commit']}: start workers from the project root of the "
            "same commit, after `make install`."
        )
    _publish({"event": "running", "member": member.name, "worker": worker, "pid": os.getpid()})
    scratch = _scratch_project(project, outputs, member)
    log = scratch / "member.log"
    given = f"seed={member.seed}" + (f",{params}" if params else "")
    command = [sys.executable, "-m", "kedro", "run", f"--pipelines={member.pipeline}", f"--params={given}"]
    if env:
        command.append(f"--env={env}")
    environment = os.environ | {
        "WANDB_RUN_GROUP": group,
        "DEEPGEN_PROJECT_COMMIT": client["commit"],
        "KEDRO_DISABLE_TELEMETRY": "true",
    }
    with log.open("w") as out:
        returncode = subprocess.run(
            command,
            check=False,
            cwd=scratch,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=environment,
            preexec_fn=_die_with_parent,
        ).returncode
    if returncode:
        raise RuntimeError(
            f"{member.name} failed on worker {worker} (exit {returncode}); the end of its log ({log}):\n"
            + log.read_text()[-LOG_TAIL:]
        )
    files = {
        str(path.relative_to(scratch / outputs)): path.read_bytes()
        for folder in member.owned
        for path in sorted((scratch / outputs / folder).rglob("*"))
        if path.is_file() and "checkpoints" not in path.parts
    }
    return {
        "member": member.name,
        "pipeline": member.pipeline,
        "seed": member.seed,
        "worker": worker,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started": started,
        "finished": time.time(),
        "files": files,
    }


def _worker_address() -> str:
    from distributed import get_worker

    return get_worker().address


def _publish(message: dict) -> None:
    from distributed import get_worker

    get_worker().log_event(PROGRESS_TOPIC, message)


def _scratch_project(project: Path, outputs: str, member: Member) -> Path:
    """``data/distribute/<member>/``: the project's configuration and code, with its raw data
    and evaluator linked; kept between attempts so that a rescheduled member finds its checkpoint."""
    scratch = project / "data" / "distribute" / member.name
    (scratch / outputs / "06_models").mkdir(parents=True, exist_ok=True)
    shutil.copy(project / "pyproject.toml", scratch / "pyproject.toml")
    ignored = shutil.ignore_patterns("local", "__pycache__")
    for copied in ("conf", "src"):  # Kedro wants its source folder inside the project, not linked
        shutil.copytree(project / copied, scratch / copied, dirs_exist_ok=True, ignore=ignored)
    for shared in ("data/01_raw", f"{outputs}/06_models/evaluator"):
        link = scratch / shared
        if (project / shared).exists() and not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(project / shared, target_is_directory=True)
    return scratch


def _gather(record: dict, project: Path, root: str) -> None:
    """A member's files into the client's data root, each written beside itself and renamed."""
    for relative, content in record["files"].items():
        target = project / root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(target.name + ".arriving")
        staged.write_bytes(content)
        os.replace(staged, target)


def _run_on_cluster(task, todo: list[Member], workers: int, scheduler: str | None, progress: Progress, gather) -> tuple:
    """``task(member)`` for every member on the cluster; each result handed to ``gather`` as it
    arrives. Returns the records (without their files) and the failures."""
    from distributed import Client, LocalCluster, as_completed

    # Dask's INFO lines (workers starting, connections closing at shutdown, with tracebacks)
    # would bury the members' progress: here, and in the LocalCluster's worker processes.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    os.environ["DASK_LOGGING__DISTRIBUTED"] = "warning"
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",  # nothing outside this machine reaches it
            dashboard_address=None,
            resources={RESOURCE: 1},
        )
    records, failures = [], []
    try:
        client = Client(cluster or scheduler, timeout=CONNECT_SECONDS)
    except OSError as error:
        raise click.ClickException(
            f"No Dask scheduler answers at {scheduler} ({error}): start one (`dask scheduler`), or leave --scheduler "
            "out for a cluster on this machine."
        ) from error
    with client:
        workers = client.scheduler_info()["workers"].values()
        if not any(RESOURCE in worker.get("resources", {}) for worker in workers):
            progress.say(
                f"waiting: no worker offers a member slot yet (start workers with `dask worker {scheduler} "
                f"--nthreads 1 --resources {RESOURCE}=1` from the project root)"
            )

        def running(event) -> None:
            _, message = event
            progress.started[message["member"]] = message["worker"]
            progress.say(f"running {message['member']} on {message['worker']} (pid {message['pid']})")

        client.subscribe_topic(PROGRESS_TOPIC, running)
        futures = {
            client.submit(
                task, member, key=f"{member.name}-{uuid.uuid4().hex[:8]}", resources={RESOURCE: 1}, pure=False
            ): member
            for member in todo
        }
        for future in as_completed(futures):
            member = futures[future]
            if future.status == "error":
                error = future.exception()
                failures.append((member, error))
                progress.say(f"FAILED {member.name} (worker {progress.started.get(member.name, '?')}): {error}")
                continue
            record = future.result()
            gather(record, member)
            records.append(
                {key: value for key, value in record.items() if key != "files"} | {"n_files": len(record["files"])}
            )
            progress.say(f"done {member.name} on {record['worker']} in {record['finished'] - record['started']:.0f} s")
    if cluster is not None:
        cluster.close()
    return records, failures


@click.group(name="deepgen")
def cli() -> None:
    """deepgen's project commands."""


@cli.command()
@click.option(
    "--pipelines",
    default="__default__",
    show_default=True,
    help="latent_sweep, __default__, or families (comma-separated)",
)
@click.option("--env", "-e", default=None, help="Kedro environment of every member (and the report)")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="LocalCluster workers (without --scheduler)",
)
@click.option("--scheduler", default=None, help="an existing Dask scheduler, tcp://HOST:8786")
@click.option(
    "--repeats", type=click.IntRange(min=1), default=1, show_default=True, help="seeds per member: seed, seed+1, …"
)
@click.option("--params", "params", default="", help="as kedro run's --params, for every member (key=value,…)")
def distribute(pipelines: str, env: str | None, workers: int, scheduler: str | None, repeats: int, params: str) -> None:
    """Run the members of --pipelines as tasks on a Dask cluster, then their report here."""
    try:
        import distributed  # noqa: F401 - the optional extra: say how to install it before any work
    except ImportError as error:
        raise click.ClickException("kedro distribute needs Dask: pip install 'deepgen[cluster]'") from error
    import deepgen
    from deepgen.provenance import git_commit

    project = Path.cwd()
    outputs, seed = _project_settings(project, env)
    members, report = members_of(pipelines, seed, repeats)
    todo = [m for m in members if not (project / m.root(outputs) / m.done_marker).is_file()]
    group = f"distribute-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    progress = Progress()
    progress.say(
        f"{len(members)} member(s); {len(members) - len(todo)} already have outputs, {len(todo)} queued (W&B group {group})"
    )
    client_identity = {"commit": git_commit(project), "version": deepgen.__version__}
    task = functools.partial(run_member, env=env, params=params, outputs=outputs, client=client_identity, group=group)
    records, failures = (
        _run_on_cluster(task, todo, workers, scheduler, progress, lambda r, m: _gather(r, project, m.root(outputs)))
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
            "the members without outputs."
        )
    progress.say(f"all members done; records in {summary}; running {report} here")
    command = [sys.executable, "-m", "kedro", "run", f"--pipelines={report}"] + ([f"--env={env}"] if env else [])
    command += [f"--params={params}"] if params else []
    if subprocess.run(command, check=False, cwd=project, env=os.environ | {"WANDB_RUN_GROUP": group}).returncode:
        raise click.ClickException(f"The report ({report}) failed; the members' outputs are in place: rerun it alone.")
