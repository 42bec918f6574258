"""Shared fixtures: a real PostGIS test database, the real shared data, the CLI runner.

PostGIS tests skip locally when no database can be reached, and fail in CI (CI=true)
if anything at all was skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import sql

from gis import localdb
from gis.db import connect, create_database
from gis.errors import DatabaseUnavailableError
from gis.migrate import apply
from gis.settings import Settings, get_settings
from layers import migrations_folder

TEST_DB = "langnghe_test"
ROOT = Path(__file__).resolve().parent.parent
#: Tables emptied after each test that writes (admin units are loaded once per session).
LAYER_TABLES = (
    "audit_log",
    "measurements",
    "route_stops",
    "tourism_routes",
    "ocop_products",
    "pollution_zones",
    "craft_villages",
    "industrial_clusters",
    "monitoring_stations",
    "scenario_features",
    "scenarios",
    "rasters",
)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failure: nothing may silently not run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if os.environ.get("CI") and reporter is not None and reporter.stats.get("skipped"):
        reporter.write_line("CI: tests were skipped; failing the run", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The shared real data folder (fails in CI when missing)."""
    path = get_settings().real_data
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"real data folder missing: {path}")
        pytest.skip(f"real data folder missing: {path}")
    return path


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings pointing at the test database, created fresh and migrated once per session."""
    base = get_settings()
    try:
        localdb.start(base)
        create_database(base, TEST_DB, replace=True)
    except (DatabaseUnavailableError, psycopg2.OperationalError) as exc:
        pytest.skip(f"no PostGIS available: {exc}")
    test_settings = base.model_copy(
        update={
            "pg_database": TEST_DB,
            "database_url": base.dsn(TEST_DB) if base.database_url else None,
        }
    )
    apply(test_settings.dsn(), migrations_folder())
    return test_settings


@pytest.fixture(scope="session")
def test_env(settings: Settings) -> dict[str, str]:
    """Environment for subprocesses that must use the test database."""
    env = {**os.environ, "LANGNGHE_PG_DATABASE": TEST_DB}
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    return env


@pytest.fixture
def conn(settings: Settings):
    """A connection to the test database; every layer table is emptied afterwards."""
    connection = connect(settings, application_name="langnghe-tests")
    yield connection
    connection.rollback()
    with connection.cursor() as cur:
        cur.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                sql.SQL(", ").join(map(sql.Identifier, LAYER_TABLES))
            )
        )
    connection.commit()
    connection.close()


@pytest.fixture(scope="session")
def admin_loaded(settings: Settings, real_data: Path) -> None:
    """The real pre-2025 provinces and districts and the 2025 communes, imported once."""
    from layers.importer import ImportOptions, run_import
    from layers.registry import get_spec

    connection = connect(settings)
    spec = get_spec("admin")
    folder = real_data / "admin"
    for name, level, version in (
        ("rrd_provinces_2024_gischinhphu_dvhcvn.geojson", "province", "pre-2025"),
        ("rrd_districts_2024_gischinhphu_dvhcvn.geojson", "district", "pre-2025"),
        ("hanoi_region_communes_2025_osm.geojson", "commune", "2025-07"),
    ):
        run_import(
            connection,
            spec,
            folder / name,
            ImportOptions(
                progress=False, extra={"level": level, "version": version, "source": name}
            ),
        )
    connection.close()


def count(conn, table: str) -> int:
    """Rows in ``table``."""
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        return cur.fetchone()[0]
