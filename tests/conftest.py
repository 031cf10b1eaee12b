"""Shared fixtures: the real MNIST files, scratch copies of the project, and Kedro runs in them
(in this process, or as `kedro run` in a fresh interpreter).

Runs are in the default environment (``local``), as users run them, with conf/smoke's small
settings passed as ``--params``, unless a test names another environment. A test marked
``user_commands`` says which user commands it runs in the default environment; it fails unless
it ran them so (tests/test_user_commands.py checks that every user command has one).

Every test works outside the repository: in pytest's temporary folders. The default smoke run
(`kedro run` with the small settings: every family of the default run and the comparison) is
made once per session, whatever the number of xdist workers, in the background as soon as the
tests are collected; the tests that read it run last, and none of them may change it
(``smoke_run_copy`` for those that write next to it)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import kedro.framework.project  # noqa: F401 - Kedro configures logging as it is first imported: before any test's caplog
import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RAW_MNIST = PROJECT_ROOT / "data" / "01_raw" / "mnist"
EVALUATOR = PROJECT_ROOT / "data" / "06_models" / "evaluator"
RAW_FASHION = PROJECT_ROOT / "data" / "01_raw" / "fashion-mnist"
FASHION_EVALUATOR = PROJECT_ROOT / "data" / "fashion-mnist" / "06_models" / "evaluator"
KEDRO = str(Path(sys.executable).with_name("kedro"))

# No telemetry, no W&B network, no prompts: in every test and every subprocess. W&B writes its
# offline runs in the tests marked `tracked` (they read them) and in the default smoke run; the
# other runs would only spend their seconds on it.
os.environ.update(KEDRO_DISABLE_TELEMETRY="true", WANDB_MODE="disabled", WANDB_SILENT="true")
TRACKED = {"WANDB_MODE": "offline"}

SMOKE_RUN = "default_smoke_run"  # the fixture, and its folder under the session's shared temporary folder
SMOKE_RUN_SECONDS = 900  # how long a test waits for it before failing


def subprocess_env(**extra: str) -> dict[str, str]:
    """This process's environment for a fresh interpreter, as a user's shell would give it: without
    the address of the W&B service an in-process run here started (W&B saves it in ``os.environ``
    for child processes to share), so each ``kedro run`` has its own service, as a user's has."""
    env = {name: value for name, value in os.environ.items() if name != "WANDB_SERVICE"}
    return {**env, "COLUMNS": "200", **extra}  # wide logs: file names are not wrapped


def base_params(block: str, **overrides):
    """A parameter block as conf/base sets it, with ``overrides``, validated by its class."""
    from deepgen.families import FAMILIES
    from deepgen.params import AnomalyParams, DataParams, DenoiseParams, EvaluatorParams, LatentSweepParams

    classes = {"data": DataParams, "evaluator": EvaluatorParams, "latent_sweep": LatentSweepParams}
    classes |= {"anomaly": AnomalyParams, "denoise": DenoiseParams}
    classes |= {name: family.params for name, family in FAMILIES.items()}
    values = {}
    for path in sorted((PROJECT_ROOT / "conf" / "base").glob("parameters*.yml")):
        values |= yaml.safe_load(path.read_text())
    return classes[block](**{**values[block], **overrides})


def make_project_copy(destination: Path, *, fashion: bool = False) -> Path:
    """A runnable copy of the project: code, config and MNIST (with ``fashion``, Fashion-MNIST
    too); outputs of its own."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("pyproject.toml", ".telemetry"):
        shutil.copy(PROJECT_ROOT / name, destination / name)
    shutil.copytree(
        PROJECT_ROOT / "src", destination / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    shutil.copytree(PROJECT_ROOT / "conf", destination / "conf", ignore=shutil.ignore_patterns("local"))
    (destination / "conf" / "local").mkdir()
    shutil.copytree(RAW_MNIST, destination / "data" / "01_raw" / "mnist")
    shutil.copytree(EVALUATOR, destination / "data" / "06_models" / "evaluator")
    if fashion:
        shutil.copytree(RAW_FASHION, destination / "data" / "01_raw" / "fashion-mnist")
        shutil.copytree(FASHION_EVALUATOR, destination / "data" / "fashion-mnist" / "06_models" / "evaluator")
    return destination


def smoke_parameters() -> dict:
    """conf/smoke's settings, as runtime parameters for a run in another environment."""
    return yaml.safe_load((PROJECT_ROOT / "conf" / "smoke" / "parameters.yml").read_text())


