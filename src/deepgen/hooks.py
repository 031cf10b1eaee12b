"""Kedro hooks: side effects that nodes stay unaware of."""

from __future__ import annotations

import subprocess
from typing import Any

from kedro.framework.hooks import hook_impl


def git_commit(project_path) -> str:
    """The checked-out commit (``+dirty`` when files differ from it), or ``unknown``."""


    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=project_path, capture_output=True, text=True, check=True).stdout.strip()

    try:
        return git("rev-parse", "--short", "HEAD") + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


class ProvenanceHooks:
    """Stamps every ``*_metrics`` report with the commit that produced it."""

    def __init__(self) -> None:
        self.commit = "unknown"

    @hook_impl
    def after_context_created(self, context) -> None:
        self.commit = git_commit(context.project_path)

    @hook_impl
    def before_dataset_saved(self, dataset_name: str, data: Any) -> None:
        if dataset_name.endswith("_metrics") and isinstance(data, dict):
            data.setdefault("commit", self.commit)
