"""Kedro hooks: side effects that nodes stay unaware of."""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from kedro.config import MissingConfigException
from kedro.framework.hooks import hook_impl

from deepgen import tracking

logger = logging.getLogger(__name__)


# settings.py imports this module, and Kedro's settings loader then walks every loaded module
# (`inspect`: ~0.15 s once TensorFlow's 4,000 are in). So the modules that import TensorFlow
# (deepgen.training, deepgen.wandb_callbacks) or pandas (deepgen.reporting) are imported by the
# hooks that use them, by when the pipelines have loaded them (pipeline_registry.py).
def _training():
    from deepgen import training

    return training


@functools.cache
def git_commit(project_path) -> str:
    """The checked-out commit (``+dirty`` when files differ from it), or ``unknown``."""


    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=project_path, capture_output=True, text=True, check=True).stdout.strip()

    try:
        return git("rev-parse", "--short", "HEAD") + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


class ProvenanceHooks:
    """Stamps every ``*_metrics`` report with the commit that produced it."""

    def __init__(self) -> None:
        self.commit = "unknown"

    @hook_impl
    def after_context_created(self, context) -> None:
        self.commit = git_commit(context.project_path)

    @hook_impl
    def before_dataset_saved(self, dataset_name: str, data: Any) -> None:
        if dataset_name.endswith("_metrics") and isinstance(data, dict):
            data.setdefault("commit", self.commit)


def _model_of(dataset_name: str) -> str | None:
    """The W&B run a dataset belongs to, if any: ``vae_encoder`` → ``vae``;
    ``latent_sweep.vae_10.vae_metrics`` → ``latent_sweep.vae_10.vae`` (a sweep instance)."""
    namespace, _, name = dataset_name.rpartition(".")
    model = name.split("_", 1)[0]
    if model not in TRACKED_MODELS:
        return None
    return f"{namespace}.{model}" if namespace else model


TRACKED_MODELS = ("ae", "vae", "dcgan")
NETWORKS = ("encoder", "decoder", "generator", "discriminator")


def trained_model(node) -> str | None:
    """The run key of what a training node trains (it writes ``<model>_training_history``)."""
    return next((_model_of(name) for name in node.outputs if name.endswith("_training_history")), None)


def _training_params(inputs: dict):
    """The validated parameter block among a training node's inputs."""
    return next(value for value in inputs.values() if hasattr(value, "model_dump"))


def _flatten(prefix: str, values: dict) -> dict:
    flat = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        flat.update(_flatten(f"{name}/", value) if isinstance(value, dict) else {name: value})
    return flat


