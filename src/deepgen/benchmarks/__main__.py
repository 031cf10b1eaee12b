"""``python -m deepgen.benchmarks``: training speed of deepgen against tutorial-style code,
and the diffusion family's training and sampling speed against the CPU's own matmul rate.

For each model, both trainings run in this process on real MNIST: same networks, batch size
and images, in alternating rounds (reference first, then deepgen first, ...) so that the
machine's drift hits both sides alike. Every run is clocked epoch by epoch: the median epoch
gives the steady images per second, the first epoch's excess over it the warm-up (tracing,
compilation). The speedup is the median of the rounds' ratios. Then Kedro's own overhead:
`kedro run --pipelines=ae --env=smoke` in a fresh interpreter. Writes ``data/08_reporting/benchmarks.json``
and ``kedro_overhead.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

BATCH_SIZE = 32  # the tutorial's
DCGAN_INTERVAL = 50  # DCGAN steps per clocked epoch (a multiple of its steps_per_execution)
QUICK_DCGAN_INTERVAL = 10  # --quick: shorter epochs, and as many steps per execution at most
DIFFUSION_INTERVAL = 50  # diffusion training steps per clocked epoch (its own batch size)
DIFFUSION_SAMPLED = 1000  # images drawn per sampling measurement


def _epoch_clock():
    import keras

    class EpochClock(keras.callbacks.Callback):
        """Wall time at the start of training and at the end of every epoch."""

        def on_train_begin(self, logs=None):
            self.times = [time.perf_counter()]

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter())

    return EpochClock()


def steady_rate(times: list[float], images_per_epoch: int) -> tuple[float, float]:
    """Images per second over the median epoch after the first, and the first epoch's excess
    over that median (the warm-up: tracing and compiling the training step)."""
    epochs = np.diff(times)
    typical = float(np.median(epochs[1:]))
    return images_per_epoch / typical, float(epochs[0]) - typical


def _rounds(label: str, runs: dict[str, Callable[[], list[float]]], images_per_epoch: int, rounds: int) -> dict:
    """Alternate the runs (``reference``, ``deepgen`` and any ablations) ``rounds`` times, the
    order reversed every other round; per run, medians of its rates, warm-ups and ratios to the
    reference of the same round."""
    rates: dict[str, list[float]] = {side: [] for side in runs}
    warmups: dict[str, list[float]] = {side: [] for side in runs}
    for round_ in range(rounds):
        for side in list(runs) if round_ % 2 == 0 else list(reversed(runs)):
            rate, warmup = steady_rate(runs[side](), images_per_epoch)
            rates[side].append(rate)
            warmups[side].append(warmup)
        measured = ", ".join(
            f"{side} {rates[side][-1]:.0f} img/s"
            + ("" if side == "reference" else f" ({rates[side][-1] / rates['reference'][-1]:.2f}x)")
            for side in runs
        )
        print(f"{label:>6} round {round_ + 1}/{rounds}: {measured}", flush=True)
    summary = {}
    for side in runs:
        ratios = [ours / theirs for ours, theirs in zip(rates[side], rates["reference"], strict=True)]
        summary[side] = {
            "images_per_s": round(statistics.median(rates[side]), 1),
            "warmup_s": round(statistics.median(warmups[side]), 2),
            "speedup": round(statistics.median(ratios), 2),
            "speedup_per_round": [round(r, 2) for r in ratios],
        }
    return summary


def _row(model: str, images_per_epoch: int, epochs: int, rounds: int, measured: dict, params, ablations: dict) -> dict:
    reference, deepgen = measured["reference"], measured["deepgen"]
    row = {
        "model": model,
        "batch_size": BATCH_SIZE,
        "images_per_epoch": images_per_epoch,
        "epochs": epochs,
        "rounds": rounds,
        "reference_images_per_s": reference["images_per_s"],
        "deepgen_images_per_s": deepgen["images_per_s"],
        "speedup": deepgen["speedup"],
        "speedup_per_round": deepgen["speedup_per_round"],
        "reference_warmup_s": reference["warmup_s"],
        "deepgen_warmup_s": deepgen["warmup_s"],
        "deepgen_settings": {key: value for key, value in params.model_dump().items() if key in SPEED_SETTINGS},
    }
    print(
        f"{model:>6}: reference {row['reference_images_per_s']:8.0f} img/s (warm-up {row['reference_warmup_s']:.1f} s)   "
        f"deepgen {row['deepgen_images_per_s']:8.0f} img/s (warm-up {row['deepgen_warmup_s']:.1f} s)   "
        f"speedup {row['speedup']:.2f}x (rounds: {', '.join(f'{r:.2f}' for r in row['speedup_per_round'])})",
        flush=True,
    )
    if ablations:
        row["ablations"] = [
            {"variant": name, "settings": changes, **measured[name]} for name, changes in ablations.items()
        ]
        for name in ablations:
            print(
                f"{'':>6}  {name}: {measured[name]['images_per_s']:8.0f} img/s, speedup {measured[name]['speedup']:.2f}x",
                flush=True,
            )
    return row


SPEED_SETTINGS = ("steps_per_execution", "jit_compile", "deterministic", "fused_upsampling")
# With --ablations, deepgen also runs with its speed settings undone one at a time: what each bought.
AUTOENCODER_ABLATIONS = {
    "without XLA": {"jit_compile": False},
    "without XLA, 1 step per execution": {"jit_compile": False, "steps_per_execution": 1},
}
DCGAN_ABLATIONS = {
    "UpSampling2D + Conv2D": {"fused_upsampling": False},
    "1 step per execution": {"steps_per_execution": 1},
    "UpSampling2D + Conv2D, 1 step per execution": {"fused_upsampling": False, "steps_per_execution": 1},
}


def _clocked_node(family, params, train_x: np.ndarray, validation_x: np.ndarray) -> list[float]:
    """Epoch times of the template's training node, the clock handed to ``fit`` through the
    training context as the Kedro hooks hand theirs (checkpoints, W&B)."""
    from deepgen.pipelines.family.nodes import train
    from deepgen.training import TrainingContext

    clock = _epoch_clock()
    # The benchmarked families are unconditional: they read no labels. Training alone is
    # clocked, as the references train: no sample scoring on the way, so no evaluator.
    training_only = params.model_copy(update={"eval_interval": 0})
    train(family, train_x, None, validation_x, None, training_only, 0, TrainingContext(callbacks=[clock]), None, None)
    return clock.times


def _deepgen_runs(
    family, params, ablations: dict, train_x: np.ndarray, validation_x: np.ndarray
) -> dict[str, Callable[[], list[float]]]:
    """The node at ``params`` (``deepgen``), and at each ablation's changed settings."""
    variants = {"deepgen": params} | {name: params.model_copy(update=changes) for name, changes in ablations.items()}
    return {
        name: (lambda p=variant: _clocked_node(family, p, train_x, validation_x)) for name, variant in variants.items()
    }


