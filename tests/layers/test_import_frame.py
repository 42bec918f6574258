"""Imports take frames: ``import_frame`` validates and upserts inside the caller's transaction."""

from __future__ import annotations

import geopandas as gpd
import psycopg2
import pytest
from shapely.geometry import Point

from gis.db import connect, transaction
from gis.errors import ImportFailedError
from layers.importer import ImportOptions, import_frame
from layers.registry import get_spec
from tests.conftest import count

pytestmark = pytest.mark.postgis
QUIET = ImportOptions(progress=None)


def _villages(*rows: tuple[str, str, float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "ref": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "craft": "ceramics",
            "source": "test",
        },
        geometry=[Point(r[2], r[3]) for r in rows],
        crs=4326,
    )


def test_a_frame_is_validated_and_upserted_without_a_file(conn):
    frame = _villages(("F-1", "Làng Một", 105.93, 20.97), ("F-2", "Làng Hai", 105.94, 20.98))
    report = import_frame(conn, get_spec("villages"), frame, QUIET)
    assert (report.total, report.inserted, report.rejected) == (2, 2, 0)
    again = import_frame(conn, get_spec("villages"), frame, QUIET)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    bad = _villages(("F-3", "Làng Ba", 105.93, 20.97)).assign(craft="no_such_craft")
    rejected = import_frame(conn, get_spec("villages"), bad, QUIET)
    assert rejected.rejected_rows == [1] and {p.code for p in rejected.problems} >= {"choice"}
    assert count(conn, "craft_villages") == 2


def test_a_metric_frame_is_stored_in_wgs84(conn):
    frame = _villages(("F-UTM", "Làng UTM", 105.93, 20.97)).to_crs(32648)
    import_frame(conn, get_spec("villages"), frame, QUIET)
    with conn.cursor() as cur:
        cur.execute("SELECT ST_SRID(geom), ST_X(geom), ST_Y(geom) FROM craft_villages")
        srid, lon, lat = cur.fetchone()
    assert srid == 4326 and lon == pytest.approx(105.93) and lat == pytest.approx(20.97)


def test_nothing_is_committed_by_the_import(conn, settings):
    import_frame(conn, get_spec("villages"), _villages(("F-4", "Bốn", 105.9, 21.0)), QUIET)
    other = connect(settings)
    try:
        assert count(other, "craft_villages") == 0  # the caller has not committed yet
        with transaction(conn):
            pass
        assert count(other, "craft_villages") == 1
    finally:
        other.close()


def test_dry_run_and_a_refused_import_leave_the_transaction_usable(conn, monkeypatch):
    spec = get_spec("villages")
    import_frame(conn, spec, _villages(("F-5", "Năm", 105.9, 21.0)), QUIET)
    dry = import_frame(
        conn, spec, _villages(("F-6", "Sáu", 105.9, 21.0)), ImportOptions(dry_run=True)
    )
    assert dry.dry_run and dry.inserted == 1 and count(conn, "craft_villages") == 1

    def refuse(cur, spec):
        raise psycopg2.errors.CheckViolation("refused")

    monkeypatch.setattr("layers.importer._upsert", refuse)
    with pytest.raises(ImportFailedError, match="import.database_refused"):
        import_frame(conn, spec, _villages(("F-7", "Bảy", 105.9, 21.0)), QUIET)
    assert count(conn, "craft_villages") == 1  # the earlier import of the transaction stays
