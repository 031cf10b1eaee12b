"""The Dask side of ``kedro distribute``: a member's task on a worker, and the client that
submits every member to a cluster and hears of their progress. The one place Dask is imported."""

from __future__ import annotations

import ctypes
import json
import logging
import os
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

from deepgen.hooks.sweep import STOPPED  # what a member's run leaves in its project when it stops on purpose

from .members import Member
from .scratch import Configuration, owned_files, scratch_project

RESOURCE = "member"  # one slot per worker: a member uses both its threads and its memory
PROGRESS_TOPIC = "deepgen-distribute"
LOG_TAIL = 2000  # characters of a failed member's log in the error
CONNECT_SECONDS = 10  # to reach a --scheduler
WATCH_SECONDS = 2  # how often the client looks whether the scheduler still answers
LOST_SECONDS = 20  # a scheduler silent this long is gone: the command stops, naming the members not finished
CLOSE_SECONDS = 5


@dataclass
class Progress:
    """What the client has heard of each member."""

    started: dict[str, str] = field(default_factory=dict)  # member → worker
    lock: threading.Lock = field(default_factory=threading.Lock)

    def say(self, message: str) -> None:
        with self.lock:
            click.echo(f"[{time.strftime('%H:%M:%S')}] {message}", err=True)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """The member's ``kedro run`` is killed with its worker (Linux): a lost worker leaves no
    orphan writing into the scratch project the rescheduled member resumes in."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def run_member(
    member: Member, *, env: str, params: str, outputs: str, client: dict, configuration: Configuration, group: str
) -> dict:
    """On a worker: the member's ``kedro run`` in its scratch project, in the client's Kedro
    environment ``env`` with the client's ``configuration``; its output files back."""
    import deepgen
    from deepgen.report import PROJECT_COMMIT, git_commit

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
    scratch = scratch_project(project, outputs, member, configuration)
    log, stopped = scratch / "member.log", scratch / STOPPED
    stopped.unlink(missing_ok=True)  # an earlier attempt's
    # The command's --params, then the member's own (later keys win in Kedro's --params).
    given = ",".join([*([params] if params else []), *member.parameters()])
    run = ["run", f"--pipelines={member.pipeline}", f"--params={given}", f"--env={env}"]
    command = [sys.executable, "-m", "kedro", *run]
    environment = os.environ | {
        "WANDB_RUN_GROUP": group,
        PROJECT_COMMIT: client["commit"],
        "KEDRO_DISABLE_TELEMETRY": "true",
        **dict(member.environment),
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
    if returncode and not stopped.is_file():
        raise RuntimeError(
            f"{member.name} failed on worker {worker} (exit {returncode}); the end of its log ({log}):\n"
            + log.read_text()[-LOG_TAIL:]
        )
    return {
        "member": member.name,
        "pipeline": member.pipeline,
        "seed": member.seed,
        "worker": worker,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started": started,
        "finished": time.time(),
        "files": owned_files(scratch, outputs, member),
        # A run that stopped on purpose (a pruned sweep trial) says why.
        "stopped": json.loads(stopped.read_text()) if returncode else None,
    }


def _worker_address() -> str:
    from distributed import get_worker

    return get_worker().address


def _publish(message: dict) -> None:
    from distributed import get_worker

    get_worker().log_event(PROGRESS_TOPIC, message)


class SchedulerLost(Exception):
    """The client has not reached the scheduler for ``LOST_SECONDS``; ``pending``: the futures not done."""

    def __init__(self, pending: set):
        super().__init__(f"{len(pending)} member(s) not done")
        self.pending = pending


def _gather_as_completed(
    client, futures: dict, progress: Progress, gather, records: list, failures: list, refill=None
) -> None:
    """Each member's result handed to ``gather`` as it completes (a failure kept in ``failures``),
    every ``WATCH_SECONDS`` looking whether the scheduler still answers; after each, ``refill()``
    may give new futures (by member) to wait for too."""
    from distributed import wait
    from distributed.client import FuturesCancelledError

    pending, lost_since, lost = set(futures), None, False
    while pending:
        try:
            done, pending = wait(pending, timeout=WATCH_SECONDS, return_when="FIRST_COMPLETED")
        except TimeoutError:
            done = set()
        except FuturesCancelledError:  # the client lost the scheduler, and its futures with it
            done, lost = {future for future in pending if future.status in ("finished", "error")}, True
            pending -= done
        for future in done:
            if not _settled(future, futures[future], progress, gather, records, failures):
                pending.add(future)  # cancelled or lost with the scheduler: not done
        if refill is not None and done:
            more = refill()
            futures |= more
            pending |= set(more)
        if lost:
            raise SchedulerLost(pending)
        if client.status == "running":
            lost_since = None
        else:
            lost_since = lost_since or time.monotonic()
            if time.monotonic() - lost_since > LOST_SECONDS:
                raise SchedulerLost(pending)
        if done and all(future.status not in ("finished", "error") for future in done):
            time.sleep(WATCH_SECONDS)  # cancelled futures stay "done": do not spin while the client reconnects


def _settled(future, member: Member, progress: Progress, gather, records: list, failures: list) -> bool:
    """A done future's member: its result handed to ``gather`` and recorded, or its failure
    kept (``gather`` is told with no result); False if it is neither (cancelled, or lost with
    the scheduler)."""
    if future.status == "error":
        error = future.exception()
        failures.append((member, error))
        progress.say(f"FAILED {member.name} (worker {progress.started.get(member.name, '?')}): {error}")
        gather(None, member)
        return True
    if future.status != "finished":
        return False
    record = future.result()
    gather(record, member)
    records.append({key: value for key, value in record.items() if key != "files"} | {"n_files": len(record["files"])})
    how = "stopped" if record.get("stopped") else "done"
    progress.say(f"{how} {member.name} on {record['worker']} in {record['finished'] - record['started']:.0f} s")
    return True


def run_on_cluster(
    task, todo: list[Member], workers: int, scheduler: str | None, progress: Progress, gather, more=None
) -> tuple:
    """``task(member)`` for every member on the cluster; each result handed to ``gather`` as it
    arrives, after which ``more()`` may give members to run next (a sweep's next trials). Returns
    the records (without their files) and the failures."""
    from distributed import Client, LocalCluster

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

        def submitted(members: list[Member]) -> dict:
            return {
                client.submit(
                    task, member, key=f"{member.name}-{uuid.uuid4().hex[:8]}", resources={RESOURCE: 1}, pure=False
                ): member
                for member in members
            }

        futures = submitted(todo)
        refill = None if more is None else lambda: submitted(more())
        try:
            _gather_as_completed(client, futures, progress, gather, records, failures, refill)
        except SchedulerLost as lost:
            client.close(timeout=CLOSE_SECONDS)
            finished = [record["member"] for record in records]
            unfinished = [futures[future].name for future in lost.pending]
            raise click.ClickException(
                f"The Dask scheduler stopped answering ({scheduler or 'the local cluster'}). "
                f"Finished, outputs in place: {', '.join(finished) or 'none'}. Not finished: {', '.join(unfinished)}. "
                "Run the same command again once a scheduler answers: it runs only the members not finished."
            ) from None
    if cluster is not None:
        cluster.close()
    return records, failures