def merged(base: dict, override: dict) -> dict:
    """``override`` over ``base``, nested blocks merged key by key (as Kedro merges ``--params``)."""
    out = dict(base)
    for key, value in override.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def params_argument(settings: dict, prefix: str = "") -> str:
    """``settings`` as ``kedro run --params`` takes them: ``a.b=1,a.c=2``. Lists cannot pass
    (Kedro splits the argument at every comma): a test that needs one writes it to conf/local."""
    items = []
    for key, value in settings.items():
        assert not isinstance(value, list), f"{prefix}{key}: a list does not pass through --params"
        if isinstance(value, dict):
            items.append(params_argument(value, f"{prefix}{key}."))
        else:
            items.append(f"{prefix}{key}={yaml.safe_dump(value).removesuffix(chr(10)).removesuffix('...').strip()}")
    return ",".join(items)


def default_run_settings() -> dict:
    """conf/smoke's settings of what plain ``kedro run`` reads: the data and the default run's
    families, without their lists (Kedro splits ``--params`` at every comma: those keep their
    base values)."""
    from deepgen.families import default_run

    blocks = {"data", *(family.name for family in default_run())}
    return {
        key: {name: value for name, value in block.items() if not isinstance(value, list)}
        for key, block in smoke_parameters().items()
        if key in blocks
    }


# --- user commands, as a test ran them ------------------------------------------------------------


@dataclass(frozen=True)
class Invocation:
    """A ``kedro`` command a test ran: its name (``run``, ``distribute``, ``viz build``), the
    pipelines it named (none: the default), its ``--env`` (None: the default environment) and
    its other options' names."""

    command: str
    pipelines: tuple[str, ...] = ()
    env: str | None = None
    options: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, command: str, args: list[str] | tuple[str, ...]) -> Invocation:
        named = dict(arg.removeprefix("--").partition("=")[::2] for arg in args if arg.startswith("--"))
        command = " ".join([command, *(arg for arg in args if not arg.startswith("-"))])  # `viz build`
        pipelines = tuple(filter(None, (named.pop("pipelines", None) or named.pop("pipeline", "")).split(",")))
        env = named.pop("env", None)
        named.pop("params", None)
        return cls(command, pipelines, env, frozenset(named))

    def covers(self) -> set[str]:
        """The user commands this invocation ran in the default environment."""
        if self.env is not None:
            return set()
        words = self.command.split()  # `viz build`; `sweep latent`: a command and its argument
        commands = {" ".join(words[:n]) for n in range(1, len(words) + 1)}
        runs = {f"kedro {self.command} --pipelines={p}" for p in self.pipelines} or {f"kedro {c}" for c in commands}
        return runs | {f"kedro {self.command} --{option}" for option in self.options}


INVOCATIONS: list[Invocation] = []  # what the test under way has run


@pytest.fixture(autouse=True)
def _user_commands(request):
    """A test marked ``user_commands(...)`` must run each in the default environment."""
    INVOCATIONS.clear()
    if SMOKE_RUN in request.fixturenames:
        INVOCATIONS.append(Invocation("run"))  # the shared run it reads
    yield
    marker = request.node.get_closest_marker("user_commands")
    if marker is not None:
        ran = set().union(*(invocation.covers() for invocation in INVOCATIONS))
        missing = sorted(set(marker.args) - ran)
        assert not missing, f"marked as running {missing} in the default environment, but ran {INVOCATIONS}"


