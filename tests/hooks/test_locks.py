"""One writer per family and environment: a second `kedro run` of a family that another run of
the same environment is writing stops at once, naming the holder; other families run beside
it; a lock whose process is gone is taken by the next run."""

import json
import logging
import os
import signal
import subprocess
import sys
import time

import pytest

from deepgen.hooks.locks import LOCKS, FamilyLockedError, _take
from tests.conftest import KEDRO, merged, params_argument, run_in_process, smoke_parameters, subprocess_env

SMALL = {"data": {"max_train_images": 1200, "max_test_images": 300}}
SMALL_ARGUMENT = f"--params={params_argument(merged({'vae': smoke_parameters()['vae']}, SMALL))}"


@pytest.mark.slow  # a second interpreter holds the lock
def test_a_lock_names_its_holder_and_is_taken_once_the_holder_is_gone(tmp_path):
    path = tmp_path / LOCKS / "smoke.vae.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from deepgen.hooks.locks import _take; "
            f"held = _take(Path({str(path)!r}), 'vae', 'smoke'); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(
            FamilyLockedError, match=rf"vae \(smoke\) is being written by another run: pid {holder.pid}"
        ):
            _take(path, "vae", "smoke")
    finally:
        holder.kill()  # as a crash would: the lock goes with its process
        holder.wait()
    taken = _take(path, "vae", "smoke")
    assert json.loads(path.read_text())["pid"] == os.getpid()
    taken.close()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_second_run_of_the_same_family_stops_at_once_and_another_family_runs_beside(project_copy, caplog):
    lock = project_copy / "data" / LOCKS / "local.vae.lock"
    first = subprocess.Popen(
        [KEDRO, "run", "--pipelines=vae", SMALL_ARGUMENT],
        cwd=project_copy,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(WANDB_MODE="disabled"),
    )
    deadline = time.monotonic() + 120
    while not (lock.is_file() and lock.read_text().strip()):
        assert first.poll() is None and time.monotonic() < deadline, "the first run never took its lock"
        time.sleep(0.1)
    first.send_signal(signal.SIGSTOP)  # holds the lock, mid-run, for as long as the test needs
    try:
        started = time.monotonic()
        with caplog.at_level(logging.INFO), pytest.raises(FamilyLockedError) as second:
            run_in_process(project_copy, "vae", params=SMALL)
        message = " ".join(str(second.value).split())
        assert f"vae (local) is being written by another run: pid {first.pid}" in message
        assert "kedro run --pipelines=vae --params=" in message  # the holder's command
        assert "Running node" not in caplog.text and time.monotonic() - started < 60  # at once, before any node
        run_in_process(project_copy, "ae", params=SMALL)  # another family, while the first is mid-run
    finally:
        first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=240) == 0, first.stderr.read()[-2000:]
    for family in ("ae", "vae"):
        assert (project_copy / f"data/08_reporting/{family}/metrics.json").is_file()
