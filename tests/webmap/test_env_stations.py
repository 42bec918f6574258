"""The environment page's stations over HTTP, with the real Hà Nội January 2019 file.

The real file (read by path) goes through the upload endpoint: it creates 10 stations, 7 of
them without a position, and the answer says which. The station list has them all with their
data ranges; a positions CSV places some (audited, refused whole with row and column when a
row is wrong, in the request's language); the daily VN_AQI and the CSV export of a series.
"""

from __future__ import annotations

import csv
import io

import pytest

from gis.db import connect
from tests.webmap.conftest import bearer
from webmap.env_stations import csv_cell

pytestmark = pytest.mark.postgis


def _upload(client, token, url, text_or_bytes, name="file.csv", lang="en", **form):
    data = text_or_bytes if isinstance(text_or_bytes, bytes) else text_or_bytes.encode()
    return client.post(
        f"{url}?lang={lang}",
        data={"file": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
        headers=bearer(token),
    )


@pytest.fixture
def hanoi(client, accounts, real_data):
    path = real_data / "airquality" / "hanoi_2019-01" / "hanoi_stations_hourly_long.csv"
    response = _upload(
        client, accounts["env_officer"], "/api/measurements", path.read_bytes(), path.name
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_upload_says_which_stations_it_created_and_which_lack_a_position(hanoi):
    created = hanoi["created"]
    assert len(created) == 10 and hanoi["inserted"] == 7171
    assert sorted(c["ref"] for c in created if not c["positioned"]) == [
        "1",
        "10",
        "11",
        "12",
        "13",
        "8",
        "9",
    ]
    assert {"ref": "7", "name": "Thành Công"}.items() <= next(
        c for c in created if c["ref"] == "7"
    ).items()


def test_station_list_has_unplaced_stations_and_ranges(client, hanoi):
    stations = {s["ref"]: s for s in client.get("/api/stations").get_json()["stations"]}
    assert "SYN-AIR-BAT-TRANG" in stations  # the sample, placed
    kim_lien = stations["9"]
    assert kim_lien["lon"] is None and kim_lien["name"] == "Kim Liên"
    assert kim_lien["name_ascii"] == "kim lien"
    pm = next(r for r in kim_lien["ranges"] if r["parameter"] == "PM2.5")
    assert pm["first"].startswith("2019-01-2") and pm["last"].startswith("2019-01-29")


def test_positions_csv_places_stations_audited(client, accounts, hanoi):
    officer = accounts["env_officer"]
    good = "code,lon,lat\n9,105.8410,21.0085\n13,105.8405,21.0335\n"
    assert _upload(client, accounts["planner"], "/api/stations/positions", good).status_code == 403
    bad = "code,lon,lat\n9,105.84,abc\nNOPE,105.8,21.0\n13,21.0335,105.8405\n"
    refused = _upload(client, officer, "/api/stations/positions", bad, "pos.csv", lang="vi")
    body = refused.get_json()
    assert refused.status_code == 400, body
    text = body["description"]
    assert "pos.csv" in text and "dòng 1, cột lat: không phải số: 'abc'" in text
    assert "dòng 2, cột code: không có trạm nào mang mã 'NOPE'" in text
    assert "dòng 3, cột lon" in text and "đảo chỗ" in text
    unplaced = [s for s in client.get("/api/stations").get_json()["stations"] if s["ref"] == "9"]
    assert unplaced[0]["lon"] is None  # nothing written
    done = _upload(client, officer, "/api/stations/positions", good)
    report = done.get_json()
    assert done.status_code == 200, report
    assert sorted(p["ref"] for p in report["placed"]) == ["13", "9"]
    assert sorted(s["ref"] for s in report["without_position"]) == ["1", "10", "11", "12", "8"]
    stations = {s["ref"]: s for s in client.get("/api/stations").get_json()["stations"]}
    assert stations["9"]["lon"] == pytest.approx(105.841) and stations["9"]["lat"] == 21.0085
    audit = client.get("/api/audit?table=monitoring_stations", headers=bearer(accounts["admin"]))
    entries = audit.get_json()["entries"]
    assert sum(1 for e in entries if e["action"] == "update" and e["actor"] == "env-officer") >= 2
    again = _upload(client, officer, "/api/stations/positions", good).get_json()
    assert len(again["unchanged"]) == 2 and again["placed"] == []


def test_placing_one_station_through_the_editing_api(client, accounts, hanoi):
    station = next(s for s in client.get("/api/stations").get_json()["stations"] if s["ref"] == "8")
    url = f"/collections/stations/items/{station['id']}"
    tag = client.get(url).headers["ETag"]
    body = {"type": "Feature", "properties": {}, "geometry": _point(105.8510, 20.9850)}
    headers = {**bearer(accounts["env_officer"]), "If-Match": tag}
    assert client.patch(url, json=body, headers=headers).status_code == 204
    placed = client.get(url).get_json()
    assert placed["geometry"]["coordinates"] == pytest.approx([105.851, 20.985])
    assert placed["properties"]["name"] == "Tân Mai"


def _point(lon, lat):
    return {"type": "Point", "coordinates": [lon, lat]}


def test_daily_aqi_and_csv_export(client, hanoi):
    station = next(s for s in client.get("/api/stations").get_json()["stations"] if s["ref"] == "7")
    period = "since=2019-01-22&until=2019-01-30"
    days = client.get(f"/api/stations/{station['id']}/aqi?{period}&lang=vi").get_json()["days"]
    assert [d["day"] for d in days][:2] == ["2019-01-22", "2019-01-23"]
    full = [d for d in days if d["aqi"] is not None]
    assert full and all(d["color"].startswith("#") and d["band"] for d in full)
    assert {d["band"] for d in full} <= {"Tốt", "Trung bình", "Kém", "Xấu", "Rất xấu", "Nguy hại"}
    response = client.get(f"/api/stations/{station['id']}/series.csv?parameter=PM2.5&{period}")
    assert (
        response.mimetype == "text/csv" and "7_PM2.5.csv" in response.headers["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["station", "parameter", "averaging", "start", "value", "unit", "quality"]
    hourly = [r for r in rows[1:] if r[2] == "1h"]
    means = [r for r in rows[1:] if r[2] == "24h"]
    assert hourly[0][3].endswith("+07:00") and hourly[0][5] == "µg/m3"
    assert means and means[0][3] == "2019-01-22T00:00:00+07:00"


def test_chart_and_csv_share_the_24_hour_rule(client, hanoi, web_settings):
    """The chart's 24-hour means are the CSV's: a day with fewer than 18 hours has none.

    In the real file Thành Công (7) has 15 PM2.5 hours on 24/01 and 14 on 25/01; 26/01 is
    cut here to 18 hours (18:00 to 23:00 Hà Nội time taken out).
    """
    station = next(s for s in client.get("/api/stations").get_json()["stations"] if s["ref"] == "7")
    conn = connect(web_settings)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "DELETE FROM measurements WHERE station_id = %s AND parameter = 'PM2.5' AND "
                "observed_at >= '2019-01-26T18:00:00+07' "
                "AND observed_at < '2019-01-27T00:00:00+07'",
                (station["id"],),
            )
        conn.commit()
    finally:
        conn.close()
    period = "since=2019-01-22T00:00:00%2B07:00&until=2019-01-28T00:00:00%2B07:00"
    answer = client.get(f"/api/stations/{station['id']}/series?parameter=PM2.5&{period}").get_json()
    days = {d["start"][:10]: d for d in answer["means_24h"]}
    assert answer["hours_needed"] == 18
    assert [(k, days[k]["hours"]) for k in ("2019-01-23", "2019-01-24", "2019-01-25")] == [
        ("2019-01-23", 24),
        ("2019-01-24", 15),
        ("2019-01-25", 14),
    ]
    assert days["2019-01-24"]["mean"] is None and days["2019-01-25"]["mean"] is None
    assert days["2019-01-26"]["hours"] == 18 and days["2019-01-26"]["mean"] is not None
    # the points come in UTC; the local day 26/01 runs from 17:00 UTC on 25/01
    local = [p["v"] for p in answer["points"] if "2019-01-25T17" <= p["t"][:13] < "2019-01-26T17"]
    assert len(local) == 18 and days["2019-01-26"]["mean"] == pytest.approx(sum(local) / 18)
    exported = client.get(f"/api/stations/{station['id']}/series.csv?parameter=PM2.5&{period}")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    csv_means = {r[3][:10]: float(r[4]) for r in rows[1:] if r[2] == "24h"}
    chart_means = {k: round(d["mean"], 3) for k, d in days.items() if d["mean"] is not None}
    assert csv_means == chart_means and "2019-01-24" not in csv_means and "2019-01-23" in csv_means


def test_csv_cells_cannot_be_formulas():
    assert [csv_cell(v) for v in ("=1+1", "+1", "-cmd", "@SUM(A1)", "ok", 3.5, -2.0)] == [
        "'=1+1",
        "'+1",
        "'-cmd",
        "'@SUM(A1)",
        "ok",
        3.5,
        -2.0,
    ]


def test_template_and_time_zone_choice(client, accounts):
    template = client.get("/api/measurements/template.csv").get_data(as_text=True)
    assert template.lstrip("\ufeff").startswith("station_id,time,parameter,value,unit")
    text = (
        "station_ref,observed_at,parameter,value,unit\n"
        "SYN-AIR-BAT-TRANG,2019-03-01 01:00,PM2.5,12,µg/m3\n"
    )
    officer = accounts["env_officer"]
    bad = _upload(client, officer, "/api/measurements", text, tz="Mars/Olympus", lang="vi")
    assert bad.status_code == 400 and "tz" in bad.get_json()["description"]
    utc = _upload(client, officer, "/api/measurements", text, tz="UTC")
    assert utc.status_code == 200 and utc.get_json()["inserted"] == 1
    station = next(
        s
        for s in client.get("/api/stations").get_json()["stations"]
        if s["ref"] == "SYN-AIR-BAT-TRANG"
    )
    points = client.get(
        f"/api/stations/{station['id']}/series?parameter=PM2.5"
        "&since=2019-03-01T00:00:00%2B00:00&until=2019-03-02T00:00:00%2B00:00"
    ).get_json()["points"]
    assert [p["t"] for p in points] == [
        "2019-03-01T01:00:00+00:00"
    ]  # 01:00 UTC, not 01:00 in Hà Nội
