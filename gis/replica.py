"""A streaming replica of the embedded cluster: a second data folder on another port.

:func:`start_replica` copies the running embedded cluster with ``pg_basebackup -R`` (a
physical replication slot of its own, WAL streamed during the copy) into a folder beside
``pgdata``, starts it on another port and returns once it is in recovery and streaming from
the primary. The test suite and the scale benchmark (``bench/``) run their replica with it;
:func:`stop_replica`, :func:`resume_replica` and :func:`remove_replica` take it down, bring it
back and delete it with its slot. A production replica is made by the operator the same way
(``docs/deploy.md``) and named to the web by ``DATABASE_REPLICA_URL``.

The replica is a copy of the whole cluster: the same roles, passwords and databases, so
:meth:`ReplicaCluster.dsn` only changes the port of :meth:`Settings.dsn`. Like the primary it
listens on 127.0.0.1 only, runs as the cluster's unprivileged OS user and asks every
connection for a password; it signs in to the primary as the superuser (the only role with
``REPLICATION``), with a password file in its own 0700 data folder.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg2

from gis.errors import DatabaseUnavailableError
from gis.localdb import owner_only_file, pg_tool, run_as_owner
from gis.settings import Role, Settings

__all__ = [
    "ReplicaCluster",
    "primary_lsn",
    "remove_replica",
    "replay_lsn",
    "replica_running",
    "resume_replica",
    "start_replica",
    "stop_replica",
    "wait_replayed",
    "wait_streaming",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplicaCluster:
    """A replica of the embedded cluster: its data folder, port and replication slot."""

    pgdata: Path
    port: int

    @property
    def slot(self) -> str:
        """The physical replication slot on the primary that keeps this replica's WAL.

        Named after the folder, so a new replica in the folder of a lost one (a killed test
        run) finds and drops the old slot.
        """
        name = re.sub(r"[^a-z0-9_]", "_", self.pgdata.name.lower())
        return f"langnghe_{name}"[:63]

    def dsn(self, settings: Settings, database: str | None = None, *, role: Role = "app") -> str:
        """The connection string of ``database`` on the replica (as :meth:`Settings.dsn`)."""
        primary = settings.dsn(database, role=role)
        return primary.replace(f"@127.0.0.1:{settings.port}/", f"@127.0.0.1:{self.port}/", 1)

    def url(self, settings: Settings, *, role: Role = "app") -> str:
        """A ``DATABASE_REPLICA_URL`` for the web: the server only, the database left out.

        Without a database in the URL the web uses its primary's database name, so one URL
        serves every database of the cluster (each test's copy included).
        """
        users = {"owner": settings.pg_user, "app": settings.pg_app_user}
        user = users.get(role, settings.pg_admin_user)
        passfile = quote(str(settings.pg_passfile), safe="/")
        return f"postgresql://{quote(user, safe='')}@127.0.0.1:{self.port}/?passfile={passfile}"


def _admin_password(settings: Settings) -> str:
    for line in settings.pg_passfile.read_text().splitlines():
        fields = line.split(":")
        if len(fields) == 5 and fields[3] == settings.pg_admin_user:
            return fields[4]
    raise DatabaseUnavailableError(
        f"no password for {settings.pg_admin_user!r} in {settings.pg_passfile}"
    )


def _admin(settings: Settings, port: int | None = None) -> psycopg2.extensions.connection:
    dsn = settings.dsn("postgres", role="admin")
    if port is not None:
        dsn = dsn.replace(f"@127.0.0.1:{settings.port}/", f"@127.0.0.1:{port}/", 1)
    conn = psycopg2.connect(dsn, connect_timeout=5, application_name="langnghe-replica-admin")
    conn.autocommit = True
    return conn


def _conninfo(settings: Settings, replica: ReplicaCluster, passfile: Path) -> str:
    """The libpq key=value string from the replica (or ``pg_basebackup``) to the primary."""
    return (
        f"host=127.0.0.1 port={settings.port} user={settings.pg_admin_user} "
        f"passfile={passfile} application_name={replica.slot}"
    )


def _drop_slot(settings: Settings, slot: str) -> None:
    """Drop the primary's slot ``slot`` if it exists (its replica must be stopped)."""
    conn = _admin(settings)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT active_pid FROM pg_replication_slots WHERE slot_name = %s", (slot,))
            row = cur.fetchone()
            if row is None:
                return
            if row[0] is not None:  # a walsender of a replica killed a moment ago
                cur.execute("SELECT pg_terminate_backend(%s, 5000)", (row[0],))
            cur.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
    finally:
        conn.close()


def _pg_ctl(settings: Settings, replica: ReplicaCluster, *args: str) -> int:
    done = run_as_owner(settings, [pg_tool(settings, "pg_ctl"), *args, "-D", str(replica.pgdata)])
    return done.returncode


def replica_running(settings: Settings, replica: ReplicaCluster) -> bool:
    """Whether the replica's server process runs (it may still be catching up)."""
    return (replica.pgdata / "PG_VERSION").exists() and _pg_ctl(settings, replica, "status") == 0


def _base_backup(settings: Settings, replica: ReplicaCluster) -> None:
    """``pg_basebackup -R`` into an empty ``replica.pgdata``, with a slot of its own."""
    temporary = owner_only_file(
        settings,
        settings.home / f".replica-{replica.port}.pgpass",
        f"*:*:*:{settings.pg_admin_user}:{_admin_password(settings)}",
    )
    try:
        done = run_as_owner(
            settings,
            [
                pg_tool(settings, "pg_basebackup"),
                "--dbname",
                _conninfo(settings, replica, temporary),
                "--pgdata",
                str(replica.pgdata),
                "--write-recovery-conf",
                "--wal-method=stream",
                "--checkpoint=fast",
                "--create-slot",
                "--slot",
                replica.slot,
                "--no-password",
            ],
        )
    finally:
        temporary.unlink(missing_ok=True)
    if done.returncode != 0:
        raise DatabaseUnavailableError(
            f"pg_basebackup into {replica.pgdata} failed:\n{done.stderr.strip()}"
        )


def _configure(settings: Settings, replica: ReplicaCluster) -> None:
    """The replica's own port, socket folder and password file (the copy has the primary's).

    ``-R`` wrote a ``primary_conninfo`` naming the temporary password file of the copy; the
    one written here, later in ``postgresql.auto.conf``, wins.
    """
    passfile = owner_only_file(
        settings,
        replica.pgdata / "primary.pgpass",
        f"*:*:*:{settings.pg_admin_user}:{_admin_password(settings)}",
    )
    conninfo = _conninfo(settings, replica, passfile).replace("'", "''")
    conf = (
        "\n# LangNghe GIS streaming replica (gis/replica.py)\n"
        f"port = {int(replica.port)}\n"
        f"unix_socket_directories = '{replica.pgdata}'\n"
        "hot_standby = on\n"
        # the primary keeps the rows a long public read on the replica still needs
        "hot_standby_feedback = on\n"
    )
    auto = f"primary_conninfo = '{conninfo}'\nprimary_slot_name = '{replica.slot}'\n"
    for name, text in (("postgresql.conf", conf), ("postgresql.auto.conf", auto)):
        run_as_owner(
            settings, ["sh", "-c", f"cat >> '{replica.pgdata / name}'"], input=text, check=True
        )
    (replica.pgdata / "server.log").unlink(missing_ok=True)  # the primary's log, copied


def _launch(settings: Settings, replica: ReplicaCluster) -> None:
    log = replica.pgdata / "server.log"
    if _pg_ctl(settings, replica, "start", "-w", "-t", "60", "-l", str(log)) != 0:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise DatabaseUnavailableError(f"the replica did not start on {replica.port}:\n{tail}")


def start_replica(
    settings: Settings, *, port: int, pgdata: Path | None = None, timeout_s: float = 120.0
) -> ReplicaCluster:
    """Copy the running embedded cluster into a new streaming replica and start it.

    Whatever an earlier run left in the folder (a replica still running, a half copy) and
    on the primary (its slot) is removed first, so the call can be repeated.

    Parameters
    ----------
    settings
        The embedded cluster's settings (it must be running: :func:`gis.localdb.start`).
    port
        The replica's port (127.0.0.1).
    pgdata
        Its data folder; default ``home/pgdata-replica-<port>``.
    timeout_s
        How long to wait for it to be in recovery and streaming.

    Raises
    ------
    DatabaseUnavailableError
        When the copy fails, the replica does not start or does not stream in time.
    """
    if not settings.embedded:
        raise DatabaseUnavailableError("a replica is started only of the embedded cluster")
    replica = ReplicaCluster(pgdata or settings.home / f"pgdata-replica-{port}", port)
    remove_replica(settings, replica)
    _base_backup(settings, replica)
    _configure(settings, replica)
    _launch(settings, replica)
    wait_streaming(settings, replica, timeout_s=timeout_s)
    logger.info("replica of port %d streaming on port %d", settings.port, port)
    return replica


def wait_streaming(settings: Settings, replica: ReplicaCluster, *, timeout_s: float = 60) -> None:
    """Wait until the replica answers, is in recovery and its WAL receiver streams.

    Raises
    ------
    DatabaseUnavailableError
        When it is not so within ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    state: object = "no answer"
    while time.monotonic() < deadline:
        try:
            conn = _admin(settings, replica.port)
        except psycopg2.OperationalError as exc:
            state = str(exc).strip()
        else:
            try:
                with conn.cursor() as cur:
                    cur.execute(
                        "SELECT pg_is_in_recovery(), (SELECT status FROM pg_stat_wal_receiver)"
                    )
                    state = cur.fetchone()
            finally:
                conn.close()
            if state == (True, "streaming"):
                return
        time.sleep(0.2)
    raise DatabaseUnavailableError(
        f"the replica on port {replica.port} is not streaming after {timeout_s:.0f} s: {state}"
    )


def stop_replica(settings: Settings, replica: ReplicaCluster, *, mode: str = "fast") -> None:
    """Stop the replica's server (``fast``: its sessions are ended; ``immediate``: a crash)."""
    if replica_running(settings, replica):
        _pg_ctl(settings, replica, "stop", "-w", "-m", mode)


def resume_replica(settings: Settings, replica: ReplicaCluster, *, timeout_s: float = 60) -> None:
    """Start a stopped replica again; it catches up from its slot and streams."""
    if not replica_running(settings, replica):
        _launch(settings, replica)
    wait_streaming(settings, replica, timeout_s=timeout_s)


def remove_replica(settings: Settings, replica: ReplicaCluster) -> None:
    """Stop the replica, delete its folder and drop its slot on the primary (idempotent)."""
    if replica.pgdata.exists():
        stop_replica(settings, replica, mode="immediate")
        shutil.rmtree(replica.pgdata)
    _drop_slot(settings, replica.slot)


def primary_lsn(settings: Settings) -> str:
    """The primary's WAL flush position now (``pg_lsn`` text)."""
    conn = _admin(settings)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_current_wal_flush_lsn()::text")
            row = cur.fetchone()
    finally:
        conn.close()
    assert row is not None
    return str(row[0])


def replay_lsn(settings: Settings, replica: ReplicaCluster) -> str | None:
    """The last WAL position the replica has replayed (``None`` before the first)."""
    conn = _admin(settings, replica.port)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_last_wal_replay_lsn()::text")
            row = cur.fetchone()
    finally:
        conn.close()
    return None if row is None or row[0] is None else str(row[0])


def wait_replayed(
    settings: Settings, replica: ReplicaCluster, lsn: str | None = None, *, timeout_s: float = 60
) -> None:
    """Wait until the replica has replayed the primary's WAL up to ``lsn`` (default: now).

    Raises
    ------
    DatabaseUnavailableError
        When it has not within ``timeout_s``.
    """
    target = lsn or primary_lsn(settings)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        conn = _admin(settings, replica.port)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false)", (target,)
                )
                row = cur.fetchone()
        finally:
            conn.close()
        if row is not None and row[0]:
            return
        time.sleep(0.05)
    raise DatabaseUnavailableError(
        f"the replica on port {replica.port} has not replayed {target} in {timeout_s:.0f} s"
    )
