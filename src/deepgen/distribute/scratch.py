"""Where a member runs and where its outputs land: a scratch project per member on its worker,
configured exactly as the client is, and the member's files written into the client's data root."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .members import Member

CONF = "conf"  # Kedro's CONF_SOURCE in this project (settings.py keeps the default)


def is_credentials(relative: Path) -> bool:
    """Does Kedro read this configuration file as credentials (``credentials*``, at any depth)?
    Those stay on the client: a member reaches W&B through its own machine's login or
    ``WANDB_API_KEY``, else runs offline."""
    return any(part.startswith("credentials") for part in relative.parts)


@dataclass(frozen=True)
class Configuration:
    """The client's configuration folder (``conf/``: base, ``local`` and the other environments),
    its folders (an empty ``conf/local`` is an environment to Kedro too) and files by their path
    under ``conf/``, but its credentials: what each member runs with."""

    folders: tuple[str, ...]
    files: dict[str, bytes]

    @classmethod
    def of(cls, project: Path) -> Configuration:
        conf = project / CONF
        paths = [(path, path.relative_to(conf)) for path in sorted(conf.rglob("*"))]
        kept = [(path, relative) for path, relative in paths if not is_credentials(relative)]
        return cls(
            tuple(relative.as_posix() for path, relative in kept if path.is_dir()),
            {relative.as_posix(): path.read_bytes() for path, relative in kept if path.is_file()},
        )

    def write(self, project: Path) -> None:
        """Into ``project/conf``, afresh: a file the client no longer has does not linger."""
        conf = project / CONF
        shutil.rmtree(conf, ignore_errors=True)
        conf.mkdir(parents=True)
        for folder in self.folders:
            (conf / folder).mkdir(parents=True, exist_ok=True)
        for relative, content in self.files.items():
            (conf / relative).parent.mkdir(parents=True, exist_ok=True)
            (conf / relative).write_bytes(content)


def scratch_project(project: Path, outputs: str, member: Member, configuration: Configuration) -> Path:
    """``data/distribute/<member>/``: the worker's code, the client's ``configuration``, the raw
    data and evaluator linked; kept between attempts so that a rescheduled member finds its
    checkpoint."""
    scratch = project / "data" / "distribute" / member.name
    (scratch / outputs / "06_models").mkdir(parents=True, exist_ok=True)
    shutil.copy(project / "pyproject.toml", scratch / "pyproject.toml")
    # Kedro wants its source folder inside the project, not linked.
    shutil.copytree(project / "src", scratch / "src", dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    configuration.write(scratch)
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
