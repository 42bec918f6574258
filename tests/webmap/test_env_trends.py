"""Trends on the web: a station's monthly means with the Theil-Sen slope and Mann-Kendall
result said in words, the months left out for completeness named; the real Hà Nội 2019 week
is one incomplete month, so it has no trend and says why."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gis.db import connect
from layers.stations import import_measurements

pytestmark = pytest.mark.postgis
STATION = "SYN-AIR-BAT-TRANG"


def _station_id(settings, ref: str) -> int:
    conn = connect(settings)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT id FROM monitoring_stations WHERE ref = %s", (ref,))
            return int(cur.fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def falling(web_settings, tmp_path):
    """Six months of hourly PM2.5 falling 5 µg/m3 a month; March has only 10 days."""
    hours = pd.date_range("2025-01-01", "2025-06-30 23:00", freq="h")
    keep = ~((hours.month == 3) & (hours.day > 10))
    hours = hours[keep]
    level = 80.0 - 5.0 * (hours.month - 1) + np.sin(np.arange(len(hours))) * 3
    frame = pd.DataFrame(
        {
            "station_ref": STATION,
            "observed_at": hours.strftime("%Y-%m-%d %H:%M"),
            "parameter": "PM2.5",
            "value": level.round(1),
            "unit": "µg/m3",
        }
    )
    path = tmp_path / "falling.csv"
    frame.to_csv(path, index=False)
    conn = connect(web_settings)
    try:
        import_measurements(conn, path)
        conn.commit()
    finally:
        conn.close()


def test_trend_said_in_words(client, web_settings, falling):
    sid = _station_id(web_settings, STATION)
    vi = client.get(f"/api/stations/{sid}/trend?parameter=PM2.5&lang=vi").get_json()
    months = {m["month"]: m for m in vi["months"]}
    assert {"2025-01", "2025-06", "2026-10"} <= set(months)
    assert months["2025-03"]["mean"] is None and months["2025-03"]["days_with_mean"] == 10
    assert months["2025-01"]["mean"] == pytest.approx(80, abs=1)
    left = [m["text"] for m in vi["left_out"]]
    assert any(t.startswith("03/2025: 10 trên 31 ngày") for t in left), left
    assert vi["trend"]["slope_per_year"] < 0 and vi["trend"]["months"] >= 5
    assert "giảm" in vi["summary"]["text"] and "Mann-Kendall" in vi["summary"]["text"]
    en = client.get(f"/api/stations/{sid}/trend?parameter=PM2.5&lang=en").get_json()
    assert "fall by" in en["summary"]["text"]
    verdict = "a significant trend" if en["trend"]["significant"] else "not a significant trend"
    assert verdict in en["summary"]["text"]


def test_one_incomplete_month_has_no_trend(client, web_settings, real_data):
    conn = connect(web_settings)
    try:
        import_measurements(
            conn, real_data / "airquality" / "hanoi_2019-01" / "hanoi_stations_hourly_long.csv"
        )
        conn.commit()
        with conn.cursor() as cur:
            cur.execute("SELECT id FROM monitoring_stations WHERE name = 'Thành Công'")
            sid = cur.fetchone()[0]
    finally:
        conn.close()
    en = client.get(f"/api/stations/{sid}/trend?parameter=PM2.5&lang=en").get_json()
    assert [m["month"] for m in en["months"]] == ["2019-01"]
    assert en["trend"] is None
    assert en["summary"]["text"] == "no trend: a trend needs at least 4 monthly means, got 0"
    assert "fewer than 24: no monthly mean" in en["left_out"][0]["text"]
    assert client.get(f"/api/stations/{sid}/trend?parameter=XX").get_json()["values"] == 0
    assert client.get("/api/stations/999999/trend").status_code == 404
