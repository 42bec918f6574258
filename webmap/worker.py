"""The durable job queue: procrastinate on the project's PostgreSQL, and ``langnghe worker``.

Why procrastinate: it keeps the queue in the database the project already runs (no Redis or
broker to operate, unlike rq or Celery), is maintained and typed, and gives what durable jobs
need out of the box: ``FOR UPDATE SKIP LOCKED`` fetching by any number of workers, LISTEN/NOTIFY
wake-ups, worker heartbeats with stalled-job lookup, abort requests, retries and periodic
tasks with a lock. (PgQueuer is the other PostgreSQL queue; it is younger and has no
stalled-job retry of its own.)

The web defers a job in the same transaction that writes its ``jobs`` row (the page's record:
status, progress, message), so a job is queued exactly when its row exists. Any number of
workers, on any machines that reach the database, run it:

- **admission**: a job's memory estimate picks its queue (``jobs-<MB>mb``, in steps of
  :data:`JOB_MEMORY_STEP_MB`); a worker listens only to the queues whose jobs fit its budget,
  and runs at once only jobs whose estimates fit the budget together (the others wait in it);
- **heartbeat**: each worker beats every ``job_heartbeat_s``; every live worker looks every
  ``job_heartbeat_s`` for jobs of workers silent for ``job_stall_s`` and runs them again (up to
  ``job_max_attempts`` runs) or fails them with the reason: a dead worker's job is settled
  within ``job_stall_s + 2 * job_heartbeat_s`` once another worker is running;
- **cancellation**: the page asks, the queue marks the job; a waiting job is dropped at once,
  a running one stops at its next progress report and rolls its transaction back;
- **retention**: periodic tasks (``job_upkeep_cron``, in :data:`UPKEEP_QUEUE`, which every
  worker takes) delete job rasters older than ``job_raster_retention_days``, and finished jobs
  older than ``job_retention_days``: the queue's rows and their events by procrastinate's own
  ``remove_old_jobs`` task, then the ``jobs`` rows (:func:`clean_job_rows`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import procrastinate
from procrastinate import builtin_tasks
from procrastinate import exceptions as queue_errors
from procrastinate import jobs as queue_jobs
from procrastinate.contrib.psycopg2 import Psycopg2Connector
from procrastinate.worker import Worker as QueueWorker
from psycopg2.extras import RealDictCursor

from gis.db import connect, transaction
from gis.errors import LangNgheError
from gis.messages import Message, msg
from gis.settings import Settings
from layers.jobs import (
    add_worker,
    delete_finished_jobs,
    forget_rasters,
    job_call,
    job_rasters_before,
    update_job,
)
from planning.pipeline.jobs import revive
from webmap.messages import TEXTS

__all__ = [
    "JOB_MEMORY_STEP_MB",
    "TASK",
    "UPKEEP_QUEUE",
    "JobWorker",
    "cancel",
    "clean_job_rasters",
    "clean_job_rows",
    "defer",
    "job_limit_mb",
    "loaded",
    "queue_name",
    "queues_for",
    "stored",
]

logger = logging.getLogger(__name__)

#: The task every analysis job runs (its argument: the ``jobs`` row's id).
TASK = "langnghe.run_job"
#: Memory estimates are rounded up to this step to pick a queue; budgets down to it.
JOB_MEMORY_STEP_MB = 256


def stored(message: Message | str) -> str:
    """The text stored in a job's ``message`` or ``error`` column."""
    if isinstance(message, Message):
        return json.dumps(message.as_dict(), ensure_ascii=False)
    return message


def _step(label: Message | str) -> Message | str:
    """A pipeline step's label (``"overlay"``) as its message (``step.overlay``) if it has one."""
    if isinstance(label, str) and f"step.{label}" in TEXTS:
        return Message(f"step.{label}")
    return label


