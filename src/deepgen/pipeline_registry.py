"""Project pipelines (`kedro registry list`)."""

from __future__ import annotations

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline

# What `kedro run` with no --pipelines runs: every model end to end.
DEFAULT_PIPELINES = ("ae", "vae", "dcgan")


def register_pipelines() -> dict[str, Pipeline]:
    # Kedro 1.7 imports only the pipelines a run asks for; all of them for `__default__`.
    pipelines = find_pipelines(raise_errors=True)
    if all(name in pipelines for name in DEFAULT_PIPELINES):
        pipelines["__default__"] = sum((pipelines[name] for name in DEFAULT_PIPELINES), Pipeline([]))
    return pipelines
