"""What loading the project does to the process, before any pipeline runs (in fresh interpreters)."""

import os
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow


def _python(code: str, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
        env={**os.environ, "KEDRO_DISABLE_TELEMETRY": "true", **env},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]  # after any log lines Kedro prints on import


def test_settings_leave_tensorflow_to_the_pipelines():
    # Kedro's settings loader walks every loaded module with `inspect`: TensorFlow's would slow it.
    assert _python("import sys, deepgen.settings; print('tensorflow' in sys.modules)").strip() == "False"


def test_pipeline_registry_freezes_what_tensorflow_loaded():
    # Full garbage collections would otherwise walk all of TensorFlow's objects.
    frozen, unfrozen = map(
        int,
        _python("import gc, deepgen.pipeline_registry; print(gc.get_freeze_count(), len(gc.get_objects()))").split(),
    )
    assert frozen > 10 * unfrozen  # TensorFlow's and Keras's objects, frozen; a few imported since


LOAD_THE_CONTEXT = (
    "import sys; from pathlib import Path; from kedro.framework.startup import bootstrap_project; "
    "from kedro.framework.session import KedroSession; bootstrap_project(Path.cwd()); "
    "KedroSession.create(env='smoke').load_context(); print('wandb' in sys.modules, 'tensorflow' in sys.modules)"
)


def test_tracked_runs_import_wandb_before_tensorflow():
    # wandb's pydantic models scan every loaded module (`inspect`) on import, TensorFlow's too if
    # they are loaded first. A run without tracking never imports it.
    assert _python(LOAD_THE_CONTEXT, WANDB_MODE="offline") == "True False"
    assert _python(LOAD_THE_CONTEXT, WANDB_MODE="disabled") == "False False"