def loaded(text: str | None) -> Message | str | None:
    """A stored ``message`` or ``error`` back as a message (older rows hold plain text)."""
    if not text or not text.startswith("{"):
        return text
    try:
        return Message.from_dict(json.loads(text))
    except (ValueError, KeyError, TypeError):
        return text


def queue_name(memory_mb: int) -> str:
    """The queue of a job estimated at ``memory_mb``: its estimate rounded up to the step.

    Examples
    --------
    >>> queue_name(300), queue_name(256), queue_name(0)
    ('jobs-512mb', 'jobs-256mb', 'jobs-256mb')
    """
    steps = max(1, -(-int(memory_mb) // JOB_MEMORY_STEP_MB))
    return f"jobs-{steps * JOB_MEMORY_STEP_MB}mb"


def job_limit_mb(budget_mb: int) -> int:
    """The largest estimate a worker of ``budget_mb`` takes (the budget down to the step)."""
    return max(JOB_MEMORY_STEP_MB, int(budget_mb) // JOB_MEMORY_STEP_MB * JOB_MEMORY_STEP_MB)


def queues_for(budget_mb: int) -> list[str]:
    """The queues a worker of ``budget_mb`` listens to.

    Examples
    --------
    >>> queues_for(800)
    ['jobs-256mb', 'jobs-512mb', 'jobs-768mb']
    """
    top = job_limit_mb(budget_mb)
    return [queue_name(mb) for mb in range(JOB_MEMORY_STEP_MB, top + 1, JOB_MEMORY_STEP_MB)]


#: The queue of the workers' upkeep (retention): the smallest, which every worker takes.
UPKEEP_QUEUE = queue_name(0)


class _CallerConnector(Psycopg2Connector):
    """procrastinate on the caller's psycopg2 connection (the web's own transaction)."""

    def execute_query_one_with_connection(
        self, connection: Any, query: Any, **arguments: Any
    ) -> dict[str, Any]:
        with connection.cursor(cursor_factory=RealDictCursor) as cur:
            cur.execute(query, self._wrap_json(arguments))
            return dict(cur.fetchone())

    def execute_query_all_with_connection(
        self, connection: Any, query: Any, **arguments: Any
    ) -> list[dict[str, Any]]:
        with connection.cursor(cursor_factory=RealDictCursor) as cur:
            cur.execute(query, self._wrap_json(arguments))
            return [dict(row) for row in cur.fetchall()]


_CALLER_APP = procrastinate.App(connector=_CallerConnector())


def defer(conn: Any, job_id: str, memory_mb: int) -> int:
    """Queue job ``job_id`` in the caller's transaction; returns the queue's job id."""
    job = queue_jobs.Job(
        queue=queue_name(memory_mb),
        lock=None,
        queueing_lock=None,
        task_name=TASK,
        task_kwargs={"job_id": job_id},
    )
    deferred = _CALLER_APP.job_manager.defer_job(job, connection=conn)
    assert deferred.id is not None  # the queue always returns the new job's id
    return int(deferred.id)


def cancel(conn: Any, queue_job_id: int) -> str:
    """Ask the queue to cancel a job; its queue status after (``cancelled`` if it was waiting).

    A running job is marked to abort: it stops at its next progress report.
    """
    manager = _CALLER_APP.job_manager
    manager.cancel_job_by_id(queue_job_id, abort=True, connection=conn)
    return manager.get_job_status(queue_job_id, connection=conn).value


class JobCancelledError(LangNgheError):
    """The job was cancelled while it ran (raised from its progress callback)."""


class JobFailedError(LangNgheError, RuntimeError):
    """The job ended with an error, stored in its row (the queue marks it failed)."""


class _Ledger:
    """The worker's memory budget, shared by the jobs it runs at once."""

    def __init__(self, budget_mb: int) -> None:
        self.budget_mb = budget_mb
        self.free_mb = budget_mb
        self._cond = threading.Condition()

    @contextlib.contextmanager
    def hold(self, memory_mb: int, on_wait: Callable[[], None]) -> Iterator[None]:
        with self._cond:
            if memory_mb > self.free_mb:
                on_wait()
            while memory_mb > self.free_mb:
                self._cond.wait()
            self.free_mb -= memory_mb
        try:
            yield
        finally:
            with self._cond:
                self.free_mb += memory_mb
                self._cond.notify_all()


def clean_job_rasters(settings: Settings) -> int:
    """Delete the rasters of job scenarios older than the retention setting; how many went."""
    if settings.job_raster_retention_days <= 0:
        return 0
    conn = connect(settings, application_name="langnghe-worker-clean", role="app")
    try:
        with transaction(conn):
            old = job_rasters_before(conn, settings.job_raster_retention_days)
            forget_rasters(conn, [i for i, _ in old])
    finally:
        conn.close()
    for _, path in old:  # once the rows are gone for good
        with contextlib.suppress(FileNotFoundError):
            Path(path).unlink()
    if old:
        logger.info("deleted %d job rasters older than the retention", len(old))
    return len(old)


def clean_job_rows(settings: Settings) -> int:
    """Delete the ``jobs`` rows finished before the retention setting; how many went."""
    if settings.job_retention_days <= 0:
        return 0
    conn = connect(settings, application_name="langnghe-worker-clean", role="app")
    try:
        with transaction(conn):
            gone = delete_finished_jobs(conn, settings.job_retention_days)
    finally:
        conn.close()
    if gone:
        logger.info("deleted %d finished jobs older than the retention", gone)
    return gone


class JobWorker:
    """A queue worker: ``run()`` until stopped (``langnghe worker``, or a thread of the web)."""

    def __init__(
        self,
        settings: Settings,
        *,
        memory_mb: int | None = None,
        concurrency: int | None = None,
        name: str | None = None,
    ) -> None:
        self.settings = settings
        self.memory_mb = int(memory_mb or settings.worker_memory_mb)
        self.concurrency = int(concurrency or settings.worker_concurrency)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.ledger = _Ledger(self.memory_mb)
        connector = procrastinate.PsycopgConnector(
            conninfo=settings.dsn(role="app"),
            min_size=1,
            max_size=self.concurrency + 4,
            kwargs={"application_name": "langnghe-worker", **settings.keepalives()},
        )
        self.app = procrastinate.App(connector=connector)
        self.app.task(name=TASK, pass_context=True)(self._run_job)
        upkeep = settings.job_upkeep_cron
        self.app.periodic(cron=upkeep, periodic_id="rasters")(
            self.app.task(name="langnghe.clean_job_rasters", queue=UPKEEP_QUEUE)(self._clean)
        )
        self.app.periodic(cron=upkeep, periodic_id="jobs")(
            self.app.task(name="langnghe.remove_old_jobs", queue=UPKEEP_QUEUE, pass_context=True)(
                self._remove_old_jobs
            )
        )
        self._queue_worker: QueueWorker | None = None
        self._stop_requested = False
        self.worker_id: int | None = None
        #: The queue's ids of the jobs this process is running: never settled as stalled by
        #: this process, whatever its heartbeat says (a loaded machine writes it late).
        self._running: set[int] = set()
        self._running_lock = threading.Lock()

    # -- the process -------------------------------------------------------------------------

    async def run(self, *, install_signal_handlers: bool = True, wait: bool = True) -> None:
        """Run jobs until stopped (SIGINT/SIGTERM, or :meth:`stop`)."""
        async with self.app.open_async():
            worker = QueueWorker(
                self.app,
                queues=queues_for(self.memory_mb),
                name=self.name,
                concurrency=self.concurrency,
                wait=wait,
                install_signal_handlers=install_signal_handlers,
                update_heartbeat_interval=self.settings.job_heartbeat_s,
                stalled_worker_timeout=self.settings.job_stall_s,
                abort_job_polling_interval=min(5.0, self.settings.job_heartbeat_s),
            )
            self._queue_worker = worker
            watch = asyncio.create_task(self._watch(worker))
            try:
                await worker.run()
            finally:
                watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watch

    def stop(self) -> None:
        """Ask the worker to stop (from any thread); running jobs end first."""
        self._stop_requested = True
        if self._queue_worker is not None:
            self._queue_worker.stop()

    async def _watch(self, worker: QueueWorker) -> None:
        """Record the budget once registered, then look for dead workers' jobs every beat."""
        while worker.worker_id is None:
            await asyncio.sleep(0.05)
        self.worker_id = worker.worker_id
        if self._stop_requested:  # asked before the queue's worker had started
            worker.stop()
        await asyncio.to_thread(self._record_budget, worker.worker_id)
        logger.info(
            "worker %s (%d): %d MB, %d at once",
            self.name,
            self.worker_id,
            self.memory_mb,
            self.concurrency,
        )
        while True:
            try:
                await self.reap()
            except (queue_errors.ConnectorException, OSError):
                logger.exception("looking for stalled jobs failed; trying again")
            await asyncio.sleep(self.settings.job_heartbeat_s)

    def _record_budget(self, worker_id: int) -> None:
        conn = connect(self.settings, application_name="langnghe-worker", role="app")
        try:
            with transaction(conn):
                add_worker(
                    conn,
                    worker_id,
                    host=socket.gethostname(),
                    pid=os.getpid(),
                    memory_mb=self.memory_mb,
                    concurrency=self.concurrency,
                )
        finally:
            conn.close()

    async def reap(self) -> int:
        """Run again, or fail, the jobs of workers silent for ``job_stall_s``; how many."""
        manager = self.app.job_manager
        stalled = await manager.get_stalled_jobs(
            task_name=TASK, seconds_since_heartbeat=self.settings.job_stall_s
        )
        with self._running_lock:
            mine = set(self._running)
        settled = 0
        for job in stalled:
            if job.id in mine or (job.worker_id is not None and job.worker_id == self.worker_id):
                # Alive (this check runs in the same process): the heartbeat was late.
                logger.info(
                    "job %s: this worker's heartbeat is late; the job keeps running", job.id
                )
                continue
            try:
                settled += await self._settle(job)
            except queue_errors.ConnectorException:  # another worker settled it first
                logger.info("stalled job %s was settled elsewhere", job.id)
        return settled

    async def _settle(self, job: queue_jobs.Job) -> int:
        job_id = str(job.task_kwargs.get("job_id"))
        runs = job.attempts + 1
        limit = self.settings.job_max_attempts
        stall = round(self.settings.job_stall_s)
        if runs < limit:
            await self.app.job_manager.retry_job(job)
            fields: dict[str, Any] = {
                "status": "queued",
                "message": stored(msg("job.retrying", seconds=stall, run=runs + 1, runs=limit)),
            }
        else:
            await self.app.job_manager.finish_job(
                job, status=queue_jobs.Status.FAILED, delete_job=False
            )
            fields = {
                "status": "failed",
                "error": stored(msg("job.worker_lost", seconds=stall, runs=runs)),
            }
        logger.warning("job %s: its worker stopped answering; %s", job_id, fields["status"])
        await asyncio.to_thread(self._update, job_id, fields)
        return 1

    def _update(self, job_id: str, fields: dict[str, Any]) -> None:
        conn = connect(self.settings, application_name="langnghe-job-status", role="app")
        conn.autocommit = True
        try:
            update_job(conn, job_id, **fields)
        finally:
            conn.close()

    def _clean(self, timestamp: int) -> int:
        return clean_job_rasters(self.settings)

    async def _remove_old_jobs(self, context: Any, timestamp: int) -> int:
        """The queue's finished jobs (and their events), then the ``jobs`` rows, past retention.

        The queue's part is procrastinate's ``remove_old_jobs`` task, which counts a job's age
        from its last event, in whole hours.
        """
        days = self.settings.job_retention_days
        if days <= 0:
            return 0
        await builtin_tasks.remove_old_jobs(
            context,
            max_hours=max(1, math.ceil(days * 24)),
            remove_failed=True,
            remove_cancelled=True,
            remove_aborted=True,
        )
        return await asyncio.to_thread(clean_job_rows, self.settings)

    # -- one job (in a thread of the worker) -------------------------------------------------

    def _run_job(self, context: Any, job_id: str) -> None:
        with self._running_lock:
            self._running.add(context.job.id)
        try:
            self._run_held(context, job_id)
        finally:
            with self._running_lock:
                self._running.discard(context.job.id)

    def _run_held(self, context: Any, job_id: str) -> None:
        status = connect(self.settings, application_name="langnghe-job-status", role="app")
        status.autocommit = True
        try:
            row = job_call(status, job_id)
            if row["status"] in ("done", "failed", "cancelled"):
                return
            with self.ledger.hold(
                int(row["memory_mb"]),
                lambda: update_job(status, job_id, message=stored(msg("job.waiting_memory"))),
            ):
                self._run(context, status, row)
        finally:
            status.close()

    def _run(self, context: Any, status: Any, row: dict[str, Any]) -> None:
        job_id = row["id"]
        last = [-1.0]

        def progress(fraction: float, message: Message | str) -> None:
            # The last report (1.0) comes after the results and their files are written: a
            # cancel that arrives then finds the job done (aborting would roll the scenario
            # back and leave its raster file behind).
            if fraction < 1.0 and context.should_abort():
                raise JobCancelledError(msg("job.cancelled"))
            if fraction - last[0] >= 0.01 or fraction >= 1.0:
                last[0] = fraction
                update_job(
                    status,
                    job_id,
                    progress=min(max(fraction, 0.0), 1.0),
                    message=stored(_step(message)),
                )

        update_job(
            status,
            job_id,
            status="running",
            attempts=context.job.attempts + 1,
            worker=self.name,
            message=stored(msg("job.started")),
        )
        conn = connect(self.settings, application_name="langnghe-job-work", role="app")
        try:
            run, request = revive(row["call"] or {})
            with transaction(conn):  # the job owns its analysis' transaction
                result = run(
                    conn, self.settings, request, progress=progress, actor=row["created_by"]
                )
            scenario_id = result.get("scenario_id") if isinstance(result, dict) else None
            done = stored(msg("job.done"))
            update_job(
                status, job_id, status="done", progress=1.0, message=done, scenario_id=scenario_id
            )
        except JobCancelledError:
            update_job(status, job_id, status="cancelled", message=stored(msg("job.cancelled")))
            raise queue_errors.JobAborted() from None
        except LangNgheError as exc:
            update_job(status, job_id, status="failed", error=stored(exc.message or str(exc)))
            raise JobFailedError(exc.message or str(exc)) from exc
        except Exception:  # a bug: log it whole, tell the user little
            logger.exception("job %s failed", job_id)
            update_job(status, job_id, status="failed", error=stored(msg("job.internal_error")))
            raise
        finally:
            conn.close()


class InProcessWorker:
    """One :class:`JobWorker` on a thread of the web process (development and ``make demo``)."""

    def __init__(self, settings: Settings) -> None:
        self.worker = JobWorker(settings, name=f"web:{socket.gethostname()}:{os.getpid()}")
        self._thread = threading.Thread(
            target=self._main, name="langnghe-in-process-worker", daemon=True
        )
        self._thread.start()

    def _main(self) -> None:
        try:
            asyncio.run(self.worker.run(install_signal_handlers=False))
        except Exception:
            logger.exception("the in-process job worker stopped")

    def close(self, timeout: float = 30.0) -> None:
        """Stop the worker (running jobs end first) and wait for its thread."""
        self.worker.stop()
        self._thread.join(timeout)
