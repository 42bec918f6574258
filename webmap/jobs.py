"""Long analyses run as jobs: a row in ``jobs`` (status, progress, message, scenario), a
worker thread from a small pool, and an endpoint the page polls.

The analysis gets a ``progress(fraction, message)`` callback that writes the row on its
own autocommit connection, so the page sees progress while the analysis' transaction
is still open. Failures are stored with the same clear message the CLI would print.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Blueprint, current_app, jsonify
from psycopg2 import sql

from gis.db import connect, fetch_one
from gis.errors import LangNgheError, NotFoundError
from webmap.auth import require

__all__ = ["JobRunner", "bp"]

logger = logging.getLogger(__name__)
bp = Blueprint("jobs", __name__)

#: ``work(conn, settings, progress) -> scenario id``
Work = Callable[[Any, Any, Callable[[float, str], None]], int]


class JobRunner:
    """A few worker threads; each job opens its own connections."""

    def __init__(self, settings, *, workers: int = 2) -> None:
        self.settings = settings
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="langnghe-job")

    def submit(
        self, kind: str, params: dict[str, Any], work: Work, *, created_by: str = "web"
    ) -> str:
        job_id = str(uuid.uuid4())
        conn = connect(self.settings, application_name="langnghe-job")
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "INSERT INTO jobs (id, kind, params, created_by) VALUES (%s, %s, %s, %s)",
                    (job_id, kind, json.dumps(params, default=str, ensure_ascii=False), created_by),
                )
            conn.commit()
        finally:
            conn.close()
        self.pool.submit(self._run, job_id, work)
        return job_id

    def _run(self, job_id: str, work: Work) -> None:
        status = connect(self.settings, application_name="langnghe-job-status")
        status.autocommit = True
        last = [-1.0]

        def update(**fields: Any) -> None:
            sets = sql.SQL(", ").join(
                sql.SQL("{} = %s").format(sql.Identifier(name)) for name in fields
            )
            with status.cursor() as cur:
                cur.execute(
                    sql.SQL("UPDATE jobs SET {}, updated_at = now() WHERE id = %s").format(sets),
                    (*fields.values(), job_id),
                )

        def progress(fraction: float, message: str) -> None:
            if fraction - last[0] >= 0.01 or fraction >= 1.0:
                last[0] = fraction
                update(progress=min(max(fraction, 0.0), 1.0), message=message)

        conn = connect(self.settings, application_name="langnghe-job-work")
        try:
            update(status="running")
            scenario_id = work(conn, self.settings, progress)
            update(status="done", progress=1.0, message="done", scenario_id=scenario_id)
        except LangNgheError as exc:
            conn.rollback()
            update(status="failed", error=str(exc))
        except Exception:  # a bug: log it whole, tell the user little
            logger.exception("job %s failed", job_id)
            conn.rollback()
            update(status="failed", error="internal error: see the server log")
        finally:
            conn.close()
            status.close()


def get_job(conn, job_id: str) -> dict[str, Any]:
    try:
        uuid.UUID(job_id)
    except ValueError:
        raise NotFoundError(f"job {job_id!r} does not exist") from None
    out = fetch_one(
        conn,
        "SELECT id, kind, status, progress, message, scenario_id, error, created_at, updated_at "
        "FROM jobs WHERE id = %s",
        (job_id,),
        missing=f"job {job_id!r} does not exist",
    )
    out["id"] = str(out["id"])
    out["created_at"], out["updated_at"] = (
        out["created_at"].isoformat(),
        out["updated_at"].isoformat(),
    )
    return out


@bp.get("/api/jobs/<job_id>")
@require("planner", "env_officer")
def job_status(job_id: str):
    """Status, progress (0-1), message, and the scenario when done."""
    from webmap.app import get_conn

    job = get_job(get_conn(), job_id)
    if job["scenario_id"] is not None:
        job["scenario_url"] = f"/api/scenarios/{job['scenario_id']}"
    return jsonify(job)


def runner() -> JobRunner:
    return current_app.extensions["langnghe_jobs"]
