"""The embedded cluster and the DATABASE_URL switch."""

from __future__ import annotations

from pathlib import Path

import pytest

from gis import localdb
from gis.db import connect
from gis.errors import DatabaseUnavailableError, MissingSystemPackageError
from gis.migrate import pending
from gis.settings import Settings
from layers import migrations_folder


def test_missing_packages_are_named_with_the_exact_command(monkeypatch, tmp_path):
    monkeypatch.setitem(
        localdb.DEBIAN_PACKAGES, "postgresql-15-imaginary", tmp_path / "absent.control"
    )
    monkeypatch.setattr(localdb.os, "geteuid", lambda: 1000)
    with pytest.raises(MissingSystemPackageError) as info:
        localdb.ensure_packages()
    assert "apt-get install -y --no-install-recommends postgresql-15-imaginary" in str(info.value)


def test_database_url_selects_an_external_server_and_never_starts_one(tmp_path):
    external = Settings(database_url="postgresql://nobody@127.0.0.1:1/none", home=tmp_path / "home")
    assert not external.embedded
    state = localdb.start(external)
    assert state.mode == "external" and not state.running
    assert not (tmp_path / "home").exists()  # no cluster folder was created
    with pytest.raises(DatabaseUnavailableError, match="db.cannot_connect"):
        connect(external)


def test_password_is_masked_in_status(tmp_path):
    external = Settings(database_url="postgresql://u:secret@127.0.0.1:1/db", home=tmp_path)
    assert "secret" not in localdb.status(external).dsn


@pytest.mark.postgis
def test_embedded_cluster_runs_postgis_and_is_migrated(settings):
    state = localdb.status(settings)
    assert state.running
    if settings.embedded:
        assert state.mode == "embedded" and (state.pgdata / "PG_VERSION").exists()
        assert Path(settings.home).resolve() == state.pgdata.parent.resolve()
    conn = connect(settings)
    with conn.cursor() as cur:
        cur.execute("SELECT postgis_lib_version(), current_setting('server_version_num')::int")
        postgis, server = cur.fetchone()
        cur.execute(
            "SELECT f_table_name, srid, type FROM geometry_columns ORDER BY 1, f_geometry_column"
        )
        columns = cur.fetchall()
        cur.execute("SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%USING gist (geom)%'")
        gist = {r[0] for r in cur.fetchall()}
    conn.close()
    assert postgis.startswith("3.") and server >= 150000
    tables = {t for t, _, _ in columns}
    assert {
        "admin_units",
        "craft_villages",
        "industrial_clusters",
        "monitoring_stations",
        "pollution_zones",
        "roads",
        "road_nodes",
        "tourism_routes",
        "scenario_features",
    } <= tables
    assert all(srid == 4326 for _, srid, _ in columns)
    assert tables <= gist  # every geometry column has a GiST index
    assert pending(settings.dsn(), migrations_folder()) == []


@pytest.mark.postgis
def test_db_start_is_idempotent(settings):
    first = localdb.start(settings)
    second = localdb.start(settings)
    assert first == second and second.running


@pytest.mark.postgis
def test_pool_survives_many_threads_at_first_use(settings):
    import threading

    from gis.db import Database

    db = Database(settings, maxconn=8)
    barrier, errors = threading.Barrier(8), []

    def work():
        barrier.wait()
        try:
            for _ in range(20):
                conn = db.getconn()
                with conn.cursor() as cur:
                    cur.execute("SELECT 1")
                conn.rollback()
                db.putconn(conn)
        except Exception as exc:  # noqa: BLE001 - the test collects whatever goes wrong
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.close()
    assert errors == []
