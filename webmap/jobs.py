"""Long analyses run as jobs.

A row in ``jobs`` (status, progress, message, scenario), a worker thread from a small
pool, and an endpoint the page polls.

The analysis gets a ``progress(fraction, message)`` callback that writes the row on its
own autocommit connection, so the page sees progress while the analysis' transaction
is still open. Failures are stored with the same clear message the CLI would print.

Progress notes and errors are stored as messages (their JSON form, see
:meth:`gis.messages.Message.as_dict`) and rendered when the page asks, in its language:
``message`` and ``error`` are the text, ``message_detail`` and ``error_detail`` the
``{code, params, text}`` of the message.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Blueprint, current_app, jsonify

from gis.db import connect, transaction
from gis.errors import LangNgheError
from gis.messages import Message, msg
from layers.jobs import get_job, insert_job, update_job
from webmap.auth import require
from webmap.db import get_conn
from webmap.i18n import current_lang
from webmap.messages import TEXTS, message_json
from webmap.security import hide_paths

__all__ = ["JobRunner", "bp"]

logger = logging.getLogger(__name__)
bp = Blueprint("jobs", __name__)

#: ``work(conn, settings, progress) -> scenario id``
Work = Callable[[Any, Any, Callable[[float, Message | str], None]], int]


def _stored(message: Message | str) -> str:
    """The text stored in a job's ``message`` or ``error`` column."""
    if isinstance(message, Message):
        return json.dumps(message.as_dict(), ensure_ascii=False)
    return message


def _step(label: Message | str) -> Message | str:
    """A pipeline step's label (``"overlay"``) as its message (``step.overlay``) if it has one."""
    if isinstance(label, str) and f"step.{label}" in TEXTS:
        return Message(f"step.{label}")
    return label


def _loaded(text: str | None) -> Message | str | None:
    """A stored ``message`` or ``error`` back as a message (older rows hold plain text)."""
    if not text or not text.startswith("{"):
        return text
    try:
        return Message.from_dict(json.loads(text))
    except (ValueError, KeyError, TypeError):
        return text


class JobRunner:
    """A few worker threads; each job opens its own connections."""

    def __init__(self, settings, *, workers: int = 2) -> None:
        self.settings = settings
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="langnghe-job")

    def submit(
        self, kind: str, params: dict[str, Any], work: Work, *, created_by: str = "web"
    ) -> str:
        """Queue ``work`` as a job of ``kind`` and return the job's id."""
        job_id = str(uuid.uuid4())
        conn = connect(self.settings, application_name="langnghe-job", role="app")
        try:
            with transaction(conn):
                insert_job(conn, job_id, kind, params, created_by=created_by)
        finally:
            conn.close()
        self.pool.submit(self._run, job_id, work)
        return job_id

    def _run(self, job_id: str, work: Work) -> None:
        status = connect(self.settings, application_name="langnghe-job-status", role="app")
        status.autocommit = True
        last = [-1.0]

        def update(**fields: Any) -> None:
            update_job(status, job_id, **fields)

        def progress(fraction: float, message: Message | str) -> None:
            if fraction - last[0] >= 0.01 or fraction >= 1.0:
                last[0] = fraction
                update(progress=min(max(fraction, 0.0), 1.0), message=_stored(_step(message)))

        conn = connect(self.settings, application_name="langnghe-job-work", role="app")
        try:
            update(status="running")
            with transaction(conn):  # the job owns its analysis' transaction
                scenario_id = work(conn, self.settings, progress)
            done = _stored(msg("job.done"))
            update(status="done", progress=1.0, message=done, scenario_id=scenario_id)
        except LangNgheError as exc:
            update(status="failed", error=_stored(exc.message or str(exc)))
        except Exception:  # a bug: log it whole, tell the user little
            logger.exception("job %s failed", job_id)
            update(status="failed", error=_stored(msg("job.internal_error")))
        finally:
            conn.close()
            status.close()


@bp.get("/api/jobs/<job_id>")
@require("planner", "env_officer")
def job_status(job_id: str):
    """Status, progress (0-1), message, and the scenario when done."""
    job = hide_paths(get_job(get_conn(), job_id))
    lang = current_lang()
    for key in ("message", "error"):
        value = _loaded(job[key])
        if isinstance(value, Message):
            job[f"{key}_detail"] = message_json(value, lang)
            job[key] = job[f"{key}_detail"]["text"]
    if job["scenario_id"] is not None:
        job["scenario_url"] = f"/api/scenarios/{job['scenario_id']}"
    return jsonify(job)


def runner() -> JobRunner:
    return current_app.extensions["langnghe_jobs"]
