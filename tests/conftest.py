"""Shared fixtures: isolated PostGIS test databases, the real shared data, subprocess environments.

Every database test gets a database of its own, copied from a template that is built once per
session (see :class:`tests.support.TemplateDatabases`): ``settings``/``conn`` give a migrated,
empty one (with the real administrative boundaries when the test also asks for
``admin_loaded``). Nothing a test writes reaches another test, whatever their order.

Every test that uses a database must carry the ``postgis`` marker (collection fails otherwise),
so ``pytest -m "not postgis"`` runs the pure tests without any database. PostGIS tests skip
locally when no database can be reached, and fail in CI (CI=true) if anything at all was skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from gis import localdb
from gis.db import connect
from gis.errors import DatabaseUnavailableError
from gis.migrate import apply
from gis.settings import Settings, get_settings
from layers import migrations_folder
from tests.support import TemplateDatabases, count_rows, database_env

ROOT = Path(__file__).resolve().parent.parent
#: The fixture every database fixture depends on.
DATABASE_FIXTURE = "databases"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that reaches a database without the ``postgis`` marker is a collection error."""
    unmarked = [
        item.nodeid
        for item in items
        if DATABASE_FIXTURE in getattr(item, "fixturenames", ())
        and item.get_closest_marker("postgis") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            "these tests use a database but lack @pytest.mark.postgis:\n  " + "\n  ".join(unmarked)
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


def _migrate(settings: Settings) -> None:
    apply(settings.dsn(), migrations_folder())


@pytest.fixture(scope="session")
def databases() -> Iterator[TemplateDatabases]:
    """The server (the embedded cluster, started if needed) and the migrated ``base`` template."""
    server = get_settings()
    try:
        localdb.start(server)
        dbs = TemplateDatabases(server)
        dbs.drop_stale()
        dbs.template("base", _migrate)
    except (DatabaseUnavailableError, psycopg2.OperationalError) as exc:
        pytest.skip(f"no PostGIS available: {exc}")
    yield dbs
    dbs.close()


def _load_admin(settings: Settings, real_data: Path) -> None:
    from layers.importer import ImportOptions, run_import
    from layers.registry import get_spec

    connection = connect(settings)
    try:
        spec = get_spec("admin")
        folder = real_data / "admin"
        for name, level, version in (
            ("rrd_provinces_2024_gischinhphu_dvhcvn.geojson", "province", "pre-2025"),
            ("rrd_districts_2024_gischinhphu_dvhcvn.geojson", "district", "pre-2025"),
            ("hanoi_region_communes_2025_osm.geojson", "commune", "2025-07"),
        ):
            options = ImportOptions(extra={"level": level, "version": version, "source": name})
            run_import(connection, spec, folder / name, options)
        connection.commit()
    finally:
        connection.close()


@pytest.fixture(scope="session")
def admin_loaded(databases: TemplateDatabases, real_data: Path) -> None:
    """Ask for it beside ``settings``/``conn``: the test's database then holds the real pre-2025
    provinces and districts and the 2025 communes (the ``admin`` template, built once).
    """
    databases.template("admin", lambda s: _load_admin(s, real_data), parent="base")


@pytest.fixture
def settings(databases: TemplateDatabases, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """Settings of this test's own migrated database, dropped after the test."""
    key = "base"
    if "admin_loaded" in request.fixturenames:
        request.getfixturevalue("admin_loaded")
        key = "admin"
    own = databases.copy(key)
    yield own
    databases.release(own)


@pytest.fixture(scope="module")
def module_settings(databases: TemplateDatabases) -> Iterator[Settings]:
    """A migrated database shared by one module's tests (for expensive read-only set-ups)."""
    own = databases.copy("base")
    yield own
    databases.release(own)


@pytest.fixture
def test_env(settings: Settings) -> dict[str, str]:
    """Environment for subprocesses that must use this test's database."""
    return database_env(settings)


@pytest.fixture
def conn(settings: Settings) -> Iterator[psycopg2.extensions.connection]:
    """A connection to this test's own database."""
    connection = connect(settings, application_name="langnghe-tests")
    yield connection
    connection.rollback()
    connection.close()


def count(conn: psycopg2.extensions.connection, table: str) -> int:
    """Rows in ``table``."""
    return count_rows(conn, table)
