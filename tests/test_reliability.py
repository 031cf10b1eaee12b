"""Interruption, divergence and reproducibility, on real smoke runs in scratch project copies."""

import contextlib
import json
import logging
import re
import shutil
import signal
import subprocess
import time

import pytest
from kedro.io import DatasetError

from tests.conftest import FEW_IMAGES, KEDRO, merged, params_argument, run_in_process, smoke_parameters, subprocess_env
from tests.wandb_reader import all_offline_runs

pytestmark = pytest.mark.slow

# Long enough to interrupt: 5,400 images at batch 16, a checkpoint every epoch; a small test set.
LONG_VAE_PARAMS = {"data": {"max_train_images": 6000, "max_test_images": 500}, "vae": {"batch_size": 16, "epochs": 4}}
LONG_VAE_ARGS = [
    "--pipelines=vae",
    f"--params={params_argument(merged({'vae': smoke_parameters()['vae']}, LONG_VAE_PARAMS))}",
]


def _metrics(project, model="ae") -> dict:
    return json.loads((project / f"data/08_reporting/{model}/metrics.json").read_text())


@contextlib.contextmanager
def _ctrl_c_as_from_a_terminal():
    """Processes started inside handle Ctrl-C as from a terminal: a child inherits an ignored or
    blocked SIGINT (not a handler), and a test worker's may be so after what ran before in it."""
    handler = signal.signal(signal.SIGINT, signal.default_int_handler)
    blocked = signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    try:
        yield handler, blocked
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        signal.signal(signal.SIGINT, handler)


@pytest.mark.tracked
@pytest.mark.timeout(300)
def test_interrupted_training_resumes_from_its_checkpoint(project_copy, caplog):
    checkpoint = project_copy / "data/06_models/vae/checkpoints/training_metadata.json"
    with _ctrl_c_as_from_a_terminal() as inherited:
        process = subprocess.Popen(
            [KEDRO, "run", *LONG_VAE_ARGS],
            cwd=project_copy,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=subprocess_env(COLUMNS="300"),  # wide logs: messages are not wrapped
        )
    deadline = time.monotonic() + 300
    while not (checkpoint.is_file() and json.loads(checkpoint.read_text())["epoch"] >= 1):
        assert process.poll() is None and time.monotonic() < deadline, "training ended before it could be interrupted"
        time.sleep(0.2)
    time.sleep(1)  # Keras prints the epoch's line after the checkpoint callback has saved it
    process.send_signal(signal.SIGINT)  # Ctrl-C
    output, _ = process.communicate(timeout=120)
    assert process.returncode != 0, (inherited, output[-3000:])  # where the Ctrl-C landed, if it did not stop it
    interrupted_at = json.loads(checkpoint.read_text())["epoch"]
    assert f"holds its first {interrupted_at} epoch(s)" in output and "run the same command to resume" in output
    assert 1 <= interrupted_at < 4
    assert not (project_copy / "data/06_models/vae/encoder.keras").exists()  # nothing half-written

    with caplog.at_level(logging.INFO):  # the same command again, run here
        run_in_process(project_copy, "vae", params=LONG_VAE_PARAMS)
    assert "resuming from the checkpoint" in caplog.text
    assert not checkpoint.parent.exists()  # a finished training removes its checkpoint
    history = json.loads((project_copy / "data/08_reporting/vae/training_history.json").read_text())
    assert len(history["loss"]) == 4 - interrupted_at  # only the epochs left were trained

    # It went on from the saved weights: its first epoch already beats the interrupted run's first.
    first_epoch = re.search(r" - loss: ([0-9.]+)", output)
    assert first_epoch, output[-3000:]
    first_epoch_loss = float(first_epoch.group(1))
    assert history["loss"][0] < first_epoch_loss

    # Both processes logged to one W&B run: the resumed one reopened the interrupted one's id, and
    # its epochs follow on from where the first process stopped.
    first, second = [run for run in all_offline_runs(project_copy) if run.name == "vae"]
    assert first.run_id == second.run_id
    epochs_logged = [[row["epoch"] for row in run.history if "loss" in row] for run in (first, second)]
    assert epochs_logged == [list(range(1, interrupted_at + 1)), list(range(interrupted_at + 1, 5))]


def test_resume_false_starts_over(project_copy, caplog):
    folder = project_copy / "data/06_models/ae/checkpoints"
    folder.mkdir(parents=True)
    (folder / "training_metadata.json").write_text('{"epoch": 1, "batch": 0}')
    with caplog.at_level(logging.INFO):
        run_in_process(project_copy, "ae", params={**FEW_IMAGES, "ae": {"resume": False}})
    assert "resuming" not in caplog.text
    assert len(json.loads((project_copy / "data/08_reporting/ae/training_history.json").read_text())["loss"]) == 1


def test_divergence_stops_with_a_clear_error_and_keeps_the_old_model(project_copy, default_smoke_run):
    models = project_copy / "data/06_models/ae"
    shutil.copytree(default_smoke_run / "data/06_models/ae", models)
    before = (models / "encoder.keras").read_bytes()
    with pytest.raises(FloatingPointError, match=r"ae diverged at epoch 1.*ae\.learning_rate"):
        run_in_process(project_copy, "ae", params={"ae": {"learning_rate": 1e12}})
    assert (models / "encoder.keras").read_bytes() == before


@pytest.mark.user_commands("kedro run --pipelines=vae")
def test_same_seed_same_metrics(project_copy, default_smoke_run):
    run_in_process(project_copy, "vae")
    first, second = _metrics(project_copy, "vae"), _metrics(default_smoke_run, "vae")
    # Everything but the wall-clock timing (and the commit stamp, equal here anyway).
    for report in (first, second):
        report.pop("training")
    assert first == second


def test_missing_raw_file_says_where_the_data_belongs(project_copy):
    (project_copy / "data/01_raw/mnist/train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(
        DatasetError, match="(?s)train-images-idx3-ubyte.gz: file not found.*git checkout -- data/01_raw/mnist"
    ):
        run_in_process(project_copy, "ae")


def test_malformed_yaml_names_the_file(project_copy):
    (project_copy / "conf/local/parameters_typo.yml").write_text("ae:\n  epochs: [1\n")
    with pytest.raises(Exception, match="conf/local/parameters_typo.yml"):
        run_in_process(project_copy, "ae")


def test_wrong_catalog_path_names_the_file(project_copy):
    catalog = project_copy / "conf/base/catalog.yml"
    catalog.write_text(catalog.read_text().replace("t10k-images-idx3-ubyte.gz", "t10k-images.gz"))
    with pytest.raises(DatasetError, match="data/01_raw/mnist/t10k-images.gz: file not found"):
        run_in_process(project_copy, "ae")
