"""The request's database connections, as the Flask tutorial's ``flaskr/db.py`` holds them.

The pools are made once, in :func:`init_app` (called by ``create_app``); a view borrows a
connection with :func:`get_conn`, kept on ``g`` for the rest of the request, and
:func:`close_conn` hands it back when the application context ends: rolled back
(the request commits what it means to keep), or dropped when the server went away.

**Read replicas.** With ``DATABASE_REPLICA_URL`` set, a view marked :func:`public_read` (OGC
items, tiles, search, the pages' data) reads through :func:`read_conn`, which lends a replica
connection; everything else (writes, analyses, jobs, sign-in) uses :func:`get_conn`, the
primary. The rule that keeps a caller's own writes visible (read-your-writes): after a
request with an unsafe method (POST, PUT, PATCH, DELETE) that used the primary, the answer
sets the cookie :data:`WAL_COOKIE` to the primary's WAL flush position after the request's
commits. A public read from a client with that cookie goes to the replica only when the
replica has replayed the WAL up to that position (one comparison on the replica), else to the
primary; once the replica has caught up the cookie is deleted. A changed cookie can only send
its own client's reads to the primary. Clients that keep no cookies (``curl`` without a jar)
get no such guarantee on later requests.

If the replica does not answer, or a replica connection fails during a public read, the read
is served by the primary (the view runs again there: public reads write nothing) and the
replica is left alone for ``replica_retry_s`` (:class:`gis.db.ReplicaPool`). A replica that
stops answering without closing its connections (the host frozen, the network gone without a
reset) is found by the pool's stall watch: a replica connection lent for ``replica_stall_s``
makes it try a new connection, and when that fails within ``replica_connect_timeout_s`` the
lent connections are cut, so their reads fail over to the primary in the same way. Every
connection also carries TCP keepalives (``db_keepalives_*``).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg2
from flask import Flask, Response, current_app, g, request

from gis.db import Database, ReplicaPool, replayed, wal_flush_lsn
from gis.errors import DatabaseUnavailableError
from gis.settings import Settings

__all__ = [
    "EXTENSION",
    "REPLICA",
    "WAL_COOKIE",
    "close_conn",
    "database",
    "get_conn",
    "init_app",
    "public_read",
    "read_conn",
    "replica",
]

logger = logging.getLogger(__name__)

#: Key of the pool in ``app.extensions``.
EXTENSION = "langnghe_db"
#: Key of the replica's pool (:class:`gis.db.ReplicaPool`) in ``app.extensions``, when set.
REPLICA = "langnghe_replica"
#: The cookie holding the primary's WAL position after the client's last write.
WAL_COOKIE = "langnghe_wal"
#: How long the cookie lives at most (it is deleted as soon as the replica has replayed it).
WAL_COOKIE_MAX_AGE_S = 3600
_LSN = re.compile(r"^[0-9A-F]{1,8}/[0-9A-F]{1,8}$")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

View = TypeVar("View", bound=Callable[..., Any])


def database() -> Database:
    """The current app's connection pool."""
    return current_app.extensions[EXTENSION]


def replica() -> ReplicaPool | None:
    """The current app's replica pool, or ``None`` without ``DATABASE_REPLICA_URL``."""
    return current_app.extensions.get(REPLICA)


def get_conn() -> Any:
    """The request's connection to the primary, borrowed from the pool on first use."""
    if "conn" not in g:
        g.conn = database().getconn()
    return g.conn


def _client_lsn() -> str | None:
    value = request.cookies.get(WAL_COOKIE, "")
    return value if _LSN.match(value) else None


def _replica_conn(pool: ReplicaPool) -> Any | None:
    """A replica connection that may serve this client, or ``None`` (read from the primary)."""
    conn = pool.getconn()
    if conn is None:
        return None
    lsn = _client_lsn()
    try:
        fresh = lsn is None or replayed(conn, lsn)
    except psycopg2.Error as exc:
        pool.putconn(conn, broken=True)
        pool.mark_down(exc)
        return None
    if not fresh:
        pool.putconn(conn)
        pool.count("behind")
        return None
    g.lng_wal_seen = lsn is not None
    pool.count("served")
    return conn


