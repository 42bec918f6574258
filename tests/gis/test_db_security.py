"""The embedded cluster is locked: passwords only, an owner role and a non-superuser web role.

Finding 1 of issue 13: the cluster used to trust every local connection and the app's role
was a superuser, so any OS user could read the password hashes and run shell commands as
``postgres`` through ``COPY ... TO PROGRAM``.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import tempfile
from pathlib import Path

import psycopg2
import pytest

from gis import localdb
from gis.db import connect, refuse_insecure_server
from gis.errors import InsecureDatabaseError
from gis.pgroles import HBA, hba_trusts
from gis.settings import Settings

pytestmark = pytest.mark.postgis


def _passwordless(settings: Settings, role: str) -> dict[str, str]:
    params = psycopg2.extensions.parse_dsn(settings.dsn(role=role))  # type: ignore[arg-type]
    return {**params, "password": "", "passfile": os.devnull}


@pytest.mark.parametrize("role", ["owner", "app", "admin"])
def test_no_connection_without_a_password(settings, role):
    if not settings.embedded:
        pytest.skip("an external DATABASE_URL server is configured by its operator")
    with pytest.raises(psycopg2.OperationalError, match="password"):
        psycopg2.connect(**_passwordless(settings, role), connect_timeout=5)
    assert not hba_trusts(settings.pgdata)


def test_another_os_user_is_refused(settings):
    if not settings.embedded or os.geteuid() != 0:
        pytest.skip("needs the embedded cluster and root to act as another OS user")
    psql = str(settings.pg_bindir / "psql")
    for target in (["-h", "127.0.0.1"], ["-h", str(settings.pgdata)]):
        done = subprocess.run(
            ["runuser", "-u", "nobody", "--", psql, "-w", *target, "-p", str(settings.port)]
            + ["-U", settings.pg_admin_user, "-d", "postgres", "-c", "SELECT 1"],
            capture_output=True,
            text=True,
            env={"PATH": os.environ["PATH"]},
        )
        assert done.returncode != 0, done.stdout
        assert "no password supplied" in done.stderr or "Permission denied" in done.stderr


def test_password_file_is_private(settings):
    if not settings.embedded:
        pytest.skip("only the embedded cluster has a password file")
    mode = settings.pg_passfile.stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert settings.pg_passfile.stat().st_uid == os.geteuid()


def test_web_and_owner_roles_are_not_superusers(settings):
    for role in ("app", "owner"):
        conn = connect(settings, role=role)  # type: ignore[arg-type]
        with conn.cursor() as cur:
            cur.execute("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user")
            assert cur.fetchone() == (False, False)
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute("COPY (SELECT 1) TO PROGRAM 'id'")
            conn.rollback()
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute("SELECT passwd FROM pg_shadow")
        conn.close()


def test_web_role_reads_and_writes_rows_but_changes_no_schema(settings):
    conn = connect(settings, role="app")
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM craft_villages")
        cur.execute("INSERT INTO layer_versions (layer, version) VALUES ('_probe', 1)")
        conn.rollback()
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("CREATE TABLE _probe (x int)")
        conn.rollback()
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("DROP TABLE craft_villages")
        conn.rollback()
    conn.close()


# --- clusters of their own: an old trusting one converted in place, and a fresh one ---------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_home():
    """A home folder the cluster's OS user can reach (pytest's tmp_path is root-only)."""
    home = Path(tempfile.mkdtemp(prefix="langnghe-cluster-"))
    settings = Settings(home=home, pg_port=_free_port(), pg_database="langnghe", database_url=None)
    yield settings
    localdb.stop(settings)
    shutil.rmtree(home, ignore_errors=True)


def _old_trusting_cluster(settings: Settings) -> None:
    """A cluster as the previous version made it: trust, the owner role its superuser."""
    pgdata = localdb._prepare_folder(settings)
    initdb = [str(settings.pg_bindir / "initdb"), "-D", str(pgdata), "-U", settings.pg_user]
    localdb.run_as_owner(settings, [*initdb, "--auth=trust", "--locale=C.UTF-8"], check=True)
    conf = f"listen_addresses = '127.0.0.1'\nport = {settings.port}\n"
    conf += f"unix_socket_directories = '{pgdata}'\n"
    localdb.run_as_owner(settings, ["sh", "-c", f"cat >> '{pgdata}/postgresql.conf'"], input=conf)
    pg_ctl = [str(settings.pg_bindir / "pg_ctl"), "-D", str(pgdata), "-l", str(pgdata / "log")]
    localdb.run_as_owner(settings, [*pg_ctl, "-w", "start"], check=True)
    trusted = f"postgresql://{settings.pg_user}@127.0.0.1:{settings.port}/"
    admin = psycopg2.connect(trusted + "postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("CREATE DATABASE langnghe")
        cur.execute("CREATE DATABASE other_data")
    admin.close()
    for name in ("langnghe", "other_data"):
        conn = psycopg2.connect(trusted + name)
        with conn.cursor() as cur:
            cur.execute("CREATE EXTENSION postgis")
            cur.execute("CREATE TABLE kept (id serial PRIMARY KEY, geom geometry(Point, 4326))")
            cur.execute("INSERT INTO kept (geom) VALUES ('SRID=4326;POINT(105.9 21.0)')")
            cur.execute("CREATE FUNCTION kept_count() RETURNS bigint LANGUAGE sql AS 'SELECT 1'")
        conn.commit()
        conn.close()


def test_db_start_converts_an_old_trusting_cluster_without_losing_data(own_home):
    settings = own_home
    _old_trusting_cluster(settings)
    assert hba_trusts(settings.pgdata)
    with pytest.raises(InsecureDatabaseError, match="db.embedded_trusts"):
        refuse_insecure_server(settings)

    localdb.start(settings)

    assert not hba_trusts(settings.pgdata)
    refuse_insecure_server(settings)  # production may now start
    for name in ("langnghe", "other_data"):
        conn = connect(settings, database=name, role="app")
        with conn.cursor() as cur:
            cur.execute("SELECT count(*), min(ST_X(geom)) FROM kept")
            assert cur.fetchone() == (1, 105.9)
            cur.execute("INSERT INTO kept (geom) VALUES ('SRID=4326;POINT(106 21)')")  # sequence
            cur.execute(
                "SELECT pg_get_userbyid(relowner), (SELECT rolsuper FROM pg_roles"
                " WHERE rolname = current_user) FROM pg_class WHERE relname = 'kept'"
            )
            assert cur.fetchone() == (settings.pg_user, False)
        conn.commit()
        conn.close()
    with pytest.raises(psycopg2.OperationalError, match="password"):
        psycopg2.connect(**_passwordless(settings, "owner"), connect_timeout=5)
    assert localdb.start(settings).running  # a second start changes nothing
    # and the old cluster now allows a streaming replica (gis.replica), slot WAL bounded
    admin = connect(settings, database="postgres", role="admin")
    with admin.cursor() as cur:
        cur.execute(
            "SELECT current_setting('wal_level'), current_setting('max_slot_wal_keep_size')"
        )
        assert cur.fetchone() == ("replica", "2GB")
    admin.close()
    assert (
        "host    replication   all   127.0.0.1/32   scram-sha-256"
        in (settings.pgdata / "pg_hba.conf").read_text()
    )


def test_fresh_cluster_is_locked_from_the_start(own_home):
    settings = own_home
    state = localdb.start(settings)
    assert state.running and "password" not in state.dsn.lower()
    assert not hba_trusts(settings.pgdata)
    assert (settings.pgdata / "pg_hba.conf").read_text() == HBA
    assert not any(settings.home.glob(".initdb*"))  # the initdb password file is gone
    with pytest.raises(psycopg2.OperationalError, match="password"):
        psycopg2.connect(**_passwordless(settings, "admin"), connect_timeout=5)
    refuse_insecure_server(settings)
    conn = connect(settings, role="owner")
    with conn.cursor() as cur:
        cur.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'langnghe'")
        assert cur.fetchone() == (settings.pg_user,)
        cur.execute("SELECT extname FROM pg_extension WHERE extname = 'postgis'")
        assert cur.fetchone() == ("postgis",)
    conn.close()
