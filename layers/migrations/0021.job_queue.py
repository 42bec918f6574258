"""Durable jobs (issue 18): the PostgreSQL queue, and the job rows' queue fields.

The queue's tables, types and functions are procrastinate's own schema, read from the
installed package (the version pinned in ``pyproject.toml``): a later procrastinate upgrade
ships a migration of ours that applies that release's migration files. The ``jobs`` table
stays the record the pages poll (status, progress, message); it gains the serialised call
the worker runs, its memory estimate, the queue's job id and the ``cancelled`` status.
``job_workers`` holds each live worker's memory budget (admission control).
"""

from procrastinate.schema import SchemaManager
from yoyo import step

__depends__ = {"0020.pois"}

_JOBS = """
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
    CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled'));
ALTER TABLE jobs
    ADD COLUMN call jsonb,
    ADD COLUMN memory_mb integer NOT NULL DEFAULT 0 CHECK (memory_mb >= 0),
    ADD COLUMN queue_job_id bigint,
    ADD COLUMN attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN worker text;
CREATE INDEX jobs_queue_job ON jobs (queue_job_id);
CREATE TABLE job_workers (
    worker_id    bigint PRIMARY KEY REFERENCES procrastinate_workers (id) ON DELETE CASCADE,
    host         text NOT NULL,
    pid          integer NOT NULL,
    memory_mb    integer NOT NULL CHECK (memory_mb > 0),
    concurrency  integer NOT NULL CHECK (concurrency > 0),
    started_at   timestamptz NOT NULL DEFAULT now()
);
"""

_JOBS_BACK = """
DROP TABLE job_workers;
DELETE FROM jobs WHERE status = 'cancelled';
ALTER TABLE jobs DROP COLUMN call, DROP COLUMN memory_mb, DROP COLUMN queue_job_id,
    DROP COLUMN attempts, DROP COLUMN worker;
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
    CHECK (status IN ('queued', 'running', 'done', 'failed'));
"""

steps = [
    # procrastinate's schema has no drop script of its own: no rollback for this step.
    step(SchemaManager.get_schema()),
    step(_JOBS, _JOBS_BACK),
]
