"""Project settings: https://docs.kedro.org/en/stable/configure/configuration_basics/"""

import logging
import os
import warnings

from deepgen.bounds import ParameterBoundsHooks
from deepgen.catalog import InMemoryWithoutCopiesCatalog
from deepgen.checkpoints import CheckpointHooks
from deepgen.native_logs import quiet_import
from deepgen.outputs import FamilyOutputsHooks
from deepgen.provenance import EnvironmentHooks
from deepgen.tracking import WandbHooks

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

# pluggy calls hooks in reverse order of registration: the bounds check runs first, and the
# checkpoint hook prepares a training's checkpoint before the tracker records its run there.
HOOKS = (EnvironmentHooks(), FamilyOutputsHooks(), WandbHooks(), CheckpointHooks(), ParameterBoundsHooks())

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
