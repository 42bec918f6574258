"""The embedded PostgreSQL 15 + PostGIS cluster in a folder the project owns.

With no ``DATABASE_URL`` the project runs its own private cluster under
``settings.home / "pgdata"``, listening on 127.0.0.1 only (port 54329, or a free one recorded in
``home/pgport``), owned by an unprivileged OS user (``postgres`` when we run as root).

Nobody connects without a password: every line of ``pg_hba.conf`` asks for scram-sha-256, and
the socket lives in the 0700 data folder. Three roles (see :mod:`gis.pgroles`): the superuser
``pg_admin_user`` (only ``langnghe db start`` uses it), the owner ``pg_user`` (migrations,
commands) and the application role ``pg_app_user`` (the web server: rows only). Their generated
passwords are in ``home/pgpass`` (libpq's password file format, mode 0600). A cluster made by an
older version (``trust``, the owner a superuser) is converted by :func:`start` in place.
"""

from __future__ import annotations

import logging
import os
import pwd
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2

from gis.errors import DatabaseUnavailableError, MissingSystemPackageError
from gis.pgroles import HBA, ensure_role, hba_trusts
from gis.settings import DEFAULT_PORT, Settings

__all__ = [
    "REPLICATION_SETTINGS",
    "ClusterStatus",
    "ensure_packages",
    "owner_only_file",
    "pg_tool",
    "run_as_owner",
    "start",
    "status",
    "stop",
]

logger = logging.getLogger(__name__)

PG_VERSION = "15"
#: Debian package -> file that proves it is installed.
DEBIAN_PACKAGES = {
    f"postgresql-{PG_VERSION}": Path(f"/usr/lib/postgresql/{PG_VERSION}/bin/initdb"),
    f"postgresql-{PG_VERSION}-postgis-3": Path(
        f"/usr/share/postgresql/{PG_VERSION}/extension/postgis.control"
    ),
    f"postgresql-{PG_VERSION}-pgrouting": Path(
        f"/usr/share/postgresql/{PG_VERSION}/extension/pgrouting.control"
    ),
}


#: What a streaming replica of the cluster needs (:mod:`gis.replica`). ``wal_level``,
#: ``max_wal_senders`` and ``max_replication_slots`` are PostgreSQL 15's defaults, written out so
#: that a cluster never runs without them; ``max_slot_wal_keep_size`` bounds the WAL that a
#: replica's slot may hold back when the replica is gone (past it the slot is given up and that
#: replica must be copied again), so a forgotten replica cannot fill the disk.
REPLICATION_SETTINGS = {
    "wal_level": "replica",
    "max_wal_senders": "10",
    "max_replication_slots": "10",
    "max_slot_wal_keep_size": "'2GB'",
    "hot_standby": "on",
}
#: Of those, the ones that only a restart changes.
_RESTART_SETTINGS = ("wal_level", "max_wal_senders", "max_replication_slots")

#: A superuser that exists only while an old cluster's superuser is renamed.
_MIGRATION_ROLE = "langnghe_migration"


@dataclass(frozen=True)
class ClusterStatus:
    """What ``langnghe db status`` reports."""

    mode: str
    dsn: str
    running: bool
    pgdata: Path | None


def missing_packages() -> list[str]:
    """Return the Debian packages the embedded cluster needs that are not installed."""
    return [name for name, proof in DEBIAN_PACKAGES.items() if not proof.exists()]


def ensure_packages() -> None:
    """Install PostgreSQL/PostGIS/pgRouting with apt when missing and we are root.

    Raises
    ------
    MissingSystemPackageError
        When packages are missing and we cannot install them; the message gives the
        exact command to run.
    """
    missing = missing_packages()
    if not missing:
        return
    command = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise MissingSystemPackageError(
            "PostgreSQL/PostGIS packages are missing: "
            + ", ".join(missing)
            + ". Install them with:\n  sudo apt-get update && sudo "
            + " ".join(command)
        )
    logger.info("installing %s with apt-get", " ".join(missing))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(command, check=True, env=env)
    still = missing_packages()
    if still:
        raise MissingSystemPackageError("apt-get did not install: " + ", ".join(still))


