"""A sweep's pipelines: one trial of a family (``sweep.<family>``: trained as the template
trains it, its prior samples and reconstructions scored against the validation images, never
the test set), and the study's report (``sweep.report``). ``kedro sweep`` runs the trials as
tasks, each in a scratch project of its own, then the report here."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from deepgen.families import FAMILIES, Family
from deepgen.pipelines import REPORT
from deepgen.pipelines.family import nodes as template
from deepgen.pipelines.family.pipeline import samples_dataset, selection_inputs, training_nodes
from deepgen.pipelines.wiring import bind, namespaced

from .nodes import summarize_sweep, trial_report


def trial(family: Family) -> Pipeline:
    """``family`` trained with its block (``params:<family>``, which the sweep's ``--params``
    change), then its samplers' samples, reconstructions and own metrics scored on the
    validation images: ``sweep.<family>.trial``."""
    params = f"params:{family.name}"
    networks = {network: network for network in family.networks}

    def node(func, inputs, outputs, name, *leading):
        return Node(bind(func, family, *leading, params_type=family.params), inputs, outputs, name=name)

    drawn = {"params": params, "seed": "params:seed", "train_x": "train_x_unit", "data": "params:data", **networks}
    scored = {
        "params": params,
        "real_features": "validation_features",
        "real_radii": "validation_neighbour_radii",
        "real_labels": "validation_labels",
        "classifier": "evaluator_classifier",
        "evaluator_params": "params:evaluator",
    }
    sampling = [
        sampled
        for sampler in family.samplers
        for sampled in (
            node(template.draw_samples, drawn, samples_dataset(sampler), f"sample_{sampler.name}", sampler),
            node(
                template.score_samples,
                {"samples": samples_dataset(sampler), **scored},
                f"{samples_dataset(sampler)}_metrics",
                f"score_{sampler.name}_samples",
            ),
        )
    ]
    validation = {"images": "validation_x_unit", "labels": "validation_labels"}
    reported = {
        "params": params,
        "metrics": "validation_metrics",
        "training_stats": "training_stats",
        "training_history": "training_history",
        "train_x": f"train_x_{family.scaling}",
        "validation_x": "validation_x_unit",
        "environment": "kedro_environment",
        "dataset": "dataset_name",
        "commit": "project_commit",
        "data": "params:data",
        "seed": "params:seed",
        **{sampler.name: f"{samples_dataset(sampler)}_metrics" for sampler in family.samplers},
    }
    nodes = [
        *training_nodes(family, params),
        *sampling,
        node(
            template.held_out_metrics,
            {**validation, "params": params, "seed": "params:seed", **networks},
            "validation_metrics",
            "evaluate",
        ),
        node(trial_report, reported, "trial", "report"),
    ]
    return selection_inputs(family.scaling) + namespaced([namespaced(nodes, family.name)], "sweep")


def trial_pipelines() -> dict[str, Pipeline]:
    """A trial pipeline per family, ``sweep.<family>``."""
    return {f"sweep.{family.name}": trial(family) for family in FAMILIES.values()}


def report_pipeline() -> Pipeline:
    """The study's table, history and importances (``sweep.report``), from the ``sweep.study``
    ``kedro sweep`` records for the sweep named by the run's ``sweep_name`` runtime parameter."""
    report = Node(
        summarize_sweep,
        "sweep.study",
        ["sweep.table", "sweep.results", "sweep.history_plot", "sweep.importances_plot"],
        name="summarize_sweep",
        namespace="sweep",
        tags=REPORT,
    )
    return Pipeline([report])
