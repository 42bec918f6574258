"""``langnghe worker``: run analysis jobs from the PostgreSQL queue until stopped."""

from __future__ import annotations

import click

__all__ = ["worker"]


@click.command()
@click.option(
    "--memory-mb",
    type=click.IntRange(256, 1024 * 1024),
    default=None,
    help="Memory budget of the jobs run at once (default: LANGNGHE_WORKER_MEMORY_MB).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=None,
    help="Jobs run at once (default: LANGNGHE_WORKER_CONCURRENCY).",
)
@click.option("--name", default=None, help="Name in the logs and the job rows (default host:pid).")
def worker(memory_mb: int | None, concurrency: int | None, name: str | None) -> None:
    """Run jobs queued by the web (any number of workers, on any machine reaching the database).

    SIGINT or SIGTERM stops it once its running jobs have ended.
    """
    import asyncio

    from gis.settings import get_settings
    from webmap.cli.options import say
    from webmap.worker import JobWorker, job_limit_mb

    runner = JobWorker(get_settings(), memory_mb=memory_mb, concurrency=concurrency, name=name)
    say(
        "worker.started",
        name=runner.name,
        memory_mb=runner.memory_mb,
        concurrency=runner.concurrency,
        limit_mb=job_limit_mb(runner.memory_mb),
    )
    asyncio.run(runner.run())
