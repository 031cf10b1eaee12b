"""The model template: train → embed (families with an encoder) → sample (each sampler) →
evaluate → report, instantiated per family in the family's Kedro namespace
(``<family>.encoder``, ``<family>.samples``, ``<family>.metrics``)."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable

from kedro.pipeline import Node, Pipeline

from deepgen.families import Family
from deepgen.pipelines.data_processing import model_inputs

from . import nodes

FIGURES = "figures"  # the tag of the nodes that only draw (the latent sweep leaves them out)


def bind(func: Callable, *leading, params_type: type | None = None) -> Callable:
    """``func`` with its leading arguments (the family, a sampler) fixed, as Kedro wants a node
    function: its own name and docstring, a signature without them, and ``params_type`` as the
    type of its ``params`` argument, so that Kedro validates that block when a run starts. A
    node given the family's parameters gets the family as they configure it (``Family.configured``)."""
    signature = inspect.signature(func)
    kept = list(signature.parameters.values())[len(leading) :]
    hints = typing.get_type_hints(func)

    def node_function(*args, **kwargs):
        call = signature.bind(*leading, *args, **kwargs)
        if isinstance(call.arguments.get("family"), Family) and "params" in call.arguments:
            call.arguments["family"] = call.arguments["family"].configured(call.arguments["params"])
        return func(*call.args, **call.kwargs)

    node_function.__name__ = node_function.__qualname__ = func.__name__
    node_function.__doc__, node_function.__module__ = func.__doc__, func.__module__
    node_function.__signature__ = signature.replace(parameters=kept)
    node_function.__annotations__ = {p.name: hints[p.name] for p in kept if p.name in hints}
    if params_type is not None and "params" in node_function.__annotations__:
        node_function.__annotations__["params"] = params_type
    return node_function


def samples_dataset(sampler) -> str:
    """``samples`` for the prior (``samples.npy``), ``<sampler>_samples`` for the others."""
    return "samples" if sampler.name == "prior" else f"{sampler.name}_samples"


def training_node(family: Family, params: str, **inputs: str) -> Node:
    """The template's training node for ``family`` (``params``: the input holding its block);
    ``inputs`` replace what it trains on (by default the scaled split, with its labels), as the
    applications do: one digit's images, or corrupted images with clean ``train_targets``."""
    wiring = {
        "train_x": f"train_x_{family.scaling}",
        "train_labels": "train_labels",
        "validation_x": f"validation_x_{family.scaling}",
        "validation_labels": "validation_labels",
        "params": params,
        "seed": "params:seed",
        "training_context": "training_context",
        "classifier": "evaluator_classifier",
        "test_features": "test_features",
    }
    outputs = {name: name for name in (*family.networks, "training_history", "training_stats", "training_extras")}
    return Node(bind(nodes.train, family, params_type=family.params), wiring | inputs, outputs, name="train")


