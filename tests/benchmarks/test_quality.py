"""The quality study's parts: one setting trained until its CPU seconds are spent, probed on
the way (real MNIST images, the committed evaluator); its table and figure. Checks of the
script, not of quality."""

import numpy as np
import pytest

from deepgen import evaluation
from deepgen.benchmarks.quality import _run, final_fd, study_figure, study_table, write_table
from deepgen.datasets import ChecksummedModelDataset, IDXDataset
from deepgen.families import FAMILIES
from tests.conftest import PROJECT_ROOT, RAW_MNIST, base_params


def _study() -> dict:
    curve = {"seconds": [1.0, 2.0, 3.0], "cpu_seconds": [1.5, 3.0, 4.5], "fd": [300.0, 200.0, 150.0]}
    slower = curve | {"fd": [320.0, 250.0, 140.0]}
    return {
        "measured_at": "now",
        "families": {
            "ae": {
                "share_seconds": 3.5,
                "runs": [
                    {"changes": {"batch_size": 32}, "curve": curve},
                    {"changes": {"learning_rate": 3e-3}, "curve": slower},
                ],
            }
        },
    }


def test_each_setting_is_read_at_its_share_and_the_best_is_marked(tmp_path):
    study = _study()
    assert final_fd(study["families"]["ae"]["runs"][0], 3.5) == (250.0, 2.0, 3.0)  # 4.5 CPU s is past the share
    table = study_table(study)
    assert table[2] == "| ae | batch_size 32 | 250.0 | 2 | 3 | **best** |"
    assert table[3] == "| ae | learning_rate 0.003 | 285.0 | 2 | 3 |  |"
    document = tmp_path / "performance.md"
    document.write_text("before\n<!-- quality study: begin -->\nold\n<!-- quality study: end -->\nafter\n")
    write_table(document, study)
    assert (
        document.read_text()
        == "before\n<!-- quality study: begin -->\n" + "\n".join(table) + "\n<!-- quality study: end -->\nafter\n"
    )
    assert len(study_figure(study).axes) == 1
    (plain := tmp_path / "plain.md").write_text("no markers\n")
    with pytest.raises(ValueError, match="no '<!-- quality study: begin -->'"):
        write_table(plain, study)


@pytest.mark.slow  # real training and the evaluator
def test_a_setting_trains_until_its_cpu_seconds_are_spent_and_is_probed_on_the_way():
    images = IDXDataset(filepath=str(RAW_MNIST / "train-images-idx3-ubyte.gz")).load()[:1100].astype(np.float32) / 255
    labels = IDXDataset(filepath=str(RAW_MNIST / "train-labels-idx1-ubyte.gz")).load()[:1100]
    classifier = ChecksummedModelDataset(
        filepath=str(PROJECT_ROOT / "data/06_models/evaluator/classifier.keras")
    ).load()
    inputs = {
        "unit": (images[:1000], images[1000:]),
        "labels": (labels[:1000], labels[1000:]),
        "classifier": classifier,
        "validation_features": evaluation.evaluator_outputs(classifier, images[1000:])[0],
        "parameters": {"ae": base_params("ae", jit_compile=False).model_dump()},  # no compile in the share
        "seed": 42,
        "data": base_params("data"),
    }
    run = _run(FAMILIES["ae"], {"batch_size": 64}, share=5.0, samples=100, inputs=inputs)
    curve = run["curve"]
    assert run["changes"] == {"batch_size": 64} and len(curve["fd"]) >= 2
    assert all(seconds < 5.0 for seconds in curve["cpu_seconds"][:-1])  # it went on until 5 CPU seconds were spent
    assert curve["epoch"] == list(range(1, len(curve["fd"]) + 1)) and all(fd > 0 for fd in curve["fd"])
    assert run["phases"]["fit"] > 0

    # A setting may fix the length and the probe's interval: it trains to them, whatever its share.
    fixed = _run(FAMILIES["ae"], {"epochs": 2, "eval_interval": 2}, share=1000.0, samples=100, inputs=inputs)
    assert fixed["curve"]["epoch"] == [2]
