import keras
import numpy as np
import pytest
from kedro.io.core import DatasetError

from deepgen.datasets import ChecksummedModelDataset
from tests.conftest import EVALUATOR


def _tiny_model() -> keras.Model:
    inputs = keras.Input(shape=(3,))
    return keras.Model(inputs, keras.layers.Dense(2)(inputs))


def test_round_trip_writes_the_checksum(tmp_path):
    dataset = ChecksummedModelDataset(filepath=str(tmp_path / "m.keras"))
    model = _tiny_model()
    dataset.save(model)
    assert (tmp_path / "m.keras.sha256").read_text().split()[1] == "m.keras"
    probe = np.ones((1, 3), np.float32)
    np.testing.assert_allclose(dataset.load()(probe), model(probe))


def test_altered_file_is_refused_with_the_rebuild_command(tmp_path):
    dataset = ChecksummedModelDataset(filepath=str(tmp_path / "m.keras"))
    dataset.save(_tiny_model())
    with open(tmp_path / "m.keras", "ab") as file:
        file.write(b"\0")
    with pytest.raises(DatasetError, match=r"checksum mismatch.*kedro run --pipelines=evaluator"):
        dataset.load()


@pytest.mark.parametrize("missing", ["m.keras", "m.keras.sha256"])
def test_missing_file_is_refused_with_the_rebuild_command(tmp_path, missing):
    dataset = ChecksummedModelDataset(filepath=str(tmp_path / "m.keras"))
    dataset.save(_tiny_model())
    (tmp_path / missing).unlink()
    with pytest.raises(DatasetError, match=r"missing.*kedro run --pipelines=evaluator"):
        dataset.load()


def test_the_committed_evaluator_passes_its_checksum():
    classifier = ChecksummedModelDataset(filepath=str(EVALUATOR / "classifier.keras")).load()
    assert classifier.output_shape == (None, 10)
