"""Test support: executables found through the environment, and isolated test databases.

Each database test gets a database of its own, a copy of a *template* built once per session
(``CREATE DATABASE ... TEMPLATE``). The copies are made and dropped by background threads, so a
test rarely waits for one; copying works for tests that drive gunicorn, Chromium or the CLI,
which use connections of their own.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import count
from pathlib import Path

import psycopg2
from psycopg2 import sql

from gis.db import connect, create_database, drop_database
from gis.settings import Settings

__all__ = ["TemplateDatabases", "count_rows", "database_env", "executable", "wait_for_http"]

logger = logging.getLogger(__name__)


def executable(name: str) -> str:
    """The path of a program: beside the running Python (the venv's scripts), else on ``PATH``."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} is neither beside {sys.executable} nor on PATH")
    return found


def database_env(settings: Settings, **overrides: str) -> dict[str, str]:
    """Environment for a subprocess (CLI, server) that must use ``settings``' database.

    An embedded cluster is named by its folder and port; an external server by its URL.
    """
    env = {**os.environ, "LANGNGHE_PG_DATABASE": settings.pg_database}
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    else:
        env.pop("DATABASE_URL", None)
        env.pop("LANGNGHE_DATABASE_URL", None)
        env["LANGNGHE_HOME"] = str(settings.home)
        env["LANGNGHE_PG_PORT"] = str(settings.port)
    return {**env, **overrides}


def wait_for_http(url: str, proc: subprocess.Popen[bytes], *, timeout_s: float = 120.0) -> bytes:
    """The body of ``url`` once the server ``proc`` answers it (a busy machine may need a while).

    Raises ``TimeoutError`` when it does not answer in time, ``RuntimeError`` when it exits.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return bytes(response.read())
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer from {url} in {timeout_s:.0f} s") from None
            time.sleep(0.2)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class TemplateDatabases:
    """Template databases built once, and a throw-away copy of one for each test or module.

    Names carry this process's id (``langnghe_t<pid>_...``), so two test runs on one server
    never meet, and the databases of a run that was killed are dropped by the next one.
    """

    PREFIX = "langnghe_t"

    def __init__(self, server: Settings) -> None:
        self.server = server
        self.prefix = f"{self.PREFIX}{os.getpid()}"
        self._templates: dict[str, str] = {}
        self._spares: dict[str, Future[str]] = {}
        self._lock = threading.Lock()
        self._numbers = count(1)
        self._maker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-copy")
        self._dropper = ThreadPoolExecutor(max_workers=2, thread_name_prefix="db-drop")
        self._pending_drops: list[Future[None]] = []

    # -- settings -------------------------------------------------------------------------
    def settings_for(self, name: str, **update: object) -> Settings:
        """``server``'s settings pointed at database ``name``."""
        url = self.server.dsn(name) if self.server.database_url else None
        # jobs run by a worker thread of the test's app unless a test starts workers itself
        update = {"jobs_in_process": True, **update}
        return self.server.model_copy(update={"pg_database": name, "database_url": url, **update})

    # -- templates ------------------------------------------------------------------------
    def drop_stale(self) -> None:
        """Drop the databases that test runs which are no longer running left behind."""
        pattern = re.compile(rf"^{self.PREFIX}(\d+)_")
        admin = connect(self.server, database="postgres", role="admin")  # may end anyone's
        try:
            with admin.cursor() as cur:
                cur.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s", ("langnghe_t%",)
                )
                names = [row[0] for row in cur.fetchall()]
        finally:
            admin.close()
        for name in names:
            found = pattern.match(name)
            if found and not _pid_alive(int(found.group(1))):
                logger.info("dropping %s, left by an earlier test run", name)
                drop_database(self.server, name)

    def template(
        self, key: str, build: Callable[[Settings], None], *, parent: str | None = None
    ) -> Settings:
        """Build template ``key`` once (a copy of template ``parent`` when given, else empty).

        ``build`` receives the template's settings and must close every connection it opens:
        a database somebody is connected to cannot be copied.
        """
        name = f"{self.prefix}_tpl_{key}"
        if key not in self._templates:
            source = self._templates[parent] if parent is not None else None
            create_database(self.server, name, replace=True, template=source)
            try:
                build(self.settings_for(name))
                self._disconnect(name)
            except BaseException:
                drop_database(self.server, name)
                raise
            self._templates[key] = name
        return self.settings_for(name)

    def _disconnect(self, name: str) -> None:
        """End the sessions a builder left open on ``name`` (a template must have none)."""
        admin = connect(self.server, database="postgres", role="admin")  # may end anyone's
        try:
            with admin.cursor() as cur:
                cur.execute(
                    "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                )
            admin.commit()
        finally:
            admin.close()

    def has_template(self, key: str) -> bool:
        """Whether template ``key`` is built."""
        return key in self._templates

    # -- copies ---------------------------------------------------------------------------
    def _make_copy(self, key: str) -> str:
        name = f"{self.prefix}_{key}_{next(self._numbers)}"
        create_database(self.server, name, template=self._templates[key])
        return name

    def copy(self, key: str, **update: object) -> Settings:
        """A new database copied from template ``key``; the next copy is started at once."""
        with self._lock:
            spare = self._spares.pop(key, None)
            self._spares[key] = self._maker.submit(self._make_copy, key)
        name = spare.result() if spare is not None else self._make_copy(key)
        return self.settings_for(name, **update)

    def release(self, settings: Settings) -> None:
        """Drop a copy (in the background) with the rasters written for it."""
        self._pending_drops.append(self._dropper.submit(self._drop, settings.pg_database))

    def _drop(self, name: str) -> None:
        drop_database(self.server, name)
        for raster in (self.server.home / "rasters").glob(f"{name}-*"):
            raster.unlink(missing_ok=True)

    def close(self) -> None:
        """Drop the spare copies and the templates; wait for every drop."""
        with self._lock:
            spares, self._spares = list(self._spares.values()), {}
        for spare in spares:
            try:
                self.release(self.settings_for(spare.result()))
            except (psycopg2.Error, OSError) as exc:
                logger.warning("a spare test database could not be made: %s", exc)
        self._maker.shutdown(wait=True)
        for done in self._pending_drops:
            done.result()
        self._dropper.shutdown(wait=True)
        for name in reversed(list(self._templates.values())):
            self._drop(name)
        self._templates.clear()


def count_rows(conn: psycopg2.extensions.connection, table: str) -> int:
    """Rows in ``table``."""
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        row = cur.fetchone()
    assert row is not None
    return int(row[0])
