"""Project settings: https://docs.kedro.org/en/stable/configure/configuration_basics/

Also what loading the project does to the process: TensorFlow's native start-up lines are
filtered where they are written. Importing TensorFlow writes a few lines from C++ straight to
the process's stderr, before its logging honours ``TF_CPP_MIN_LOG_LEVEL`` (absl logs everything
until it is initialised): on a machine without a GPU, "Could not find cuda drivers" and absl's
notice about it. They read like errors and say nothing a Python exception would not.
``quiet_import`` captures file descriptor 2 while a module is first imported and writes back
every line but those."""

import contextlib
import importlib.util
import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator

from deepgen.datasets.catalog import InMemoryWithoutCopiesCatalog
from deepgen.hooks import (
    CheckpointHooks,
    EnvironmentHooks,
    FamilyLockHooks,
    FamilyOutputsHooks,
    ParameterBoundsHooks,
    SweepTrialHooks,
    WandbHooks,
)
from deepgen.pipelines import REPORT

HARMLESS = (
    "All log messages before absl::InitializeLog() is called are written to STDERR",
    "cudart_stub.cc",  # "Could not find cuda drivers on your machine, GPU will not be used."
    "cpu_feature_guard.cc",  # "This TensorFlow binary is optimized to use available CPU instructions"
    "To enable the following instructions:",  # its second line
    "oneDNN custom operations are on",  # on CPUs with oneDNN's fast paths: numbers may differ in the last bits
)


@contextlib.contextmanager
def native_stderr_without(harmless: tuple[str, ...]) -> Iterator[None]:
    """Everything written to fd 2 meanwhile (by C++ or Python), less lines containing one of
    ``harmless``, written back when the block ends (also when it raises)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [
                line
                for line in captured.read().decode(errors="replace").splitlines(keepends=True)
                if not any(marker in line for marker in harmless)
            ]
            sys.stderr.write("".join(kept))
            sys.stderr.flush()


class _QuietFirstImport:
    """A meta-path finder that runs one module's first import inside ``native_stderr_without``."""

    def __init__(self, name: str):
        self.name = name

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)  # once; and so that find_spec below finds the real spec
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def quiet(module):
            with native_stderr_without(HARMLESS):
                exec_module(module)

        spec.loader.exec_module = quiet
        return spec


def quiet_import(name: str = "tensorflow") -> None:
    """Filter ``name``'s native start-up lines when it is first imported (no effect once imported)."""
    if name not in sys.modules and not any(isinstance(f, _QuietFirstImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietFirstImport(name))


# TensorFlow's C++ start-up lines (CUDA probes on a machine without a GPU) read like errors
# and say nothing a Python exception would not; TF_CPP_MIN_LOG_LEVEL=0 brings them back.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if os.environ["TF_CPP_MIN_LOG_LEVEL"] != "0":
    quiet_import("tensorflow")  # the few it writes before its logging reads that variable

# Each family's model traces its own training step once; TensorFlow counts those traces
# together (same code location) and warns of retracing, which is not happening.
logging.getLogger("tensorflow").addFilter(lambda record: "triggered tf.function retracing" not in record.getMessage())

# Kedro's config loader calls OmegaConf's renamed resolver API: nothing a user can act on.
warnings.filterwarnings("ignore", message=r"register_new_resolver\(\) is deprecated", category=UserWarning)

# Reports read other namespaces' outputs by their full names (`comparison` reads `<family>.metrics`),
# which is what namespaces are for; Kedro's advice against dots in such names does not apply.
warnings.filterwarnings("ignore", message="One or more dataset names contain '.' characters")

# pluggy calls hooks in reverse order of registration: the bounds check runs first, then the
# family locks (before anything is copied or opened), and the checkpoint hook prepares a
# training's checkpoint before the tracker records its run there.
HOOKS = (
    EnvironmentHooks(),
    FamilyOutputsHooks(),
    SweepTrialHooks(),  # called after the tracker: a pruned trial's last probe is logged before it stops
    WandbHooks(report_tag=REPORT),  # a report node's outputs go to its namespace's run
    CheckpointHooks(),
    FamilyLockHooks(),
    ParameterBoundsHooks(),
)

# kedro-viz's own hooks record each run's node durations and dataset sizes (.viz/stats.json)
# for its run-status view; they cost little (docs/performance.md). DEEPGEN_VIZ_HOOKS=off
# leaves them out.
DISABLE_HOOKS_FOR_PLUGINS = ("kedro-viz",) if os.environ.get("DEEPGEN_VIZ_HOOKS", "on") == "off" else ()

DATA_CATALOG_CLASS = InMemoryWithoutCopiesCatalog

CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    # Environments override single keys, not whole blocks: `--params=<family>.epochs=2`
    # or an epochs key in conf/smoke leave the block's other keys as in conf/base.
    "merge_strategy": {"parameters": "soft"},
    # W&B settings are not parameters: conf/<env>/wandb.yml, as kedro-mlflow keeps mlflow.yml.
    "config_patterns": {"wandb": ["wandb*", "wandb*/**"]},
}
