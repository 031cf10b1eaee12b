"""The model template: train → embed (families with an encoder) → sample (each sampler) →
evaluate → report, instantiated per family in the family's Kedro namespace
(``<family>.encoder``, ``<family>.samples``, ``<family>.metrics``)."""

from __future__ import annotations

from collections.abc import Callable

from kedro.pipeline import Node, Pipeline

from deepgen.families import Family, Sampler
from deepgen.pipelines import FIGURES
from deepgen.pipelines.data_processing import held_out_inputs, training_inputs
from deepgen.pipelines.wiring import bind, namespaced, unpacked

from . import nodes


def samples_dataset(sampler: Sampler) -> str:
    """``samples`` for the prior (``samples.npy``), ``<sampler>_samples`` for the others."""
    return "samples" if sampler.name == "prior" else f"{sampler.name}_samples"


def training_nodes(family: Family, params: str, **inputs: str) -> list[Node]:
    """The template's training for ``family`` (``params``: the input holding its block): its
    training data gathered, then ``train``. ``inputs`` replace what it trains on (by default the
    scaled split, with its labels), as the applications do: one digit's images, or corrupted
    images with clean ``train_targets``."""
    data = {
        "train_x": f"train_x_{family.scaling}",
        "train_labels": "train_labels",
        "validation_x": f"validation_x_{family.scaling}",
        "validation_labels": "validation_labels",
        "data": "params:data",
    }
    trained = {
        "data": "training_data",
        "params": params,
        "seed": "params:seed",
        "training_context": "training_context",
        "reference": "probe_reference",
    }
    outputs = {name: name for name in (*family.networks, "training_history", "training_stats", "training_extras")}
    return [
        Node(nodes.gather_training_data, data | inputs, "training_data", name="gather_training_data"),
        Node(unpacked(bind(nodes.train, family, params_type=family.params)), trained, outputs, name="train"),
    ]


def changed_training_nodes(family: Family, set_params: Callable, application: str, **inputs: str) -> list[Node]:
    """An application's training of ``family``: its block changed by ``set_params`` (a node
    function of the family, its block and ``params:<application>``) into ``<application>_params``,
    then the template's training with it on ``inputs``."""
    changed = f"{application}_params"
    return [
        Node(
            bind(set_params, family, params_type=family.params),
            [f"params:{family.name}", f"params:{application}"],
            changed,
            name="set_params",
        ),
        *training_nodes(family, changed, **inputs),
    ]


