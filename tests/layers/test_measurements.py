"""Measurements: units, quality flags, replacement, and an import killed mid-way."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gis.db import transaction
from layers.importer import ImportOptions, run_import
from layers.registry import get_spec
from layers.stations import import_measurements
from tests.conftest import count
from tests.support import executable
from webmap.messages import render

pytestmark = pytest.mark.postgis
BAD = Path(__file__).resolve().parent.parent / "fixtures" / "bad"


@pytest.fixture
def station(conn, tmp_path):
    path = tmp_path / "stations.csv"
    path.write_text(
        "ref,name,medium,synthetic,source,lon,lat\nS-1,Trạm thử,air,no,test,105.85,21.03\n",
        encoding="utf-8",
    )
    with transaction(conn):  # other connections (the CLI) must see the station
        run_import(conn, get_spec("stations"), path, ImportOptions())
    return "S-1"


def test_units_flags_and_row_errors(conn, station):
    report = import_measurements(conn, BAD / "measurements_long_mixed.csv", partial=True)
    codes = {(p.row, p.code) for p in report.problems}
    assert {
        (2, "negative"),
        (3, "out_of_range"),
        (6, "type"),
        (7, "type"),
        (8, "choice"),
        (9, "unit"),
        (10, "unknown_station"),
        (11, "duplicate"),
    } <= codes
    assert report.inserted == 5  # rows 1-5; row 12 is a blank gap, not an error
    with conn.cursor() as cur:
        cur.execute(
            "SELECT parameter, value, unit, quality_flag FROM measurements ORDER BY observed_at"
        )
        rows = cur.fetchall()
    assert rows[0] == ("PM2.5", 35.0, "µg/m3", "ok")
    assert rows[1][1:] == (-4.0, "µg/m3", "negative")  # kept and flagged, not dropped
    assert rows[2][3] == "out_of_range"
    assert rows[3][:3] == ("CO", 2500.0, "µg/m3")  # mg/m3 -> µg/m3
    assert rows[4][1] == pytest.approx(100 * 46.0055 / 24.45)  # ppb -> µg/m3 at 25 °C


def test_duplicates_replaced_only_when_asked(conn, station, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text(
        "station_ref,observed_at,parameter,value,unit\nS-1,2026-01-01 01:00,PM10,40,µg/m3\n"
    )
    second = tmp_path / "b.csv"
    second.write_text(
        "station_ref,observed_at,parameter,value,unit\nS-1,2026-01-01 01:00,PM10,55,µg/m3\n"
    )
    import_measurements(conn, first)
    kept = import_measurements(conn, second)
    assert kept.inserted == 0 and any("differ from stored" in render(n, "en") for n in kept.notes)
    replaced = import_measurements(conn, second, replace=True)
    assert replaced.updated == 1
    with conn.cursor() as cur:
        cur.execute("SELECT value FROM measurements")
        assert cur.fetchone()[0] == 55.0


def _big_file(path: Path, rows: int) -> None:
    hours = pd.date_range("2020-01-01", periods=rows // 4, freq="h").strftime("%Y-%m-%d %H:%M")
    frame = pd.DataFrame(
        {"station": "KILL-1", "station_name": "Trạm bị ngắt", "time": np.repeat(hours, 1)}
    )
    for param in ("PM2.5", "PM10", "NO2", "CO"):
        frame[param] = np.round(np.random.default_rng(1).gamma(2, 20, len(frame)), 2)
    frame.to_csv(path, index=False)


def _import_is_writing(conn) -> bool:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "JOIN pg_class c ON c.oid = l.relation "
            "WHERE a.application_name = 'langnghe import measurements' AND c.relname IN "
            "('_mstage', 'measurements')"
        )
        found = cur.fetchone() is not None
    conn.rollback()
    return found


def test_killed_import_leaves_the_database_unchanged(conn, station, tmp_path, test_env):
    path = tmp_path / "big.csv"
    _big_file(path, 1_600_000)
    before = (count(conn, "measurements"), count(conn, "monitoring_stations"))
    log = tmp_path / "stderr.txt"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [executable("langnghe"), "import", "measurements", str(path)],
            env=test_env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    seen = False
    while time.monotonic() < deadline and proc.poll() is None:
        if _import_is_writing(conn):
            seen = True
            break
        time.sleep(0.05)
    assert seen, "the import never started writing: " + log.read_text()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    for _ in range(100):  # the server notices the dead client and rolls back
        if not _import_is_writing(conn):
            break
        time.sleep(0.1)
    assert (count(conn, "measurements"), count(conn, "monitoring_stations")) == before


def test_a_bad_file_is_rejected_whole_with_rows_and_columns(conn, station, tmp_path):
    from gis.errors import ImportFailedError, ValidationError

    with pytest.raises(ImportFailedError) as caught:
        import_measurements(conn, BAD / "measurements_long_mixed.csv")
    text = render(caught.value.message, "en")
    assert "nothing was written" in text
    for part in (
        "row 6, column value: not a number: 'abc'",
        "row 7, column observed_at: not a date-time",
        "row 9, column unit: unit 'furlongs'",
        "row 10, column station_ref: unknown station 'S-9'",
    ):
        assert part in text, part
    assert count(conn, "measurements") == 0
    impossible = tmp_path / "feb30.csv"
    impossible.write_text(
        "station_ref,observed_at,parameter,value,unit\nS-1,2026-02-30 01:00,PM2.5,10,ug/m3\n"
    )
    with pytest.raises(ImportFailedError) as caught:
        import_measurements(conn, impossible)
    expected = "row 1, column observed_at: not a date-time: '2026-02-30 01:00'"
    assert expected in render(caught.value.message, "en")
    header = tmp_path / "header.csv"
    header.write_text("station,when,parameter,value,unit\nS-1,2026-01-01 01:00,PM2.5,10,ug/m3\n")
    with pytest.raises(ValidationError) as caught:
        import_measurements(conn, header)
    assert re.search(
        "needs a station column .* and a time column .*found station, when",
        render(caught.value.message, "en"),
    )
    no_unit = tmp_path / "nounit.csv"
    no_unit.write_text("station_ref,observed_at,parameter,value\nS-1,2026-01-01 01:00,PM2.5,10\n")
    with pytest.raises(ValidationError, match="measurements.no_unit"):
        import_measurements(conn, no_unit)
    assert import_measurements(conn, no_unit, unit="ug/m3").inserted == 1
    blank = tmp_path / "blank.csv"
    blank.write_text(
        "station_ref,observed_at,parameter,value,unit\nS-1,2026-01-01 02:00,PM2.5,10,\n"
    )
    with pytest.raises(ImportFailedError) as caught:
        import_measurements(conn, blank)
    assert "row 1, column unit: unit missing" in render(caught.value.message, "en")
