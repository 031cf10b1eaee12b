"""What loading the project does to the process, before any pipeline runs."""

import subprocess
import sys


def _python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]  # after any log lines Kedro prints on import


def test_settings_leave_tensorflow_to_the_pipelines():
    # Kedro's settings loader walks every loaded module with `inspect` (~0.15 s with TensorFlow's).
    assert _python("import sys, deepgen.settings; print('tensorflow' in sys.modules)").strip() == "False"


def test_pipeline_registry_freezes_what_tensorflow_loaded():
    # Full garbage collections would otherwise walk TensorFlow's objects (~0.25 s each).
    frozen, unfrozen = map(int, _python("import gc, deepgen.pipeline_registry; print(gc.get_freeze_count(), len(gc.get_objects()))").split())
    assert frozen > 10 * unfrozen  # TensorFlow's and Keras's objects, frozen; a few imported since
