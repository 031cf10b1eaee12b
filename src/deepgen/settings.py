"""Project settings: https://docs.kedro.org/en/stable/configure/configuration_basics/"""

from deepgen.catalog import InMemoryWithoutCopiesCatalog
from deepgen.hooks import CheckpointHooks, ProvenanceHooks, WandbHooks

HOOKS = (ProvenanceHooks(), CheckpointHooks(), WandbHooks())

# kedro-viz registers hooks of its own into every `kedro run` (it writes .viz/); the
# project's runs don't need them.
DISABLE_HOOKS_FOR_PLUGINS = ("kedro-viz",)

DATA_CATALOG_CLASS = InMemoryWithoutCopiesCatalog

CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    # Environments override single keys, not whole blocks: `--params=vae.epochs=2`
    # or conf/smoke's `ae.epochs` leave the block's other keys as in conf/base.
    "merge_strategy": {"parameters": "soft"},
    # W&B settings are not parameters: conf/<env>/wandb.yml, as kedro-mlflow keeps mlflow.yml.
    "config_patterns": {"wandb": ["wandb*", "wandb*/**"]},
}
