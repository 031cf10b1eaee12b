"""Where a result came from."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git_commit(project_path: Path | str = ".") -> str:
    """The checked-out commit (``+dirty`` when tracked files differ from it), or ``unknown``."""

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
