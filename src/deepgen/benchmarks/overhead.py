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
    """Wall time of `kedro run --pipelines=ae --env=smoke` (in a scratch copy of the project;
    the clock starts once TensorFlow is imported, before Kedro and the project load) against
    the time inside its nodes and, of the rest, the time spent importing Kedro and the project
    and loading and saving datasets (decompressing MNIST, writing models, rendering PNGs).
    What remains is Kedro and W&B at work during the run."""
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    import tensorflow  # noqa: F401 - excluded from the clock, as the target says

    start = time.perf_counter()
    from kedro.framework.hooks import hook_impl
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project

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
    startup = time.perf_counter() - start
    clock = Clock()
    with KedroSession.create(project_path=project, env="smoke") as session:
        session._hook_manager.register(clock)  # noqa: SLF001 - a timer for this benchmark only
        session.run(pipeline_names=["ae"])
    wall = time.perf_counter() - start
    shutil.rmtree(project, ignore_errors=True)
    nodes, io = clock.seconds["nodes"], clock.seconds["dataset_io"]
    overhead = wall - nodes
    during_run = overhead - io - startup  # Kedro's runner, the catalog's bookkeeping, the hooks, W&B
    print(
        f"kedro run --pipelines=ae --env=smoke: {wall:.1f} s after TensorFlow's import, {nodes:.1f} s in nodes; "
        f"the other {overhead:.1f} s ({overhead / wall:.0%}): {startup:.1f} s ({startup / wall:.0%}) importing Kedro and "
        f"the project, {io:.1f} s ({io / wall:.0%}) loading and saving datasets, {during_run:.1f} s "
        f"({during_run / wall:.0%}) of Kedro and tracking during the run (W&B {os.environ.get('WANDB_MODE', 'auto')})",
        flush=True,
    )
    return {
        "run_seconds": round(wall, 2),
        "startup_seconds": round(startup, 2),
        "node_seconds": round(nodes, 2),
        "dataset_io_seconds": round(io, 2),
        "overhead_fraction": round(overhead / wall, 3),
        "kedro_and_tracking_fraction": round((overhead - io) / wall, 3),
        "kedro_and_tracking_during_run_fraction": round(during_run / wall, 3),
        "wandb_mode": os.environ.get("WANDB_MODE", "auto"),
    }
