"""The Kedro hook that keeps one writer per family and environment: a second ``kedro run`` of a
family whose outputs another run of the same environment is writing stops at once, saying which
process holds them. Runs of other families, or of the same family in another environment, go
on side by side.

The lock is a file under the output root (``.locks/<environment>.<family>.lock``) held with
``flock``: the operating system releases it when its process ends, however it ends, so a lock
left by a killed run is simply taken by the next one. The file says who holds it."""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from pathlib import Path

from kedro.framework.hooks import hook_impl

from .outputs import family_folders

LOCKS = ".locks"


class FamilyLockedError(RuntimeError):
    """Another process is writing the outputs this run would write."""


class FamilyLockHooks:
    def __init__(self) -> None:
        self.environment = "unknown"
        self.held: list = []  # open lock files, one per family this run writes

    @hook_impl
    def after_context_created(self, context) -> None:
        self.environment = context.env or context.config_loader.default_run_env or "base"

    @hook_impl
    def before_pipeline_run(self, pipeline, catalog) -> None:
        self.release()
        families = {}
        for folder in family_folders(pipeline, catalog):  # <root>/<stage>/<family>
            families.setdefault(folder.name, folder.parent.parent)
        try:
            for family, root in sorted(families.items()):
                self.held.append(_take(root / LOCKS / f"{self.environment}.{family}.lock", family, self.environment))
        except FamilyLockedError:
            self.release()
            raise

    @hook_impl
    def after_pipeline_run(self) -> None:
        self.release()

    @hook_impl
    def on_pipeline_error(self) -> None:
        self.release()

    def release(self) -> None:
        for file in self.held:
            fcntl.flock(file, fcntl.LOCK_UN)
            file.close()
        self.held = []


def _take(path: Path, family: str, environment: str):
    """The lock at ``path``, held by this process; ``FamilyLockedError`` naming the holder if
    another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    file = path.open("a+")
    try:
        fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        file.seek(0)
        holder = _holder(file.read())
        file.close()
        raise FamilyLockedError(
            f"{family} ({environment}) is being written by another run: pid {holder.get('pid', '?')}, "
            f"`{holder.get('command', '?')}`, since {holder.get('since', '?')}. Wait for it to end (or stop it); "
            f"runs of other families, or in other environments, can go on beside it. Lock: {path}"
        ) from None
    file.seek(0)
    file.truncate()
    command = " ".join(["kedro" if Path(sys.argv[0]).name == "kedro" else Path(sys.argv[0]).name, *sys.argv[1:]])
    since = time.strftime("%Y-%m-%d %H:%M:%S")
    file.write(json.dumps({"pid": os.getpid(), "command": command, "since": since}) + "\n")
    file.flush()
    return file


def _holder(text: str) -> dict:
    try:
        return json.loads(text)
    except ValueError:
        return {}
