"""The Kedro hook that owns the W&B runs: one per namespace that trains (``<family>``,
``latent_sweep.<family>_<size>.<family>``) or reports (``comparison``, ``latent_sweep``), grouped by the
Kedro run id. It knows the family contract's shapes, never a particular family."""

from __future__ import annotations

import functools
import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from kedro.config import MissingConfigException
from kedro.framework.hooks import hook_impl

from deepgen.datasets.file import free_space, is_disk_full
from deepgen.report import Comparison, Likelihoods, ModelReport, OneClassReport, SweepStudy, TrialReport, git_commit

from .. import introspection
from ..checkpoints import TRACKER_RUN, resumed_tracker_run
from . import runs

logger = logging.getLogger(__name__)


def _safely(method):
    """Tracking must never fail a pipeline: the first error turns it off for the run."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        if self.mode == "disabled":
            return None
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # whatever W&B raises, the pipeline goes on
            if is_disk_full(exc):
                where = Path(exc.filename) if exc.filename else self.project_path / "wandb"
                logger.warning(
                    "W&B could not write %s: no space left on the device (%s free there); tracking is off for "
                    "the rest of this run.",
                    where,
                    free_space(where),
                )
            else:
                logger.warning(
                    "W&B tracking failed (%s: %s); it is off for the rest of this run.", type(exc).__name__, exc
                )
            self.mode = "disabled"
            return None

    return guarded


class WandbHooks:
    """Training nodes get an epoch sink (losses and the family's epoch image per epoch); model
    reports go to the run summary, saved figures and embeddings to the run, saved networks to
    versioned artifacts, the comparison and sweep tables to tables. Settings:
    ``conf/<env>/wandb.yml``."""

    def __init__(self, report_tag: str) -> None:
        self.report_tag = report_tag  # the tag of nodes whose outputs go to a run of their namespace's name
        self.mode = "disabled"
        self.settings = runs.WandbSettings()
        self.api_key: str | None = None
        self.project_path: Path | None = None
        self.base_config: dict = {}
        self.group: str | None = None
        self.catalog = None
        self.runs: dict[str, Future] = {}  # W&B runs by name, opened on the tracking thread
        self.owners: dict[str, str] = {}  # dataset name → run, for the outputs of tracked nodes
        self._worker: ThreadPoolExecutor | None = None

    @hook_impl
    def after_context_created(self, context) -> None:
        try:
            self.settings = runs.WandbSettings(**_optional_config(context.config_loader, "wandb"))
            credentials = _optional_config(context.config_loader, "credentials").get("wandb") or {}
        except Exception as exc:  # a bad wandb.yml must not stop the pipeline either
            logger.warning("W&B tracking is off: conf/*/wandb.yml is not valid (%s).", exc)
            return
        self.api_key = credentials.get("api_key")
        self.mode = runs.resolve_mode(self.settings.mode, self.api_key)
        self.project_path = Path(context.project_path)
        self.base_config = {"kedro_env": context.env or "local", "git_commit": git_commit(context.project_path)}
        self._import_wandb()  # before TensorFlow: Kedro loads the pipelines after this hook

    @_safely
    def _import_wandb(self) -> None:
        runs.import_wandb()

    @hook_impl
    @_safely
    def before_pipeline_run(self, run_params: dict, pipeline, catalog) -> None:
        # One group per Kedro run; `kedro distribute` puts its members' runs in one group of its own.
        self.group = os.environ.get("WANDB_RUN_GROUP") or run_params["run_id"]
        self.base_config["kedro_pipelines"] = run_params.get("pipeline_names")
        self.catalog = catalog
        # W&B work that would hold the pipeline up runs on one tracking thread, in order; the
        # runs open now, while the data loads (starting W&B's service takes a moment).
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wandb")
        for node in pipeline.nodes:
            name = self._run_name(node)
            if name and not (
                self.report_tag in node.tags and os.environ.get("WANDB_SWEEP_ID")
            ):  # a sweep agent owns one run
                # A training that resumes from its checkpoint continues the W&B run it started.
                trains = introspection.trains(node)
                resumed = resumed_tracker_run(catalog, node) if trains else None
                continued = {"id": resumed, "resume": "allow"} if resumed else {}
                self._open(name, job_type="train" if trains else "evaluate", **continued)

    def _run_name(self, node) -> str | None:
        """The W&B run a node's outputs belong to: its namespace, if it trains or reports."""
        tracked = introspection.trains(node) or self.report_tag in node.tags
        return node.namespace if node.namespace and tracked else None

    def _open(self, name: str, **run_args) -> None:
        if name not in self.runs:
            shown, config = _sweep_naming(name, dict(self.base_config))
            self.runs[name] = self._worker.submit(self._start, shown, config=config, **run_args)

    def _run(self, name: str):
        """The open run called ``name`` (waits while it is still opening)."""
        return self.runs[name].result()

    @hook_impl
    @_safely
    def before_node_run(self, node, catalog, inputs: dict) -> None:
        training = introspection.training(node, inputs)
        if training is None or node.namespace not in self.runs:
            return
        from .callbacks import EpochLog

        params, context = training.params, inputs[introspection.TRAINING_CONTEXT]
        data = catalog.load("params:data")
        config = {
            **params.model_dump(),
            "data": data.model_dump() if hasattr(data, "model_dump") else data,
            "seed": inputs.get("params:seed"),
            **self.base_config,
            **_yardstick(catalog),
        }
        run = self._run(node.namespace)
        run.config.update(config, allow_val_change=True)
        if context.checkpoint_folder is not None:  # kept for a resumed training
            (context.checkpoint_folder / TRACKER_RUN).write_text(run.id)
        # Charts against what the family counts: generator steps (GANs) or epochs.
        x_axis = params.counted_in()
        run.define_metric(x_axis)
        run.define_metric("*", step_metric=x_axis)
        context.epoch_sinks.append(EpochLog(run))

    @hook_impl
    @_safely
    def after_node_run(self, node, inputs: dict, outputs: dict) -> None:
        name = node.namespace  # every node of a tracked namespace logs to its run
        if name not in self.runs:
            return
        for dataset_name, value in outputs.items():
            self.owners[dataset_name] = name
            if isinstance(value, ModelReport | OneClassReport | TrialReport):
                self._run(name).summary.update(value.summary())
        for value in inputs.values():  # a sweep's study, which its report reads
            if isinstance(value, SweepStudy):
                self._run(name).summary.update(value.summary())

    @hook_impl
    @_safely
    def after_dataset_saved(self, dataset_name: str, data: Any) -> None:
        # Encoding images and hashing model files happen on the tracking thread, out of the
        # pipeline's way.
        name = self.owners.pop(dataset_name, None)
        if name is not None:
            self._worker.submit(self._log_dataset, name, dataset_name, data)

    @_safely
    def _log_dataset(self, name: str, dataset_name: str, data: Any) -> None:
        import keras
        import pandas as pd
        import wandb
        from matplotlib.figure import Figure

        run = self._run(name)
        path = introspection.saved_file(self.catalog, dataset_name)
        short_name = dataset_name.rpartition(".")[2]
        if isinstance(data, Figure) and path:
            run.log({f"figures/{short_name.removesuffix('_plot')}": wandb.Image(str(path))})
        elif isinstance(data, keras.Model) and path and self.settings.log_models:
            artifact = wandb.Artifact(
                dataset_name.replace(".", "-").replace("_", "-"), type="model", metadata={"kedro_dataset": dataset_name}
            )
            artifact.add_file(str(path))
            run.log_artifact(artifact)
        elif isinstance(data, pd.DataFrame) and {"z_0", "z_1"} <= set(data.columns):
            table = wandb.Table(dataframe=data[["z_0", "z_1", "label"]])
            run.log({"latent_space": wandb.plot.scatter(table, "z_0", "z_1", title=f"{name} latent space")})
        elif isinstance(data, Comparison):
            header, rows = data.table(numeric=True)
            run.log({name: wandb.Table(columns=header, data=rows)})
        elif isinstance(data, Likelihoods) and data.rows:
            header, rows = data.table()
            run.log({"likelihood": wandb.Table(columns=header, data=rows)})
        elif isinstance(data, dict) and data.get("rows"):
            header, rows = _numeric_rows(data["rows"])
            run.log({name: wandb.Table(columns=header, data=rows)})

    @hook_impl
    def after_pipeline_run(self) -> None:
        self._finish(exit_code=0)

    @hook_impl
    def on_pipeline_error(self) -> None:
        self._finish(exit_code=1)

    def _start(self, name: str, **run_args):
        try:
            run = runs.start_run(
                self.settings, self.mode, self.project_path, self.api_key, name=name, group=self.group, **run_args
            )
        except Exception as exc:
            if self.mode != "online":
                raise
            logger.warning("W&B is out of reach (%s); logging offline instead.", exc)
            self.mode = "offline"
            run = runs.start_run(
                self.settings, self.mode, self.project_path, None, name=name, group=self.group, **run_args
            )
        self._announce(name, run)
        return run

    def _announce(self, name: str, run) -> None:
        where = run.url if self.mode == "online" else Path(run.dir).parent
        logger.info("W&B run '%s': %s", name, where)

    def _finish(self, exit_code: int) -> None:
        if self._worker is None:
            return
        finished = [
            self._worker.submit(self._finish_run, name, exit_code) for name in self.runs
        ]  # after what is queued
        self._worker.shutdown(wait=True)
        saved = [name for name, done in zip(self.runs, finished, strict=True) if done.result()]
        if saved and self.mode == "offline":
            # One line, and a command short enough that no log wraps it mid-name.
            logger.info(
                "W&B: %d run(s) saved offline in wandb/ (%s); upload them with `wandb sync` in the project folder.",
                len(saved),
                ", ".join(saved),
            )
        self._worker, self.runs, self.owners = None, {}, {}

    def _finish_run(self, name: str, exit_code: int) -> bool:
        try:
            self._run(name).finish(exit_code=exit_code)
            return True
        except Exception as exc:
            logger.warning("W&B run '%s' did not finish cleanly: %s", name, exc)
            return False


def _sweep_naming(name: str, config: dict) -> tuple[str, dict]:
    """A sweep's runs are named after it (``kedro sweep`` says which in the environment): a
    trial's ``<sweep>-trial-<n>``, with the sweep and trial in its config; the report's
    ``<sweep>-summary``. Other runs keep their namespace's name."""
    from deepgen.sweeps.study import TrialContext

    trial = TrialContext.from_environment(os.environ)
    if trial is not None and name.startswith("sweep."):
        return f"{trial.sweep}-trial-{trial.number}", config | {"sweep": trial.sweep, "trial": trial.number}
    sweep = os.environ.get("DEEPGEN_SWEEP")
    if sweep and name == "sweep":
        return f"{sweep}-summary", config | {"sweep": sweep}
    return name, config


def _numeric_rows(rows: list[dict]) -> tuple[list[str], list[list]]:
    """A results table's rows as W&B wants them: the scalar columns, and over seed repeats each
    ``spread`` (standard deviation) in a column of its own; each seed's rows stay in the JSON."""
    columns = [c for c, value in rows[0].items() if not isinstance(value, dict | list)]
    spread = list(rows[0].get("spread", {}))
    header = [*columns, *(f"{c} sd" for c in spread)]
    return header, [[row.get(c) for c in columns] + [row["spread"].get(c) for c in spread] for row in rows]


def _yardstick(catalog) -> dict:
    """What a run's sample metrics were measured with: the dataset and the evaluator's SHA-256."""
    return {"dataset": catalog.load("dataset_name"), "evaluator_sha256": catalog.load("evaluator_checksum")}


def _optional_config(config_loader, key: str) -> dict:
    try:
        return dict(config_loader[key] or {})
    except MissingConfigException:
        return {}
