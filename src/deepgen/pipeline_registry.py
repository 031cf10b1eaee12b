"""Project pipelines (`kedro registry list`)."""

from __future__ import annotations

import gc

import tensorflow  # noqa: F401 - first of the pipelines' imports, for the freeze below

# TensorFlow and Keras leave ~400,000 objects that live as long as the process, and each full
# collection of Python's garbage collector would walk them all (~0.25 s each here, two in a
# smoke run). Frozen now, collections see only what the run itself creates. Kedro imports this
# module when a run first asks for a pipeline; deepgen.hooks leaves TensorFlow's import to it.
gc.freeze()

from kedro.framework.project import find_pipelines  # noqa: E402
from kedro.pipeline import Pipeline  # noqa: E402

from deepgen.pipelines.evaluator.pipeline import comparison  # noqa: E402

# What `kedro run` with no --pipelines runs: every model end to end, then one comparison.
DEFAULT_PIPELINES = ("ae", "vae", "dcgan")


def register_pipelines() -> dict[str, Pipeline]:
    # Kedro 1.7 imports only the pipelines a run asks for; all of them for `__default__`.
    pipelines = find_pipelines(raise_errors=True)
    if all(name in pipelines for name in DEFAULT_PIPELINES):
        # Each model pipeline compares after itself; together, one comparison after all of them.
        models = [pipelines[name] - pipelines[name].only_nodes_with_tags("comparison") for name in DEFAULT_PIPELINES]
        pipelines["__default__"] = sum(models, Pipeline([])) + comparison(*DEFAULT_PIPELINES)
    return pipelines
