"""Rate-limit counters in the ``rate_limits`` table: fixed windows shared by every process.

Nothing here commits: the caller (the web's ``limits`` storage) owns the transaction.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["clear", "clear_all", "count", "expiry", "increment", "prune"]

logger = logging.getLogger(__name__)

_INCREMENT = """
INSERT INTO rate_limits AS r (key, count, expires_at)
VALUES (%(key)s, %(amount)s, now() + make_interval(secs => %(expiry)s))
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN r.expires_at <= now() THEN EXCLUDED.count
                 ELSE r.count + EXCLUDED.count END,
    expires_at = CASE WHEN r.expires_at <= now() THEN EXCLUDED.expires_at
                      ELSE r.expires_at END
RETURNING count
"""


def increment(conn: Any, key: str, expiry_s: float, amount: int = 1) -> int:
    """Add ``amount`` to ``key``'s window (a new one of ``expiry_s`` if it ended); the count."""
    with conn.cursor() as cur:
        cur.execute(_INCREMENT, {"key": key, "amount": int(amount), "expiry": float(expiry_s)})
        return int(cur.fetchone()[0])


def count(conn: Any, key: str) -> int:
    """The count of ``key``'s current window (0 when it has none)."""
    with conn.cursor() as cur:
        cur.execute("SELECT count FROM rate_limits WHERE key = %s AND expires_at > now()", (key,))
        row = cur.fetchone()
    return 0 if row is None else int(row[0])


def expiry(conn: Any, key: str) -> float | None:
    """When ``key``'s current window ends (seconds since the epoch), None without one."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT extract(epoch FROM expires_at) FROM rate_limits "
            "WHERE key = %s AND expires_at > now()",
            (key,),
        )
        row = cur.fetchone()
    return None if row is None else float(row[0])


def clear(conn: Any, key: str) -> None:
    """Forget ``key``'s counter."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM rate_limits WHERE key = %s", (key,))


def clear_all(conn: Any) -> int:
    """Forget every counter; how many there were."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM rate_limits")
        return int(cur.rowcount)


def prune(conn: Any) -> int:
    """Delete the windows that have ended; how many."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM rate_limits WHERE expires_at <= now()")
        return int(cur.rowcount)
