"""Long analyses run as durable jobs: submission, the status the page polls, cancellation.

A job is a row in ``jobs`` (status, progress, message, scenario) and a job in the PostgreSQL
queue (:mod:`webmap.worker`), written in one transaction. ``langnghe worker`` processes run
it, on this machine or others; the web only queues, shows and cancels. With
``jobs_in_process`` (the default in development, so ``make demo`` needs no second command)
the web process also runs one worker on a thread, started with the first job.

Progress notes and errors are stored as messages (their JSON form, see
:meth:`gis.messages.Message.as_dict`) and rendered when the page asks, in its language:
``message`` and ``error`` are the text, ``message_detail`` and ``error_detail`` the
``{code, params, text}`` of the message.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, jsonify
from flask_babel import gettext as _

from gis.db import connect, transaction
from gis.errors import JobTooLargeError
from gis.messages import Message, msg
from layers.jobs import get_job, insert_job, job_call, largest_budget_mb, update_job
from planning.pipeline.jobs import job_call as stored_call
from planning.pipeline.jobs import memory_mb
from webmap.auth import current, require
from webmap.db import get_conn
from webmap.errors import Forbidden
from webmap.i18n import current_lang
from webmap.messages import message_json
from webmap.security import hide_paths
from webmap.worker import InProcessWorker, cancel, defer, job_limit_mb, loaded, stored

__all__ = ["JobRunner", "JobWork", "bp", "runner"]

logger = logging.getLogger(__name__)
bp = Blueprint("jobs", __name__)


@dataclass(frozen=True)
class JobWork:
    """What a job runs: ``run(conn, settings, request, progress=, actor=)`` of the pipeline."""

    run: Callable[..., Any]
    request: Any


class JobRunner:
    """Queues jobs (and runs an in-process worker when the settings ask for one)."""

    def __init__(self, settings) -> None:
        self.settings = settings
        wanted = settings.jobs_in_process
        self.in_process = settings.environment == "development" if wanted is None else wanted
        self._local: InProcessWorker | None = None
        self._lock = threading.Lock()

    def limit_mb(self, conn) -> int:
        """The largest estimate a worker takes: of the live workers, else of the settings."""
        live = largest_budget_mb(conn, self.settings.job_stall_s)
        return job_limit_mb(live or self.settings.worker_memory_mb)

    def submit(
        self, kind: str, params: dict[str, Any], work: JobWork, *, created_by: str = "web"
    ) -> str:
        """Queue ``work`` as a job of ``kind`` and return the job's id.

        Raises
        ------
        JobTooLargeError
            At once, when the job's memory estimate is above what the largest worker takes.
        """
        call = stored_call(work.run, work.request)
        needed = memory_mb(work.request, self.settings.job_default_memory_mb)
        job_id = str(uuid.uuid4())
        conn = connect(self.settings, application_name="langnghe-job", role="app")
        try:
            with transaction(conn):
                limit = self.limit_mb(conn)
                if needed > limit:
                    raise JobTooLargeError(msg("job.too_large", needed_mb=needed, limit_mb=limit))
                insert_job(
                    conn, job_id, kind, params, created_by=created_by, call=call, memory_mb=needed
                )
                update_job(conn, job_id, queue_job_id=defer(conn, job_id, needed))
        finally:
            conn.close()
        if self.in_process:
            self._start_local()
        return job_id

    def _start_local(self) -> None:
        with self._lock:
            if self._local is None:
                self._local = InProcessWorker(self.settings)

    def close(self) -> None:
        """Stop the in-process worker, if one runs."""
        with self._lock:
            local, self._local = self._local, None
        if local is not None:
            local.close()


def _rendered(job: dict[str, Any]) -> dict[str, Any]:
    lang = current_lang()
    for key in ("message", "error"):
        value = loaded(job[key])
        if isinstance(value, Message):
            job[f"{key}_detail"] = message_json(value, lang)
            job[key] = job[f"{key}_detail"]["text"]
    if job["scenario_id"] is not None:
        job["scenario_url"] = f"/api/scenarios/{job['scenario_id']}"
    return job


@bp.get("/api/jobs/<job_id>")
@require("planner", "env_officer")
def job_status(job_id: str):
    """Status, progress (0-1), message, and the scenario when done."""
    return jsonify(_rendered(hide_paths(get_job(get_conn(), job_id))))


@bp.post("/api/jobs/<job_id>/cancel")
@require("planner", "env_officer")
def job_cancel(job_id: str):
    """Cancel a job (its owner or an admin): a queued one at once, a running one at its next step.

    Answers 202 with the job; ``cancel_requested`` says a running job was asked to stop.
    """
    conn = get_conn()
    user = current()
    with transaction(conn):
        row = job_call(conn, get_job(conn, job_id)["id"])
        if user is None or (user.role != "admin" and row["created_by"] != user.username):
            raise Forbidden(_("Only the job's owner or an admin may cancel it."))
        if row["status"] in ("queued", "running") and row["queue_job_id"] is not None:
            if cancel(conn, int(row["queue_job_id"])) == "cancelled":  # no worker will say so
                update_job(conn, job_id, status="cancelled", message=stored(msg("job.cancelled")))
    job = _rendered(hide_paths(get_job(conn, job_id)))
    return jsonify({**job, "cancel_requested": job["status"] == "running"}), 202


def runner() -> JobRunner:
    """The app's job runner."""
    return current_app.extensions["langnghe_jobs"]
