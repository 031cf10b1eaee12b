"""The project's own Kedro commands (Kedro finds ``<package>/cli.py``): ``kedro distribute``, ``kedro sweep``."""

from __future__ import annotations

import click


@click.group(name="deepgen")
def cli() -> None:
    """deepgen's project commands."""


def _cluster_options(what: str, at_once: str, each: str):
    """The options both commands share: the Kedro environment of ``what`` they run, the Dask
    cluster (``at_once``: what its workers run side by side) and the ``--params`` of ``each``."""
    options = (
        click.option(
            "--env", "-e", default=None, help=f"Kedro environment of {what}; as kedro run: $KEDRO_ENV, else local"
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=2,
            show_default=True,
            help=f"{at_once}: LocalCluster workers (without --scheduler)",
        ),
        click.option("--scheduler", default=None, help="an existing Dask scheduler, tcp://HOST:8786"),
        click.option("--params", "params", default="", help=f"as kedro run's --params, for {each} (key=value,…)"),
    )

    def decorate(command):
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _needs_dask(command: str) -> None:
    """Say how to install the optional extra before any work."""
    try:
        import distributed  # noqa: F401
    except ImportError as error:
        raise click.ClickException(f"kedro {command} needs Dask: pip install 'deepgen[cluster]'") from error


@cli.command()
@click.option(
    "--pipelines",
    default="__default__",
    show_default=True,
    help="latent_sweep, __default__, or families (comma-separated)",
)
@_cluster_options("every member and the report", "members at once", "every member")
@click.option(
    "--repeats", type=click.IntRange(min=1), default=1, show_default=True, help="seeds per member: seed, seed+1, …"
)
def distribute(pipelines: str, env: str | None, workers: int, scheduler: str | None, params: str, repeats: int) -> None:
    """Run the members of --pipelines as tasks on a Dask cluster, then their report here."""
    _needs_dask("distribute")
    from deepgen.distribute import distribute as run

    run(pipelines, env, workers, scheduler, repeats, params)


@cli.command()
@click.argument("name")
@_cluster_options("the trials and the report", "trials at once", "every trial")
@click.option(
    "--storage",
    default=None,
    help="the study's database URL (default: sqlite:///<outputs>/sweeps/<name>.db); share it to share the study",
)
@click.option("--trials", type=click.IntRange(min=1), default=None, help="how many, instead of the sweep file's")
@click.option("--best-env", default=None, help="write the best trial as conf/<BEST_ENV>/ for kedro run --env")
def sweep(**options) -> None:
    """Run the sweep file conf/<env>/sweeps/NAME.yml (or conf/base/sweeps/): an Optuna study whose
    trials run as tasks on a Dask cluster, scored on the validation images; then its report."""
    _needs_dask("sweep")
    from deepgen.sweeps import sweep as run

    run(**options)
