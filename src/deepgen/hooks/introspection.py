"""What every hook asks of Kedro's nodes and datasets, answered once: is this a training node,
which family and parameter block does it train with, and where does a dataset save."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deepgen.params import FamilyParams

if TYPE_CHECKING:
    from deepgen.families import Family

TRAINING_CONTEXT = "training_context"  # the input every training node, and no other, reads


def trains(node) -> bool:
    """Does ``node`` train a family (it takes the training context the hooks fill)?"""
    return TRAINING_CONTEXT in node.inputs


@dataclass(frozen=True)
class Training:
    """A training node's family and the parameter block it trains with."""

    family: Family
    block: str  # the block's dataset name: ``params:<family>``, or a resized copy (a sweep instance's)
    params: FamilyParams


def training(node, values: dict[str, Any]) -> Training | None:
    """What ``node`` trains, from its input ``values`` by dataset name (a node's ``inputs`` in
    ``before_node_run``; the parameters a catalog holds before the run); None if it trains nothing."""
    if not trains(node):
        return None
    block, params = next(
        ((name, value) for name, value in values.items() if name in node.inputs and isinstance(value, FamilyParams)),
        (None, None),
    )
    return None if params is None else Training(family_of(params), block, params)


def family_blocks(pipeline, catalog) -> dict[str, Training]:
    """Every family parameter block the configuration gives the pipeline's nodes (``params:<family>``,
    read by a training node or by a node that derives its block from it), by block name."""
    names = sorted({name for node in pipeline.nodes for name in node.inputs if name.startswith("params:")})
    values = {name: catalog.load(name) for name in names}
    return {
        name.removeprefix("params:"): Training(family_of(value), name, value)
        for name, value in values.items()
        if isinstance(value, FamilyParams)
    }


def family_of(params: FamilyParams) -> Family:
    """The registered family whose parameter block ``params`` is."""
    from deepgen.families import FAMILIES  # with TensorFlow: not while Kedro reads the settings

    return next(family for family in FAMILIES.values() if type(params) is family.params)


def saved_file(catalog, dataset: str) -> Path | None:
    """Where ``dataset`` saves, if to a file: its catalog entry's ``filepath``, resolved as Kedro
    resolves it (made absolute, patterns filled in); None for datasets kept in memory."""
    filepath = catalog.config_resolver.resolve_pattern(dataset).get("filepath")
    return None if filepath is None else Path(filepath)
