"""What the project's single-file datasets share: a path on any fsspec filesystem."""

from __future__ import annotations

from pathlib import PurePosixPath
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
