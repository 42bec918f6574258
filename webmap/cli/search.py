"""``langnghe search``: accent-insensitive search of craft village names."""

from __future__ import annotations

import click

from gis.db import session
from gis.settings import get_settings

__all__ = ["search_cmd"]


@click.command(name="search")
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
def search_cmd(query: str, limit: int) -> None:
    """Accent-insensitive search of craft village names ("bat trang" finds "Bát Tràng")."""
    from layers.villages import search

    with session(get_settings(), application_name="langnghe search") as conn:
        for hit in search(conn, query, limit=limit):
            click.echo(
                f"{hit['ref']}\t{hit['name']}\t{hit['craft']}\t{hit['province_name'] or ''}\t"
                f"{hit['lon']:.5f},{hit['lat']:.5f}"
            )
