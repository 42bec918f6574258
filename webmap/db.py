"""The request's database connection, as the Flask tutorial's ``flaskr/db.py`` holds it.

The pool is made once, in :func:`init_app` (called by ``create_app``); a view borrows a
connection with :func:`get_conn`, kept on ``g`` for the rest of the request, and
:func:`close_conn` hands it back when the application context ends: rolled back
(the request commits what it means to keep), or dropped when the server went away.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg2
from flask import Flask, current_app, g

from gis.db import Database
from gis.settings import Settings

__all__ = ["EXTENSION", "close_conn", "database", "get_conn", "init_app"]

logger = logging.getLogger(__name__)

#: Key of the pool in ``app.extensions``.
EXTENSION = "langnghe_db"


def database() -> Database:
    """The current app's connection pool."""
    return current_app.extensions[EXTENSION]


def get_conn() -> Any:
    """The request's database connection, borrowed from the pool on first use."""
    if "conn" not in g:
        g.conn = database().getconn()
    return g.conn


def close_conn(_exc: BaseException | None = None) -> None:
    """Give the request's connection back to the pool (rolled back), if it took one."""
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
    """Make the pool for ``app`` and return connections when each context ends."""
    app.extensions[EXTENSION] = Database(settings)
    app.teardown_appcontext(close_conn)
