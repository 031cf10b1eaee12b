"""Kedro's and tracking's own share of a smoke run: the part of ``python -m deepgen.benchmarks``
that runs in a fresh interpreter (``python -m deepgen.benchmarks.overhead PROJECT`` prints it)."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import shutil
import subprocess
import sys
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


class _ImportClock:
    """Times one module's import wherever it first happens (TensorFlow's, inside the run)."""

    def __init__(self, name: str):
        self.name, self.seconds = name, 0.0

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        exec_module = spec.loader.exec_module

        def timed(module):
            start = time.perf_counter()
            try:
                exec_module(module)
            finally:
                self.seconds = time.perf_counter() - start

        spec.loader.exec_module = timed
        return spec


def kedro_overhead(project: Path, pipeline: str) -> dict:
    """`kedro run --pipelines=<pipeline> --env=smoke`, the CLI itself, run in this (fresh) interpreter in
    a scratch copy of the project: its wall time less TensorFlow's import (timed where the run
    triggers it, and left out: it is TensorFlow's cost, whatever runs it); of that, the start-up before the pipeline
    (the CLI and Kedro's import, the project's settings, config, catalog and pipelines), the
    time inside nodes, and loading and saving datasets (decompressing MNIST, writing models,
    rendering PNGs). The rest is Kedro (and tracking's hooks) at work during the run."""
    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
    project = _scratch_copy(project, Path(tempfile.mkdtemp(prefix="deepgen-overhead-")))
    os.chdir(project)
    start = time.perf_counter()
    tensorflow_import = _ImportClock("tensorflow")
    sys.meta_path.insert(0, tensorflow_import)

    from kedro.framework.cli.cli import main as kedro_cli
    from kedro.framework.hooks import hook_impl
    from kedro.framework.session import session as kedro_session

    class Clock:
        def __init__(self):
            self.seconds = {"nodes": 0.0, "dataset_io": 0.0}

        @hook_impl(tryfirst=True)  # before the project's hooks: their work is the run's overhead
        def before_pipeline_run(self):
            self.pipeline_start = time.perf_counter()

        @hook_impl(trylast=True)  # the clock starts after the other hooks' work
        def before_node_run(self):
            self._since = time.perf_counter()

        @hook_impl(tryfirst=True)  # and stops before theirs
        def after_node_run(self):
            self.seconds["nodes"] += time.perf_counter() - self._since

        @hook_impl(tryfirst=True)
        def after_dataset_loaded(self):
            self.seconds["dataset_io"] += time.perf_counter() - self._since

        # pluggy finds hooks by attribute name: saves are clocked as loads, both as nodes start.
        before_dataset_loaded = before_dataset_saved = before_node_run
        after_dataset_saved = after_dataset_loaded

    clock = Clock()
    create_hook_manager = kedro_session._create_hook_manager

    def with_clock():
        manager = create_hook_manager()
        manager.register(clock)
        return manager

    kedro_session._create_hook_manager = with_clock  # the session the CLI creates gets the clock
    sys.argv = ["kedro", "run", f"--pipelines={pipeline}", "--env=smoke"]
    try:
        kedro_cli()
    except SystemExit as exit_:
        if exit_.code:
            raise RuntimeError(f"kedro run failed (exit code {exit_.code})") from exit_
    wall = time.perf_counter() - start - tensorflow_import.seconds
    startup = clock.pipeline_start - start - tensorflow_import.seconds
    shutil.rmtree(project, ignore_errors=True)
    return {
        "run_seconds": round(wall, 3),
        "tensorflow_import_seconds": round(tensorflow_import.seconds, 3),
        "startup_seconds": round(startup, 3),
        "node_seconds": round(clock.seconds["nodes"], 3),
        "dataset_io_seconds": round(clock.seconds["dataset_io"], 3),
        "wandb_mode": os.environ.get("WANDB_MODE", "auto"),
    }


def measure_in_fresh_interpreter(project: Path, wandb_mode: str, pipeline: str) -> dict:
    """`kedro_overhead` in a new Python process: nothing imported beforehand, as `kedro run`."""
    result = subprocess.run(
        [sys.executable, "-m", "deepgen.benchmarks.overhead", str(project), pipeline],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        env={**os.environ, "WANDB_MODE": wandb_mode},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def overhead_with_and_without_tracking(project: Path, pipeline: str, pairs: int = 3, measure=None) -> dict:
    """The smoke run of ``pipeline`` with W&B off and offline, alternating (off, offline, offline, off, …).

    W&B's work runs on a background thread and in its service process, sharing the two cores
    with TensorFlow: it lengthens the nodes rather than adding time between them. And wandb is
    imported before TensorFlow, which then finds modules they share (protobuf, …) loaded. So
    tracking's cost is the difference of the two kinds of run's whole wall times, TensorFlow's
    import included, and Kedro's share is what a run without tracking spends outside its nodes
    and datasets. Each kind is represented by its fastest run: on a shared machine interference
    only adds time, and one stalled run would otherwise move the difference. ``measure(project,
    wandb_mode)`` runs one and returns ``kedro_overhead``'s dict."""
    measure = measure or functools.partial(measure_in_fresh_interpreter, pipeline=pipeline)
    runs: dict[str, list[dict]] = {"disabled": [], "offline": []}
    for pair in range(pairs):
        for mode in ("disabled", "offline") if pair % 2 == 0 else ("offline", "disabled"):
            run = measure(project, mode)
            run["wall_seconds"] = round(run["run_seconds"] + run["tensorflow_import_seconds"], 3)
            if mode == "disabled":  # with W&B on, the time outside nodes and datasets is W&B's too
                run["kedro_seconds"] = round(run["run_seconds"] - run["node_seconds"] - run["dataset_io_seconds"], 3)
            runs[mode].append(run)

    tracked, untracked = (min(runs[mode], key=lambda run: run["wall_seconds"]) for mode in ("offline", "disabled"))
    seconds, kedro = tracked["run_seconds"], untracked["kedro_seconds"]
    tracking = round(max(0.0, tracked["wall_seconds"] - untracked["wall_seconds"]), 3)
    summary = {
        "run_seconds": seconds,
        "run_seconds_without_tracking": untracked["run_seconds"],
        "tensorflow_import_seconds": tracked["tensorflow_import_seconds"],
        "node_seconds": untracked["node_seconds"],
        "dataset_io_seconds": untracked["dataset_io_seconds"],
        "kedro_seconds": kedro,
        "kedro_startup_seconds": untracked["startup_seconds"],
        "tracking_seconds": tracking,
        # All but the time inside nodes (as spent without W&B beside them).
        "overhead_fraction": round((seconds - untracked["node_seconds"]) / seconds, 3),
        "kedro_fraction": round(kedro / seconds, 3),
        "tracking_fraction": round(tracking / seconds, 3),
        "kedro_and_tracking_fraction": round((kedro + tracking) / seconds, 3),
        "runs": runs,
    }
    print(
        f"kedro run --pipelines={pipeline} --env=smoke beyond TensorFlow's import: {seconds:.2f} s with W&B offline, "
        f"{untracked['run_seconds']:.2f} s without (fastest of {pairs} each). Kedro {kedro:.2f} s "
        f"({summary['kedro_fraction']:.0%}; start-up {summary['kedro_startup_seconds']:.2f} s), W&B {tracking:.2f} s "
        f"({summary['tracking_fraction']:.0%}, whole runs compared): together {summary['kedro_and_tracking_fraction']:.0%}. "
        f"Datasets {summary['dataset_io_seconds']:.2f} s, nodes {summary['node_seconds']:.2f} s; "
        f"all but the nodes {summary['overhead_fraction']:.0%}.",
        flush=True,
    )
    return summary


if __name__ == "__main__":
    print(json.dumps(kedro_overhead(Path(sys.argv[1]).resolve(), sys.argv[2])))