def benchmark_autoencoders(
    images: np.ndarray, params_by_model: dict, epochs: int, rounds: int, ablate: bool
) -> list[dict]:
    from deepgen.benchmarks import references
    from deepgen.families import FAMILIES
    from deepgen.training import start_training

    held_out = images[-256:]  # the nodes validate every epoch, as in the pipelines
    train = images[:-256]
    ablations = AUTOENCODER_ABLATIONS if ablate else {}
    rows = []
    for model, reference_fit in (("ae", references.fit_autoencoder), ("vae", references.fit_vae)):
        params = params_by_model[model].model_copy(update={"batch_size": BATCH_SIZE, "epochs": epochs})

        def reference(fit=reference_fit, params=params) -> list[float]:
            start_training(0, deterministic=False)  # as the tutorial ran: no op determinism
            clock = _epoch_clock()
            fit(params, train, epochs, callbacks=[clock])
            return clock.times

        runs = {"reference": reference, **_deepgen_runs(FAMILIES[model], params, ablations, train, held_out)}
        measured = _rounds(model, runs, len(train), rounds)
        rows.append(_row(model, len(train), epochs, rounds, measured, params, ablations))
    return rows


def benchmark_dcgan(
    images: np.ndarray, params, epochs: int, rounds: int, ablate: bool, interval: int = DCGAN_INTERVAL
) -> dict:
    from deepgen.benchmarks.references import KerasGANLoop
    from deepgen.families import FAMILIES
    from deepgen.training import start_training

    symmetric = images * 2 - 1
    params = params.model_copy(
        update={
            "batch_size": BATCH_SIZE,
            "gen_interval": interval,
            "steps": epochs * interval,
            "steps_per_execution": min(params.steps_per_execution, interval),
        }
    )
    ablations = DCGAN_ABLATIONS if ablate else {}

    def reference() -> list[float]:
        start_training(0, deterministic=False)  # as the tutorial ran: no op determinism
        loop = KerasGANLoop(params)
        times = [time.perf_counter()]
        for _ in range(epochs):
            loop.train(symmetric, interval)
            times.append(time.perf_counter())
        return times

    runs = {"reference": reference, **_deepgen_runs(FAMILIES["dcgan"], params, ablations, symmetric, symmetric[:256])}
    images_per_epoch = interval * BATCH_SIZE
    measured = _rounds("dcgan", runs, images_per_epoch, rounds)
    return _row("dcgan", images_per_epoch, epochs, rounds, measured, params, ablations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=20_000, help="training images per AE/VAE epoch")
    parser.add_argument("--rounds", type=int, default=3, help="alternating reference/deepgen rounds per model")
    parser.add_argument(
        "--quick", action="store_true", help="one short round, shorter DCGAN epochs (a check of the benchmark itself)"
    )
    parser.add_argument(
        "--ablations", action="store_true", help="also run deepgen with each speed setting undone: what each bought"
    )
    args = parser.parse_args()

    os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")  # no network here for telemetry to wait on
    os.environ.setdefault("WANDB_MODE", "offline")  # tracking measured without a network in the way
    import tensorflow  # noqa: F401 - imported once, before any timing

    from deepgen.benchmarks.diffusion import benchmark_diffusion
    from deepgen.benchmarks.overhead import overhead_with_and_without_tracking
    from deepgen.datasets import IDXDataset
    from deepgen.families import FAMILIES

    project = Path.cwd()
    images = IDXDataset(filepath=str(project / "data/01_raw/mnist/train-images-idx3-ubyte.gz")).load()
    images = images[: args.images].astype(np.float32) / 255
    params = _configured_params(project)
    # Epochs per run: the median of the steady ones shrugs off a stall or two of a shared machine.
    rounds, epochs, dcgan_epochs = (1, 2, 2) if args.quick else (args.rounds, 6, 4)
    configured = {name: FAMILIES[name].params(**params[name]) for name in ("ae", "vae", "dcgan")}
    rows = benchmark_autoencoders(images, configured, epochs, rounds, args.ablations)
    interval = QUICK_DCGAN_INTERVAL if args.quick else DCGAN_INTERVAL
    rows.append(benchmark_dcgan(images, configured["dcgan"], dcgan_epochs, rounds, args.ablations, interval))
    diffusion_params = FAMILIES["diffusion"].params(**params["diffusion"])
    diffusion_interval, sampled = (QUICK_DCGAN_INTERVAL, 100) if args.quick else (DIFFUSION_INTERVAL, DIFFUSION_SAMPLED)
    diffusion = benchmark_diffusion(images, diffusion_params, dcgan_epochs, rounds, diffusion_interval, sampled)

    # `kedro run` in fresh interpreters, with and without W&B: the CLI's, Kedro's and the
    # project's imports count, and W&B's import and service wherever they take their time.
    overhead = overhead_with_and_without_tracking(project, pairs=1 if args.quick else 3)

    output = project / "data/08_reporting/benchmarks.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    measured = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": _machine(),
        "rows": rows,
        "diffusion": diffusion,
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


def _configured_params(project: Path) -> dict:
    """The base parameters (conf/base), as `kedro run` would use them."""
    from kedro.config import OmegaConfigLoader

    return OmegaConfigLoader(str(project / "conf"), base_env="base", default_run_env="base")["parameters"]


if __name__ == "__main__":
    main()
