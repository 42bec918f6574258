"""Every rejection reason of the import pipeline, each with a real bad file (PostGIS)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import Point

from gis.errors import CRSError, ValidationError
from layers.importer import ImportOptions, run_import
from layers.registry import get_spec
from tests.conftest import count
from webmap.messages import render

pytestmark = pytest.mark.postgis
BAD = Path(__file__).resolve().parent.parent / "fixtures" / "bad"
QUIET = ImportOptions()


def _import(conn, layer: str, name: str | Path, **options):
    path = name if isinstance(name, Path) else BAD / name
    return run_import(conn, get_spec(layer), path, ImportOptions(**options))


def _reasons(report, code: str) -> dict[int, str]:
    """Each row's reason of ``code``, rendered in English."""
    return {p.row: render(p.reason, "en") for p in report.problems if p.code == code}


def test_missing_required_fields_are_rejected_with_row_and_field(conn):
    report = _import(conn, "villages", "villages_missing_required.csv")
    assert report.rejected_rows == [1, 2]
    fields = {(p.row, p.field) for p in report.problems if p.code == "required"}
    assert fields == {(1, "name"), (2, "source")}
    assert count(conn, "craft_villages") == 0


def test_types_choices_and_ranges(conn):
    report = _import(conn, "villages", "villages_bad_fields.csv")
    assert "pottery" in _reasons(report, "choice")[1]
    types = _reasons(report, "type")
    assert "not a number: 'many'" in types[2] and "not a whole number" in types[4]
    assert "above the maximum 1,440" in _reasons(report, "range")[3]
    assert report.rejected_rows == [1, 2, 3, 4] and report.inserted == 0


def test_nan_infinite_and_unreadable_coordinates(conn):
    report = _import(conn, "villages", "villages_bad_coordinates.csv")
    assert set(_reasons(report, "non_finite")) == {1, 2}
    bad = _reasons(report, "bad_coordinate")
    assert "not a number: 'abc'" in bad[3] and "missing" in bad[4]
    assert "out of range" in _reasons(report, "out_of_range")[5]
    assert report.rejected == 5 and count(conn, "craft_villages") == 0


def test_coordinates_out_of_range(conn):
    report = _import(conn, "villages", "villages_out_of_range.csv")
    reasons = _reasons(report, "out_of_range")
    assert set(reasons) == {1, 2} and "lon=200" in reasons[1]


def test_points_outside_vietnam(conn):
    report = _import(conn, "villages", "villages_outside_vietnam.csv")
    assert set(_reasons(report, "outside_vietnam")) == {1, 2}
    assert report.inserted == 0


def test_swapped_lat_lon_is_flagged_and_fixed_only_when_asked(conn):
    report = _import(conn, "villages", "villages_swapped.csv")
    assert report.rejected_rows == [1] and "--fix-swapped" in _reasons(report, "latlon_swapped")[1]
    assert report.inserted == 1
    fixed = _import(conn, "villages", "villages_swapped.csv", fix_swapped=True)
    assert fixed.inserted == 1 and fixed.rejected == 0
    with conn.cursor() as cur:
        cur.execute("SELECT ST_X(geom), ST_Y(geom) FROM craft_villages WHERE ref = 'T-1'")
        assert cur.fetchone() == pytest.approx((105.914, 20.976))


def test_duplicates_in_a_file(conn):
    report = _import(conn, "villages", "villages_duplicates.csv")
    assert _reasons(report, "duplicate") == {2: "duplicate of row 1 (T-1)"}
    assert report.inserted == 2


def test_text_is_stored_in_nfc(conn):
    _import(conn, "villages", "villages_nfd.csv")
    with conn.cursor() as cur:
        cur.execute("SELECT name, province_name, name_ascii FROM craft_villages")
        name, province, ascii_name = cur.fetchone()
    assert name == "Bát Tràng Thử" and province == "Hà Nội" and ascii_name == "bat trang thu"