def _safely(method):
    """Tracking must never fail a pipeline: the first error turns it off for the run."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        if self.mode == "disabled":
            return None
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - whatever W&B raises, the pipeline goes on
            logger.warning("W&B tracking failed (%s: %s); it is off for the rest of this run.", type(exc).__name__, exc)
            self.mode = "disabled"
            return None

    return guarded


class CheckpointHooks:
    """Training nodes keep a checkpoint in ``checkpoints/`` beside their model files (every
    epoch; every ``gen_interval`` steps for the GAN) and, with ``<model>.resume: true`` (the
    default), continue from it after an interruption. A finished training deletes it."""

    def __init__(self) -> None:
        self.catalog = None

    @hook_impl
    def before_pipeline_run(self, catalog) -> None:
        self.catalog = catalog

    @hook_impl
    def before_node_run(self, node, inputs: dict) -> None:
        model = trained_model(node)
        if model is None or self.catalog is None:
            return
        network = next(name for name in node.outputs if name.endswith(NETWORKS))
        if not hasattr(self.catalog[network], "_filepath"):
            return  # kept in memory (a sweep instance): nowhere to keep a checkpoint beside it
        folder = Path(str(self.catalog[network]._filepath)).parent / "checkpoints"
        state = folder / "training_metadata.json"
        if not _training_params(inputs).resume:
            shutil.rmtree(folder, ignore_errors=True)
        elif state.is_file():
            epoch = json.loads(state.read_text())["epoch"]
            logger.info("%s: resuming from the checkpoint in %s (after epoch %d).", model, folder, epoch)
        training = _training()
        training.add_hook_callbacks([training.TrainingCheckpoint(str(folder))])

    @hook_impl
    def after_node_run(self) -> None:
        _training().clear_hook_callbacks()

    @hook_impl
    def on_node_error(self) -> None:
        _training().clear_hook_callbacks()


class WandbHooks:
    """One W&B run per trained model (ae, vae, dcgan), grouped by the Kedro run id.

    Training nodes get Keras callbacks for per-epoch metrics and image grids; evaluation
    metrics go to the run summary, saved figures and embeddings to the run, saved networks
    to versioned artifacts, the comparison to a table. Settings: ``conf/<env>/wandb.yml``.
    """

    def __init__(self) -> None:
        self.mode = "disabled"
        self.settings = tracking.WandbSettings()
        self.api_key: str | None = None
        self.project_path: Path | None = None
        self.base_config: dict = {}
        self.group: str | None = None
        self.catalog = None
        self.runs: dict[str, Future] = {}  # W&B runs by name, opened on the tracking thread
        self._worker: ThreadPoolExecutor | None = None

    @hook_impl
    def after_context_created(self, context) -> None:
        try:
            self.settings = tracking.WandbSettings(**_optional_config(context.config_loader, "wandb"))
            credentials = _optional_config(context.config_loader, "credentials").get("wandb") or {}
        except Exception as exc:  # noqa: BLE001 - a bad wandb.yml must not stop the pipeline either
            logger.warning("W&B tracking is off: conf/*/wandb.yml is not valid (%s).", exc)
            return
        self.api_key = credentials.get("api_key")
        self.mode = tracking.resolve_mode(self.settings.mode, self.api_key)
        self.project_path = Path(context.project_path)
        self.base_config = {"kedro_env": context.env or "local", "git_commit": git_commit(context.project_path)}
        self._import_wandb()  # before TensorFlow: Kedro loads the pipelines after this hook

    @_safely
    def _import_wandb(self) -> None:
        tracking.import_wandb()

    @hook_impl
    @_safely
    def before_pipeline_run(self, run_params: dict, pipeline, catalog) -> None:
        self.group = run_params["run_id"]
        self.base_config["kedro_pipelines"] = run_params.get("pipeline_names")
        self.catalog = catalog
        # W&B work that would hold the pipeline up runs on one tracking thread, in order:
        # opening the first run takes ~0.3 s (it starts W&B's service), so this pipeline's
        # runs open now, while its data loads and processes.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wandb")
        for model in dict.fromkeys(filter(None, map(trained_model, pipeline.nodes))):
            self._open(model, job_type="train")
        if not os.environ.get("WANDB_SWEEP_ID"):
            for name in dict.fromkeys(map(_report_run, filter(_is_report, pipeline.all_outputs()))):
                self._open(name, job_type="evaluate")

    def _open(self, name: str, **run_args) -> None:
        if name not in self.runs:
            self.runs[name] = self._worker.submit(self._start, name, config=dict(self.base_config), **run_args)

    def _run(self, name: str):
        """The open run called ``name`` (waits while it is still opening)."""
        return self.runs[name].result()

    @hook_impl
    @_safely
    def before_node_run(self, node, catalog, inputs: dict) -> None:
        model = trained_model(node)
        if model is None:
            return
        params = _training_params(inputs)
        data = catalog.load("params:data")
        config = {
            **params.model_dump(),
            "data": data.model_dump() if hasattr(data, "model_dump") else data,
            "seed": inputs.get("params:seed"),
            **self.base_config,
        }
        self._open(model, job_type="train")
        run = self._run(model)
        run.config.update(config, allow_val_change=True)
        _training().add_hook_callbacks(self._callbacks(model, run, params, catalog))

    def _callbacks(self, model: str, run, params, catalog) -> list:
        from deepgen import wandb_callbacks

        if model.endswith("dcgan"):
            noise = np.random.default_rng(0).standard_normal((64, params.latent_dim)).astype(np.float32)
            return [
                wandb_callbacks.GeneratorSampleLogger(run, noise, params.gen_interval),
                wandb_callbacks.EpochLogger(run, steps_per_epoch=params.gen_interval),
            ]
        test_images = catalog.load("test_x_unit")[:32]
        return [wandb_callbacks.ReconstructionLogger(run, test_images), wandb_callbacks.EpochLogger(run)]

    @hook_impl
    @_safely
    def after_node_run(self, node, outputs: dict) -> None:
        _training().clear_hook_callbacks()
        for name, report in outputs.items():
            model = _model_of(name)
            if name.endswith("_metrics") and model in self.runs:
                summary = dict(report["metrics"])
                for group in ("mixture_metrics", "final_losses", "training"):
                    summary.update(_flatten(f"{group.removesuffix('_metrics')}/", report.get(group, {})))
                self._run(model).summary.update(summary)

    @hook_impl
    @_safely
    def after_dataset_saved(self, dataset_name: str, data: Any) -> None:
        # Encoding images and hashing model files happen on the tracking thread (after the
        # runs it opens), not in the pipeline's way.
        model = _model_of(dataset_name)
        if _is_report(dataset_name):
            if os.environ.get("WANDB_SWEEP_ID"):
                return  # a W&B sweep agent owns exactly one run (the model's): no extra report run
            self._open(_report_run(dataset_name), job_type="evaluate")
            self._worker.submit(self._log_report, dataset_name, data)
        elif model in self.runs and (hasattr(self.catalog[dataset_name], "_filepath") or dataset_name.endswith("_embeddings")):
            # (a sweep instance's networks are kept in memory only: nothing to log)
            self._worker.submit(self._log_dataset, model, dataset_name, data)

    @_safely
    def _log_dataset(self, model: str, dataset_name: str, data: Any) -> None:
        import wandb

        if dataset_name.endswith("_plot"):
            figure = dataset_name.rpartition(".")[2].split("_", 1)[1].removesuffix("_plot")
            self._run(model).log({f"figures/{figure}": wandb.Image(str(self._filepath(dataset_name)))})
        elif dataset_name.endswith("_latent_embeddings"):
            table = wandb.Table(dataframe=data[["z_0", "z_1", "label"]] if "z_1" in data else data)
            self._run(model).log({"latent_space": wandb.plot.scatter(table, "z_0", "z_1", title=f"{model} latent space")})
        elif dataset_name.endswith(NETWORKS) and self.settings.log_models:
            artifact = wandb.Artifact(dataset_name.replace("_", "-"), type="model", metadata={"kedro_dataset": dataset_name})
            artifact.add_file(str(self._filepath(dataset_name)))
            self._run(model).log_artifact(artifact)

    @_safely
    def _log_report(self, dataset_name: str, data: Any) -> None:
        """The cross-model comparison, or the latent sweep's report, in a run of its own."""
        import wandb

        from deepgen import reporting

        run = self._run(_report_run(dataset_name))
        if dataset_name == "comparison":
            columns = ["row", *reporting.COLUMNS, "train_seconds", "commit"]
            rows = [
                [row["row"], *(row["metrics"].get(c) for c in reporting.COLUMNS), row.get("training", {}).get("seconds"), row.get("commit")]
                for row in data["rows"]
            ]
            run.log({"comparison": wandb.Table(columns=columns, data=rows)})
        elif dataset_name.endswith("_plot"):
            run.log({f"figures/{dataset_name.removesuffix('_plot')}": wandb.Image(str(self._filepath(dataset_name)))})
        elif dataset_name == "latent_sweep_results":
            columns = list(data["rows"][0])
            run.log({"latent_sweep": wandb.Table(columns=columns, data=[[row.get(c) for c in columns] for row in data["rows"]])})

    @hook_impl
    def after_pipeline_run(self) -> None:
        self._finish(exit_code=0)

    @hook_impl
    def on_pipeline_error(self) -> None:
        self._finish(exit_code=1)

    def _start(self, name: str, **run_args):
        try:
            run = tracking.start_run(self.settings, self.mode, self.project_path, self.api_key, name=name, group=self.group, **run_args)
        except Exception as exc:
            if self.mode != "online":
                raise
            logger.warning("W&B is out of reach (%s); logging offline instead.", exc)
            self.mode = "offline"
            run = tracking.start_run(self.settings, self.mode, self.project_path, None, name=name, group=self.group, **run_args)
        return run

    def _filepath(self, dataset_name: str) -> Path:
        # The catalog knows where a dataset writes; Kedro datasets keep it in `_filepath`.
        return self.project_path / str(self.catalog[dataset_name]._filepath)

    def _finish(self, exit_code: int) -> None:
        _training().clear_hook_callbacks()
        if self._worker is None:
            return
        for name in self.runs:
            self._worker.submit(self._finish_run, name, exit_code)  # after what is queued
        self._worker.shutdown(wait=True)
        self._worker, self.runs = None, {}

    def _finish_run(self, name: str, exit_code: int) -> None:
        try:
            run = self._run(name)
            run.finish(exit_code=exit_code)
            if self.mode == "offline":
                folder = Path(run.dir).parent.relative_to(self.project_path)
                logger.info("W&B run '%s' saved offline in %s; upload it with `wandb sync %s`.", name, folder, folder)
        except Exception as exc:  # noqa: BLE001
            logger.warning("W&B run '%s' did not finish cleanly: %s", name, exc)


def _is_report(dataset_name: str) -> bool:
    """The comparison's and the latent sweep's outputs, logged to report runs of their own."""
    return dataset_name.startswith(("comparison", "latent_sweep_"))


def _report_run(dataset_name: str) -> str:
    return "latent_sweep" if dataset_name.startswith("latent_sweep") else "comparison"


def _optional_config(config_loader, key: str) -> dict:
    try:
        return dict(config_loader[key] or {})
    except MissingConfigException:
        return {}
