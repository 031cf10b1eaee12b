"""Where a member runs and where its outputs land: a scratch project per member on its worker,
and the member's files written into the client's data root."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .members import Member


def scratch_project(project: Path, outputs: str, member: Member) -> Path:
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


def owned_files(scratch: Path, outputs: str, member: Member) -> dict[str, bytes]:
    """The member's output files in its scratch project (not its checkpoints), by their path
    under the data root."""
    return {
        str(path.relative_to(scratch / outputs)): path.read_bytes()
        for folder in member.owned
        for path in sorted((scratch / outputs / folder).rglob("*"))
        if path.is_file() and "checkpoints" not in path.parts
    }


def gather(files: dict[str, bytes], project: Path, root: str) -> None:
    """A member's files into the client's data root, each written beside itself and renamed."""
    for relative, content in files.items():
        target = project / root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(target.name + ".arriving")
        staged.write_bytes(content)
        os.replace(staged, target)
