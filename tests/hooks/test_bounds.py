"""Parameter values that cannot work stop the run before any node, naming the key."""

import pytest

from deepgen.families import FAMILIES
from deepgen.hooks.bounds import activations_per_image, check_memory, check_runner, check_seed, check_training_set
from tests.conftest import base_params, run_in_process


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, True])
def test_seed_must_be_a_32_bit_unsigned_integer(seed):
    with pytest.raises(ValueError, match="seed = "):
        check_seed(seed)


def test_training_set_bounds_name_the_keys():
    check_training_set("ae", 100, 32, 100)
    with pytest.raises(ValueError, match=r"ae would train on 4 images .* at least 100.*data\.max_train_images"):
        check_training_set("ae", 100, 32, 4)
    with pytest.raises(ValueError, match=r"dcgan\.batch_size = 100000 is larger than the 54000 training images"):
        check_training_set("dcgan", 100, 100_000, 54_000)


def test_memory_bound_is_arithmetic_on_the_networks():
    networks = FAMILIES["dcgan"].build(base_params("dcgan"))
    per_image = activations_per_image(networks)
    assert per_image > 28 * 28 * 64  # at least the generator's last feature maps
    check_memory("dcgan", 32, per_image, available=2**30)
    with pytest.raises(ValueError, match=r"dcgan\.batch_size = 50000 needs about .* GiB .* Lower dcgan\.batch_size"):
        check_memory("dcgan", 50_000, per_image, available=2**30)


@pytest.mark.tracked
@pytest.mark.slow
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"seed": -1}, "seed = -1"),
        ({"data": {"max_train_images": 5}}, "would train on 4 images"),
        ({"dcgan": {"batch_size": 100_000}}, "dcgan.batch_size = 100000 is larger than the 2700 training images"),
        ({"data": {"max_train_images": None}, "dcgan": {"batch_size": 50_000}}, "dcgan.batch_size = 50000 needs about"),
    ],
)
def test_a_run_with_impossible_values_stops_before_any_node(project_copy, params, message):
    with pytest.raises(ValueError, match=message):
        run_in_process(project_copy, params=params)
    assert not (project_copy / "data/06_models/ae").exists() and not (project_copy / "wandb").exists()
    assert not (project_copy / "data/.previous").exists()


@pytest.mark.slow
def test_an_unknown_pipeline_name_suggests_the_known_one(project_copy):
    with pytest.raises(ValueError, match=r"(?s)Failed to find the pipeline named 'vea'.*Did you mean.*vae"):
        run_in_process(project_copy, "vea")


def test_only_the_sequential_runner_runs():
    for recorded in (None, "None", "<kedro.runner.sequential_runner.SequentialRunner object at 0x7f>"):
        check_runner(recorded)
    with pytest.raises(
        RuntimeError, match=r"SequentialRunner, not ThreadRunner.*`kedro distribute --pipelines=<family>,<family>`"
    ):
        check_runner("<kedro.runner.thread_runner.ThreadRunner object at 0x7f>")


@pytest.mark.slow
@pytest.mark.parametrize("runner", ["ParallelRunner", "ThreadRunner"])
def test_another_runner_stops_at_once(project_copy, runner):
    import contextlib

    import kedro.runner
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project

    bootstrap_project(project_copy)
    with (
        contextlib.chdir(project_copy),
        KedroSession.create(project_path=project_copy, env="smoke") as session,
        pytest.raises(RuntimeError, match=f"deepgen runs its pipelines with Kedro's SequentialRunner, not {runner}"),
    ):
        session.run(runner=getattr(kedro.runner, runner)())
    assert not (project_copy / "data/06_models/ae").exists() and not (project_copy / "wandb").exists()
