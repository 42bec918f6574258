"""The embedded PostgreSQL 15 + PostGIS cluster in a folder the project owns.

With no ``DATABASE_URL`` the project runs its own private cluster under
``settings.home / "pgdata"``, listening on 127.0.0.1 only (port 54329, or a free one
recorded in ``home/pgport``), owned by an unprivileged OS user (``postgres`` when we run
as root).
"""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2

from gis.errors import DatabaseUnavailableError, MissingSystemPackageError
from gis.settings import DEFAULT_PORT, Settings

__all__ = ["ClusterStatus", "ensure_packages", "start", "status", "stop"]

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


def _as_owner(
    settings: Settings, args: list[str], **kwargs: Any
) -> subprocess.CompletedProcess[str]:
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
        probe = _as_owner(settings, ["test", "-w", str(pgdata)])
        if probe.returncode != 0:
            raise DatabaseUnavailableError(
                f"user {user!r} cannot write {pgdata}: a parent folder is not traversable. "
                "Set LANGNGHE_HOME to a folder that user can reach (e.g. /var/tmp/langnghe)."
            )
    return pgdata


def _pg(settings: Settings, tool: str) -> str:
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


def _initdb(settings: Settings, pgdata: Path) -> None:
    if (pgdata / "PG_VERSION").exists():
        return
    port = _choose_port(settings)
    logger.info("initialising a private PostgreSQL cluster in %s", pgdata)
    done = _as_owner(
        settings,
        [
            _pg(settings, "initdb"),
            "-D",
            str(pgdata),
            "-U",
            settings.pg_user,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ],
    )
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
    )
    _as_owner(settings, ["sh", "-c", f"cat >> '{pgdata}/postgresql.conf'"], input=conf, check=True)


def _running(settings: Settings) -> bool:
    if not (settings.pgdata / "PG_VERSION").exists():
        return False
    return (
        _as_owner(
            settings, [_pg(settings, "pg_ctl"), "status", "-D", str(settings.pgdata)]
        ).returncode
        == 0
    )


def _create_database(settings: Settings) -> None:
    from gis.db import create_database

    create_database(settings, settings.pg_database)


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
    _initdb(settings, pgdata)
    if not _running(settings):
        log = pgdata / "server.log"
        done = _as_owner(
            settings,
            [_pg(settings, "pg_ctl"), "start", "-w", "-t", "60", "-D", str(pgdata), "-l", str(log)],
        )
        if done.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise DatabaseUnavailableError(
                f"PostgreSQL did not start on port {settings.port}:\n{done.stderr.strip()}\n{tail}"
            )
    _create_database(settings)
    return status(settings)


def stop(settings: Settings) -> ClusterStatus:
    """Stop the embedded cluster (a no-op when it is not running or not embedded)."""
    if settings.embedded and _running(settings):
        _as_owner(
            settings, [_pg(settings, "pg_ctl"), "stop", "-m", "fast", "-D", str(settings.pgdata)]
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
