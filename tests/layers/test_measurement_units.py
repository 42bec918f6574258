"""Per-column units of wide measurement files, a units row, and the columns not read.

The file is built at test time from the real Hà Nội hourly file (../shared/data): its
first day of one station, CO rewritten in mg/m3, with weather columns added beside the
pollutants (as station exports have them).
"""

from __future__ import annotations

import csv
import io

import pytest

from gis.errors import ValidationError
from layers.stations import import_measurements
from tests.conftest import count

pytestmark = pytest.mark.postgis


def _rows(real_data) -> list[dict[str, str]]:
    path = real_data / "airquality" / "hanoi_2019-01" / "hanoi_stations_hourly_long.csv"
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["station_id"] == "10"][:24]
    assert len(rows) == 24 and all(r["CO"] for r in rows)
    return rows


def _write(rows, path, *, units_row: bool = False) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Mã trạm", "Thời gian", "PM2.5", "CO", "Nhiệt độ", "Độ ẩm", "Ghi chú"])
    if units_row:
        writer.writerow(["", "", "µg/m3", "mg/m3", "°C", "%", ""])
    for i, r in enumerate(rows):
        co_mg = f"{float(r['CO']) / 1000:.4f}"
        writer.writerow(["HN-10", r["time"], r["PM2.5"], co_mg, 20 + i % 5, 80, ""])
    path.write_text(out.getvalue(), encoding="utf-8")


def _co(conn) -> list[float]:
    with conn.cursor() as cur:
        cur.execute("SELECT value, unit FROM measurements WHERE parameter = 'CO' ORDER BY 1")
        rows = cur.fetchall()
    assert {u for _, u in rows} == {"µg/m3"}
    return [v for v, _ in rows]


def _station(conn) -> None:
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO monitoring_stations (ref, name, name_ascii, medium, source, flags, geom) "
            "VALUES ('HN-10', 'Phạm Văn Đồng', 'pham van dong', 'air', 'test', '{}', "
            "'SRID=4326;POINT(105.78 21.05)')"
        )


def test_a_unit_per_column_and_the_weather_columns_noted(conn, real_data, tmp_path):
    rows = _rows(real_data)
    path = tmp_path / "tram.csv"
    _write(rows, path)
    _station(conn)
    report = import_measurements(conn, path, units={"CO": "mg/m3", "pm25": "µg/m3"})
    assert report.rejected == 0 and report.inserted == 48
    assert report.units == {"PM2.5": ("µg/m3", "option"), "CO": ("mg/m3", "option")}
    assert report.ignored == ["Nhiệt độ", "Độ ẩm", "Ghi chú"]
    want = sorted(float(r["CO"]) for r in rows)
    assert _co(conn) == pytest.approx(want, abs=0.06)  # mg/m3 x 1000, 4 decimals written
    sections = {t.code: lines for t, lines in report.sections()}
    assert [m.params["source"].code for m in sections["report.units"]] == [
        "report.unit_from_option",
        "report.unit_from_option",
    ]
    assert sections["report.ignored"][0].params["columns"] == ("Nhiệt độ", "Độ ẩm", "Ghi chú")


def test_a_units_row_states_them_and_is_not_a_row(conn, real_data, tmp_path):
    rows = _rows(real_data)
    path = tmp_path / "tram.csv"
    _write(rows, path, units_row=True)
    _station(conn)
    report = import_measurements(conn, path)
    assert report.rejected == 0 and report.inserted == 48
    assert report.units == {"PM2.5": ("µg/m3", "row"), "CO": ("mg/m3", "row")}
    assert _co(conn) == pytest.approx(sorted(float(r["CO"]) for r in rows), abs=0.06)
    # one --unit for every column yields to the file's own row; --unit COLUMN= wins over it
    again = import_measurements(
        conn, path, unit="ppm", units={"PM2.5": "mg/m3"}, dry_run=True, replace=True
    )
    assert again.units == {"PM2.5": ("mg/m3", "option"), "CO": ("mg/m3", "row")}


def test_a_unit_for_a_column_the_file_lacks_is_refused(conn, real_data, tmp_path):
    rows = _rows(real_data)
    path = tmp_path / "tram.csv"
    _write(rows, path)
    _station(conn)
    before = count(conn, "measurements")
    with pytest.raises(ValidationError) as caught:
        import_measurements(conn, path, units={"NO2x": "ppb"})
    assert caught.value.message.code == "measurements.unit_column"
    assert count(conn, "measurements") == before == 0
