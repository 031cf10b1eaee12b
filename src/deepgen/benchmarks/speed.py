"""The training-speed rows: each family with a tutorial reference trained as the tutorial
trained it and by its training node, on the same networks, batch and images, in alternating
rounds (reference first, then deepgen first, …) so that the machine's drift hits both alike."""

from __future__ import annotations

import statistics
from collections.abc import Callable

import numpy as np

from .clock import clocked_node, epoch_clock, steady_rate

BATCH_SIZE = 32  # the tutorial's
SPEED_SETTINGS = ("steps_per_execution", "jit_compile", "deterministic", "fused_upsampling")
# With --ablations, deepgen also runs with its speed settings undone one at a time: what each
# bought; each set applies to the families counted in epochs, or in steps, whose parameters have its keys.
ABLATIONS = {
    "epoch": {
        "without XLA": {"jit_compile": False},
        "without XLA, 1 step per execution": {"jit_compile": False, "steps_per_execution": 1},
    },
    "step": {
        "UpSampling2D + Conv2D": {"fused_upsampling": False},
        "1 step per execution": {"steps_per_execution": 1},
        "UpSampling2D + Conv2D, 1 step per execution": {"fused_upsampling": False, "steps_per_execution": 1},
    },
}


def ablations_of(family) -> dict[str, dict]:
    """The ablations that apply to ``family``: its way of counting, and keys its parameters have."""
    fields = set(family.params.model_fields)
    return {name: changes for name, changes in ABLATIONS[family.params.counted_in()].items() if set(changes) <= fields}


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


def race(family, params, images: np.ndarray, epochs: int, rounds: int, ablate: bool, interval: int) -> dict:
    """``family``'s tutorial reference against its training node, at the tutorial's batch size:
    ``epochs`` epochs of ``images`` (in [0, 1]; a family counted in steps: epochs of
    ``interval`` steps) per run."""
    from deepgen.training import start_training

    images = images if family.scaling == "unit" else images * 2 - 1
    train, held_out = images[:-256], images[-256:]  # the node validates every epoch, as in the pipelines
    if family.params.counted_in() == "step":
        params = params.shortened(epochs * interval, interval)
        images_per_epoch = interval * BATCH_SIZE
    else:
        params = params.model_copy(update={"epochs": epochs})
        images_per_epoch = len(train)
    params = params.model_copy(update={"batch_size": BATCH_SIZE, **family.tutorial.networks})

    def reference() -> list[float]:
        start_training(0, deterministic=False)  # as the tutorial ran: no op determinism
        clock = epoch_clock()
        family.tutorial.train(params, train, epochs, clock)
        return clock.times

    ablations = ablations_of(family) if ablate else {}
    variants = {"deepgen": params} | {name: params.model_copy(update=changes) for name, changes in ablations.items()}
    runs = {"reference": reference} | {
        name: (lambda p=variant: clocked_node(family, p, train, held_out)) for name, variant in variants.items()
    }
    measured = _rounds(family.name, runs, images_per_epoch, rounds)
    return _row(family.name, images_per_epoch, epochs, rounds, measured, params, ablations)
