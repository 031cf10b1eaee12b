"""What every pipeline module wires with: node functions with their leading arguments bound,
and namespaced groups of nodes."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable

from kedro.pipeline import Node, Pipeline

from deepgen.families import Family


def bind(func: Callable, *leading, params_type: type | None = None) -> Callable:
    """``func`` with its leading arguments (the family, a sampler, a digit) fixed, as Kedro wants
    a node function: its own name and docstring, a signature without them, and ``params_type``
    as the type of its ``params`` argument, so that Kedro validates that block when a run starts.
    A node given the family's parameters gets the family as they configure it (``Family.configured``)."""
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


def unpacked(func: Callable) -> Callable:
    """``func`` (a node function returning a typed result with ``outputs()``) as Kedro calls a
    node with several outputs: the result's ``outputs()``, a dict by output name."""

    @functools.wraps(func)
    def node_function(*args, **kwargs):
        return func(*args, **kwargs).outputs()

    return node_function


def namespaced(nodes: list[Node] | Pipeline, namespace: str) -> Pipeline:
    """``nodes`` in ``namespace``: what they produce is named ``<namespace>.<name>``; what they
    take from outside (the data, the evaluator, parameters) keeps its name."""
    pipeline = Pipeline(nodes)
    free = pipeline.inputs()
    return Pipeline(
        pipeline,
        namespace=namespace,
        inputs={name for name in free if not name.startswith("params:")},
        parameters={name for name in free if name.startswith("params:")},
    )


def chosen_families(names: list[str] | None, capable: list[Family], key: str, able: str) -> list[Family]:
    """The families a parameter ``key`` names (``names``; None: every one of ``capable``), in
    the order it names them; a name outside ``capable`` is an error that lists them (``able``
    says what they are able to do: "swept", "scored for anomalies")."""
    by_name = {family.name: family for family in capable}
    if names is None:
        return capable
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise ValueError(
            f"{key}: {', '.join(unknown)} cannot be {able}; the families that can are {', '.join(by_name)}."
        )
    return [by_name[name] for name in names]