def _os_user(settings: Settings) -> str | None:
    """The unprivileged user who owns the cluster; ``None`` means ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(settings.pg_os_user)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                settings.pg_os_user,
            ],
            check=True,
        )
    return settings.pg_os_user


def run_as_owner(
    settings: Settings, args: list[str], **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run a program as the cluster's OS user (``runuser`` when we are root), output captured."""
    user = _os_user(settings)
    prefix = ["runuser", "-u", user, "--"] if user else []
    done: subprocess.CompletedProcess[str] = subprocess.run(
        prefix + args, text=True, capture_output=True, **kwargs
    )
    return done


def _prepare_folder(settings: Settings) -> Path:
    pgdata = settings.pgdata
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    pgdata.mkdir(mode=0o700, exist_ok=True)
    user = _os_user(settings)
    if user:
        entry = pwd.getpwnam(user)
        for path in (settings.home, pgdata):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        probe = run_as_owner(settings, ["test", "-w", str(pgdata)])
        if probe.returncode != 0:
            raise DatabaseUnavailableError(
                f"user {user!r} cannot write {pgdata}: a parent folder is not traversable. "
                "Set LANGNGHE_HOME to a folder that user can reach (e.g. /var/tmp/langnghe)."
            )
    return pgdata


def pg_tool(settings: Settings, tool: str) -> str:
    """The path of a PostgreSQL program (``initdb``, ``pg_ctl``, ``pg_basebackup``...)."""
    return str(settings.pg_bindir / tool)


