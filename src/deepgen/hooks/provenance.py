"""The Kedro hook that records where a result came from: the run's environment and dataset."""

from __future__ import annotations

from kedro.framework.hooks import hook_impl
from kedro.io import MemoryDataset

from deepgen.params import use_run_configuration


class EnvironmentHooks:
    """Puts the run's Kedro environment (``--env``, else the default run environment) in the
    catalog as ``kedro_environment``, and the name of the data it reads (the raw training set's
    ``source``: ``mnist``, ``fashion-mnist``, an image folder's name; ``binarized-mnist`` where
    the run binarizes it) as ``dataset_name``: reports and checkpoints record which settings
    made them, reports also which data; and the files each raw dataset reads as ``raw_files``,
    which the checks of the raw data name. Hands the run's configuration to the pipelines it
    shapes (``params.shaping``)."""

    def __init__(self) -> None:
        self.environment = "unknown"

    @hook_impl
    def after_context_created(self, context) -> None:
        self.environment = context.env or context.config_loader.default_run_env or "base"
        use_run_configuration(context.config_loader)  # before Kedro builds this run's pipelines

    @hook_impl
    def after_pipeline_run(self) -> None:
        use_run_configuration(None)

    @hook_impl
    def on_pipeline_error(self) -> None:
        use_run_configuration(None)

    @hook_impl
    def after_catalog_created(self, catalog, parameters) -> None:
        catalog["kedro_environment"] = MemoryDataset(self.environment, copy_mode="assign")
        if "raw_train" in catalog:
            source = getattr(catalog["raw_train"], "source", "unknown")
            binarized = getattr(parameters.get("params:data"), "binarize", False)  # validated: a DataParams
            catalog["dataset_name"] = MemoryDataset(f"binarized-{source}" if binarized else source, copy_mode="assign")
        raw = {name: catalog[name].files for name in ("raw_train", "raw_test") if hasattr(catalog.get(name), "files")}
        catalog["raw_files"] = MemoryDataset(raw, copy_mode="assign")
