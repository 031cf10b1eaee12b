"""The model families, by name: every pipeline, report and tracker iterates this registry.

Adding a family: write its module (parameters, ``build``, ``train``, ``decode``, samplers;
see ``shared.contract.Family``), add its registry line below, and its block to
``conf/base/parameters_<name>.yml``. What families share lives in ``shared/``.
"""

from __future__ import annotations

from importlib import import_module

from .shared import samplers
from .shared.contract import (
    AnomalyDetection,
    Family,
    FigureInputs,
    Networks,
    Restoration,
    Sampler,
    TrainingData,
    TrainingResult,
    TutorialReference,
)

FAMILIES: dict[str, Family] = {}
_DEFAULT_RUN: list[str] = []  # the families plain `kedro run` trains


def register(family: Family, *, default_run: bool = False) -> Family:
    """Adds ``family`` to the registry (its name must be new); ``default_run``: plain ``kedro
    run`` trains it (its default budget fits the ten-minute run)."""
    if family.name in FAMILIES:
        raise ValueError(f"A model family named '{family.name}' is already registered.")
    FAMILIES[family.name] = family
    if default_run:
        _DEFAULT_RUN.append(family.name)
    return family


def unregister(name: str) -> None:
    """Removes a family (one a test registered)."""
    del FAMILIES[name]
    if name in _DEFAULT_RUN:
        _DEFAULT_RUN.remove(name)


def default_run() -> list[Family]:
    """The families of plain ``kedro run``, in the registry's order."""
    return [family for name, family in FAMILIES.items() if name in _DEFAULT_RUN]


def _register_module(module: str, *, default_run: bool = False) -> None:
    register(import_module(f"{__name__}.{module}").FAMILY, default_run=default_run)


# The registry lines: one module of this package per family, in the order reports show them.
_register_module("ae", default_run=True)
_register_module("vae", default_run=True)
_register_module("iwae")
_register_module("cvae", default_run=True)
_register_module("dcgan", default_run=True)
_register_module("cdcgan", default_run=True)
_register_module("diffusion")
_register_module("latent_diffusion")
_register_module("flow_matching", default_run=True)

__all__ = [
    "FAMILIES",
    "AnomalyDetection",
    "Family",
    "FigureInputs",
    "Networks",
    "Restoration",
    "Sampler",
    "TrainingData",
    "TrainingResult",
    "TutorialReference",
    "default_run",
    "register",
    "samplers",
    "unregister",
]
