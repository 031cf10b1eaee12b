"""The Kedro hook that stops a run before any node when parameter values cannot work
together: values each block validates alone (``deepgen.params``) but that fail against the
data or the machine, or a runner deepgen does not run with. Each error names what to change."""

from __future__ import annotations

import math

from kedro.framework.hooks import hook_impl

from . import introspection

TRAINING_POOL = "raw_train"  # the raw training images the data_processing pipeline splits
SEED_LIMIT = 2**32  # NumPy's and TensorFlow's seeds are unsigned 32-bit integers
# Bytes per activation value held during a training step: the forward value, its gradient,
# and room for the temporaries of the families that run a network on several batches per
# step (the GAN's discriminator sees real, generated and generated again), at 4 bytes each.
BYTES_PER_ACTIVATION = 4 * 3


class ParameterBoundsHooks:
    @hook_impl
    def before_pipeline_run(self, run_params: dict, pipeline, catalog) -> None:
        check_runner(run_params.get("runner"))
        if "params:seed" in catalog:
            check_seed(catalog.load("params:seed"))
        trainings = introspection.family_blocks(pipeline, catalog)
        if not trainings or TRAINING_POOL not in catalog or "params:data" not in catalog:
            return
        n_train, _ = catalog.load("params:data").split_sizes(catalog.get(TRAINING_POOL).count())
        for block, training in trainings.items():
            check_training_set(block, training.family.min_train_images, training.params.batch_size, n_train)
            per_image = activations_per_image(training.family.build(training.params))
            check_memory(block, training.params.batch_size, per_image, available_memory())


def check_runner(runner: str | None) -> None:
    """Only Kedro's SequentialRunner: Kedro records the runner as its class name or repr."""
    if runner in (None, "None") or "SequentialRunner" in runner:
        return
    name = runner.rpartition(".")[2].split()[0]
    raise RuntimeError(
        f"deepgen runs its pipelines with Kedro's SequentialRunner, not {name}: every training already uses "
        "all the cores through TensorFlow, the project's hooks (checkpoints, W&B, kept outputs) follow each node "
        "in this process, and ParallelRunner would copy every array and network between processes. Run without "
        "--runner; to train several families side by side, `kedro distribute --pipelines=<family>,<family>` runs each as a "
        "task of a Dask cluster, here or on other machines."
    )


def check_seed(seed) -> None:
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < SEED_LIMIT:
        raise ValueError(
            f"seed = {seed!r}: it must be a whole number from 0 to {SEED_LIMIT - 1} (set it in parameters.yml)."
        )


def check_training_set(block: str, minimum: int, batch_size: int, n_train: int) -> None:
    if n_train < minimum:
        raise ValueError(
            f"{block} would train on {n_train} images (data.max_train_images less the data.validation_fraction "
            f"held out); it needs at least {minimum}. Raise data.max_train_images."
        )
    if batch_size > n_train:
        raise ValueError(
            f"{block}.batch_size = {batch_size} is larger than the {n_train} training images; "
            f"lower {block}.batch_size or raise data.max_train_images."
        )


def check_memory(block: str, batch_size: int, per_image: int, available: int | None) -> None:
    """Reject a batch whose activations alone exceed the memory free now: TensorFlow would try to
    allocate it and take the machine down (or be killed) instead of failing cleanly."""
    needed = batch_size * per_image * BYTES_PER_ACTIVATION
    if available is not None and needed > available:
        raise ValueError(
            f"{block}.batch_size = {batch_size} needs about {needed / 2**30:.1f} GiB for one training step's "
            f"activations; {available / 2**30:.1f} GiB of memory is free. Lower {block}.batch_size."
        )


def activations_per_image(networks: dict) -> int:
    """Values every layer of the networks outputs for one image."""
    total = 0
    for network in networks.values():
        for layer in network.layers:
            outputs = layer.output if isinstance(layer.output, list | tuple) else [layer.output]
            total += sum(math.prod(output.shape[1:]) for output in outputs)
    return total


def available_memory() -> int | None:
    """Bytes of memory free for a new allocation (Linux's MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo") as meminfo:
            fields = dict(line.split(":", 1) for line in meminfo)
        return int(fields["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return None
