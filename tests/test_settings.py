"""The project's settings: what loading them does to the process."""

import subprocess
import sys


def test_settings_freeze_what_tensorflow_loaded():
    # Full garbage collections would otherwise walk TensorFlow's objects (~0.25 s each).
    code = "import gc; import deepgen.settings; import tensorflow; print(gc.get_freeze_count(), len(gc.get_objects()))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    frozen, unfrozen = map(int, result.stdout.split())
    assert frozen > 10 * unfrozen  # TensorFlow's and Keras's objects, frozen; a few imported since
