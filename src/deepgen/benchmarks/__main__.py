"""``python -m deepgen.benchmarks``: training speed of deepgen against tutorial-style code.

For each model, both trainings run side by side in this process on real MNIST, same
architecture, batch size and images. Each is timed at two lengths; the difference gives the
steady images per second, the rest is warm-up (tracing, compilation). Then Kedro's own
overhead: a smoke run of the ``ae`` pipeline minus the time inside its nodes.
Writes ``data/08_reporting/benchmarks.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

BATCH_SIZE = 32  # the tutorial's


def _timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _rate(short_images: int, long_images: int, short_seconds: float, long_seconds: float) -> tuple[float, float | None]:
    """Images per second in steady state, and the warm-up of one run (seconds). When timing
    noise swamps the difference of the two lengths (runs too short), the longer run's overall
    rate, warm-up included, with no warm-up figure."""
    if long_seconds <= short_seconds:
        print("  (the two lengths took no measurably different time: overall rate of the longer run)", flush=True)
        return long_images / long_seconds, None
    rate = (long_images - short_images) / (long_seconds - short_seconds)
    return rate, short_seconds - short_images / rate


def _row(model: str, reference: tuple[float, float], deepgen: tuple[float, float], settings: dict) -> dict:
    row = {
        "model": model,
        "batch_size": BATCH_SIZE,
        "reference_images_per_s": round(reference[0], 1),
        "deepgen_images_per_s": round(deepgen[0], 1),
        "speedup": round(deepgen[0] / reference[0], 2),
        "reference_warmup_s": None if reference[1] is None else round(reference[1], 2),
        "deepgen_warmup_s": None if deepgen[1] is None else round(deepgen[1], 2),
        "deepgen_settings": settings,
    }
    def warmup(seconds: float | None) -> str:
        return "–" if seconds is None else f"{seconds:.1f}"

    print(
        f"{model:>6}: reference {row['reference_images_per_s']:8.0f} img/s (warm-up {warmup(row['reference_warmup_s'])} s)   "
        f"deepgen {row['deepgen_images_per_s']:8.0f} img/s (warm-up {warmup(row['deepgen_warmup_s'])} s)   "
        f"speedup {row['speedup']:.2f}x",
        flush=True,
    )
    return row


def _speed_settings(params) -> dict:
    return {"steps_per_execution": params.steps_per_execution, "jit_compile": params.jit_compile}


def benchmark_autoencoders(images: np.ndarray, params_by_model: dict, epochs: tuple[int, int]) -> list[dict]:
    from deepgen.benchmarks import references
    from deepgen.pipelines.ae.nodes import train_autoencoder
    from deepgen.pipelines.vae.nodes import train_vae

    held_out = images[-256:]  # the nodes validate every epoch, as in the pipelines
    train = images[:-256]
    rows = []
    for model, reference_fit, node in (("ae", references.fit_autoencoder, train_autoencoder), ("vae", references.fit_vae, train_vae)):
        params = params_by_model[model].model_copy(update={"batch_size": BATCH_SIZE})
        seconds = {}
        for label, run in (
            ("reference", lambda e: reference_fit(params, train, e)),
            ("deepgen", lambda e: node(train, held_out, params.model_copy(update={"epochs": e}), 0)),
        ):
            seconds[label] = [_timed(lambda: run(e)) for e in epochs]
        n = [e * len(train) for e in epochs]
        rows.append(_row(model, _rate(*n, *seconds["reference"]), _rate(*n, *seconds["deepgen"]), _speed_settings(params)))
    return rows


def benchmark_dcgan(images: np.ndarray, params, reference_steps: tuple[int, int], deepgen_steps: tuple[int, int]) -> dict:
    from deepgen.benchmarks.references import KerasGANLoop
    from deepgen.pipelines.dcgan.nodes import train_dcgan

    symmetric = images * 2 - 1
    # Sample grids every 50 steps, so that both lengths are whole intervals.
    params = params.model_copy(update={"batch_size": BATCH_SIZE, "gen_interval": 50})
    reference = [_timed(lambda: KerasGANLoop(params).train(symmetric, s)) for s in reference_steps]
    deepgen = [_timed(lambda: train_dcgan(symmetric, params.model_copy(update={"steps": s}), 0)) for s in deepgen_steps]
    return _row(
        "dcgan",
        _rate(*(s * BATCH_SIZE for s in reference_steps), *reference),
        _rate(*(s * BATCH_SIZE for s in deepgen_steps), *deepgen),
        _speed_settings(params),
    )


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
    """Wall time of `kedro run --pipelines=ae --env=smoke` (in-process, in a scratch copy of the
    project, TensorFlow already imported) against the time inside its nodes, and, of the rest,
    the time spent loading and saving datasets (decompressing MNIST, writing models and PNGs)."""
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

        @hook_impl(trylast=True)  # the clock starts after the other hooks' work
        def before_dataset_loaded(self):
            self._start()

        @hook_impl(tryfirst=True)  # and stops before theirs
        def after_dataset_loaded(self):
            self._stop("dataset_io")

        @hook_impl(trylast=True)  # the clock starts after the other hooks' work
        def before_dataset_saved(self):
            self._start()

        @hook_impl(tryfirst=True)  # and stops before theirs
        def after_dataset_saved(self):
            self._stop("dataset_io")

    project = _scratch_copy(project, Path(tempfile.mkdtemp(prefix="deepgen-overhead-")))
    bootstrap_project(project)
    clock = Clock()
    start = time.perf_counter()
    with KedroSession.create(project_path=project, env="smoke") as session:
        session._hook_manager.register(clock)  # noqa: SLF001 - a timer for this benchmark only
        session.run(pipeline_names=["ae"])
    wall = time.perf_counter() - start
    nodes, io = clock.seconds["nodes"], clock.seconds["dataset_io"]
    overhead = wall - nodes
    print(
        f"kedro run --pipelines=ae --env=smoke: {wall:.1f} s, {nodes:.1f} s in nodes; the other {overhead:.1f} s "
        f"({overhead / wall:.0%}) are {io:.1f} s of dataset loading and saving and {overhead - io:.1f} s "
        f"({(overhead - io) / wall:.0%}) of Kedro and tracking",
        flush=True,
    )
    return {
        "run_seconds": round(wall, 2),
        "node_seconds": round(nodes, 2),
        "dataset_io_seconds": round(io, 2),
        "overhead_fraction": round(overhead / wall, 3),
        "kedro_and_tracking_fraction": round((overhead - io) / wall, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=20_000, help="training images for the AE and VAE runs")
    parser.add_argument("--quick", action="store_true", help="shorter runs (a smoke test of the benchmark itself)")
    args = parser.parse_args()

    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")  # no network here for telemetry to wait on
    import tensorflow  # noqa: F401 - imported once, before any timing

    from deepgen.datasets import IDXDataset
    from deepgen.params import AEParams, DCGANParams, VAEParams

    project = Path.cwd()
    images = IDXDataset(filepath=str(project / "data/01_raw/mnist/train-images-idx3-ubyte.gz")).load()
    images = images[: args.images].astype(np.float32) / 255
    params = _configured_params(project)
    epochs = (1, 2) if args.quick else (1, 3)
    rows = benchmark_autoencoders(images, {"ae": AEParams(**params["ae"]), "vae": VAEParams(**params["vae"])}, epochs)
    dcgan = DCGANParams(**params["dcgan"])
    rows.append(benchmark_dcgan(images, dcgan, (10, 20) if args.quick else (20, 80), (50, 100) if args.quick else (100, 300)))
    overhead = kedro_overhead(project)

    output = project / "data/08_reporting/benchmarks.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(rows, indent=2) + "\n")
    (output.parent / "kedro_overhead.json").write_text(json.dumps(overhead, indent=2) + "\n")
    print(f"wrote {output} and {output.parent / 'kedro_overhead.json'}")


def _configured_params(project: Path) -> dict:
    """The base parameters (conf/base), as `kedro run` would use them."""
    from kedro.config import OmegaConfigLoader

    return OmegaConfigLoader(str(project / "conf"), base_env="base", default_run_env="base")["parameters"]


if __name__ == "__main__":
    main()
