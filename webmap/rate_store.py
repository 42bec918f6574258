"""Rate limits every web process sees: a ``limits`` storage backed by PostgreSQL.

Registered with the ``limits`` library under its own scheme, ``langnghe+postgresql://``
(the class attribute ``STORAGE_SCHEME``): flask-limiter builds it from that URI and the app's
connection pool (``storage_options={"database": pool}``). Each call borrows a connection of
its own and commits at once, apart from the request's transaction. With ``REDIS_URL`` set the
app uses the ``limits`` Redis storage instead (the ``redis`` package must be installed).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg2
from limits.storage import Storage

from gis.db import Database, transaction
from layers import rate_limits

__all__ = ["SCHEME", "PostgresStorage", "storage_uri"]

logger = logging.getLogger(__name__)

#: The URI scheme of :class:`PostgresStorage`.
SCHEME = "langnghe+postgresql"
T = TypeVar("T")


def storage_uri(settings: Any) -> str:
    """The limits storage of the app: Redis when ``REDIS_URL`` is set, else the database.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> storage_uri(SimpleNamespace(redis_url=None))
    'langnghe+postgresql://'
    >>> storage_uri(SimpleNamespace(redis_url="redis://cache:6379/0"))
    'redis://cache:6379/0'
    """
    return settings.redis_url or f"{SCHEME}://"


class PostgresStorage(Storage):
    """Fixed-window counters in the ``rate_limits`` table (flask-limiter's default strategy)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        database: Database | None = None,
        **options: Any,
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if database is None:
            raise ValueError("PostgresStorage needs the app's pool: storage_options database=")
        self.database = database

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        """What the database may raise (flask-limiter then lets the request through)."""
        return psycopg2.Error

    def _run(self, work: Callable[[Any], T]) -> T:
        conn = self.database.getconn()
        broken = False
        try:
            with transaction(conn):
                return work(conn)
        except psycopg2.OperationalError:
            broken = True
            raise
        finally:
            self.database.putconn(conn, broken=broken)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count ``amount`` more in ``key``'s window; the new count."""
        if random.random() < 0.001:  # now and then, drop the windows that ended
            self._run(rate_limits.prune)
        return self._run(lambda conn: rate_limits.increment(conn, key, expiry, amount))

    def get(self, key: str) -> int:
        """The count in ``key``'s window."""
        return self._run(lambda conn: rate_limits.count(conn, key))

    def get_expiry(self, key: str) -> float:
        """When ``key``'s window ends (epoch seconds; now when it has none)."""
        found = self._run(lambda conn: rate_limits.expiry(conn, key))
        return time.time() if found is None else found

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            self._run(lambda conn: rate_limits.count(conn, "-"))
        except psycopg2.Error:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter."""
        return self._run(rate_limits.clear_all)

    def clear(self, key: str) -> None:
        """Forget ``key``'s counter."""
        self._run(lambda conn: rate_limits.clear(conn, key))
