"""The ``latent_sweep`` pipeline: namespaced instances of the AE and VAE pipelines, one per
latent size, sharing one data-processing step, then one report."""

from __future__ import annotations

from pathlib import Path

import yaml
from kedro.framework.project import settings
from kedro.pipeline import Node, Pipeline

from deepgen.params import AEParams, LatentSweepParams, VAEParams
from deepgen.pipelines import ae, vae
from deepgen.pipelines.data_processing import create_pipeline as data_processing
from deepgen.pipelines.data_processing import unit_scaled_inputs

from .nodes import report_latent_sweep, resize_latent

SHARED_INPUTS = {"train_x_unit", "validation_x_unit", "test_x_unit", "test_labels", "evaluator_classifier"}
FAMILIES = {"ae": (ae.pipeline.model_pipeline, AEParams), "vae": (vae.pipeline.model_pipeline, VAEParams)}


def registered_latent_dims() -> list[int]:
    """The sizes to build instances for: ``latent_sweep.latent_dims`` in conf/base (pipelines
    are built before a run's parameters are known, so the list is read from the file)."""
    path = Path.cwd() / settings.CONF_SOURCE / "base" / "parameters_latent_sweep.yml"
    if not path.is_file():
        return list(LatentSweepParams().latent_dims)
    return LatentSweepParams(**yaml.safe_load(path.read_text())["latent_sweep"]).latent_dims


def instance(model: str, latent_dim: int) -> Pipeline:
    """The ``model`` pipeline at one latent size, namespaced ``latent_sweep.<model>_<size>``."""
    model_pipeline, block = FAMILIES[model]

    def set_latent_dim(params):  # not functools.partial: Kedro reads node functions' type hints
        return resize_latent(params, latent_dim, block)

    sized = Node(set_latent_dim, f"params:{model}", f"{model}_params", name="set_latent_dim")
    # Figures of each instance would only be kept in memory: the report draws its own.
    nodes = [node for node in model_pipeline(params=f"{model}_params").nodes if not node.outputs[0].endswith("_plot")]
    return Pipeline(
        [sized, *nodes],
        namespace=f"latent_sweep.{model}_{latent_dim}",
        inputs=SHARED_INPUTS,
        parameters={f"params:{model}", "params:seed", "params:evaluator"},
    )


def create_pipeline(**kwargs) -> Pipeline:
    dims = registered_latent_dims()
    instances = [(model, dim) for model in FAMILIES for dim in dims]
    results = {
        f"{model}_{dim}_{part}": f"latent_sweep.{model}_{dim}.{model}_{part}"
        for model, dim in instances
        for part in ("metrics", "encoder", "decoder")
    }
    report = Node(
        report_latent_sweep,
        inputs={"test_x": "test_x_unit", "sweep": "params:latent_sweep", **results},
        outputs=["latent_sweep_curves_plot", "latent_sweep_reconstructions_plot", "latent_sweep_table", "latent_sweep_results"],
        name="report_latent_sweep",
        namespace="latent_sweep",  # it reads the instances' `latent_sweep.…` datasets (else Kedro warns of dotted names)
    )
    return data_processing() + unit_scaled_inputs() + sum((instance(m, d) for m, d in instances), Pipeline([])) + Pipeline([report])
