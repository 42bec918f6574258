"""The caller's unit of work: ``gis.db.transaction`` and ``gis.db.savepoint`` (PostGIS)."""

from __future__ import annotations

import pytest

from gis.db import connect, savepoint, transaction

pytestmark = pytest.mark.postgis


@pytest.fixture
def scratch(settings):
    conn = connect(settings)
    with transaction(conn), conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS _tx_scratch (v integer)")
        cur.execute("TRUNCATE _tx_scratch")
    yield conn
    conn.rollback()
    with transaction(conn), conn.cursor() as cur:
        cur.execute("DROP TABLE _tx_scratch")
    conn.close()


def _values(settings) -> list[int]:
    other = connect(settings)
    try:
        with other.cursor() as cur:
            cur.execute("SELECT v FROM _tx_scratch ORDER BY v")
            return [v for (v,) in cur.fetchall()]
    finally:
        other.close()


def _insert(conn, value: int) -> None:
    with conn.cursor() as cur:
        cur.execute("INSERT INTO _tx_scratch VALUES (%s)", (value,))


def test_commits_on_success_and_rolls_back_on_error(scratch, settings):
    with transaction(scratch) as conn:
        _insert(conn, 1)
    assert _values(settings) == [1]
    with pytest.raises(RuntimeError), transaction(scratch):
        _insert(scratch, 2)
        raise RuntimeError("boom")
    with transaction(scratch, dry_run=True):
        _insert(scratch, 3)
    assert _values(settings) == [1]


def test_a_failed_savepoint_undoes_its_step_alone(scratch, settings):
    with transaction(scratch):
        _insert(scratch, 10)
        with pytest.raises(ValueError), savepoint(scratch) as cur:
            cur.execute("INSERT INTO _tx_scratch VALUES (11)")
            raise ValueError("step refused")
        with savepoint(scratch, keep=False) as cur:
            cur.execute("INSERT INTO _tx_scratch VALUES (12)")
        with savepoint(scratch) as cur:
            cur.execute("INSERT INTO _tx_scratch VALUES (13)")
    assert _values(settings) == [10, 13]
