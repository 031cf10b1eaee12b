"""What the W&B hook hands to a training node through its training context."""

from __future__ import annotations

import logging
from pathlib import Path

from deepgen.datasets.file import free_space, is_disk_full

from .media import image

logger = logging.getLogger(__name__)


class EpochLog:
    """An epoch sink (``deepgen.datasets.runtime.TrainingContext.epoch_sinks``): one history row per
    epoch, with the losses under their tracker names and the family's epoch image. A logging
    error is reported, never raised into training."""

    def __init__(self, run):
        self.run = run
        self.off = False  # a full disk: nothing more is logged

    def __call__(self, row: dict[str, float], epoch_image: tuple | None) -> None:
        if self.off:
            return
        try:
            entry = dict(row)
            if epoch_image is not None:
                name, mosaic, caption = epoch_image
                entry[name] = image(mosaic, f"epoch {row['epoch']}: {caption}")
            self.run.log(entry)
        except Exception as exc:  # tracking must not stop training
            if is_disk_full(exc):
                self.off = True
                where = Path(exc.filename or self.run.dir)
                logger.warning(
                    "W&B could not write %s: no space left on the device (%s free there); no more epochs are "
                    "logged, training goes on.",
                    where,
                    free_space(where),
                )
                return
            logger.warning(
                "W&B logging failed at epoch %s (%s: %s); training goes on.", row.get("epoch"), type(exc).__name__, exc
            )
