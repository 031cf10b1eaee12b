"""Shared fixtures: the real MNIST files, scratch copies of the project, and Kedro runs in them
(in this process, or as `kedro run` in a fresh interpreter)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RAW_MNIST = PROJECT_ROOT / "data" / "01_raw" / "mnist"
EVALUATOR = PROJECT_ROOT / "data" / "06_models" / "evaluator"
RAW_FASHION = PROJECT_ROOT / "data" / "01_raw" / "fashion-mnist"
FASHION_EVALUATOR = PROJECT_ROOT / "data" / "fashion-mnist" / "06_models" / "evaluator"
KEDRO = str(Path(sys.executable).with_name("kedro"))

# No telemetry, no W&B network, no prompts: in every test and every subprocess.
os.environ.update(KEDRO_DISABLE_TELEMETRY="true", WANDB_MODE="offline", WANDB_SILENT="true")


def subprocess_env(**extra: str) -> dict[str, str]:
    """This process's environment for a fresh interpreter, as a user's shell would give it: without
    the address of the W&B service an in-process run here started (W&B saves it in ``os.environ``
    for child processes to share), so each ``kedro run`` has its own service, as a user's has."""
    env = {name: value for name, value in os.environ.items() if name != "WANDB_SERVICE"}
    return {**env, "COLUMNS": "200", **extra}  # wide logs: file names are not wrapped


def base_params(block: str, **overrides):
    """A parameter block as conf/base sets it, with ``overrides``, validated by its class."""
    from deepgen.families import FAMILIES
    from deepgen.params import AnomalyParams, DataParams, DenoiseParams, EvaluatorParams, LatentSweepParams

    classes = {"data": DataParams, "evaluator": EvaluatorParams, "latent_sweep": LatentSweepParams}
    classes |= {"anomaly": AnomalyParams, "denoise": DenoiseParams}
    classes |= {name: family.params for name, family in FAMILIES.items()}
    values = {}
    for path in sorted((PROJECT_ROOT / "conf" / "base").glob("parameters*.yml")):
        values |= yaml.safe_load(path.read_text())
    return classes[block](**{**values[block], **overrides})


def make_project_copy(destination: Path, *, fashion: bool = False) -> Path:
    """A runnable copy of the project: code, config and MNIST (with ``fashion``, Fashion-MNIST
    too); outputs of its own."""
    for name in ("pyproject.toml", ".telemetry"):
        shutil.copy(PROJECT_ROOT / name, destination / name)
    shutil.copytree(
        PROJECT_ROOT / "src", destination / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    shutil.copytree(PROJECT_ROOT / "conf", destination / "conf", ignore=shutil.ignore_patterns("local"))
    (destination / "conf" / "local").mkdir()
    shutil.copytree(RAW_MNIST, destination / "data" / "01_raw" / "mnist")
    shutil.copytree(EVALUATOR, destination / "data" / "06_models" / "evaluator")
    if fashion:
        shutil.copytree(RAW_FASHION, destination / "data" / "01_raw" / "fashion-mnist")
        shutil.copytree(FASHION_EVALUATOR, destination / "data" / "fashion-mnist" / "06_models" / "evaluator")
    return destination


def smoke_parameters() -> dict:
    """conf/smoke's settings, as runtime parameters for a run in another environment."""
    return yaml.safe_load((PROJECT_ROOT / "conf" / "smoke" / "parameters.yml").read_text())


def write_image_folder(folder: Path, images, classes: dict[str, int], per_class: int, labels=None) -> Path:
    """A user's image folder: ``per_class`` PNGs in each sub-folder of ``classes`` (name → the
    digit whose images it gets, from ``images`` in [0, 1] with their ``labels``; without labels,
    consecutive images)."""
    import numpy as np
    from PIL import Image

    for n, (name, digit) in enumerate(classes.items()):
        chosen = (
            np.flatnonzero(labels == digit)[:per_class]
            if labels is not None
            else range(n * per_class, (n + 1) * per_class)
        )
        (folder / name).mkdir(parents=True)
        for i, index in enumerate(chosen):
            Image.fromarray((images[index] * 255).round().astype(np.uint8)).save(folder / name / f"{i:04d}.png")
    return folder


# For in-process runs whose outputs are checked for presence and messages, not size.
FEW_IMAGES = {"data": {"max_train_images": 600, "max_test_images": 300}}


def run_in_process(project: Path, pipeline: str | None = None, *, env: str = "smoke", params: dict | None = None):
    """What ``kedro run --pipelines=<pipeline> --env=<env> --params=<params>`` does, in this
    process: the project's session, hooks and catalog, without a new interpreter's start-up.
    Failures raise; ``params`` is nested as Kedro parses ``--params`` (``{"ae": {"epochs": 2}}``)."""
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project

    bootstrap_project(project)
    with (
        contextlib.chdir(project),
        KedroSession.create(project_path=project, env=env, runtime_params=params) as session,
    ):
        session.run(pipeline_names=[pipeline] if pipeline else None)


def kedro_run(project: Path, *args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """``kedro run <args>`` in ``project``; returns the finished process (output captured)."""
    return kedro_command(project, "run", *args, env=env, timeout=timeout)


def kedro_command(
    project: Path, command: str, *args: str, env: dict | None = None, timeout: int = 600
) -> subprocess.CompletedProcess:
    """``kedro <command> <args>`` in ``project``; returns the finished process (output captured)."""
    return subprocess.run(
        [KEDRO, command, *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=subprocess_env(**(env or {})),
    )


@pytest.fixture(scope="session")
def mnist_batch():
    """256 real test images in [0, 1]."""
    import numpy as np

    from deepgen.datasets import IDXDataset

    images = IDXDataset(filepath=str(RAW_MNIST / "t10k-images-idx3-ubyte.gz")).load()
    return images[:256].astype(np.float32) / 255


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    return make_project_copy(tmp_path)


@pytest.fixture(scope="session")
def default_smoke_run(tmp_path_factory) -> Path:
    """``kedro run --env=smoke`` in a fresh interpreter: every model, then the comparison. The
    tests of each family's outputs, W&B runs and the notebook read this one run."""
    project = make_project_copy(tmp_path_factory.mktemp("default_smoke"))
    result = kedro_run(project, "--env=smoke")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (project / "run.log").write_text(result.stdout + result.stderr)  # what a user would see
    shutil.copytree(project / ".viz", project / "run.viz")  # what kedro-viz recorded of this run
    return project
