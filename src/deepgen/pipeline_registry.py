"""Project pipelines (`kedro registry list`)."""

from __future__ import annotations

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline

from deepgen.pipelines.evaluator.pipeline import comparison

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
