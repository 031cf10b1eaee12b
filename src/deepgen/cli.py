"""The project's own Kedro commands (Kedro finds ``<package>/cli.py``): ``kedro distribute``, ``kedro sweep``."""

from __future__ import annotations

import click


@click.group(name="deepgen")
def cli() -> None:
    """deepgen's project commands."""


@cli.command()
@click.option(
    "--pipelines",
    default="__default__",
    show_default=True,
    help="latent_sweep, __default__, or families (comma-separated)",
)
@click.option(
    "--env",
    "-e",
    default=None,
    help="Kedro environment of every member and the report; as kedro run: $KEDRO_ENV, else local",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="LocalCluster workers (without --scheduler)",
)
@click.option("--scheduler", default=None, help="an existing Dask scheduler, tcp://HOST:8786")
@click.option(
    "--repeats", type=click.IntRange(min=1), default=1, show_default=True, help="seeds per member: seed, seed+1, …"
)
@click.option("--params", "params", default="", help="as kedro run's --params, for every member (key=value,…)")
def distribute(pipelines: str, env: str | None, workers: int, scheduler: str | None, repeats: int, params: str) -> None:
    """Run the members of --pipelines as tasks on a Dask cluster, then their report here."""
    try:
        import distributed  # noqa: F401 - the optional extra: say how to install it before any work
    except ImportError as error:
        raise click.ClickException("kedro distribute needs Dask: pip install 'deepgen[cluster]'") from error
    from deepgen.distribute import distribute as run

    run(pipelines, env, workers, scheduler, repeats, params)


@cli.command()
@click.argument("name")
@click.option(
    "--env",
    "-e",
    default=None,
    help="Kedro environment of the trials and the report; as kedro run: $KEDRO_ENV, else local",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="trials at once: LocalCluster workers (without --scheduler)",
)
@click.option("--scheduler", default=None, help="an existing Dask scheduler, tcp://HOST:8786")
@click.option(
    "--storage",
    default=None,
    help="the study's database URL (default: sqlite:///<outputs>/sweeps/<name>.db); share it to share the study",
)
@click.option("--trials", type=click.IntRange(min=1), default=None, help="how many, instead of the sweep file's")
@click.option("--params", "params", default="", help="as kedro run's --params, for every trial (key=value,…)")
@click.option("--best-env", default=None, help="write the best trial as conf/<BEST_ENV>/ for kedro run --env")
def sweep(
    name: str,
    env: str | None,
    workers: int,
    scheduler: str | None,
    storage: str | None,
    trials: int | None,
    params: str,
    best_env: str | None,
) -> None:
    """Run the sweep file conf/<env>/sweeps/NAME.yml (or conf/base/sweeps/): an Optuna study whose
    trials run as tasks on a Dask cluster, scored on the validation images; then its report."""
    try:
        import distributed  # noqa: F401 - the optional extra: say how to install it before any work
    except ImportError as error:
        raise click.ClickException("kedro sweep needs Dask: pip install 'deepgen[cluster]'") from error
    from deepgen.sweeps import sweep as run

    run(name, env, workers, scheduler, storage, params, trials, best_env)
