"""Kedro's and tracking's own share of a smoke run: the part of ``python -m deepgen.benchmarks``
that runs in a fresh process."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path


def _scratch_copy(project: Path, destination: Path) -> Path:
    """The project's code, config, raw data and evaluator, so a run leaves the real outputs alone."""
    for part in ("pyproject.toml", "conf", "src", "data/01_raw", "data/06_models/evaluator"):
        source, target = project / part, destination / part
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("local", "__pycache__"))
        else:
            shutil.copy(source, target)
    return destination


def kedro_overhead(project: Path) -> dict:
    """Wall time of `kedro run --pipelines=ae --env=smoke` (in a scratch copy of the project),
    in `kedro run`'s order: Kedro's import, TensorFlow's (which the project's settings would
    trigger; timed and left out, as the target says), the project's start-up, the run. Split
    into the time inside nodes and, of the rest, importing Kedro and starting the project,
    loading and saving datasets (decompressing MNIST, writing models, rendering PNGs), and
    what remains: Kedro and W&B at work during the run."""
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")

    start = time.perf_counter()
    from kedro.framework.hooks import hook_impl
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project

    tensorflow_start = time.perf_counter()
    import tensorflow  # noqa: F401

    tensorflow_seconds = time.perf_counter() - tensorflow_start

    class Clock:
        def __init__(self):
            self.seconds = {"nodes": 0.0, "dataset_io": 0.0}

        def _start(self):
            self._since = time.perf_counter()

        def _stop(self, part):
            self.seconds[part] += time.perf_counter() - self._since

        @hook_impl(trylast=True)  # the clock starts after the other hooks' work
        def before_node_run(self):
            self._start()

        @hook_impl(tryfirst=True)  # and stops before theirs
        def after_node_run(self):
            self._stop("nodes")

        @hook_impl(trylast=True)
        def before_dataset_loaded(self):
            self._start()

        @hook_impl(tryfirst=True)
        def after_dataset_loaded(self):
            self._stop("dataset_io")

        @hook_impl(trylast=True)
        def before_dataset_saved(self):
            self._start()

        @hook_impl(tryfirst=True)
        def after_dataset_saved(self):
            self._stop("dataset_io")

    project = _scratch_copy(project, Path(tempfile.mkdtemp(prefix="deepgen-overhead-")))
    bootstrap_project(project)  # reads settings.py: the project's hooks, and with them its imports
    startup = time.perf_counter() - start - tensorflow_seconds
    clock = Clock()
    with KedroSession.create(project_path=project, env="smoke") as session:
        session._hook_manager.register(clock)  # noqa: SLF001 - a timer for this benchmark only
        session.run(pipeline_names=["ae"])
    wall = time.perf_counter() - start - tensorflow_seconds
    shutil.rmtree(project, ignore_errors=True)
    nodes, io = clock.seconds["nodes"], clock.seconds["dataset_io"]
    overhead = wall - nodes
    during_run = overhead - io - startup  # Kedro's runner, the catalog's bookkeeping, the hooks, W&B
    print(
        f"kedro run --pipelines=ae --env=smoke: {wall:.1f} s beyond TensorFlow's import ({tensorflow_seconds:.1f} s), "
        f"{nodes:.1f} s in nodes; "
        f"the other {overhead:.1f} s ({overhead / wall:.0%}): {startup:.1f} s ({startup / wall:.0%}) importing Kedro and "
        f"the project, {io:.1f} s ({io / wall:.0%}) loading and saving datasets, {during_run:.1f} s "
        f"({during_run / wall:.0%}) of Kedro and tracking during the run (W&B {os.environ.get('WANDB_MODE', 'auto')})",
        flush=True,
    )
    return {
        "run_seconds": round(wall, 2),
        "tensorflow_import_seconds": round(tensorflow_seconds, 2),
        "startup_seconds": round(startup, 2),
        "node_seconds": round(nodes, 2),
        "dataset_io_seconds": round(io, 2),
        "overhead_fraction": round(overhead / wall, 3),
        "kedro_and_tracking_fraction": round((overhead - io) / wall, 3),
        "kedro_and_tracking_during_run_fraction": round(during_run / wall, 3),
        "wandb_mode": os.environ.get("WANDB_MODE", "auto"),
    }
