"""Sign-in state every web worker sees: the ``sessions`` and ``signin_failures`` tables.

Storage only: tokens arrive as their SHA-256, lifetimes and limits as numbers (the settings
and the decisions live in ``webmap.auth``). Nothing here commits: the request does.
"""

from __future__ import annotations

import logging
from typing import Any

from layers.accounts import Account

__all__ = [
    "clear_failures",
    "create_session",
    "delete_session",
    "locked_for",
    "record_failure",
    "session_account",
]

logger = logging.getLogger(__name__)

#: ``last_seen`` is written at most this often per session (seconds), not on every request.
_TOUCH_S = 60


def create_session(conn: Any, user_id: int, token_sha256: str, *, absolute_s: int) -> None:
    """Store a new session of ``user_id`` (and drop sessions past their absolute lifetime)."""
    with conn.cursor() as cur:
        cur.execute(
            "DELETE FROM sessions WHERE created_at < now() - make_interval(secs => %s)",
            (absolute_s,),
        )
        cur.execute(
            "INSERT INTO sessions (token_sha256, user_id) VALUES (%s, %s)",
            (token_sha256, int(user_id)),
        )


def session_account(
    conn: Any, token_sha256: str, *, idle_s: int, absolute_s: int
) -> Account | None:
    """The active account of a live session, or None; its ``last_seen`` is brought up to date.

    Live: used within the last ``idle_s`` seconds and started less than ``absolute_s`` ago.
    """
    with conn.cursor() as cur:
        cur.execute(
            "SELECT u.id, u.username, u.role, s.last_seen < now() - make_interval(secs => %s)"
            " FROM sessions s JOIN users u ON u.id = s.user_id"
            " WHERE s.token_sha256 = %s AND u.active"
            " AND s.last_seen > now() - make_interval(secs => %s)"
            " AND s.created_at > now() - make_interval(secs => %s)",
            (_TOUCH_S, token_sha256, idle_s, absolute_s),
        )
        row = cur.fetchone()
        if row is None:
            return None
        if row[3]:
            cur.execute(
                "UPDATE sessions SET last_seen = now() WHERE token_sha256 = %s", (token_sha256,)
            )
    return Account(int(row[0]), str(row[1]), str(row[2]))


def delete_session(conn: Any, token_sha256: str) -> None:
    """End one session (sign-out)."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM sessions WHERE token_sha256 = %s", (token_sha256,))


def locked_for(conn: Any, keys: list[tuple[str, str]]) -> float:
    """Seconds until sign-in is allowed again for these ``(kind, key)`` pairs (0: now)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT coalesce(extract(epoch FROM max(locked_until) - now()), 0)"
            " FROM signin_failures WHERE locked_until > now()"
            " AND (kind, key) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
            ([k for k, _ in keys], [v for _, v in keys]),
        )
        return max(0.0, float(cur.fetchone()[0]))


def record_failure(
    conn: Any,
    kind: str,
    key: str,
    *,
    limit: int,
    lock_s: float,
    max_lock_s: float,
    window_s: int,
) -> float:
    """Count one failed sign-in for ``(kind, key)``; return the lock-out it starts (seconds).

    Failures older than ``window_s`` are forgotten. The ``limit``-th failure locks for
    ``lock_s``, and each further one doubles that, up to ``max_lock_s``. One statement, so
    concurrent workers count every failure.
    """
    with conn.cursor() as cur:
        cur.execute(
            """
            INSERT INTO signin_failures AS f (kind, key, failures, last_failure)
            VALUES (%(kind)s, %(key)s, 1, now())
            ON CONFLICT (kind, key) DO UPDATE SET
                failures = CASE WHEN f.last_failure < now() - make_interval(secs => %(window)s)
                                THEN 1 ELSE f.failures + 1 END,
                last_failure = now()
            RETURNING failures
            """,
            {"kind": kind, "key": key, "window": window_s},
        )
        failures = int(cur.fetchone()[0])
        if failures < limit:
            return 0.0
        seconds = min(max_lock_s, lock_s * 2 ** (failures - limit))
        cur.execute(
            "UPDATE signin_failures SET locked_until = now() + make_interval(secs => %s)"
            " WHERE kind = %s AND key = %s",
            (seconds, kind, key),
        )
    return seconds


def clear_failures(conn: Any, kind: str, key: str) -> None:
    """Forget the failures of ``(kind, key)`` (after a successful sign-in)."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM signin_failures WHERE kind = %s AND key = %s", (kind, key))
