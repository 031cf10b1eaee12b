"""KerasModelDataset loads what deepgen saves, in a fresh interpreter too."""

import subprocess
import sys

import pytest

from deepgen.datasets import KerasModelDataset
from deepgen.models import adversarial


@pytest.mark.slow
def test_generator_with_deepgen_layers_loads_in_a_fresh_process(tmp_path):
    path = tmp_path / "generator.keras"
    KerasModelDataset(filepath=str(path)).save(adversarial.build_generator(100, fused_upsampling=True))
    # A new interpreter has not imported the family that registers UpsampleConv2D.
    code = (
        "from deepgen.datasets import KerasModelDataset\n"
        f"model = KerasModelDataset(filepath={str(path)!r}).load()\n"
        "print(sorted({type(layer).__name__ for layer in model.layers}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "UpsampleConv2D" in result.stdout
