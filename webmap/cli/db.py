"""``langnghe db``: the embedded PostGIS cluster and migrations."""

from __future__ import annotations

import click

from gis import localdb
from gis.migrate import apply, pending
from gis.settings import get_settings
from layers import migrations_folder
from webmap.cli.options import say, text

__all__ = ["db"]


@click.group()
def db() -> None:
    """Start, stop, inspect and migrate the database (embedded unless DATABASE_URL is set)."""


@db.command()
def start() -> None:
    """Install PostGIS if missing (as root), start the private cluster, create the database."""
    state = localdb.start(get_settings())
    say(
        "cli.db.running" if state.running else "cli.db.not_running",
        mode=text(f"cli.db.mode_{state.mode}"),
        dsn=state.dsn,
    )


@db.command()
def stop() -> None:
    """Stop the private cluster (never an external DATABASE_URL server)."""
    settings = get_settings()
    if not settings.embedded:
        say("cli.db.external_not_stopped")
        return
    localdb.stop(settings)
    say("cli.db.stopped")


@db.command()
def status() -> None:
    """Say which database is used, whether it answers, and pending migrations."""
    settings = get_settings()
    state = localdb.status(settings)
    say(
        "cli.db.status",
        mode=text(f"cli.db.mode_{state.mode}"),
        dsn=state.dsn,
        running=state.running,
    )
    if state.pgdata:
        say("cli.db.data_folder", path=str(state.pgdata))
    if state.running:
        todo = pending(settings.dsn(), migrations_folder())
        say("cli.db.pending", names=", ".join(todo) if todo else text("word.none"))


@db.command()
def migrate() -> None:
    """Apply every pending schema migration."""
    done = apply(get_settings().dsn(), migrations_folder())
    if done:
        say("cli.db.migrated", count=len(done), names=", ".join(done))
    else:
        say("cli.db.up_to_date")
