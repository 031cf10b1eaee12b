"""The compute rows of ``python -m deepgen.benchmarks``, for the families no tutorial code
trains (no reference to race): how fast the family trains, with and without XLA, and what share
of this CPU's arithmetic that is; and how fast it samples.

The yardstick is the CPU itself, its float32 matrix-multiply rate. FLOPs are the convolutions'
and dense layers' multiply-adds (two FLOPs each); the elementwise work (group norm, swish,
additions) is left out, so the rates are a floor. A training image costs three forward passes
through the networks (forward, and the two products of the backward pass).
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from .clock import clocked_node, steady_rate

MATMUL_SIZE = 2048  # square float32 matrices: large enough for the CPU's peak through TensorFlow's kernels
TRAINING_FLOPS_PER_FORWARD = 3


def forward_flops(model) -> float:
    """FLOPs of one image's forward pass through ``model``'s convolutions and dense layers."""
    import keras

    flops = 0.0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kernel_h, kernel_w, channels_in, channels_out = layer.kernel.shape
            height, width = layer.output.shape[1:3]
            flops += 2.0 * height * width * kernel_h * kernel_w * channels_in * channels_out
        elif isinstance(layer, keras.layers.Dense):
            flops += 2.0 * float(np.prod(layer.kernel.shape))
    return flops


def matmul_gflops(size: int = MATMUL_SIZE, repeats: int = 5) -> float:
    """This CPU's float32 matrix-multiply rate through TensorFlow, best of ``repeats``."""
    import tensorflow as tf

    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    tf.linalg.matmul(a, b).numpy()  # warm-up: thread pool, kernel choice
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        tf.linalg.matmul(a, b).numpy()
        best = min(best, time.perf_counter() - start)
    return 2.0 * size**3 / best / 1e9


def _sampling_rate(family, params, networks, n_images: int) -> float:
    """Images per second the family's first sampler draws, after a call on two images has traced
    what it traces."""
    sampler = family.samplers[0]
    family.sample(sampler, networks, params, 2, 0, None)
    start = time.perf_counter()
    family.sample(sampler, networks, params, n_images, 1, None)
    return n_images / (time.perf_counter() - start)


def compute_row(family, params, images: np.ndarray, epochs: int, rounds: int, interval: int, sampled: int) -> dict:
    """Training (``epochs`` epochs; a family counted in steps: of ``interval`` steps) with and
    without XLA in alternating rounds, then sampling ``sampled`` images."""
    family = family.configured(params)
    if family.params.counted_in() == "step":
        params = params.shortened(epochs * interval, interval)
        images_per_epoch = interval * params.batch_size
    else:
        params = params.model_copy(update={"epochs": epochs})
        images_per_epoch = len(images) - 256
    scaled = images if family.scaling == "unit" else images * 2 - 1
    variants = {"with XLA": True, "without XLA": False}
    training = {name: [] for name in variants}
    for round_ in range(rounds):
        for name in list(variants) if round_ % 2 == 0 else list(reversed(variants)):
            variant = params.model_copy(update={"jit_compile": variants[name]})
            times = clocked_node(family, variant, scaled[:-256], scaled[-256:])
            training[name].append(steady_rate(times, images_per_epoch)[0])
        print(
            f"{family.name} round {round_ + 1}/{rounds}: "
            + ", ".join(f"{name}: train {training[name][-1]:.0f} img/s" for name in variants),
            flush=True,
        )
    networks = family.build(params)
    forward = sum(forward_flops(network) for network in networks.values())
    matmul = matmul_gflops()
    row = {
        "model": family.name,
        "batch_size": params.batch_size,
        "rounds": rounds,
        "forward_mflops_per_image": round(forward / 1e6, 1),
        "matmul_gflops": round(matmul, 1),
        "sampling_images_per_s": round(_sampling_rate(family, params, networks, sampled), 1),
        "variants": {},
    }
    for name in variants:
        rate = statistics.median(training[name])
        gflops = rate * TRAINING_FLOPS_PER_FORWARD * forward / 1e9
        row["variants"][name] = {
            "training_images_per_s": round(rate, 1),
            "training_gflops": round(gflops, 2),
            "training_share_of_matmul": round(gflops / matmul, 3),
        }
    print(f"{family.name}: {row}", flush=True)
    return row
