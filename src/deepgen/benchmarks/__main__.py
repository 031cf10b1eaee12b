"""``python -m deepgen.benchmarks``: training speed of every family with a tutorial reference
against that reference (tutorial-style code), and, for the families outside the default run,
training and sampling speed against the CPU's own matmul rate.

Every run is clocked epoch by epoch on real MNIST in this process: the median epoch gives the
steady images per second, the first epoch's excess over it the warm-up (tracing, compilation);
the speedup is the median of the rounds' ratios (``speed.py``). Then Kedro's own overhead:
`kedro run --pipelines=<the first family> --env=smoke` in a fresh interpreter (``overhead.py``). Writes
``data/08_reporting/benchmarks.json`` and ``kedro_overhead.json``; ``python -m
deepgen.benchmarks.tables`` renders them into docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

STEP_INTERVAL = 50  # steps per clocked epoch of the families counted in steps
QUICK_STEP_INTERVAL = 10  # --quick: shorter epochs
SAMPLED = 1000  # images drawn per sampling measurement


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--images", type=int, default=20_000, help="training images per epoch (families counted in epochs)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating reference/deepgen rounds per model")
    parser.add_argument(
        "--quick", action="store_true", help="one short round, shorter epochs (a check of the benchmark itself)"
    )
    parser.add_argument(
        "--ablations", action="store_true", help="also run deepgen with each speed setting undone: what each bought"
    )
    args = parser.parse_args()

    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")  # no network here for telemetry to wait on
    os.environ.setdefault("WANDB_MODE", "offline")  # tracking measured without a network in the way
    import tensorflow  # noqa: F401 - imported once, before any timing

    from deepgen.benchmarks.compute import compute_row
    from deepgen.benchmarks.overhead import overhead_with_and_without_tracking
    from deepgen.benchmarks.speed import race
    from deepgen.datasets import IDXDataset
    from deepgen.families import FAMILIES, default_run
    from deepgen.params import configuration

    project = Path.cwd()
    images = IDXDataset(filepath=str(project / "data/01_raw/mnist/train-images-idx3-ubyte.gz")).load()
    images = images[: args.images].astype(np.float32) / 255
    blocks = configuration("base", project)["parameters"]
    # Epochs per run: the median of the steady ones shrugs off a stall or two of a shared machine.
    rounds, interval, sampled = (1, QUICK_STEP_INTERVAL, 100) if args.quick else (args.rounds, STEP_INTERVAL, SAMPLED)

    def epochs(family) -> int:
        return 2 if args.quick else (4 if family.params.counted_in() == "step" else 6)

    configured = {name: family.params(**blocks[name]) for name, family in FAMILIES.items()}
    rows = [
        race(family, configured[name], images, epochs(family), rounds, args.ablations, interval)
        for name, family in FAMILIES.items()
        if family.tutorial is not None
    ]
    outside = [family for family in FAMILIES.values() if family not in default_run()]
    compute = [
        compute_row(family, configured[family.name], images, 2 if args.quick else 4, rounds, interval, sampled)
        for family in outside
    ]

    # `kedro run` in fresh interpreters, with and without W&B: the CLI's, Kedro's and the
    # project's imports count, and W&B's import and service wherever they take their time.
    first = default_run()[0].name
    overhead = overhead_with_and_without_tracking(project, first, pairs=1 if args.quick else 3)

    output = project / "data/08_reporting/benchmarks.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    measured = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": _machine(),
        "rows": rows,
        "compute": compute,
    }
    output.write_text(json.dumps(measured, indent=2) + "\n")
    (output.parent / "kedro_overhead.json").write_text(json.dumps(overhead, indent=2) + "\n")
    print(f"wrote {output} and {output.parent / 'kedro_overhead.json'}")


def _machine() -> str:
    """Cores, CPU model and the library versions the numbers depend on."""
    import platform

    import keras
    import tensorflow as tf

    cpuinfo = Path("/proc/cpuinfo")
    models = (
        [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")]
        if cpuinfo.exists()
        else []
    )
    cpu = models[0] if models else platform.processor()
    return f"{os.cpu_count()} CPU cores ({cpu}), TensorFlow {tf.__version__}, Keras {keras.__version__}"


if __name__ == "__main__":
    main()
