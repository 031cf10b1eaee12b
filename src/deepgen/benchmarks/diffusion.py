"""The diffusion row of ``python -m deepgen.benchmarks``: how fast the family trains and samples,
with and without XLA, and what share of this CPU's arithmetic that is.

No tutorial code trains a diffusion model, so there is no reference to race: the yardstick is
the CPU itself, its float32 matrix-multiply rate. FLOPs are the convolutions' and dense layers'
multiply-adds (two FLOPs each); the elementwise work (group norm, swish, additions) is left out,
so the rates are a floor. A training image costs three forward passes (forward, and the two
products of the backward pass); a sampled image one per DDIM step.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

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


def _training_rate(family, params, images: np.ndarray, epochs: int, interval: int) -> float:
    """Steady training images per second of the template's training node (median epoch after the first)."""
    from deepgen.benchmarks.__main__ import _clocked_node, steady_rate

    times = _clocked_node(family, params, images, images[:256])
    return steady_rate(times, interval * params.batch_size)[0]


def _sampling_rate(denoiser, n_images: int, n_steps: int, jit_compile: bool) -> float:
    """Images per second drawn by DDIM in ``n_steps`` steps, after a one-step call on a batch of
    the same size has traced (and, with XLA, compiled: once per shape) the step."""
    from deepgen.models import diffusion

    sampler = diffusion.DDIMSampler(denoiser, diffusion.cosine_alpha_bars(), jit_compile=jit_compile)
    noise = np.random.default_rng(0).standard_normal((n_images, 28, 28), dtype=np.float32)
    sampler(noise[: sampler.batch_size], 1)
    start = time.perf_counter()
    sampler(noise, n_steps)
    return n_images / (time.perf_counter() - start)


def benchmark_diffusion(images: np.ndarray, params, epochs: int, rounds: int, interval: int, sampled: int) -> dict:
    """Training (``epochs`` epochs of ``interval`` steps) and sampling (``sampled`` images at
    the configured ``sampling_steps``), each with and without XLA in alternating rounds."""
    from deepgen.families import FAMILIES

    family = FAMILIES["diffusion"]
    params = params.model_copy(
        update={
            "gen_interval": interval,
            "steps": epochs * interval,
            "steps_per_execution": min(params.steps_per_execution, interval),
        }
    )
    symmetric = images * 2 - 1
    variants = {"with XLA": True, "without XLA": False}
    training = {name: [] for name in variants}
    sampling = {name: [] for name in variants}
    denoiser = family.build(params)["denoiser"]
    for round_ in range(rounds):
        for name in list(variants) if round_ % 2 == 0 else list(reversed(variants)):
            jit = variants[name]
            training[name].append(
                _training_rate(family, params.model_copy(update={"jit_compile": jit}), symmetric, epochs, interval)
            )
            sampling[name].append(_sampling_rate(denoiser, sampled, params.sampling_steps, jit))
        print(
            f"diffusion round {round_ + 1}/{rounds}: "
            + ", ".join(
                f"{name}: train {training[name][-1]:.0f} img/s, sample {sampling[name][-1]:.1f} img/s"
                for name in variants
            ),
            flush=True,
        )
    forward = forward_flops(denoiser)
    matmul = matmul_gflops()
    row = {
        "model": "diffusion",
        "batch_size": params.batch_size,
        "widths": params.widths,
        "sampling_steps": params.sampling_steps,
        "rounds": rounds,
        "forward_mflops_per_image": round(forward / 1e6, 1),
        "matmul_gflops": round(matmul, 1),
        "variants": {},
    }
    for name in variants:
        train_rate, sample_rate = statistics.median(training[name]), statistics.median(sampling[name])
        train_gflops = train_rate * TRAINING_FLOPS_PER_FORWARD * forward / 1e9
        sample_gflops = sample_rate * params.sampling_steps * forward / 1e9
        row["variants"][name] = {
            "training_images_per_s": round(train_rate, 1),
            "sampling_images_per_s": round(sample_rate, 1),
            "training_gflops": round(train_gflops, 2),
            "sampling_gflops": round(sample_gflops, 2),
            "training_share_of_matmul": round(train_gflops / matmul, 3),
            "sampling_share_of_matmul": round(sample_gflops / matmul, 3),
        }
    print(f"diffusion: {row}", flush=True)
    return row
