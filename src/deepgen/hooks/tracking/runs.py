"""W&B settings, mode and runs.

The run lifecycle lives in the Kedro hook (``deepgen.hooks.tracking.hook``); this module holds the
pieces it uses, and stays free of TensorFlow.
"""

from __future__ import annotations

import netrc
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    import wandb  # imported by import_wandb() once tracking is on, never by a run without it

WANDB_HOST = "api.wandb.ai"


class WandbSettings(BaseModel):
    """``conf/<env>/wandb.yml``; W&B's environment variables (WANDB_MODE, WANDB_PROJECT, …) win."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    project: str = "deepgen"
    entity: str | None = None
    mode: Literal["auto", "online", "offline", "disabled"] = "auto"
    tags: list[str] = []
    init_timeout: float = 20.0  # seconds before an unreachable server means "go offline"
    log_models: bool = True  # trained networks as versioned artifacts


def _logged_in() -> bool:
    """Has `wandb login` stored a key for the W&B host in ~/.netrc?"""
    try:
        return netrc.netrc().authenticators(WANDB_HOST) is not None
    except (OSError, netrc.NetrcParseError):
        return False


def resolve_mode(configured: str, api_key: str | None) -> str:
    """``auto``: online when an API key is at hand (environment, credentials.yml, `wandb
    login`), otherwise offline. An explicit ``WANDB_MODE`` overrides the file."""
    if os.environ.get("WANDB_MODE"):
        return {"dryrun": "offline", "run": "online"}.get(os.environ["WANDB_MODE"], os.environ["WANDB_MODE"])
    if configured != "auto":
        return configured
    return "online" if api_key or os.environ.get("WANDB_API_KEY") or _logged_in() else "offline"


def import_wandb() -> None:
    """Import wandb, and the module of W&B Launch that the first ``wandb.init`` imports, now:
    the hooks call this when a run's tracking is on, before TensorFlow is loaded.

    wandb's settings and API classes are pydantic models that read their fields' docstrings
    through ``inspect``, which scans every loaded module: with TensorFlow's thousands of
    modules loaded, these imports take about twice as long.
    """
    import wandb  # noqa: F401

    try:  # wandb_run._detect_and_apply_job_inputs imports it; a wandb that moved it is only slower
        from wandb.sdk.launch.inputs import internal  # noqa: F401
    except ImportError:
        pass


def start_run(settings: WandbSettings, mode: str, directory: Path, api_key: str | None, **run_args) -> wandb.Run:
    """A new run (several can be open at once, one per model)."""
    import wandb

    if api_key and mode == "online":
        os.environ.setdefault("WANDB_API_KEY", api_key)  # how wandb takes a key without prompting
    return wandb.init(
        project=os.environ.get("WANDB_PROJECT", settings.project),
        entity=os.environ.get("WANDB_ENTITY", settings.entity),
        tags=settings.tags,
        mode=mode,
        dir=directory,
        reinit="create_new",
        settings=wandb.Settings(init_timeout=settings.init_timeout, console="off", silent=True),
        **run_args,
    )
