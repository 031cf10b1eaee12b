"""What every training node shares, by concern: ``setup`` (seeding, precision, compiling),
``loops`` (``fit`` in epochs or in steps) and ``callbacks`` (clock, probe, report, guard,
checkpoint)."""

from .callbacks import QUALITY, DivergenceGuard, EpochReport, SampleQualityProbe, TrainingCheckpoint
from .loops import fit_epochs, fit_steps, progress_verbosity
from .setup import compile_model, dtype_policy, grow_gpu_memory, start_training

__all__ = [
    "QUALITY",
    "DivergenceGuard",
    "EpochReport",
    "SampleQualityProbe",
    "TrainingCheckpoint",
    "compile_model",
    "dtype_policy",
    "fit_epochs",
    "fit_steps",
    "grow_gpu_memory",
    "progress_verbosity",
    "start_training",
]
