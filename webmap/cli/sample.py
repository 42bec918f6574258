"""``langnghe sample``: the curated sample data in ``data/``."""

from __future__ import annotations

import click

from gis.db import session, transaction
from gis.settings import get_settings
from webmap.cli.options import echo_lines, progress_bar, text

__all__ = ["sample"]


@click.group()
def sample() -> None:
    """The curated sample data in data/."""


@sample.command(name="load")
def sample_load() -> None:
    """Load or refresh the sample (idempotent: a second load changes nothing)."""
    from layers.sample import load_sample

    settings = get_settings()
    with (
        session(settings, application_name="langnghe sample") as conn,
        transaction(conn),
        progress_bar(text("cli.progress.sample")) as bar,
    ):
        reports = load_sample(conn, settings, progress=bar)
    for report in reports:
        echo_lines(report.messages(max_problems=5))
