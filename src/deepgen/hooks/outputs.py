"""The Kedro hook that keeps each family's saved outputs a consistent set: a run that fails
after it has saved some of them (its networks, say) leaves the previous run's complete set
as it was, rather than new networks beside old metrics and figures.

When a run starts, every folder a family saves into (``data/06_models/<family>``,
``data/07_model_output/<family>``, ``data/08_reporting/<family>``) is copied to
``data/.previous/<environment>/``; a run that fails puts the copies back, a run that succeeds
deletes them. Checkpoints are left where they are: they are what lets the next run resume.
Copies left by a process that was killed are restored when the next run starts (the family's
lock, ``locks.py``, keeps a second run of the same family and environment from taking them for
a killed run's). A copy the disk has no room for stops the run before any node, the copies
made so far removed."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from kedro.framework.hooks import hook_impl

from deepgen.datasets.file import DiskFullError, free_space, is_disk_full

from . import introspection

logger = logging.getLogger(__name__)

KEPT_IN_PLACE = ("checkpoints", "checkpoints.set-aside")


class FamilyOutputsHooks:
    def __init__(self) -> None:
        self.environment = "unknown"
        self.copies: dict[Path, Path] = {}  # folder → its copy as the run found it
        self.new: list[Path] = []  # folders this run creates

    @hook_impl
    def after_context_created(self, context) -> None:
        self.environment = context.env or context.config_loader.default_run_env or "base"

    @hook_impl
    def before_pipeline_run(self, pipeline, catalog) -> None:
        self.copies, self.new = {}, []
        for folder in family_folders(pipeline, catalog):
            copy = folder.parent.parent / ".previous" / self.environment / folder.parent.name / folder.name
            if copy.exists():  # a run before this one was killed midway: its outputs are not a set
                logger.warning("Restoring %s as the last complete run left it (a run since was stopped).", folder)
                _restore(folder, copy)
            if folder.is_dir():
                self._copy(folder, copy)
            else:
                self.new.append(folder)

    def _copy(self, folder: Path, copy: Path) -> None:
        try:
            shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(*KEPT_IN_PLACE))
        except (OSError, shutil.Error) as error:
            shutil.rmtree(copy, ignore_errors=True)
            self.after_pipeline_run()  # the copies made so far: the outputs are untouched
            if _disk_full(error):
                raise DiskFullError(copy) from None
            raise
        self.copies[folder] = copy

    @hook_impl
    def after_pipeline_run(self) -> None:
        for copy in self.copies.values():
            shutil.rmtree(copy, ignore_errors=True)
            _remove_empty_parents(copy)
        self.copies = {}

    @hook_impl
    def on_pipeline_error(self, error: Exception) -> None:
        full = next((e for e in _chain(error) if isinstance(e, OSError) and is_disk_full(e)), None)
        if full is not None:  # the one line that says what happened, whoever wrote the file
            where = getattr(full, "filename", None)
            logger.error(
                "No space left on the device%s (%s free there): the run stopped.",
                f" to write {where}" if where else "",
                free_space(where or "."),
            )
        for folder, copy in self.copies.items():
            _restore(folder, copy)
        for folder in self.new:  # no complete set before this run: none now either
            for path in folder.iterdir() if folder.is_dir() else ():
                if path.name in KEPT_IN_PLACE:
                    continue
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        if self.copies:
            logger.warning(
                "The run failed: %s restored as the last complete run left them.",
                ", ".join(str(folder) for folder in self.copies),
            )
        self.copies, self.new = {}, []


def family_folders(pipeline, catalog) -> list[Path]:
    """The per-family folders the pipeline's family nodes save files into."""
    from deepgen.families import FAMILIES  # with TensorFlow: not while Kedro reads the settings

    folders = set()
    for node in pipeline.nodes:
        if node.namespace not in FAMILIES:
            continue
        for name in node.outputs:
            path = introspection.saved_file(catalog, name)
            if path is not None and path.parent.name == node.namespace:
                folders.add(path.parent)
    return sorted(folders)


def _restore(folder: Path, copy: Path) -> None:
    """``folder`` as ``copy`` holds it, keeping the checkpoints ``folder`` has now."""
    for name in KEPT_IN_PLACE:
        if (folder / name).exists():
            shutil.rmtree(copy / name, ignore_errors=True)
            shutil.move(folder / name, copy / name)
    shutil.rmtree(folder, ignore_errors=True)
    copy.rename(folder)
    _remove_empty_parents(copy)


def _remove_empty_parents(copy: Path) -> None:
    """``data/.previous/<environment>/<stage>`` and its parents once nothing is left in them."""
    for parent in (copy.parent, copy.parent.parent, copy.parent.parent.parent):
        if parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()


def _chain(error: BaseException):
    """``error`` and the errors it was raised from, or during."""
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


def _disk_full(error: BaseException) -> bool:
    """A full disk, also among the errors ``shutil.copytree`` gathers in its ``shutil.Error``."""
    if isinstance(error, shutil.Error):
        return any("No space left" in str(reason) for *_, reason in error.args[0])
    return is_disk_full(error)
