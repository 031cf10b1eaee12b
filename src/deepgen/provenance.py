"""Where a result came from."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from kedro.framework.hooks import hook_impl
from kedro.io import MemoryDataset

PROJECT_COMMIT = "DEEPGEN_PROJECT_COMMIT"  # set by `kedro distribute` for members run outside the repository


def git_commit(project_path: Path | str = ".") -> str:
    """The checked-out commit (``+dirty`` when tracked files differ from it), or ``unknown``;
    a member of ``kedro distribute``, run in a scratch copy of the project, is given its
    project's in ``DEEPGEN_PROJECT_COMMIT``."""
    if os.environ.get(PROJECT_COMMIT):
        return os.environ[PROJECT_COMMIT]

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=project_path, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        return git("rev-parse", "--short", "HEAD") + (
            "+dirty" if git("status", "--porcelain", "--untracked-files=no") else ""
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


class EnvironmentHooks:
    """Puts the run's Kedro environment (``--env``, else the default run environment) in the
    catalog as ``kedro_environment``, and the name of the data it reads (the raw training set's
    ``source``: ``mnist``, ``fashion-mnist``, an image folder's name) as ``dataset_name``: reports
    and checkpoints record which settings made them, reports also which data."""

    def __init__(self) -> None:
        self.environment = "unknown"

    @hook_impl
    def after_context_created(self, context) -> None:
        self.environment = context.env or context.config_loader.default_run_env or "base"

    @hook_impl
    def after_catalog_created(self, catalog) -> None:
        catalog["kedro_environment"] = MemoryDataset(self.environment, copy_mode="assign")
        if "raw_train" in catalog:
            catalog["dataset_name"] = MemoryDataset(
                getattr(catalog["raw_train"], "source", "unknown"), copy_mode="assign"
            )
