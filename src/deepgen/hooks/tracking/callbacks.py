"""What the W&B hook hands to a training node through its training context."""

from __future__ import annotations

import logging

from .media import image

logger = logging.getLogger(__name__)


class EpochLog:
    """An epoch sink (``deepgen.training.TrainingContext.epoch_sinks``): one history row per
    epoch, with the losses under their tracker names and the family's epoch image. A logging
    error is reported, never raised into training."""

    def __init__(self, run):
        self.run = run

    def __call__(self, row: dict[str, float], epoch_image: tuple | None) -> None:
        try:
            entry = dict(row)
            if epoch_image is not None:
                name, mosaic, caption = epoch_image
                entry[name] = image(mosaic, f"epoch {row['epoch']}: {caption}")
            self.run.log(entry)
        except Exception as exc:  # tracking must not stop training
            logger.warning(
                "W&B logging failed at epoch %s (%s: %s); training goes on.", row.get("epoch"), type(exc).__name__, exc
            )