def template_nodes(family: Family, params: str) -> list[Node]:
    """The template's nodes for ``family``, not yet namespaced; ``params`` names the input
    holding its parameter block (``params:<name>``, or a sweep instance's resized copy)."""

    def node(func, inputs, outputs, name, *leading, tags=()):
        return Node(bind(func, family, *leading, params_type=family.params), inputs, outputs, name=name, tags=tags)

    networks = {network: network for network in family.networks}
    wiring = [
        training_node(family, params),
        node(
            nodes.test_metrics,
            {
                "test_x": "test_x_unit",
                "test_labels": "test_labels",
                "params": params,
                "seed": "params:seed",
                **networks,
            },
            "test_metrics",
            "evaluate",
        ),
        node(nodes.plot_training, {"history": "training_history"}, "training_plot", "plot_training", tags=FIGURES),
        node(
            nodes.plot_quality_over_training,
            {"params": params, "history": "training_history"},
            "quality_over_training_plot",
            "plot_quality_over_training",
            tags=FIGURES,
        ),
    ]
    for sampler in family.samplers:
        samples = samples_dataset(sampler)
        wiring += [
            node(
                nodes.draw_samples,
                {"params": params, "seed": "params:seed", "train_x": "train_x_unit", **networks},
                samples,
                f"sample_{sampler.name}",
                sampler,
            ),
            node(
                nodes.score_samples,
                {
                    "samples": samples,
                    "params": params,
                    "test_features": "test_features",
                    "test_neighbour_radii": "test_neighbour_radii",
                    "test_labels": "test_labels",
                    "classifier": "evaluator_classifier",
                    "evaluator_params": "params:evaluator",
                },
                f"{samples}_metrics",
                f"score_{sampler.name}_samples",
            ),
            node(
                nodes.plot_samples,
                {"samples": samples, "params": params},
                f"{samples}_plot",
                f"plot_{sampler.name}_samples",
                sampler,
                tags=FIGURES,
            ),
        ]
    wiring.append(
        node(
            nodes.report,
            {
                "params": params,
                "metrics": "test_metrics",
                "training_stats": "training_stats",
                "training_history": "training_history",
                "train_x": f"train_x_{family.scaling}",
                "test_x": "test_x_unit",
                "environment": "kedro_environment",
                "dataset": "dataset_name",
                "commit": "project_commit",
                "evaluator_checksum": "evaluator_checksum",
                **{sampler.name: f"{samples_dataset(sampler)}_metrics" for sampler in family.samplers},
            },
            "metrics",
            "report",
        )
    )
    if family.encode is not None:
        wiring += [
            node(
                nodes.embed,
                {"images": "test_x_unit", "labels": "test_labels", **networks},
                "latent_embeddings",
                "embed",
            ),
            node(
                nodes.plot_latent_scatter,
                {"embeddings": "latent_embeddings"},
                "latent_scatter_plot",
                "plot_latent_scatter",
                tags=FIGURES,
            ),
            node(
                nodes.plot_latent_traversals,
                {"test_x": "test_x_unit", "test_labels": "test_labels", "embeddings": "latent_embeddings", **networks},
                "latent_traversals_plot",
                "plot_latent_traversals",
                tags=FIGURES,
            ),
            node(
                nodes.plot_reconstructions,
                {"test_x": "test_x_unit", "test_labels": "test_labels", **networks},
                "reconstructions_plot",
                "plot_reconstructions",
                tags=FIGURES,
            ),
        ]
    if family.figures is not None:
        figures = {figure: f"{figure}_plot" for figure in family.figure_names}
        inputs = {
            "test_x": "test_x_unit",
            "test_labels": "test_labels",
            "training_extras": "training_extras",
            "params": params,
            "seed": "params:seed",
            "classifier": "evaluator_classifier",
            "test_features": "test_features",
            **networks,
        }
        wiring.append(node(nodes.plot_family_figures, inputs, figures, "plot_family_figures", tags=FIGURES))
    return wiring


def template_inputs(scaling: str) -> Pipeline:
    """What the template reads from outside its namespace: the split data, scaled for training
    (``unit`` or ``symmetric``) and to [0,1] for evaluation, and the test set's evaluator
    features and their k-NN radii (one node, however many families a run trains)."""
    features = Node(
        nodes.score_test_set,
        ["test_x_unit", "evaluator_classifier", "params:evaluator"],
        ["test_features", "test_neighbour_radii"],
        name="score_test_set",
    )
    return model_inputs(scaling) + Pipeline([features])


def namespaced(nodes_: list[Node], namespace: str) -> Pipeline:
    """``nodes_`` in ``namespace``: what they produce is named ``<namespace>.<name>``; what they
    take from outside (the data, the evaluator, parameters) keeps its name."""
    pipeline = Pipeline(nodes_)
    free = pipeline.inputs()
    return Pipeline(
        pipeline,
        namespace=namespace,
        inputs={name for name in free if not name.startswith("params:")},
        parameters={name for name in free if name.startswith("params:")},
    )


def create_pipeline(family: Family) -> Pipeline:
    """``family``'s model pipeline, namespaced by its name."""
    return namespaced(template_nodes(family, params=f"params:{family.name}"), family.name)
