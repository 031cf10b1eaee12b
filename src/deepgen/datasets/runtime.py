"""Datasets whose value comes from the run, not from a file: the commit and a training context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kedro.io.core import AbstractDataset

if TYPE_CHECKING:
    import keras
    import numpy as np

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


@dataclass
class TrainingContext:
    """What Kedro hooks hand a training node (its ``training_context`` input, a fresh one per
    node from ``TrainingContextDataset``): Keras callbacks such as checkpoints,
    sinks that receive each epoch's logs and image (W&B), and what to tell the user when they
    interrupt training (Ctrl-C: Kedro's error hooks see only exceptions). The node passes them
    on without knowing what they are."""

    callbacks: list[keras.callbacks.Callback] = field(default_factory=list)
    epoch_sinks: list[Callable[[dict[str, float], tuple[str, np.ndarray, str] | None], None]] = field(
        default_factory=list
    )
    on_interrupt: list[Callable[[], None]] = field(default_factory=list)
    checkpoint_folder: Path | None = None  # where the checkpoint hook keeps this training's checkpoint


class TrainingContextDataset(AbstractDataset[None, Any]):
    """A fresh ``TrainingContext`` for every training node that loads it;
    hooks add their callbacks to it in ``before_node_run``."""

    def __init__(self, metadata: dict[str, Any] | None = None) -> None:
        self.metadata = metadata

    def load(self):
        return TrainingContext()

    def save(self, data: Any) -> None:
        raise NotImplementedError("Hooks fill the training context; nothing saves it.")

    def _describe(self) -> dict[str, Any]:
        return {}
