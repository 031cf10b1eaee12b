"""The ``latent_sweep`` pipeline: namespaced instances of the model template, one per family
with an encoder and latent size, sharing one data-processing step, then one report. Each
instance is also a pipeline of its own (``latent_sweep.vae_10``), and the report too
(``latent_sweep.report``): the members ``kedro distribute`` spreads over a cluster."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from deepgen.families import FAMILIES, Family
from deepgen.params import LatentSweepParams, shaping
from deepgen.pipelines import FIGURES, REPORT
from deepgen.pipelines.data_processing import model_inputs
from deepgen.pipelines.family.pipeline import template_inputs, template_nodes
from deepgen.pipelines.wiring import bind, chosen_families, namespaced

from .nodes import reconstruct_examples, report_latent_sweep, report_sweep_over_seeds, resize_latent


def registered_latent_dims() -> list[int]:
    """The sizes to build instances for: ``latent_sweep.latent_dims`` of the run's parameters."""
    return shaping(LatentSweepParams, "latent_sweep").latent_dims


def swept_families() -> list[Family]:
    """The families whose latent size the sweep varies: ``latent_sweep.families`` of the run's
    parameters, or every family with an encoder."""
    with_encoder = [family for family in FAMILIES.values() if family.encode is not None]
    chosen = shaping(LatentSweepParams, "latent_sweep").families
    return chosen_families(chosen, with_encoder, "latent_sweep.families", "swept")


def instance(family: Family, latent_dim: int) -> Pipeline:
    """``family``'s template at one latent size, namespaced ``latent_sweep.<name>_<size>.<name>``;
    its figures are left out (the report draws its own)."""

    networks = {network: network for network in family.networks}
    resized = bind(resize_latent, latent_dim, params_type=family.params)
    nodes = [
        Node(resized, f"params:{family.name}", "sized_params", name="set_latent_dim"),
        *(node for node in template_nodes(family, params="sized_params") if FIGURES not in node.tags),
        Node(
            bind(reconstruct_examples, family),
            {"test_x": "test_x_unit", "test_labels": "test_labels", **networks},
            "examples",
            name="reconstruct_examples",
        ),
    ]
    return namespaced([namespaced(nodes, family.name)], f"latent_sweep.{family.name}_{latent_dim}")


def instances() -> list[tuple[Family, int]]:
    """Every instance's family and latent size."""
    return [(family, dim) for family in swept_families() for dim in registered_latent_dims()]


def member_pipelines() -> dict[str, Pipeline]:
    """Each instance on its own, from the raw files (``latent_sweep.<name>_<size>``): what
    ``kedro distribute`` runs as one task. Its networks, metrics and examples are saved."""
    return {
        f"latent_sweep.{family.name}_{dim}": template_inputs(family.scaling) + instance(family, dim)
        for family, dim in instances()
    }


def report_pipeline() -> Pipeline:
    """The sweep's report from every instance's saved metrics and examples (``latent_sweep.report``)."""
    results = [
        f"latent_sweep.{f.name}_{dim}.{f.name}.{part}" for f, dim in instances() for part in ("metrics", "examples")
    ]
    report = Node(
        report_latent_sweep,
        inputs=["test_x_unit", *results],
        outputs=[f"latent_sweep.{name}" for name in ("curves_plot", "reconstructions_plot", "table", "results")],
        name="report_latent_sweep",
        namespace="latent_sweep",
        tags=REPORT,
    )
    return model_inputs("unit") + Pipeline([report])


def report_over_seeds_pipeline() -> Pipeline:
    """The sweep's curves and table over its seed repeats, mean ± sd (``repeats.latent_sweep``)."""
    report = Node(
        report_sweep_over_seeds,
        "repeats.model_reports",
        ["repeats.latent_sweep_curves_plot", "repeats.latent_sweep_table", "repeats.latent_sweep_results"],
        name="report_sweep_over_seeds",
        namespace="repeats",
        tags=REPORT,
    )
    return Pipeline([report])


def create_pipeline(**kwargs) -> Pipeline:
    """Every instance, in sequence, then the report."""
    return sum(member_pipelines().values(), Pipeline([])) + report_pipeline()
