"""The Kedro hook that keeps training resumable: a checkpoint in ``checkpoints/`` beside the
first network a training node saves (every epoch; every ``gen_interval`` steps for the GAN)
and, with ``<family>.resume: true``, training continues from it after an interruption. A
finished training deletes it. Networks kept in memory (a sweep instance's) get none."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from kedro.framework.hooks import hook_impl

from deepgen.params import FamilyParams

logger = logging.getLogger(__name__)


class CheckpointHooks:
    def __init__(self) -> None:
        self.catalog = None

    @hook_impl
    def before_pipeline_run(self, catalog) -> None:
        self.catalog = catalog

    @hook_impl
    def before_node_run(self, node, inputs: dict) -> None:
        context = inputs.get("training_context")
        folder = self._folder(node.outputs) if context is not None and self.catalog is not None else None
        if folder is None:
            return
        params = next(value for value in inputs.values() if isinstance(value, FamilyParams))
        state = folder / "training_metadata.json"
        if not params.resume:
            shutil.rmtree(folder, ignore_errors=True)
        elif state.is_file():
            epoch = json.loads(state.read_text())["epoch"]
            logger.info("%s: resuming from the checkpoint in %s (after epoch %d).", node.namespace, folder, epoch)
        from deepgen.training import TrainingCheckpoint

        context.callbacks.append(TrainingCheckpoint(str(folder)))

    def _folder(self, outputs: list[str]) -> Path | None:
        from deepgen.datasets import KerasModelDataset

        networks = (self.catalog[name] for name in outputs)
        saved = next((dataset for dataset in networks if isinstance(dataset, KerasModelDataset)), None)
        return None if saved is None else Path(saved._filepath).parent / "checkpoints"
