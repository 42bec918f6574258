"""The ``langnghe`` group: logging set up once, every command group added, errors shown."""

from __future__ import annotations

import logging
import sys

import click

from gis.errors import LangNgheError
from webmap.cli.db import db
from webmap.cli.environment import (
    alerts_group,
    aqi_cmd,
    exceedances_cmd,
    exposure_cmd,
    surface_cmd,
    trends_cmd,
    water_cmd,
    zones_group,
)
from webmap.cli.imports import import_, measurements_group
from webmap.cli.options import lang_option
from webmap.cli.planning import allocate_cmd, check_cluster_cmd, siting_group
from webmap.cli.sample import sample
from webmap.cli.scenarios import scenarios_group
from webmap.cli.search import search_cmd
from webmap.cli.serve import serve
from webmap.cli.tours import isochrone_cmd, route, tour
from webmap.cli.users import users_group
from webmap.cli.worker import worker

__all__ = ["cli", "main"]

#: The --lang of this run, kept for the error message printed after the command has ended.
_chosen: dict[str, str] = {}


@click.group()
@click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug).")
@lang_option
@click.pass_context
def cli(ctx: click.Context, verbose: int, lang: str) -> None:
    """LangNghe GIS: craft villages, industrial clusters, pollution and tourism on a map."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    ctx.obj = {"lang": lang}
    _chosen["lang"] = lang


for _command in (
    serve,
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
    worker,
):
    cli.add_command(_command)


def main() -> None:
    """Entry point: domain errors become a clear one-line message and exit status 1."""
    try:
        code = cli.main(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        click.echo(_text("cli.aborted"), err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except LangNgheError as exc:
        click.echo(_text("cli.error", text=_error_text(exc)), err=True)
        sys.exit(1)


def _lang() -> str:
    from gis.settings import get_settings

    return _chosen.get("lang") or get_settings().lang


def _text(code: str, **params: object) -> str:
    """A message in the language of this run's ``--lang`` (the command's context has ended)."""
    from gis.messages import Message
    from webmap.messages import render

    return render(Message(code, params), _lang())


def _error_text(exc: LangNgheError) -> str:
    """The error's message in the language of ``--lang`` (LANGNGHE_LANG, default vi)."""
    if exc.message is None:
        return str(exc)
    from webmap.messages import render

    return render(exc.message, _lang())
