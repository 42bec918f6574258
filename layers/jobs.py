"""Analysis jobs: the ``jobs`` table (status, progress, message, the scenario made).

Nothing here commits. The job runner writes progress on an autocommit connection of its
own, so that a page sees it while the analysis' transaction is still open.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

from psycopg2 import sql

from gis.db import fetch_one
from gis.errors import NotFoundError, ValidationError
from gis.messages import msg

__all__ = ["JOB_FIELDS", "get_job", "insert_job", "update_job"]

logger = logging.getLogger(__name__)

#: The columns a job update may set.
JOB_FIELDS = frozenset({"status", "progress", "message", "scenario_id", "error"})


def insert_job(
    conn: Any, job_id: str, kind: str, params: dict[str, Any], *, created_by: str = "web"
) -> None:
    """Store a queued job (its parameters as JSON)."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO jobs (id, kind, params, created_by) VALUES (%s, %s, %s, %s)",
            (job_id, kind, json.dumps(params, default=str, ensure_ascii=False), created_by),
        )


def update_job(conn: Any, job_id: str, **fields: Any) -> None:
    """Set some of :data:`JOB_FIELDS` of a job and stamp its ``updated_at``.

    Raises
    ------
    ValidationError
        When a field is not one of :data:`JOB_FIELDS`.
    """
    unknown = sorted(set(fields) - JOB_FIELDS)
    if unknown or not fields:
        raise ValidationError(msg("job.bad_fields", fields=unknown, choices=sorted(JOB_FIELDS)))
    sets = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(name)) for name in fields)
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("UPDATE jobs SET {}, updated_at = now() WHERE id = %s").format(sets),
            (*fields.values(), job_id),
        )


def get_job(conn: Any, job_id: str) -> dict[str, Any]:
    """One job: id, kind, status, progress, message, scenario, error and times (ISO 8601).

    Raises
    ------
    NotFoundError
        When ``job_id`` is not a UUID or no such job exists.
    """
    try:
        uuid.UUID(job_id)
    except ValueError:
        raise NotFoundError(msg("job.not_found", job=job_id)) from None
    out = fetch_one(
        conn,
        "SELECT id, kind, status, progress, message, scenario_id, error, created_at, updated_at "
        "FROM jobs WHERE id = %s",
        (job_id,),
        missing=msg("job.not_found", job=job_id),
    )
    out["id"] = str(out["id"])
    for key in ("created_at", "updated_at"):
        stamp: dt.datetime = out[key]
        out[key] = stamp.isoformat()
    return out
