"""Datasets whose value comes from the run, not from a file: the commit and a training context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro.io.core import AbstractDataset

from deepgen.report import git_commit


class GitCommitDataset(AbstractDataset[None, str]):
    """The project's commit, read once per run: what the reports record as their provenance."""

    def __init__(self, metadata: dict[str, Any] | None = None) -> None:
        self.metadata = metadata
        self._commit: str | None = None

    def load(self) -> str:
        if self._commit is None:
            self._commit = git_commit(Path.cwd())
        return self._commit

    def save(self, data: None) -> None:
        raise NotImplementedError("The commit is read from git, not written.")

    def _describe(self) -> dict[str, Any]:
        return {}


class TrainingContextDataset(AbstractDataset[None, Any]):
    """A fresh ``deepgen.training.TrainingContext`` for every training node that loads it;
    hooks add their callbacks to it in ``before_node_run``."""

    def __init__(self, metadata: dict[str, Any] | None = None) -> None:
        self.metadata = metadata

    def load(self):
        from deepgen.training import TrainingContext  # TensorFlow only once a node trains

        return TrainingContext()

    def save(self, data: Any) -> None:
        raise NotImplementedError("Hooks fill the training context; nothing saves it.")

    def _describe(self) -> dict[str, Any]:
        return {}