def _port_free(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _choose_port(settings: Settings) -> int:
    """Keep the configured or default port; if the default is taken, record a free one."""
    if settings.pg_port is not None or (settings.home / "pgport").exists():
        return settings.port
    port = DEFAULT_PORT
    while not _port_free(port):
        port += 1
    (settings.home / "pgport").write_text(f"{port}\n")
    return port


def _admin(settings: Settings) -> str:
    return settings.pg_admin_user


def _read_passfile(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    passwords = {}
    for line in path.read_text().splitlines():
        fields = line.split(":")
        if len(fields) == 5 and not line.startswith("#"):
            passwords[fields[3]] = fields[4]
    return passwords


def _passwords(settings: Settings) -> dict[str, str]:
    """The roles' passwords from ``home/pgpass``; missing ones are generated and written (0600)."""
    path = settings.pg_passfile
    passwords = _read_passfile(path)
    roles = (settings.pg_admin_user, settings.pg_user, settings.pg_app_user)
    if all(role in passwords for role in roles) and path.stat().st_mode & 0o077 == 0:
        return passwords
    for role in roles:
        passwords.setdefault(role, secrets.token_urlsafe(32))
    text = "# LangNghe GIS embedded cluster: libpq password file, written by `langnghe db start`\n"
    text += "".join(f"*:*:*:{role}:{pw}\n" for role, pw in passwords.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".pgpass-{os.getpid()}")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(partial, path)
    return passwords


def owner_only_file(settings: Settings, path: Path, text: str) -> Path:
    """A file (mode 0600) that only we and the cluster's OS user can read."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text + "\n")
    user = _os_user(settings)
    if user:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def _write_hba(settings: Settings) -> bool:
    """Write :data:`HBA` when the file differs; return whether the server must reload."""
    hba = settings.pgdata / "pg_hba.conf"
    if hba.exists() and hba.read_text() == HBA:
        return False
    run_as_owner(settings, ["sh", "-c", f"cat > '{hba}'"], input=HBA, check=True)
    return True


def _initdb(settings: Settings, pgdata: Path, passwords: dict[str, str]) -> None:
    if (pgdata / "PG_VERSION").exists():
        return
    port = _choose_port(settings)
    logger.info("initialising a private PostgreSQL cluster in %s", pgdata)
    pwfile = owner_only_file(
        settings, settings.home / ".initdb-password", passwords[_admin(settings)]
    )
    try:
        done = run_as_owner(
            settings,
            [
                pg_tool(settings, "initdb"),
                "-D",
                str(pgdata),
                "-U",
                settings.pg_admin_user,
                "--auth-local=scram-sha-256",
                "--auth-host=scram-sha-256",
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
        )
    finally:
        pwfile.unlink(missing_ok=True)
    if done.returncode != 0:
        raise DatabaseUnavailableError(f"initdb failed in {pgdata}:\n{done.stderr.strip()}")
    conf = (
        "\n# LangNghe GIS embedded cluster\n"
        "listen_addresses = '127.0.0.1'\n"
        f"port = {port}\n"
        f"unix_socket_directories = '{pgdata}'\n"
        "shared_buffers = 256MB\n"
        "maintenance_work_mem = 256MB\n"
        "max_wal_size = 2GB\n"
        "timezone = 'UTC'\n"
        + "".join(f"{name} = {value}\n" for name, value in REPLICATION_SETTINGS.items())
    )
    run_as_owner(
        settings, ["sh", "-c", f"cat >> '{pgdata}/postgresql.conf'"], input=conf, check=True
    )
    _write_hba(settings)


def _running(settings: Settings) -> bool:
    if not (settings.pgdata / "PG_VERSION").exists():
        return False
    return (
        run_as_owner(
            settings, [pg_tool(settings, "pg_ctl"), "status", "-D", str(settings.pgdata)]
        ).returncode
        == 0
    )


def _connect_admin(settings: Settings, trusting: bool) -> psycopg2.extensions.connection:
    """A superuser connection (autocommit) to the ``postgres`` database.

    On a cluster that still trusts local connections and whose superuser is the owner role
    (made by an older version), that superuser is first renamed to ``pg_admin_user``.
    """
    try:
        conn = psycopg2.connect(settings.dsn("postgres", role="admin"), connect_timeout=10)
    except psycopg2.OperationalError as exc:
        if not trusting:
            raise DatabaseUnavailableError(
                f"cannot sign in to the embedded cluster as {settings.pg_admin_user!r} with the "
                f"password in {settings.pg_passfile}; restore that file, or `make clean-db`"
                " (this deletes the local data) and start again"
            ) from exc
        _rename_old_superuser(settings)
        conn = psycopg2.connect(settings.dsn("postgres", role="admin"), connect_timeout=10)
    conn.autocommit = True
    return conn


def _rename_old_superuser(settings: Settings) -> None:
    """Rename an old cluster's superuser (the owner role's name) to ``pg_admin_user``.

    A role cannot rename itself, so a short-lived second superuser does it (trust is still on).
    """
    from psycopg2 import sql

    old = psycopg2.connect(settings.dsn("postgres", role="owner"), connect_timeout=10)
    old.autocommit = True
    with old.cursor() as cur:
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cur.fetchone()
        if row is None or not row[0]:
            raise DatabaseUnavailableError(
                f"the embedded cluster has no superuser {settings.pg_admin_user!r} to sign in as"
            )
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (_MIGRATION_ROLE,))
        if cur.fetchone() is None:
            cur.execute(
                sql.SQL("CREATE ROLE {} LOGIN SUPERUSER").format(sql.Identifier(_MIGRATION_ROLE))
            )
    old.close()
    helper = psycopg2.connect(
        settings.dsn("postgres", role="owner"), user=_MIGRATION_ROLE, connect_timeout=10
    )
    helper.autocommit = True
    with helper.cursor() as cur:
        cur.execute(
            sql.SQL("ALTER ROLE {} RENAME TO {}").format(
                sql.Identifier(settings.pg_user), sql.Identifier(settings.pg_admin_user)
            )
        )
    helper.close()
    logger.info("renamed the superuser %s to %s", settings.pg_user, settings.pg_admin_user)


def _secure(settings: Settings, passwords: dict[str, str]) -> None:
    """Roles with the file's passwords, every database the owner's, no ``trust`` left.

    While the cluster still trusts (an old one, or a conversion cut short), every database
    is converted; the ``pg_hba.conf`` without trust is written last, so a rerun resumes.
    """
    from psycopg2 import sql

    from gis.db import prepare_embedded_database

    trusting = hba_trusts(settings.pgdata)
    admin = _connect_admin(settings, trusting)
    try:
        with admin.cursor() as cur:
            cur.execute(
                sql.SQL("ALTER ROLE {} PASSWORD %s").format(sql.Identifier(settings.pg_admin_user)),
                (passwords[settings.pg_admin_user],),
            )
            for role in (settings.pg_user, settings.pg_app_user):
                ensure_role(cur, role, passwords[role])
            cur.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(_MIGRATION_ROLE)))
            cur.execute(
                "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate"
                " AND datname <> 'postgres' ORDER BY datname"
            )
            databases = [row[0] for row in cur.fetchall()] if trusting else []
    finally:
        admin.close()
    for name in databases:
        logger.info("securing database %s", name)
        prepare_embedded_database(settings, name)
    if _write_hba(settings):
        run_as_owner(
            settings,
            [pg_tool(settings, "pg_ctl"), "reload", "-D", str(settings.pgdata)],
            check=True,
        )


def _replication_changes(current: dict[str, str]) -> dict[str, str]:
    """Of :data:`REPLICATION_SETTINGS`, those the running cluster lacks (its values kept else).

    A cluster made before replicas existed has PostgreSQL's defaults, which already allow
    them, except that no slot's WAL is bounded; one whose values are larger or ``logical``
    is left as it is.
    """
    changes = {}
    if current.get("wal_level") not in ("replica", "logical"):
        changes["wal_level"] = REPLICATION_SETTINGS["wal_level"]
    for name in ("max_wal_senders", "max_replication_slots"):
        if int(current.get(name, "0")) < 1:
            changes[name] = REPLICATION_SETTINGS[name]
    if current.get("max_slot_wal_keep_size") == "-1":
        changes["max_slot_wal_keep_size"] = REPLICATION_SETTINGS["max_slot_wal_keep_size"]
    if current.get("hot_standby") != "on":
        changes["hot_standby"] = REPLICATION_SETTINGS["hot_standby"]
    return changes


def _allow_replication(settings: Settings) -> None:
    """Give a cluster made by an older version what a replica needs (idempotent).

    Missing values go to ``postgresql.auto.conf`` (``ALTER SYSTEM``); the server reloads, or
    restarts when one of them takes effect only then (never with PostgreSQL's defaults).
    """
    from psycopg2 import sql

    conn = _connect_admin(settings, trusting=False)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)",
                (list(REPLICATION_SETTINGS),),
            )
            changes = _replication_changes(dict(cur.fetchall()))
            for name, value in changes.items():
                cur.execute(
                    sql.SQL("ALTER SYSTEM SET {} = {}").format(
                        sql.Identifier(name), sql.Literal(value.strip("'"))
                    )
                )
    finally:
        conn.close()
    if not changes:
        return
    logger.info("embedded cluster: %s set for replicas", ", ".join(sorted(changes)))
    action = (
        ["restart", "-w", "-m", "fast"] if set(changes) & set(_RESTART_SETTINGS) else ["reload"]
    )
    log = ["-l", str(settings.pgdata / "server.log")] if action[0] == "restart" else []
    run_as_owner(
        settings,
        [pg_tool(settings, "pg_ctl"), *action, "-D", str(settings.pgdata), *log],
        check=True,
    )


def _create_database(settings: Settings) -> None:
    from gis.db import create_database, prepare_embedded_database

    create_database(settings, settings.pg_database)
    prepare_embedded_database(settings, settings.pg_database)


def start(settings: Settings) -> ClusterStatus:
    """Make sure the embedded cluster exists, runs and has the project database.

    Idempotent: a running cluster is left alone. With ``DATABASE_URL`` set, nothing is
    started; the external server is only checked.

    Raises
    ------
    DatabaseUnavailableError
        When the cluster cannot be initialised, started or reached.
    """
    if not settings.embedded:
        return status(settings)
    ensure_packages()
    pgdata = _prepare_folder(settings)
    passwords = _passwords(settings)
    _initdb(settings, pgdata, passwords)
    if not _running(settings):
        log = pgdata / "server.log"
        done = run_as_owner(
            settings,
            [
                pg_tool(settings, "pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(pgdata),
                "-l",
                str(log),
            ],
        )
        if done.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise DatabaseUnavailableError(
                f"PostgreSQL did not start on port {settings.port}:\n{done.stderr.strip()}\n{tail}"
            )
    _secure(settings, passwords)
    _allow_replication(settings)
    _create_database(settings)
    return status(settings)


def stop(settings: Settings) -> ClusterStatus:
    """Stop the embedded cluster (a no-op when it is not running or not embedded)."""
    if settings.embedded and _running(settings):
        run_as_owner(
            settings,
            [pg_tool(settings, "pg_ctl"), "stop", "-m", "fast", "-D", str(settings.pgdata)],
        )
    return status(settings)


def status(settings: Settings) -> ClusterStatus:
    """Report the mode, connection string and whether the server answers."""
    try:
        psycopg2.connect(settings.dsn(), connect_timeout=3).close()
        answers = True
    except psycopg2.OperationalError:
        answers = False
    return ClusterStatus(
        mode="embedded" if settings.embedded else "external",
        dsn=_mask(settings.dsn()),
        running=answers,
        pgdata=settings.pgdata if settings.embedded else None,
    )


def _mask(dsn: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(dsn)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return dsn
