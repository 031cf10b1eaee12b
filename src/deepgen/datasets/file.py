"""What the project's single-file datasets share: a path on any fsspec filesystem; files
replaced whole or not at all; a full disk named as such."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

import fsspec
from kedro.io.core import AbstractDataset, get_filepath_str, get_protocol_and_path


class FileDataset(AbstractDataset):
    """One file at ``filepath`` (``s3://…``, ``gcs://…`` or local); subclasses add load/save."""

    def __init__(
        self,
        *,
        filepath: str,
        credentials: dict[str, Any] | None = None,
        fs_args: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        protocol, path = get_protocol_and_path(filepath)
        self._protocol = protocol
        self._filepath = PurePosixPath(path)
        fs_args = dict(fs_args or {})
        if protocol == "file":
            fs_args.setdefault("auto_mkdir", True)
        self._fs = fsspec.filesystem(protocol, **(credentials or {}), **fs_args)
        self.metadata = metadata

    @property
    def path(self) -> str:
        return get_filepath_str(self._filepath, self._protocol)

    def _exists(self) -> bool:
        return self._fs.exists(self.path)

    def _describe(self) -> dict[str, Any]:
        return {"filepath": self.path, "protocol": self._protocol}


class DiskFullError(OSError):
    """No room on the device for a file the run writes: the file, and the space left there."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        super().__init__(
            errno.ENOSPC,
            f"No space left on the device to write {self.path} ({free_space(self.path)} free there). "
            "The previous outputs are kept; free some space and run the same command again",
            str(self.path),
        )


def free_space(path: Path | str) -> str:
    """The space left on the device of ``path`` (or of its nearest existing parent), for people."""
    existing = Path(path)
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    free = float(shutil.disk_usage(existing).free)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if free < 1024 or unit == "GiB":  # noqa: PLR2004
            return f"{free:.0f} {unit}" if unit == "B" else f"{free:.1f} {unit}"
        free /= 1024
    return f"{free:.1f} TiB"  # pragma: no cover


def is_disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno == errno.ENOSPC


def replace_atomically(path: Path, write) -> None:
    """``write(temporary_path)``, then rename over ``path``: a reader (or a crash) never sees
    a half-written file, and a failed save (a full disk: ``DiskFullError``) leaves the previous
    file as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        write(temporary)
        os.replace(temporary, path)
    except OSError as error:
        if is_disk_full(error):
            raise DiskFullError(path) from None
        raise
    finally:
        temporary.unlink(missing_ok=True)
