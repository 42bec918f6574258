"""The ``langnghe`` command line: one click group, subcommands per package."""

from __future__ import annotations

import logging
import sys

import click

from gis.errors import LangNgheError
from layers.cli import import_, measurements_group, sample, search_cmd
from layers.db_cli import db
from webmap.planners_cli import allocate_cmd, check_cluster_cmd, scenarios_group, siting_group
from webmap.planning_cli import (
    alerts_group,
    aqi_cmd,
    exceedances_cmd,
    exposure_cmd,
    isochrone_cmd,
    route,
    surface_cmd,
    tour,
    trends_cmd,
    water_cmd,
    zones_group,
)
from webmap.users_cli import users_group

__all__ = ["cli", "main"]


@click.group()
@click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """LangNghe GIS: craft villages, industrial clusters, pollution and tourism on a map."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def serve(host: str, port: int) -> None:
    """Serve the web map (development server; see README for gunicorn)."""
    from webmap.app import create_app

    click.echo(f"LangNghe GIS on http://{host}:{port}/")
    create_app().run(host=host, port=port, threaded=True)


for _command in (
    db,
    import_,
    measurements_group,
    sample,
    search_cmd,
    route,
    isochrone_cmd,
    tour,
    aqi_cmd,
    exceedances_cmd,
    exposure_cmd,
    water_cmd,
    surface_cmd,
    zones_group,
    trends_cmd,
    alerts_group,
    siting_group,
    allocate_cmd,
    check_cluster_cmd,
    scenarios_group,
    users_group,
):
    cli.add_command(_command)


def main() -> None:
    """Entry point: domain errors become a clear one-line message and exit status 1."""
    try:
        code = cli.main(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except LangNgheError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
