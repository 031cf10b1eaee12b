"""Model families' networks, plain Keras 3: no Kedro and no W&B."""

from __future__ import annotations

# Saved networks name the project's own layers (UpsampleConv2D, SinusoidalEmbedding): importing
# the package registers them, so that any model file loads.
from . import adversarial, ddpm  # noqa: F401 - after the helpers they import
from .blocks import conditioned, predict

__all__ = ["conditioned", "predict"]