def test_progress_goes_through_the_callback(conn):
    calls: list[tuple[float, str]] = []
    _import(conn, "villages", "villages_nfd.csv", progress=lambda f, m: calls.append((f, m)))
    assert calls and calls[-1] == (1.0, "villages")
    assert [f for f, _ in calls] == sorted(f for f, _ in calls)


def test_a_file_in_no_vietnamese_encoding_is_refused_whole(conn):
    before = count(conn, "craft_villages")
    with pytest.raises(ValidationError, match="encoding.none_plausible"):
        _import(conn, "villages", "villages_latin1.csv")  # "Café": Latin-1, not Vietnamese
    assert count(conn, "craft_villages") == before


def test_self_intersecting_polygon_is_repaired_with_a_warning_or_rejected(conn):
    report = _import(conn, "clusters", "clusters_self_intersecting.geojson")
    warnings = [p for p in report.problems if p.code == "invalid_geometry"]
    assert (
        len(warnings) == 1
        and warnings[0].severity == "warning"
        and "Self-intersection" in render(warnings[0].reason, "en")
    )
    assert report.inserted == 2
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ST_IsValid(geom), ST_GeometryType(geom) FROM industrial_clusters WHERE ref = "
            "'C-BOWTIE'"
        )
        assert cur.fetchone() == (True, "ST_MultiPolygon")
    strict = _import(conn, "clusters", "clusters_self_intersecting.geojson", repair=False)
    assert strict.rejected_rows == [1] and "--repair" in _reasons(strict, "invalid_geometry")[1]


def test_wrong_and_empty_geometries(conn):
    report = _import(conn, "clusters", "clusters_wrong_geometry.geojson")
    assert "takes MultiPolygon" in _reasons(report, "geometry_type")[1]
    assert 2 in _reasons(report, "empty_geometry")
    assert report.inserted == 1


def test_file_without_crs_needs_one(conn, tmp_path):
    path = tmp_path / "no_prj.shp"
    with pytest.warns(UserWarning, match="crs"):
        gpd.GeoDataFrame(
            {"ref": ["S-1"], "name": ["Làng"], "craft": ["wood"], "source": ["t"]},
            geometry=[Point(105.9, 21.0)],
        ).to_file(path)
    with pytest.raises(CRSError, match="io.no_crs"):
        _import(conn, "villages", path)
    assert _import(conn, "villages", path, crs="EPSG:4326").inserted == 1


def test_vn2000_tm3_coordinates_are_transformed(conn, tmp_path):
    x, y = Transformer.from_crs("EPSG:4756", "EPSG:9210", always_xy=True).transform(105.914, 20.976)
    path = tmp_path / "tm3.csv"
    path.write_text(
        f"ref,name,craft,source,x,y\nV-1,Bát Tràng TM3,ceramics,test,{x},{y}\n", encoding="utf-8"
    )
    assert _import(conn, "villages", path, crs="EPSG:9210").inserted == 1
    with conn.cursor() as cur:
        cur.execute("SELECT ST_X(geom), ST_Y(geom) FROM craft_villages")
        lon, lat = cur.fetchone()
    # the official datum shift moves the point, but by less than a kilometre
    assert 1e-5 < abs(lon - 105.914) + abs(lat - 20.976) < 0.01


def test_dry_run_reports_but_writes_nothing(conn):
    report = _import(conn, "villages", "villages_duplicates.csv", dry_run=True)
    assert report.dry_run and report.inserted == 2
    assert count(conn, "craft_villages") == 0 and count(conn, "audit_log") == 0


def test_reimport_changes_nothing_and_an_edit_updates_one_row(conn, tmp_path):
    first = _import(conn, "villages", "villages_duplicates.csv")
    again = _import(conn, "villages", "villages_duplicates.csv")
    assert (first.inserted, again.inserted, again.updated, again.unchanged) == (2, 0, 0, 2)
    edited = tmp_path / "edited.csv"
    edited.write_text(
        (BAD / "villages_duplicates.csv")
        .read_text(encoding="utf-8")
        .replace("Làng Hai", "Làng Hai Mới"),
        encoding="utf-8",
    )
    third = _import(conn, "villages", edited)
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 1)
    assert count(conn, "audit_log") == 3
