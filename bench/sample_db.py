"""A database of a benchmark's own holding the curated sample (as ``make sample`` loads it).

The servers that bench/soak.py and bench/scale_test.py start used to read the project's main
database, whatever it held: ``make bench`` never loads the sample there, so on a database
without it every siting job failed (``siting.no_polluting_villages``) and the tour paths of
the soak answered 400 (``tour.unknown_villages``). Each script now creates its own database
(once; a later run reuses it), migrated and loaded with the sample and its source zones, and
gives its servers and workers ``LANGNGHE_PG_DATABASE``. A database of its own also keeps the
run's job queue apart: no worker of another process on the main database takes its jobs.
"""

from __future__ import annotations

import datetime as dt

from gis.db import connect, create_database, transaction
from gis.migrate import apply
from gis.settings import Settings
from layers import migrations_folder

#: The date of the source zones (as the Makefile's ``sample`` target).
ZONES_DATE = dt.date(2026, 10, 1)


def sample_database(settings: Settings, name: str) -> Settings:
    """Database ``name`` with the sample loaded (created and loaded the first time); its settings.

    A database that has villages and source zones already is used as it is.
    """
    from layers.sample import load_sample
    from planning.pipeline.zones import make_source_zones

    create_database(settings, name)
    own = settings.model_copy(update={"pg_database": name})
    apply(own.dsn(), migrations_folder())
    conn = connect(own)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT (SELECT count(*) FROM craft_villages), "
                "(SELECT count(*) FROM pollution_zones)"
            )
            villages, zones = cur.fetchone()
        conn.rollback()
        if not villages:
            with transaction(conn):
                load_sample(conn, own, progress=False)
        if not villages or not zones:
            with transaction(conn):
                make_source_zones(conn, own, ZONES_DATE)
    finally:
        conn.close()
    return own


def database_env(settings: Settings) -> dict[str, str]:
    """The environment that points a server or worker at ``settings``' database."""
    return {"LANGNGHE_PG_DATABASE": settings.pg_database}
