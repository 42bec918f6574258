"""Accounts and API tokens: the ``users`` and ``api_tokens`` tables.

Storage only: passwords arrive hashed and tokens as their SHA-256 (hashing, sessions and
who may do what live in ``webmap``). Nothing here commits: the CLI command or the
request that calls these functions owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import psycopg2.errors

from gis.errors import NotFoundError, ValidationError
from gis.messages import msg

__all__ = [
    "ROLES",
    "Account",
    "AccountSummary",
    "account_by_id",
    "credentials",
    "insert_token",
    "insert_user",
    "list_accounts",
    "revoke_tokens",
    "set_active",
    "token_account",
]

logger = logging.getLogger(__name__)

#: The roles an account may have (the table's CHECK constraint says the same).
ROLES = ("admin", "planner", "env_officer")


@dataclass(frozen=True)
class Account:
    """An active account as the rest of the system sees it."""

    id: int
    username: str
    role: str


@dataclass(frozen=True)
class AccountSummary:
    """One line of the account list: role, state and live tokens."""

    username: str
    role: str
    active: bool
    created_at: dt.datetime
    tokens: int


def insert_user(conn: Any, username: str, password_hash: str, role: str) -> int:
    """Store a new account and return its id.

    Parameters
    ----------
    conn : psycopg2 connection
        In the caller's transaction (not committed here).
    username : str
        3-40 characters of ``a-z``, ``0-9``, ``_``, ``.``, ``-``.
    password_hash : str
        The password's hash (argon2id); never the password.
    role : str
        One of :data:`ROLES`.

    Returns
    -------
    int
        The new account's id.

    Raises
    ------
    ValidationError
        When the role is unknown, the name is taken or malformed (the transaction is then
        aborted: the caller rolls it back).
    """
    if role not in ROLES:
        raise ValidationError(msg("accounts.bad_role", role=role, choices=list(ROLES)))
    try:
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO users (username, password_hash, role) VALUES (%s, %s, %s) "
                "RETURNING id",
                (username, password_hash, role),
            )
            (user_id,) = cur.fetchone()
    except psycopg2.errors.UniqueViolation:
        raise ValidationError(msg("accounts.user_exists", username=username)) from None
    except psycopg2.errors.CheckViolation:
        raise ValidationError(msg("accounts.bad_username", username=username)) from None
    return int(user_id)


def credentials(conn: Any, username: str) -> tuple[Account, str] | None:
    """The active account called ``username`` and its password hash, or None."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, password_hash, role FROM users WHERE username = %s AND active",
            (username,),
        )
        row = cur.fetchone()
    if row is None:
        return None
    return Account(int(row[0]), username, str(row[2])), str(row[1])


def account_by_id(conn: Any, user_id: int) -> Account | None:
    """The active account with id ``user_id``, or None."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, username, role FROM users WHERE id = %s AND active", (int(user_id),)
        )
        row = cur.fetchone()
    return Account(int(row[0]), str(row[1]), str(row[2])) if row else None


def insert_token(conn: Any, username: str, name: str, token_sha256: str) -> int:
    """Store a token (as its SHA-256) for the active account ``username``; returns its id.

    Raises
    ------
    NotFoundError
        When there is no active account of that name.
    """
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO api_tokens (user_id, name, token_sha256) SELECT id, %s, %s FROM users "
            "WHERE username = %s AND active RETURNING id",
            (name, token_sha256, username),
        )
        row = cur.fetchone()
    if row is None:
        raise NotFoundError(msg("accounts.no_active_user", username=username))
    return int(row[0])


def token_account(conn: Any, token_sha256: str) -> Account | None:
    """The active account of a live token (its last use stamped now), or None."""
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE api_tokens t SET last_used_at = now() FROM users u WHERE t.user_id = u.id "
            "AND t.token_sha256 = %s AND t.revoked_at IS NULL AND u.active "
            "RETURNING u.id, u.username, u.role",
            (token_sha256,),
        )
        row = cur.fetchone()
    return Account(int(row[0]), str(row[1]), str(row[2])) if row else None


def list_accounts(conn: Any) -> list[AccountSummary]:
    """Every account by name, with its role, state and number of live tokens."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT u.username, u.role, u.active, u.created_at, "
            "count(t.id) FILTER (WHERE t.revoked_at IS NULL) "
            "FROM users u LEFT JOIN api_tokens t ON t.user_id = u.id "
            "GROUP BY u.id ORDER BY u.username"
        )
        return [AccountSummary(n, r, a, c, int(t)) for n, r, a, c, t in cur.fetchall()]


def set_active(conn: Any, username: str, active: bool) -> None:
    """Enable or disable an account (a disabled one's sessions and tokens stop working).

    Raises
    ------
    NotFoundError
        When there is no account of that name.
    """
    with conn.cursor() as cur:
        cur.execute("UPDATE users SET active = %s WHERE username = %s", (active, username))
        if cur.rowcount == 0:
            raise NotFoundError(msg("accounts.no_user", username=username))


def revoke_tokens(conn: Any, username: str, name: str | None = None) -> int:
    """Revoke the live tokens of ``username`` (only those called ``name`` when given).

    Returns
    -------
    int
        How many tokens were revoked.
    """
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE api_tokens t SET revoked_at = now() FROM users u WHERE t.user_id = u.id "
            "AND u.username = %s AND t.revoked_at IS NULL AND (%s::text IS NULL OR t.name = %s)",
            (username, name, name),
        )
        return int(cur.rowcount)