class _Template:
    """The template's nodes for one family, not yet namespaced; ``params`` names the input
    holding its parameter block (``params:<name>``, or a sweep instance's resized copy)."""

    def __init__(self, family: Family, params: str):
        self.family, self.params = family, params
        self.networks = {network: network for network in family.networks}
        self.test = {"test_x": "test_x_unit", "test_labels": "test_labels"}

    def node(self, func, inputs, outputs, name, *leading, tags=()) -> Node:
        bound = bind(func, self.family, *leading, params_type=self.family.params)
        return Node(bound, inputs, outputs, name=name, tags=tags)

    def nodes(self) -> list[Node]:
        wiring = [*training_nodes(self.family, self.params), *self.evaluation(), *self.training_figures()]
        for sampler in self.family.samplers:
            wiring += self.sampling(sampler)
        wiring.append(self.report())
        if self.family.encode is not None:
            wiring += self.encoding()
        if self.family.figures is not None:
            wiring.append(self.family_figures())
        return wiring

    def evaluation(self) -> list[Node]:
        inputs = {
            "images": "test_x_unit",
            "labels": "test_labels",
            "params": self.params,
            "seed": "params:seed",
            **self.networks,
        }
        return [self.node(nodes.held_out_metrics, inputs, "test_metrics", "evaluate")]

    def training_figures(self) -> list[Node]:
        quality = {"params": self.params, "history": "training_history"}
        return [
            self.node(
                nodes.plot_training, {"history": "training_history"}, "training_plot", "plot_training", tags=FIGURES
            ),
            self.node(
                nodes.plot_quality_over_training,
                quality,
                "quality_over_training_plot",
                "plot_quality_over_training",
                tags=FIGURES,
            ),
        ]

    def sampling(self, sampler: Sampler) -> list[Node]:
        samples = samples_dataset(sampler)
        drawn = {
            "params": self.params,
            "seed": "params:seed",
            "train_x": "train_x_unit",
            "data": "params:data",
            **self.networks,
        }
        scored = {
            "samples": samples,
            "params": self.params,
            "real_features": "test_features",
            "real_radii": "test_neighbour_radii",
            "real_labels": "test_labels",
            "classifier": "evaluator_classifier",
            "evaluator_params": "params:evaluator",
        }
        plotted = {"samples": samples, "params": self.params}
        return [
            self.node(nodes.draw_samples, drawn, samples, f"sample_{sampler.name}", sampler),
            self.node(nodes.score_samples, scored, f"{samples}_metrics", f"score_{sampler.name}_samples"),
            self.node(
                nodes.plot_samples, plotted, f"{samples}_plot", f"plot_{sampler.name}_samples", sampler, tags=FIGURES
            ),
        ]

    def report(self) -> Node:
        inputs = {
            "params": self.params,
            "metrics": "test_metrics",
            "training_stats": "training_stats",
            "training_history": "training_history",
            "train_x": f"train_x_{self.family.scaling}",
            "test_x": "test_x_unit",
            "environment": "kedro_environment",
            "dataset": "dataset_name",
            "commit": "project_commit",
            "evaluator_checksum": "evaluator_checksum",
            "data": "params:data",
            "seed": "params:seed",
            "test_set": "test_set",
            **{sampler.name: f"{samples_dataset(sampler)}_metrics" for sampler in self.family.samplers},
        }
        return self.node(nodes.report, inputs, "metrics", "report")

    def encoding(self) -> list[Node]:
        """What a family with an encoder adds: embeddings and the figures drawn from them."""
        embedded = {"images": "test_x_unit", "labels": "test_labels", **self.networks}
        traversed = {**self.test, "embeddings": "latent_embeddings", **self.networks}
        return [
            self.node(nodes.embed, embedded, "latent_embeddings", "embed"),
            self.node(
                nodes.plot_latent_scatter,
                {"embeddings": "latent_embeddings"},
                "latent_scatter_plot",
                "plot_latent_scatter",
                tags=FIGURES,
            ),
            self.node(
                nodes.plot_latent_traversals,
                traversed,
                "latent_traversals_plot",
                "plot_latent_traversals",
                tags=FIGURES,
            ),
            self.node(
                nodes.plot_reconstructions,
                {**self.test, **self.networks},
                "reconstructions_plot",
                "plot_reconstructions",
                tags=FIGURES,
            ),
        ]

    def family_figures(self) -> Node:
        inputs = {
            **self.test,
            "training_extras": "training_extras",
            "params": self.params,
            "seed": "params:seed",
            "classifier": "evaluator_classifier",
            "test_features": "test_features",
            **self.networks,
        }
        figures = {figure: f"{figure}_plot" for figure in self.family.figure_names}
        return self.node(nodes.plot_family_figures, inputs, figures, "plot_family_figures", tags=FIGURES)


def template_nodes(family: Family, params: str) -> list[Node]:
    """The template's nodes for ``family``, not yet namespaced; ``params`` names the input
    holding its parameter block (``params:<name>``, or a sweep instance's resized copy)."""
    return _Template(family, params).nodes()


def selection_inputs(scaling: str) -> Pipeline:
    """What training and selection read: the training split, scaled for training (``unit`` or
    ``symmetric``) and to [0,1], the validation images' evaluator features and k-NN radii, and
    what training probes score against (the validation features): never the test set."""
    validation = Node(
        nodes.score_real_images,
        ["validation_x_unit", "evaluator_classifier", "params:evaluator"],
        ["validation_features", "validation_neighbour_radii"],
        name="score_validation_set",
    )
    reference = Node(
        nodes.probe_reference,
        ["evaluator_classifier", "validation_features"],
        "probe_reference",
        name="probe_reference",
    )
    return training_inputs(scaling) + Pipeline([validation, reference])


def template_inputs(scaling: str) -> Pipeline:
    """What the template reads from outside its namespace: ``selection_inputs``, and the test
    set, its evaluator features and their k-NN radii, scored once at the end (one node each,
    however many families a run trains)."""
    test = Node(
        nodes.score_real_images,
        ["test_x_unit", "evaluator_classifier", "params:evaluator"],
        ["test_features", "test_neighbour_radii"],
        name="score_test_set",
    )
    return selection_inputs(scaling) + held_out_inputs() + Pipeline([test])


def create_pipeline(family: Family) -> Pipeline:
    """``family``'s model pipeline, namespaced by its name."""
    return namespaced(template_nodes(family, params=f"params:{family.name}"), family.name)
