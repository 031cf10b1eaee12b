"""The Kedro hook of a sweep's trial run (``kedro sweep`` sets ``DEEPGEN_SWEEP_TRIAL`` in its
environment): each probe's validation FD goes to the trial's Optuna study, and a trial the
pruner stops ends its training there, leaving ``stopped.json`` (why) in the project, which
tells the sweep's command it was pruned, not broken."""

from __future__ import annotations

import json
import os
from pathlib import Path

from kedro.framework.hooks import hook_impl

from . import introspection

STOPPED = "stopped.json"  # deepgen.distribute.cluster reads it


class TrialPruned(Exception):
    """The pruner stopped this trial: its probes fell behind the other trials'."""


class SweepTrialHooks:
    def __init__(self) -> None:
        self.context = None
        self.project: Path | None = None

    @hook_impl
    def after_context_created(self, context) -> None:
        from deepgen.sweeps.study import TrialContext

        self.context = TrialContext.from_environment(os.environ)
        self.project = Path(context.project_path)

    @hook_impl
    def before_node_run(self, node, inputs: dict) -> None:
        training = introspection.training(node, inputs)
        if self.context is None or training is None:
            return
        sink = PruningReport(self.context.open(), training.params.counted_in(), self.project / STOPPED)
        inputs[introspection.TRAINING_CONTEXT].epoch_sinks.append(sink)


class PruningReport:
    """An epoch sink: the probe's validation FD reported to the trial at its epoch (or step);
    when the pruner says so, the reason written to ``stopped`` and the training stopped."""

    def __init__(self, trial, unit: str, stopped: Path):
        self.trial, self.unit, self.stopped = trial, unit, stopped

    def __call__(self, row: dict, image) -> None:
        fd = row.get("quality/fd")
        if fd is None:
            return
        at = int(row[self.unit])
        self.trial.report(float(fd), at)
        if self.trial.should_prune():
            reason = f"validation FD {fd:.1f} at {self.unit} {at}, behind the median of the trials before it"
            self.stopped.write_text(json.dumps({"reason": reason, self.unit: at, "fd": fd}))
            raise TrialPruned(reason)