def write_image_folder(folder: Path, images, classes: dict[str, int], per_class: int, labels=None) -> Path:
    """A user's image folder: ``per_class`` PNGs in each sub-folder of ``classes`` (name → the
    digit whose images it gets, from ``images`` in [0, 1] with their ``labels``; without labels,
    consecutive images)."""
    import numpy as np
    from PIL import Image

    for n, (name, digit) in enumerate(classes.items()):
        chosen = (
            np.flatnonzero(labels == digit)[:per_class]
            if labels is not None
            else range(n * per_class, (n + 1) * per_class)
        )
        (folder / name).mkdir(parents=True)
        for i, index in enumerate(chosen):
            Image.fromarray((images[index] * 255).round().astype(np.uint8)).save(folder / name / f"{i:04d}.png")
    return folder


# For in-process runs whose outputs are checked for presence and messages, not size.
FEW_IMAGES = {"data": {"max_train_images": 600, "max_test_images": 300}}


def run_in_process(project: Path, pipeline: str | None = None, *, env: str | None = None, params: dict | None = None):
    """What ``kedro run --pipelines=<pipeline> --env=<env> --params=<params>`` does, in this
    process: the project's session, hooks and catalog, without a new interpreter's start-up.
    Failures raise; ``params`` is nested as Kedro parses ``--params`` (``{"ae": {"epochs": 2}}``).
    Without ``env``: the default environment, with conf/smoke's small settings under ``params``."""
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project

    if env is None:
        params = merged(smoke_parameters(), params or {})
    INVOCATIONS.append(Invocation("run", (pipeline,) if pipeline else (), env))
    bootstrap_project(project)
    with (
        contextlib.chdir(project),  # kedro-viz's hooks write .viz/ into the working folder's project
        KedroSession.create(project_path=project, env=env, runtime_params=params) as session,
    ):
        session.run(pipeline_names=[pipeline] if pipeline else None)


