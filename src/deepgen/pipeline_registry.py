"""Project pipelines (`kedro registry list`): one per registered family, and the rest."""

from __future__ import annotations

import gc

import tensorflow  # noqa: F401 - first of the pipelines' imports, for the freeze below

# TensorFlow and Keras leave ~400,000 objects that live as long as the process; frozen now,
# Python's full garbage collections walk only what the run itself creates. Kedro imports this
# module when a run first asks for a pipeline.
gc.freeze()

from kedro.pipeline import Pipeline  # noqa: E402

from deepgen.training import grow_gpu_memory  # noqa: E402

grow_gpu_memory()  # before any TensorFlow op, which would claim every GPU's whole memory

from deepgen.families import FAMILIES, Family, default_run  # noqa: E402
from deepgen.pipelines import (  # noqa: E402
    anomaly,
    comparison,
    data_processing,
    denoise,
    evaluator,
    generate,
    latent_sweep,
    sweep,
)
from deepgen.pipelines.family import create_pipeline as model_pipeline  # noqa: E402
from deepgen.pipelines.family.pipeline import template_inputs  # noqa: E402


def family_pipeline(family: Family) -> Pipeline:
    """Everything ``kedro run --pipelines=<family>`` needs, from the raw files to the comparison."""
    return template_inputs(family.scaling) + model_pipeline(family) + comparison.create_pipeline([family])


def register_pipelines() -> dict[str, Pipeline]:
    pipelines = {
        "data_processing": data_processing.create_pipeline(),
        "evaluator": evaluator.create_pipeline(),
        "latent_sweep": latent_sweep.create_pipeline(),
        "generate": generate.create_pipeline(),
        "anomaly": anomaly.create_pipeline(),
        "denoise": denoise.create_pipeline(),
    }
    pipelines |= latent_sweep.member_pipelines() | {"latent_sweep.report": latent_sweep.report_pipeline()}
    # `kedro distribute --repeats=N` ends with one of these: its seeds' numbers as mean ± sd.
    pipelines["repeats.comparison"] = comparison.over_seeds_pipeline()
    pipelines["repeats.latent_sweep"] = latent_sweep.report_over_seeds_pipeline()
    # `kedro sweep` runs these: a family's trial, scored on the validation images, and the report.
    pipelines |= sweep.trial_pipelines() | {"sweep.report": sweep.report_pipeline()}
    pipelines |= {name: family_pipeline(family) for name, family in FAMILIES.items()}
    # `kedro run`: every family whose default budget fits the main job, then one comparison.
    models = sum(
        (
            pipelines[family.name] - pipelines[family.name].only_nodes_with_tags("comparison")
            for family in default_run()
        ),
        Pipeline([]),
    )
    pipelines["__default__"] = models + comparison.create_pipeline(default_run())
    pipelines["comparison"] = comparison.create_pipeline([])  # of every saved report: what `kedro distribute` ends with
    return pipelines
