"""Audit rows for changes made outside the feature edits (alert rules, handled alerts).

The same ``audit_log`` table and row shape as :mod:`layers.editing` (who, when, the row
before and after as JSON), so the admin's audit page lists them and can undo them.
Nothing here commits.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from psycopg2 import sql

__all__ = ["audit_change", "plain_row"]

logger = logging.getLogger(__name__)


def plain_row(conn: Any, table: str, row_id: int) -> dict[str, Any] | None:
    """A row of a table without geometry as JSON (None when it is not there)."""
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("SELECT to_jsonb(t) FROM {} t WHERE id = %s").format(sql.Identifier(table)),
            (row_id,),
        )
        row = cur.fetchone()
    return dict(row[0]) if row else None


def audit_change(
    conn: Any,
    actor: str,
    action: str,
    table: str,
    row_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    details: dict[str, Any] | None = None,
) -> int:
    """Write one audit row (``insert``, ``update`` or ``delete``); returns its id."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO audit_log (actor, action, table_name, row_ref, before, after, details) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                actor,
                action,
                table,
                str(row_id),
                json.dumps(before, ensure_ascii=False, default=str) if before else None,
                json.dumps(after, ensure_ascii=False, default=str) if after else None,
                json.dumps(details or {}, ensure_ascii=False),
            ),
        )
        return int(cur.fetchone()[0])