def kedro_run(project: Path, *args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """``kedro run <args>`` in ``project``; returns the finished process (output captured)."""
    return kedro_command(project, "run", *args, env=env, timeout=timeout)


def kedro_command(
    project: Path, command: str, *args: str, env: dict | None = None, timeout: int = 600
) -> subprocess.CompletedProcess:
    """``kedro <command> <args>`` in ``project``; returns the finished process (output captured)."""
    INVOCATIONS.append(Invocation.parse(command, args))
    return subprocess.run(
        [KEDRO, command, *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=subprocess_env(**(env or {})),
    )


# --- the working tree ---------------------------------------------------------------------------

UNTRACKED_BY_DESIGN = {".git", ".venv", ".pytest_cache", ".ruff_cache", "__pycache__"}


def working_tree() -> dict[str, tuple[int, int]]:
    """Every file of the repository (but git's, the environment's and caches) with its size and
    modification time: what a test run must leave as it found it."""
    files = {}
    for path in PROJECT_ROOT.rglob("*"):
        relative = path.relative_to(PROJECT_ROOT)
        if UNTRACKED_BY_DESIGN & set(relative.parts) or any(part.endswith(".egg-info") for part in relative.parts):
            continue
        if path.is_file():
            stat = path.stat()
            files[str(relative)] = (stat.st_size, stat.st_mtime_ns)
    return files


WORKING_TREE = pytest.StashKey[dict]()


def pytest_configure(config):
    config.stash[WORKING_TREE] = working_tree()


def pytest_sessionfinish(session, exitstatus):
    """The whole session, as one test checks a part of it: the repository as the session found it."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # the controller checks, once every worker has finished
    before, now = session.config.stash[WORKING_TREE], working_tree()
    changed = sorted(path for path in set(before) | set(now) if before.get(path) != now.get(path))
    if changed:
        session.config.get_terminal_writer().line(f"The tests changed the working tree: {changed[:10]}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def tree_at_start(pytestconfig) -> dict[str, tuple[int, int]]:
    """The repository as this process found it when the session started."""
    return pytestconfig.stash[WORKING_TREE]


# --- the shared default smoke run ---------------------------------------------------------------


def shared_temp(tmp_path_factory) -> Path:
    """The temporary folder every xdist worker of this session shares (each has its own below it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _start_default_smoke_run(folder: Path) -> None:
    """``kedro run`` with the small settings in a new project copy in ``folder``, in the
    background; it writes the project's ``run.log`` and, when it ends, ``exit_code`` beside the
    project. The first process to create ``folder`` starts it; the others find it started."""
    try:
        folder.mkdir()
    except FileExistsError:
        return
    project = make_project_copy(folder / "project")
    subprocess.Popen(
        [
            "sh",
            "-c",
            f'"{KEDRO}" run --params={params_argument(default_run_settings())} > run.log 2>&1; '
            "echo $? > ../exit_code.partial; "
            "mv ../exit_code.partial ../exit_code",
        ],  # fmt: skip
        cwd=project,
        env=subprocess_env(**TRACKED),
        start_new_session=True,  # it outlives the worker that started it, if it must
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def pytest_collection_modifyitems(session, config, items):
    """The longest tests first (those given a time limit of their own), so that two workers end
    together; those that read the default smoke run last (it is made meanwhile); the others in
    the order they are written."""

    def order(item) -> tuple[bool, float]:
        limit = item.get_closest_marker("timeout")
        return SMOKE_RUN in getattr(item, "fixturenames", ()), -(limit.args[0] if limit else 0)

    items.sort(key=order)


@pytest.fixture(autouse=True)
def _tracking(request, monkeypatch):
    """W&B's offline runs, real, for the tests marked ``tracked``."""
    if request.node.get_closest_marker("tracked"):
        for name, value in TRACKED.items():
            monkeypatch.setenv(name, value)


@pytest.fixture(scope="session", autouse=True)
def _smoke_run_in_the_background(request, tmp_path_factory):
    """Starts the default smoke run as the session begins, if any test of it will read it."""
    if any(SMOKE_RUN in getattr(item, "fixturenames", ()) for item in request.session.items):
        _start_default_smoke_run(shared_temp(tmp_path_factory) / SMOKE_RUN)


def _fingerprint(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file's size and modification time, but W&B's own debug logs (its service writes
    them after the run has ended)."""
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file() and not (path.parent.name == "logs" and path.name.startswith("debug"))
    }


@pytest.fixture(scope="session")
def default_smoke_run(tmp_path_factory) -> Path:
    """``kedro run`` with conf/smoke's settings as ``--params``, in a fresh interpreter: every
    model of the default run, then the comparison; its ``run.log`` holds what a user would see. Read-only: the session fails if a
    test changes it."""
    folder = shared_temp(tmp_path_factory) / SMOKE_RUN
    _start_default_smoke_run(folder)  # if no test asked for it at collection (one test selected by hand)
    deadline = time.monotonic() + SMOKE_RUN_SECONDS
    while not (folder / "exit_code").is_file():
        assert time.monotonic() < deadline, f"the default smoke run did not end within {SMOKE_RUN_SECONDS} s"
        time.sleep(0.5)
    project = folder / "project"
    log = (project / "run.log").read_text()
    assert (folder / "exit_code").read_text().strip() == "0", log[-6000:]
    before = _fingerprint(project)
    yield project
    changed = sorted({name for name, _ in set(before.items()) ^ set(_fingerprint(project).items())})
    assert not changed, f"a test changed the shared default smoke run: {changed[:10]}"


@pytest.fixture
def smoke_run_copy(default_smoke_run, tmp_path) -> Path:
    """A copy of the default smoke run for a test that writes next to it (W&B's runs left out)."""
    return Path(shutil.copytree(default_smoke_run, tmp_path / "project", ignore=shutil.ignore_patterns("wandb")))


# --- small fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def mnist_batch():
    """256 real test images in [0, 1]."""
    import numpy as np

    from deepgen.datasets import IDXDataset

    images = IDXDataset(filepath=str(RAW_MNIST / "t10k-images-idx3-ubyte.gz")).load()
    return images[:256].astype(np.float32) / 255


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    return make_project_copy(tmp_path)
