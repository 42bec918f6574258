"""Finding 7 of issue 13: a value that cannot be read is refused at import and edit, and one
stored before the checks breaks neither the tours nor the environment page for everyone."""

from __future__ import annotations

import json

import pytest

from gis.db import connect
from layers.importer import ImportOptions, run_import
from layers.registry import get_spec
from layers.stations import import_measurements
from tests.webmap.conftest import bearer
from webmap.app import create_app

pytestmark = pytest.mark.postgis


def _strict(text: str):
    """Parse JSON as a browser does: ``Infinity`` and ``NaN`` are errors."""

    def refuse(name):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def app_client(web_settings, accounts):
    app = create_app(web_settings)
    yield app.test_client()
    conn = connect(web_settings)
    with conn.cursor() as cur:
        cur.execute("DELETE FROM craft_villages WHERE ref = 'T-HOURS'")
    conn.commit()
    conn.close()
    app.extensions["langnghe_db"].close()


def test_edit_refuses_unreadable_opening_hours(app_client, accounts):
    feature = {
        "type": "Feature",
        "properties": {
            "ref": "T-HOURS",
            "name": "Làng giờ",
            "craft": "ceramics",
            "source": "test",
            "opening_hours": "nonsense",
        },
        "geometry": {"type": "Point", "coordinates": [105.91, 20.98]},
    }
    auth = bearer(accounts["planner"])
    refused = app_client.post("/collections/villages/items", json=feature, headers=auth)
    assert refused.status_code == 400
    assert "opening_hours" in refused.get_json()["description"]
    feature["properties"]["opening_hours"] = "Mo-Sa 08:00-17:00"
    assert (
        app_client.post("/collections/villages/items", json=feature, headers=auth).status_code
        == 201
    )


def test_import_refuses_unreadable_opening_hours_and_infinite_values(conn, tmp_path):
    villages = tmp_path / "villages.csv"
    villages.write_text(
        "ref,name,craft,source,lon,lat,opening_hours\n"
        "T-OH-1,Làng một,ceramics,test,105.91,20.98,Mo-Su 08:00-17:00\n"
        "T-OH-2,Làng hai,ceramics,test,105.92,20.99,nonsense\n",
        encoding="utf-8",
    )
    report = run_import(conn, get_spec("villages"), villages, ImportOptions(progress=False))
    assert report.inserted == 1
    assert [(p.row, p.field) for p in report.problems if p.severity == "error"] == [
        (2, "opening_hours")
    ]
    stations = tmp_path / "stations.csv"
    stations.write_text(
        "ref,name,medium,synthetic,source,lon,lat\nS-INF,Trạm,air,no,test,105.85,21.03\n",
        encoding="utf-8",
    )
    run_import(conn, get_spec("stations"), stations, ImportOptions(progress=False))
    values = tmp_path / "values.csv"
    values.write_text(
        "station_ref,observed_at,parameter,value,unit\n"
        "S-INF,2026-01-01 01:00,PM10,40,µg/m3\n"
        "S-INF,2026-01-01 02:00,PM10,inf,µg/m3\n"
        "S-INF,2026-01-01 03:00,PM10,-Infinity,µg/m3\n"
        "S-INF,2026-01-01 04:00,PM10,NaN,µg/m3\n",
        encoding="utf-8",
    )
    measured = import_measurements(conn, values, partial=True, progress=False)
    assert measured.inserted == 1
    assert sorted(p.row for p in measured.problems if p.code == "type") == [2, 3, 4]


@pytest.fixture
def stored_bad_values(web_settings):
    """Values stored before the checks existed, written straight into the tables."""
    conn = connect(web_settings)
    with conn.cursor() as cur:
        cur.execute("SELECT ref, opening_hours FROM craft_villages WHERE ref = 'HN-BAT-TRANG'")
        ref, hours = cur.fetchone()
        cur.execute(
            "UPDATE craft_villages SET opening_hours = 'nonsense' WHERE ref = 'HN-BAT-TRANG'"
        )
        cur.execute("SELECT id FROM monitoring_stations ORDER BY id LIMIT 1")
        station = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO measurements (station_id, parameter, observed_at, value, unit, source)"
            " VALUES (%s, 'PM2.5', now() - interval '1 hour', 'Infinity', 'µg/m3', 'test')"
            " RETURNING observed_at",
            (station,),
        )
        at = cur.fetchone()[0]
    conn.commit()
    yield station
    with conn.cursor() as cur:
        cur.execute("UPDATE craft_villages SET opening_hours = %s WHERE ref = %s", (hours, ref))
        cur.execute(
            "DELETE FROM measurements WHERE station_id = %s AND observed_at = %s", (station, at)
        )
    conn.commit()
    conn.close()


def test_a_bad_stored_value_is_reported_not_a_500(app_client, stored_bad_values):
    tour = app_client.get("/api/tour?villages=HN-BAT-TRANG,HN-KIM-LAN&date=2026-11-23")
    assert tour.status_code == 200, tour.get_data(as_text=True)[:500]
    body = tour.get_json()
    assert {s["ref"] for s in body["stops"]} | {d["ref"] for d in body["dropped"]} >= {
        "HN-BAT-TRANG"
    }
    assert body["invalid_values"] == [
        {"ref": "HN-BAT-TRANG", "field": "opening_hours", "value": "nonsense"}
    ]
    series = app_client.get(f"/api/stations/{stored_bad_values}/series?parameter=PM2.5&days=3")
    assert series.status_code == 200
    _strict(series.get_data(as_text=True))  # valid JSON: the inf is null
    for url in ("/api/exceedances", "/api/stations/latest"):
        response = app_client.get(url)
        assert response.status_code == 200, url
        _strict(response.get_data(as_text=True))
