"""The Kedro hook that keeps training resumable: a checkpoint in ``checkpoints/`` beside the
first network a training node saves (every epoch; every ``gen_interval`` steps for the GAN)
and, with ``<family>.resume: true``, training continues from it after an interruption.
Networks kept in memory get none.

A checkpoint records what it belongs to (``identity.json``: the family's parameters that shape
training, the data block, the seed, the environment and deepgen's version). One made under
other values, or one that cannot be read, is not resumed: it is set aside
(``checkpoints.set-aside/``) until the new training saves its first checkpoint, and the log
says why. A finished training's checkpoint is removed when the run has saved every output."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import h5py
from kedro.framework.hooks import hook_impl

import deepgen
from deepgen.params import FamilyParams

from . import introspection

logger = logging.getLogger(__name__)

IDENTITY = "identity.json"
PROGRESS = "training_metadata.json"  # Keras' BackupAndRestore: the epochs done
WEIGHTS = "latest.weights.h5"
FINISHED = "finished"  # training ended; a later node failed before the run's outputs were all saved
TRACKER_RUN = "wandb_run_id"  # the W&B run the training logs to, continued when it resumes


class CheckpointHooks:
    def __init__(self) -> None:
        self.catalog = None
        self.finished: list[Path] = []  # trainings done this run: their checkpoints go when the run succeeds

    @hook_impl
    def before_pipeline_run(self, catalog) -> None:
        self.catalog, self.finished = catalog, []

    @hook_impl
    def before_node_run(self, node, inputs: dict) -> None:
        training = introspection.training(node, inputs)
        folder = checkpoint_folder(self.catalog, node) if training is not None and self.catalog is not None else None
        if folder is None:
            return
        context, params = inputs[introspection.TRAINING_CONTEXT], training.params
        identity = _identity(self.catalog, training.block.removeprefix("params:"), params)
        finished = (folder / FINISHED).is_file()
        if finished:
            logger.warning(
                "%s: the checkpoint in %s holds a training that finished in a run which then failed; "
                "training again so that every output comes from this run.",
                node.namespace,
                folder,
            )
        if not params.resume or finished:
            shutil.rmtree(folder, ignore_errors=True)
        set_aside = None
        if (folder / PROGRESS).is_file():
            problem = _mismatch(folder, identity) or _unreadable(folder)
            if problem:
                set_aside = folder.with_name(f"{folder.name}.set-aside")
                shutil.rmtree(set_aside, ignore_errors=True)
                folder.rename(set_aside)
                logger.warning(
                    "%s: not resuming the checkpoint in %s: %s. Training starts over; the old checkpoint "
                    "is kept in %s until the new training saves its first one.",
                    node.namespace,
                    folder,
                    problem,
                    set_aside,
                )
            else:
                epoch = json.loads((folder / PROGRESS).read_text())["epoch"]
                logger.info("%s: resuming from the checkpoint in %s (after epoch %d).", node.namespace, folder, epoch)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / IDENTITY).write_text(json.dumps(identity, indent=2) + "\n")
        context.checkpoint_folder = folder

        from deepgen.training import TrainingCheckpoint

        context.callbacks.append(TrainingCheckpoint(str(folder), replaces=set_aside))
        context.on_interrupt.append(lambda: _say_how_to_resume(node.namespace, folder, params.resume))

    @hook_impl
    def after_node_run(self, node) -> None:
        if introspection.trains(node) and self.catalog is not None:
            folder = checkpoint_folder(self.catalog, node)
            if folder is not None:
                (folder / FINISHED).touch()
                self.finished.append(folder)

    @hook_impl
    def after_pipeline_run(self) -> None:
        # Only now, when every output is saved: a run that fails later keeps the checkpoint
        # (marked finished) and the outputs of the run before stay a consistent set.
        for folder in self.finished:
            shutil.rmtree(folder, ignore_errors=True)
        self.finished = []


def checkpoint_folder(catalog, node) -> Path | None:
    """``checkpoints/`` beside the first network a training node saves (None: kept in memory)."""
    from deepgen.datasets import KerasModelDataset

    for name in node.outputs:
        saved = introspection.saved_file(catalog, name)
        if saved is not None and isinstance(catalog.get(name), KerasModelDataset):
            return saved.parent / "checkpoints"
    return None


def resumed_tracker_run(catalog, node) -> str | None:
    """The W&B run id kept with the checkpoint ``node`` (a training node) is about to resume
    from, if it will resume (as ``CheckpointHooks`` decides when the node starts)."""
    folder = checkpoint_folder(catalog, node)
    if folder is None or not (folder / TRACKER_RUN).is_file() or (folder / FINISHED).is_file():
        return None
    configured = {name: catalog.load(name) for name in node.inputs if name.startswith("params:")}
    training = introspection.training(node, configured)
    if training is None or not training.params.resume or not (folder / PROGRESS).is_file():
        return None
    identity = _identity(catalog, training.block.removeprefix("params:"), training.params)
    if _mismatch(folder, identity) or _unreadable(folder):
        return None
    return (folder / TRACKER_RUN).read_text().strip() or None


def _identity(catalog, block: str, params: FamilyParams) -> dict:
    data = catalog.load("params:data") if "params:data" in catalog else None
    data = data.model_dump() if hasattr(data, "model_dump") else data or {}
    seed = catalog.load("params:seed") if "params:seed" in catalog else None
    return {
        **{f"{block}.{key}": value for key, value in params.shaping_training().items()},
        **{f"data.{key}": value for key, value in data.items()},
        "seed": seed,
        "environment": catalog.load("kedro_environment") if "kedro_environment" in catalog else None,
        "deepgen version": deepgen.__version__,
    }


def _mismatch(folder: Path, identity: dict) -> str | None:
    """What differs between the checkpoint's identity and this run's, in words; None if nothing."""
    try:
        recorded = json.loads((folder / IDENTITY).read_text())
    except (OSError, ValueError):
        return f"it does not say what it was made with ({IDENTITY} is missing or unreadable)"
    missing = object()
    changes = [
        f"{key} was {recorded.get(key, 'not set')!r}, now {value!r}"
        for key, value in identity.items()
        if recorded.get(key, missing) != value
    ]
    changes += [f"{key} was {value!r}, now not set" for key, value in recorded.items() if key not in identity]
    return f"it was made with other settings ({'; '.join(changes)})" if changes else None


def _unreadable(folder: Path) -> str | None:
    """Why the checkpoint cannot be restored (corrupt), or None."""
    try:
        epoch = json.loads((folder / PROGRESS).read_text())["epoch"]
        if not isinstance(epoch, int):
            raise ValueError(f"epoch is {epoch!r}")
        with h5py.File(folder / WEIGHTS, "r") as weights:
            weights.visit(lambda name: None)  # reads every group header: truncation shows here
    except (OSError, ValueError, KeyError) as error:
        return f"it is corrupt ({error})"
    return None


def _say_how_to_resume(namespace: str, folder: Path, resume: bool) -> None:
    if resume and (folder / PROGRESS).is_file():
        epoch = json.loads((folder / PROGRESS).read_text())["epoch"]
        logger.warning(
            "%s: interrupted. The checkpoint in %s holds its first %d epoch(s) of training; "
            "run the same command to resume from it.",
            namespace,
            folder,
            epoch,
        )
    else:
        logger.warning("%s: interrupted before its first checkpoint; the same command starts it again.", namespace)
