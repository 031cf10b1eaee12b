"""A full disk is a clean failure wherever a run writes: the error names the file and the space
left, the previous outputs stay byte for byte, and the next run, with room again, succeeds.
Each point of failure is a real in-process run whose write at that point raises ENOSPC."""

import errno
import logging
import os

import pytest

from tests.conftest import FEW_IMAGES, run_in_process

FULL = errno.ENOSPC
OUTPUTS = ("06_models/ae", "07_model_output/ae", "08_reporting/ae")


def _disk_full(*args, **kwargs):
    raise OSError(FULL, os.strerror(FULL))


def _files(project) -> dict:
    """The family's outputs, byte for byte (its checkpoints stay by design: they let the next run resume)."""
    return {
        path.relative_to(project): path.read_bytes()
        for folder in OUTPUTS
        for path in sorted((project / "data" / folder).rglob("*"))
        if path.is_file() and not any(part.startswith("checkpoints") for part in path.parts)
    }


def _replace_unless(name):
    """``os.replace`` that finds the disk full when it would put ``name`` in place."""
    replace = os.replace

    def replacing(source, target, *args, **kwargs):
        if str(target).endswith(name):
            raise OSError(FULL, os.strerror(FULL), str(target))
        return replace(source, target, *args, **kwargs)

    return replacing


POINTS = {
    "a network": ("keras.Model.save", _disk_full, "encoder.keras"),
    "samples.npy": ("deepgen.datasets.file.os.replace", _replace_unless("samples.npy"), "samples.npy"),
    "a checkpoint": ("keras.callbacks.BackupAndRestore._save_model", _disk_full, "latest.weights.h5"),
    "a .previous copy": ("deepgen.hooks.outputs.shutil.copytree", _disk_full, ".previous"),
}


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_full_disk_anywhere_stops_the_run_naming_the_file_and_keeps_the_previous_outputs(
    smoke_run_copy, monkeypatch, caplog
):
    project = smoke_run_copy
    before = _files(project)
    settings = {**FEW_IMAGES, "ae": {"jit_compile": False}}
    for point, (target, write, named) in POINTS.items():
        with monkeypatch.context() as patched, caplog.at_level(logging.ERROR):
            patched.setattr(target, write)
            caplog.clear()
            with pytest.raises(Exception) as error:
                run_in_process(project, "ae", params=settings)
        text = "".join(str(e) for e in _chain(error.value)) + caplog.text
        assert "No space left on the device" in text and named in text and "free there" in text, (point, text[-800:])
        assert _files(project) == before, point  # byte for byte
        assert not (project / "data/.previous").exists(), point

    run_in_process(project, "ae", params=settings)  # room again: the run goes through
    assert _files(project) != before
    assert not (project / "data/06_models/ae/checkpoints").exists()


def _chain(error):
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


@pytest.mark.tracked
@pytest.mark.slow
def test_a_full_disk_under_wandb_turns_tracking_off_and_the_run_goes_on(project_copy, monkeypatch, caplog):
    import wandb

    def log(self, *args, **kwargs):
        raise OSError(FULL, os.strerror(FULL), str(project_copy / "wandb"))

    monkeypatch.setattr(wandb.Run, "log", log)
    with caplog.at_level(logging.WARNING):
        run_in_process(project_copy, "ae", params={**FEW_IMAGES, "ae": {"jit_compile": False}})
    assert "W&B could not write" in caplog.text and "no space left on the device" in caplog.text
    assert "free there" in caplog.text and (project_copy / "data/08_reporting/ae/metrics.json").is_file()


def test_the_space_left_is_said_in_units_people_read(tmp_path):
    from deepgen.datasets.file import DiskFullError, free_space

    assert free_space(tmp_path / "not" / "yet") == free_space(tmp_path)  # the nearest folder that exists
    assert free_space(tmp_path).split()[1] in ("B", "KiB", "MiB", "GiB")
    error = DiskFullError(tmp_path / "encoder.keras")
    assert error.errno == FULL and str(tmp_path / "encoder.keras") in str(error) and "free there" in str(error)
