"""``langnghe db``: the embedded PostGIS cluster and migrations."""

from __future__ import annotations

import click

from gis import localdb
from gis.migrate import apply, pending
from gis.settings import get_settings
from layers import migrations_folder

__all__ = ["db"]


@click.group()
def db() -> None:
    """Start, stop, inspect and migrate the database (embedded unless DATABASE_URL is set)."""


@db.command()
def start() -> None:
    """Install PostGIS if missing (as root), start the private cluster, create the database."""
    state = localdb.start(get_settings())
    click.echo(
        f"{state.mode} database {'running' if state.running else 'NOT running'}: {state.dsn}"
    )


@db.command()
def stop() -> None:
    """Stop the private cluster (never an external DATABASE_URL server)."""
    settings = get_settings()
    if not settings.embedded:
        click.echo("DATABASE_URL is set: the external server is not ours to stop")
        return
    localdb.stop(settings)
    click.echo("embedded database stopped")


@db.command()
def status() -> None:
    """Say which database is used, whether it answers, and pending migrations."""
    settings = get_settings()
    state = localdb.status(settings)
    click.echo(f"mode: {state.mode}\ndsn: {state.dsn}\nrunning: {'yes' if state.running else 'no'}")
    if state.pgdata:
        click.echo(f"data folder: {state.pgdata}")
    if state.running:
        todo = pending(settings.dsn(), migrations_folder())
        click.echo(f"pending migrations: {', '.join(todo) if todo else 'none'}")


@db.command()
def migrate() -> None:
    """Apply every pending schema migration."""
    done = apply(get_settings().dsn(), migrations_folder())
    click.echo(
        f"applied {len(done)} migrations" + (f": {', '.join(done)}" if done else " (up to date)")
    )
