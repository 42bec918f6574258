"""Versioned schema migrations, run by yoyo-migrations."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from yoyo import get_backend, read_migrations

__all__ = ["apply", "pending"]

logger = logging.getLogger(__name__)


@contextmanager
def _backend(dsn: str) -> Iterator[Any]:
    """The yoyo backend for ``dsn`` (its "postgresql" scheme is psycopg2), closed afterwards."""
    backend = get_backend(dsn, migration_table="_yoyo_migration")
    try:
        yield backend
    finally:
        backend.connection.close()


def pending(dsn: str, folder: Path) -> list[str]:
    """Return the ids of migrations in ``folder`` not yet applied to the database."""
    with _backend(dsn) as backend:
        return [m.id for m in backend.to_apply(read_migrations(str(folder)))]


def apply(dsn: str, folder: Path) -> list[str]:
    """Apply every pending migration (each in its own transaction); return their ids."""
    migrations = read_migrations(str(folder))
    with _backend(dsn) as backend, backend.lock():
        todo = backend.to_apply(migrations)
        backend.apply_migrations(todo)
    ids = [m.id for m in todo]
    for mid in ids:
        logger.info("applied migration %s", mid)
    return ids