def read_conn() -> Any:
    """The connection for a public read: the replica's when it may serve it, else the primary.

    Only in views marked :func:`public_read`; elsewhere (and without a replica) it is
    :func:`get_conn`.
    """
    if "read_conn" not in g:
        pool = replica()
        conn = None
        if pool is not None and g.get("lng_public_read"):
            conn = _replica_conn(pool)
        if conn is not None:
            g.replica_conn = conn
        g.read_conn = conn if conn is not None else get_conn()
    return g.read_conn


def _replica_failed(exc: BaseException) -> bool:
    """Whether ``exc`` is the request's replica connection failing (not the primary's)."""
    conn = g.get("replica_conn")
    if conn is None:
        return False
    for error in (exc, exc.__cause__):
        cursor = getattr(error, "cursor", None)
        if cursor is not None and cursor.connection is conn:
            return True
    return bool(conn.closed) or isinstance(exc, DatabaseUnavailableError)


def public_read(view: View) -> View:
    """Mark a view that only reads public data: it may read from the replica.

    When the replica's connection fails during the view (the replica stopped, a query
    cancelled by a recovery conflict), the replica is marked down and the view runs again on
    the primary, so the client sees no error.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        pool = replica()
        if pool is None:
            return view(*args, **kwargs)
        g.lng_public_read = True
        try:
            return view(*args, **kwargs)
        except (psycopg2.Error, DatabaseUnavailableError) as exc:
            if not _replica_failed(exc):
                raise
            _give_back_replica(broken=True)
            if not isinstance(exc, psycopg2.errors.SerializationFailure):
                pool.mark_down(exc)
            logger.info("a public read failed on the replica; served by the primary")
            g.lng_public_read = False
            g.pop("read_conn", None)
            return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _remember_writes(response: Response) -> Response:
    """Set or clear :data:`WAL_COOKIE` (see the module's read-your-writes rule)."""
    conn = g.get("conn")
    wrote = request.method not in _SAFE_METHODS and conn is not None and not conn.closed
    if wrote and not g.get("lng_public_read"):
        try:
            if conn.info.transaction_status == psycopg2.extensions.TRANSACTION_STATUS_INERROR:
                conn.rollback()  # what failed is rolled back by the teardown anyway
            lsn = wal_flush_lsn(conn)
        except psycopg2.Error:
            logger.warning("the WAL position after a write could not be read", exc_info=True)
            return response
        response.set_cookie(
            WAL_COOKIE,
            lsn,
            max_age=WAL_COOKIE_MAX_AGE_S,
            httponly=True,
            samesite="Lax",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    elif g.get("lng_wal_seen"):
        response.delete_cookie(WAL_COOKIE, samesite="Lax", httponly=True)
    return response


def _give_back_replica(*, broken: bool = False) -> None:
    conn = g.pop("replica_conn", None)
    pool = replica()
    if conn is None or pool is None:
        return
    if not broken and not conn.closed:
        try:
            conn.rollback()
        except psycopg2.Error:
            broken = True
    pool.putconn(conn, broken=broken or bool(conn.closed))


def close_conn(_exc: BaseException | None = None) -> None:
    """Give the request's connections back to their pools (rolled back), if it took any."""
    _give_back_replica()
    conn = g.pop("conn", None)
    if conn is None:
        return
    broken = bool(conn.closed)
    if not broken:
        try:
            conn.rollback()
        except psycopg2.Error:  # a connection killed by a server restart cannot roll back
            broken = True
    database().putconn(conn, broken=broken)


def init_app(app: Flask, settings: Settings) -> None:
    """Make the pools for ``app`` and return connections when each context ends."""
    app.extensions[EXTENSION] = primary = Database(settings)
    if settings.database_replica_url:
        app.extensions[REPLICA] = pool = ReplicaPool(settings)
        primary.on_close.append(pool.close)
        app.after_request(_remember_writes)
    app.teardown_appcontext(close_conn)
