"""Versioned schema migrations, run by yoyo-migrations."""

from __future__ import annotations

import logging
from pathlib import Path

from yoyo import get_backend, read_migrations

__all__ = ["apply", "pending"]

logger = logging.getLogger(__name__)


def _backend(dsn: str):
    # yoyo's "postgresql" scheme is its psycopg2 backend.
    return get_backend(dsn, migration_table="_yoyo_migration")


def pending(dsn: str, folder: Path) -> list[str]:
    """Return the ids of migrations in ``folder`` not yet applied to the database."""
    backend = _backend(dsn)
    return [m.id for m in backend.to_apply(read_migrations(str(folder)))]


def apply(dsn: str, folder: Path) -> list[str]:
    """Apply every pending migration (each in its own transaction); return their ids."""
    backend = _backend(dsn)
    migrations = read_migrations(str(folder))
    with backend.lock():
        todo = backend.to_apply(migrations)
        backend.apply_migrations(todo)
    ids = [m.id for m in todo]
    for mid in ids:
        logger.info("applied migration %s", mid)
    return ids
