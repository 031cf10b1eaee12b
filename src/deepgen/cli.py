"""The project's own Kedro commands (Kedro finds ``<package>/cli.py``): ``kedro distribute``."""

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
