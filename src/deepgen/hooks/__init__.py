"""Everything Kedro calls around deepgen's nodes: the hooks ``settings.py`` registers. They read
nodes and datasets through ``introspection`` and import no pipeline module.

- ``provenance.EnvironmentHooks``: the run's environment and dataset name, in the catalog;
- ``locks.FamilyLockHooks``: one run at a time writes a family's outputs in an environment;
- ``outputs.FamilyOutputsHooks``: each family's saved outputs stay one consistent set;
- ``tracking.WandbHooks``: the Weights & Biases runs;
- ``checkpoints.CheckpointHooks``: resumable training;
- ``bounds.ParameterBoundsHooks``: values that cannot work together stop a run before any node;
- ``sweep.SweepTrialHooks``: a sweep trial's probes reported to its study, and its pruning.
"""

from .bounds import ParameterBoundsHooks
from .checkpoints import CheckpointHooks
from .locks import FamilyLockHooks
from .outputs import FamilyOutputsHooks
from .provenance import EnvironmentHooks
from .sweep import SweepTrialHooks
from .tracking import WandbHooks

__all__ = [
    "CheckpointHooks",
    "EnvironmentHooks",
    "FamilyLockHooks",
    "FamilyOutputsHooks",
    "ParameterBoundsHooks",
    "SweepTrialHooks",
    "WandbHooks",
]
