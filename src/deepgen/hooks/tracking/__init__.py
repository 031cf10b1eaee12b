"""Weights & Biases for deepgen: the Kedro hook that owns the runs (``hook``), run settings
and start-up (``runs``), the per-epoch logging handed to training (``callbacks``) and image
conversion (``media``). Nodes and models never import wandb."""

from .hook import WandbHooks

__all__ = ["WandbHooks"]
