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

__all__ = [
    "JOB_FIELDS",
    "add_worker",
    "delete_finished_jobs",
    "forget_rasters",
    "get_job",
    "insert_job",
    "job_call",
    "job_rasters_before",
    "largest_budget_mb",
    "update_job",
]

logger = logging.getLogger(__name__)

#: The columns a job update may set.
JOB_FIELDS = frozenset(
    {"status", "progress", "message", "scenario_id", "error", "queue_job_id", "attempts", "worker"}
)


def insert_job(
    conn: Any,
    job_id: str,
    kind: str,
    params: dict[str, Any],
    *,
    created_by: str = "web",
    call: dict[str, Any] | None = None,
    memory_mb: int = 0,
) -> None:
    """Store a queued job: its summary ``params``, the ``call`` a worker runs, its estimate."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO jobs (id, kind, params, created_by, call, memory_mb) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            (
                job_id,
                kind,
                json.dumps(params, default=str, ensure_ascii=False),
                created_by,
                None if call is None else json.dumps(call, ensure_ascii=False),
                int(memory_mb),
            ),
        )


def job_call(conn: Any, job_id: str) -> dict[str, Any]:
    """What a worker needs of a job: kind, status, call, estimate, owner, queue id, attempts."""
    return fetch_one(
        conn,
        "SELECT id::text, kind, status, call, memory_mb, created_by, queue_job_id, attempts "
        "FROM jobs WHERE id = %s",
        (job_id,),
        missing=msg("job.not_found", job=job_id),
    )


def add_worker(
    conn: Any, worker_id: int, *, host: str, pid: int, memory_mb: int, concurrency: int
) -> None:
    """Record a registered queue worker's budget (its row goes when the queue prunes it)."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO job_workers (worker_id, host, pid, memory_mb, concurrency) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (worker_id) DO NOTHING",
            (int(worker_id), host, int(pid), int(memory_mb), int(concurrency)),
        )


def largest_budget_mb(conn: Any, stall_s: float) -> int | None:
    """The largest memory budget of the workers heard from within ``stall_s`` (None: none)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT max(w.memory_mb) FROM job_workers w "
            "JOIN procrastinate_workers p ON p.id = w.worker_id "
            "WHERE p.last_heartbeat > now() - make_interval(secs => %s)",
            (float(stall_s),),
        )
        row = cur.fetchone()
    return None if row is None or row[0] is None else int(row[0])


def job_rasters_before(conn: Any, days: float) -> list[tuple[int, str]]:
    """Rasters (id, path) of scenarios that jobs made, catalogued more than ``days`` ago."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT r.id, r.path FROM rasters r "
            "WHERE r.created_at < now() - make_interval(secs => %s) "
            "AND EXISTS (SELECT 1 FROM jobs j WHERE j.scenario_id = r.scenario_id) ORDER BY r.id",
            (float(days) * 86400.0,),
        )
        return [(int(i), str(p)) for i, p in cur.fetchall()]


def forget_rasters(conn: Any, ids: list[int]) -> int:
    """Delete the catalogue rows of rasters ``ids``; returns how many went."""
    with conn.cursor() as cur:
        cur.execute("DELETE FROM rasters WHERE id = ANY(%s)", ([int(i) for i in ids],))
        return int(cur.rowcount)


def delete_finished_jobs(conn: Any, days: float) -> int:
    """Delete the jobs that ended (done, failed, cancelled) more than ``days`` ago.

    A job whose scenario still has rasters stays until the raster retention has removed
    them: :func:`job_rasters_before` finds a job's rasters through its row. Returns how many
    rows went; the scenarios the jobs made stay.
    """
    with conn.cursor() as cur:
        cur.execute(
            "DELETE FROM jobs j WHERE j.status IN ('done', 'failed', 'cancelled') "
            "AND j.updated_at < now() - make_interval(secs => %s) "
            "AND NOT EXISTS (SELECT 1 FROM rasters r WHERE r.scenario_id = j.scenario_id)",
            (float(days) * 86400.0,),
        )
        return int(cur.rowcount)


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
        "SELECT id, kind, status, progress, message, scenario_id, error, created_at, updated_at, "
        "memory_mb, attempts, created_by "
        "FROM jobs WHERE id = %s",
        (job_id,),
        missing=msg("job.not_found", job=job_id),
    )
    out["id"] = str(out["id"])
    for key in ("created_at", "updated_at"):
        stamp: dt.datetime = out[key]
        out[key] = stamp.isoformat()
    return out
