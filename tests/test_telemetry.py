"""Kedro's telemetry is off for every entry point, not only where the environment says so."""

import os
import subprocess

import pytest

from tests.conftest import KEDRO

pytestmark = pytest.mark.slow


def test_kedro_commands_send_no_telemetry_without_the_environment_variable(project_copy):
    environment = {k: v for k, v in os.environ.items() if k not in ("KEDRO_DISABLE_TELEMETRY", "DO_NOT_TRACK")}
    result = subprocess.run(
        [KEDRO, "registry", "list"], cwd=project_copy, capture_output=True, text=True, env=environment, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "- dcgan" in result.stdout
    assert "telemetry" not in (result.stdout + result.stderr).lower()
