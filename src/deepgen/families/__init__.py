"""The model families, by name: every pipeline, report and tracker iterates this registry.

Adding a family: write its module (parameters, ``build``, ``train``, ``decode``, samplers;
see ``contract.Family``), add its line below, and its block to ``conf/base/parameters_<name>.yml``.
"""

from __future__ import annotations

from importlib import import_module

from .contract import Family, FigureInputs, Sampler, TrainingResult

FAMILIES: dict[str, Family] = {}


def register(family: Family) -> Family:
    """Adds ``family`` to the registry (its name must be new)."""
    if family.name in FAMILIES:
        raise ValueError(f"A model family named '{family.name}' is already registered.")
    FAMILIES[family.name] = family
    return family


# The registry lines: one module of this package per family, in the order reports show them.
for _module in ("ae", "vae", "cvae", "dcgan", "cdcgan", "diffusion"):
    register(import_module(f"{__name__}.{_module}").FAMILY)

__all__ = ["FAMILIES", "Family", "FigureInputs", "Sampler", "TrainingResult", "register"]
