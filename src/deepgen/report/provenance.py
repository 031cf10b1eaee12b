"""What made a result: the commit every report records, and the provenance that says whether
a saved report is the same work as a run about to be made."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

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


def provenance(data: dict[str, Any], seed: int, environment: str) -> dict[str, Any]:
    """What, besides its parameter block, makes a model's training what it is: the data block,
    the seed, the Kedro environment and deepgen's version."""
    import deepgen

    return {"data": data, "seed": seed, "environment": environment, "version": deepgen.__version__}


def normalised(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as they read back from a report's JSON (tuples as lists, …)."""
    return json.loads(json.dumps(values))


def flat_keys(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested ``values`` with dotted keys: ``{"data": {"seed": 1}}`` → ``{"data.seed": 1}``."""
    flat = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat |= flat_keys(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat
