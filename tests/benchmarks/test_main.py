"""The benchmark's parts: the speed rows and a compute row (in this process, on a few hundred
images), the summary of Kedro's and tracking's share, and one real `kedro run` clocked in a
fresh interpreter. Checks of the script, not of speed."""

import numpy as np
import pytest

from deepgen.benchmarks.overhead import measure_in_fresh_interpreter, overhead_with_and_without_tracking
from deepgen.benchmarks.speed import race
from deepgen.datasets import IDXDataset
from deepgen.families import FAMILIES
from tests.conftest import RAW_MNIST, base_params


def _images(n: int) -> np.ndarray:
    return IDXDataset(filepath=str(RAW_MNIST / "train-images-idx3-ubyte.gz")).load()[:n].astype(np.float32) / 255


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_speed_rows_compare_the_reference_with_the_node():
    rows = [
        race(family, base_params(family.name), _images(576), epochs=2, rounds=1, ablate=False, interval=5)
        for family in FAMILIES.values()
        if family.tutorial is not None
    ]
    assert [row["model"] for row in rows] == ["ae", "vae", "dcgan"]
    for row in rows:
        assert row["batch_size"] == 32 and row["rounds"] == 1 == len(row["speedup_per_round"])
        assert row["reference_images_per_s"] > 0 and row["deepgen_images_per_s"] > 0
        # one round: its ratio is the speedup, equal to the rates' ratio up to their rounding
        assert row["speedup"] == row["speedup_per_round"][0]
        # both rates are rounded to 0.1 img/s: slow ones (a busy machine's DCGAN) move their ratio by ~0.5 %
        assert row["speedup"] == pytest.approx(
            row["deepgen_images_per_s"] / row["reference_images_per_s"], rel=0.005, abs=0.006
        )
        assert "ablations" not in row  # only with --ablations
    assert rows[0]["images_per_epoch"] == 320 and rows[2]["images_per_epoch"] == 5 * 32
    assert rows[2]["deepgen_settings"]["fused_upsampling"] is True


def _measured(seconds: dict[str, float]):
    """A measurement per W&B mode: run, import, start-up, nodes and datasets in seconds."""

    def measure(project, wandb_mode: str) -> dict:
        run, tensorflow, startup, nodes, io = seconds[wandb_mode]
        return {
            "run_seconds": run,
            "tensorflow_import_seconds": tensorflow,
            "startup_seconds": startup,
            "node_seconds": nodes,
            "dataset_io_seconds": io,
            "wandb_mode": wandb_mode,
        }

    return measure


def test_overhead_summary_takes_kedro_from_the_untracked_run_and_tracking_from_the_difference(tmp_path):
    measure = _measured({"disabled": (10.0, 4.0, 1.0, 7.0, 1.0), "offline": (12.0, 4.5, 1.5, 7.5, 1.0)})
    summary = overhead_with_and_without_tracking(tmp_path, "ae", pairs=1, measure=measure)
    assert summary["kedro_seconds"] == 2.0  # 10 - 7 - 1, without W&B beside the nodes
    assert summary["tracking_seconds"] == 2.5  # (12 + 4.5) - (10 + 4)
    assert summary["run_seconds"] == 12.0 and summary["run_seconds_without_tracking"] == 10.0
    assert summary["kedro_fraction"] == round(2 / 12, 3) and summary["tracking_fraction"] == round(2.5 / 12, 3)
    assert summary["overhead_fraction"] == round((12 - 7) / 12, 3)
    assert [run["wandb_mode"] for run in summary["runs"]["offline"]] == ["offline"]


def test_overhead_summary_keeps_each_modes_fastest_run(tmp_path):
    calls = []

    def measure(project, wandb_mode):
        calls.append(wandb_mode)
        slow = len(calls) > 2  # the second pair ran on a busier machine
        return _measured({wandb_mode: (20.0 if slow else 10.0, 4.0, 1.0, 7.0, 1.0)})(project, wandb_mode)

    summary = overhead_with_and_without_tracking(tmp_path, "ae", pairs=2, measure=measure)
    assert calls == ["disabled", "offline", "offline", "disabled"]  # alternating order
    assert summary["run_seconds"] == summary["run_seconds_without_tracking"] == 10.0


@pytest.mark.slow
def test_a_run_clocked_in_a_fresh_interpreter_adds_up(project_copy):
    run = measure_in_fresh_interpreter(project_copy, "disabled", "ae")
    assert run["wandb_mode"] == "disabled" and run["tensorflow_import_seconds"] > 0
    assert 0 < run["startup_seconds"] < run["run_seconds"]
    assert 0 < run["node_seconds"] + run["dataset_io_seconds"] < run["run_seconds"]
    assert not (project_copy / "data/08_reporting/ae").exists()  # the run went to a scratch copy
    assert np.isfinite(list(run.values())[:-1]).all()


def test_forward_flops_count_the_convolutions_and_dense_layers_multiply_adds():
    import keras

    from deepgen.benchmarks.compute import forward_flops

    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(4, 3, padding="same")(inputs)  # 28·28 outputs × 4 channels × 3·3·1 inputs
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same")(keras.layers.Activation("swish")(x))  # 14·14 × 8 × 3·3·4
    outputs = keras.layers.Dense(10)(keras.layers.Flatten()(x))  # 1568 × 10
    model = keras.Model(inputs, outputs)
    assert forward_flops(model) == 2 * (28 * 28 * 4 * 9 + 14 * 14 * 8 * 36 + 1568 * 10)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_compute_row_measures_training_with_and_without_xla_and_sampling():
    from deepgen.benchmarks.compute import compute_row

    family = FAMILIES["diffusion"]  # a family outside the default run, whose compute the benchmark also measures
    params = base_params(family.name, widths=[8, 16], groups=4, batch_size=8, sampling_steps=3)
    row = compute_row(family, params, _images(512), epochs=2, rounds=1, interval=5, sampled=20)
    assert row["model"] == family.name and row["forward_mflops_per_image"] > 0 and row["matmul_gflops"] > 0
    assert row["sampling_images_per_s"] > 0 and set(row["variants"]) == {"with XLA", "without XLA"}
    for variant in row["variants"].values():
        assert variant["training_images_per_s"] > 0 and 0 < variant["training_share_of_matmul"] < 1
        assert variant["training_gflops"] == pytest.approx(
            variant["training_images_per_s"] * 3 * row["forward_mflops_per_image"] / 1000,
            rel=0.01,
            abs=0.01,  # both sides rounded
        )
