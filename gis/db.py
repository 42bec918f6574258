"""Connections: a thread-safe pool, transactions, and simple fetch helpers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2
import psycopg2.extras
import psycopg2.pool

from gis.errors import DatabaseUnavailableError
from gis.settings import Settings

__all__ = ["Database", "connect", "create_database", "fetch_one", "session", "transaction"]

logger = logging.getLogger(__name__)


def connect(settings: Settings, *, application_name: str = "langnghe", database: str | None = None):
    """Open one connection, turning connection failures into a domain error.

    Raises
    ------
    DatabaseUnavailableError
        When the server does not answer; the message says which and how to start it.
    """
    try:
        conn = psycopg2.connect(
            settings.dsn(database),
            application_name=application_name,
            options=f"-c statement_timeout={int(settings.statement_timeout_ms)}",
            connect_timeout=10,
        )
    except psycopg2.OperationalError as exc:
        hint = " Run `langnghe db start`." if settings.embedded else ""
        raise DatabaseUnavailableError(f"cannot connect to the database.{hint}") from exc
    return conn


@contextmanager
def transaction(conn) -> Iterator[Any]:
    """Run a block in one transaction: commit on success, roll back on any error."""
    try:
        with conn.cursor() as cur:
            yield cur
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


class Database:
    """A small pool of connections for the web app and long-running commands."""

    def __init__(self, settings: Settings, *, minconn: int = 1, maxconn: int = 8) -> None:
        self.settings = settings
        self._minconn, self._maxconn = minconn, maxconn
        self._pool: psycopg2.pool.ThreadedConnectionPool | None = None
        self._lock = threading.Lock()

    def _get_pool(self) -> psycopg2.pool.ThreadedConnectionPool:
        with self._lock:  # two threads must never each create a pool of their own
            return self._create_pool()

    def _create_pool(self) -> psycopg2.pool.ThreadedConnectionPool:
        if self._pool is None:
            try:
                self._pool = psycopg2.pool.ThreadedConnectionPool(
                    self._minconn,
                    self._maxconn,
                    self.settings.dsn(),
                    application_name="langnghe-web",
                    options=f"-c statement_timeout={int(self.settings.statement_timeout_ms)}",
                    connect_timeout=5,
                )
            except psycopg2.OperationalError as exc:
                raise DatabaseUnavailableError("the database is not reachable") from exc
        return self._pool

    def getconn(self):
        """Borrow a connection; a broken one is replaced transparently."""
        pool = self._get_pool()
        try:
            conn = pool.getconn()
        except psycopg2.OperationalError as exc:
            raise DatabaseUnavailableError("the database is not reachable") from exc
        if conn.closed:
            pool.putconn(conn, close=True)
            return self.getconn()
        return conn

    def putconn(self, conn, *, broken: bool = False) -> None:
        """Return a borrowed connection; broken ones are closed, not reused."""
        if self._pool is not None:
            self._pool.putconn(conn, close=broken or bool(conn.closed))

    def close(self) -> None:
        """Close every pooled connection."""
        if self._pool is not None:
            self._pool.closeall()
            self._pool = None


def create_database(settings: Settings, name: str, *, replace: bool = False) -> None:
    """Create database ``name`` on the configured server (dropping it first when ``replace``)."""
    from psycopg2 import sql

    admin = psycopg2.connect(settings.dsn("postgres"), connect_timeout=10)
    try:
        admin.autocommit = True
        with admin.cursor() as cur:
            if replace:
                cur.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        admin.close()


@contextmanager
def session(settings: Settings, *, application_name: str = "langnghe") -> Iterator[Any]:
    """A connection for one command, always closed afterwards (commit/rollback stay explicit)."""
    conn = connect(settings, application_name=application_name)
    try:
        yield conn
    finally:
        conn.close()


def fetch_one(conn, query: Any, params: Any, *, missing: str) -> dict[str, Any]:
    """The one row of ``query`` as a dict of its column names, or :class:`NotFoundError` saying ``missing``."""
    from gis.errors import NotFoundError

    with conn.cursor() as cur:
        cur.execute(query, params)
        row = cur.fetchone()
        names = [d.name for d in cur.description]
    if row is None:
        raise NotFoundError(missing)
    return dict(zip(names, row, strict=True))
