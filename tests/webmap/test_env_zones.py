"""Zones on the web: source zones of a date made by an officer, marked out of date when the
villages change after them, compared between two dates (new / gone / grew / shrank) as GeoJSON,
exceedance zones from a saved surface, and the method texts in the page's language."""

from __future__ import annotations

import datetime as dt

import pytest

from gis.db import connect, transaction
from planning.pipeline.surfaces import build_surface
from planning.pipeline.zones import make_surface_zones
from tests.webmap.conftest import bearer

pytestmark = pytest.mark.postgis


def _sql(settings, statement: str) -> None:
    conn = connect(settings)
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
        conn.commit()
    finally:
        conn.close()


def test_zones_made_checked_and_compared(client, accounts, web_settings):
    officer = bearer(accounts["env_officer"])
    day = {"date": "2026-09-01"}
    assert client.post("/api/zones/sources", json=day).status_code == 401
    assert (
        client.post("/api/zones/sources", json=day, headers=bearer(accounts["planner"])).status_code
        == 403
    )
    made = client.post("/api/zones/sources", json=day, headers=officer).get_json()
    assert made["zones"] > 5
    again = client.post("/api/zones/sources", json={"date": "2026-09-02"}, headers=officer)
    assert again.get_json()["zones"] == made["zones"]
    status = client.get("/api/zones/status?lang=en").get_json()["kinds"]
    source = next(k for k in status if k["kind"] == "source_buffer")
    assert source["date"] == "2026-09-02" and not source["stale"]
    assert "up to date" in source["text"]
    _sql(
        web_settings,
        "UPDATE craft_villages SET updated_at = now() + interval '1 minute' "
        "WHERE id = (SELECT min(id) FROM craft_villages)",
    )
    stale = client.get("/api/zones/status?lang=vi").get_json()["kinds"]
    source = next(k for k in stale if k["kind"] == "source_buffer")
    assert (
        source["stale"]
        and "đã cũ" in source["text"]
        and "Vùng ảnh hưởng quanh nguồn" in source["text"]
    )
    methods = client.get("/api/zones/methods?lang=vi").get_json()["methods"]
    assert methods and all(t.startswith("vùng đệm") for t in methods.values())
    en = client.get("/api/zones/methods?lang=en").get_json()["methods"]
    assert all(t.startswith("a buffer of") and " m around the village" in t for t in en.values())
    # one zone gone, one grown on the later date
    _sql(
        web_settings,
        "DELETE FROM pollution_zones WHERE ref = (SELECT min(ref) FROM pollution_zones "
        "WHERE zone_date = '2026-09-02')",
    )
    _sql(
        web_settings,
        "UPDATE pollution_zones SET geom = ST_Multi(ST_Buffer(geom::geography, 300)::geometry) "
        "WHERE ref = (SELECT max(ref) FROM pollution_zones WHERE zone_date = '2026-09-02')",
    )
    found = client.get("/api/zones/compare?before=2026-09-01&after=2026-09-02")
    assert found.mimetype == "application/geo+json"
    statuses = [f["properties"]["status"] for f in found.get_json()["features"]]
    assert statuses.count("gone") == 1 and statuses.count("grew") == 1
    assert statuses.count("unchanged") == made["zones"] - 2
    assert all(
        f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in found.get_json()["features"]
    )
    assert client.get("/api/zones/compare?before=2026-09-02&after=2026-09-01").status_code == 400
    assert client.get("/api/zones/compare?before=x&after=2026-09-01").status_code == 400


def test_exceedance_zones_from_a_surface(client, accounts, web_settings):
    conn = connect(web_settings)
    try:
        with transaction(conn):
            start = dt.datetime(2026, 10, 5)
            built = build_surface(
                conn,
                web_settings,
                "PM2.5",
                start=start,
                end=start + dt.timedelta(days=1),
                cell_m=1000,
            )
    finally:
        conn.close()
    officer = bearer(accounts["env_officer"])
    made = client.post(
        "/api/zones/surface", json={"scenario_id": built["scenario_id"]}, headers=officer
    ).get_json()
    assert made["limit"] == 45 and "QCVN 05" in made["document"] and made["parameter"] == "PM2.5"
    missing = client.post("/api/zones/surface", json={"scenario_id": 999999}, headers=officer)
    assert missing.status_code == 400  # no such surface
    if made["zones"]:
        texts = client.get("/api/zones/methods?lang=en").get_json()["methods"].values()
        assert any(t.startswith("where the kriging surface") and "QCVN 05" in t for t in texts)


def test_surface_zones_go_stale_when_measurements_of_their_period_arrive(
    client, accounts, web_settings
):
    """Exceedance zones made from a surface: up to date until values of the surface's
    parameter observed in (or after) its period arrive after them; then out of date, with the
    date they were made and the date the measurements arrived."""
    conn = connect(web_settings)
    try:
        with transaction(conn):
            start = dt.datetime(2026, 10, 5, tzinfo=dt.timezone(dt.timedelta(hours=7)))
            built = build_surface(
                conn,
                web_settings,
                "PM2.5",
                start=start,
                end=start + dt.timedelta(days=1),
                cell_m=1000,
            )
            made = make_surface_zones(conn, web_settings, built["scenario_id"], limit=1.0)
    finally:
        conn.close()
    assert made["zones"] >= 1

    def entry(lang: str = "en") -> dict:
        kinds = client.get(f"/api/zones/status?lang={lang}").get_json()["kinds"]
        return next(k for k in kinds if k.get("scenario") == built["scenario_id"])

    fresh = entry()
    assert fresh["kind"] == "surface_exceedance" and fresh["parameter"] == "PM2.5"
    assert not fresh["stale"] and fresh["inputs_changed_at"] is None
    assert (
        "up to date with the measurements" in fresh["text"] and "2026-10-05 00:00" in fresh["text"]
    )
    # older values, and values of another parameter, do not touch the zones
    _sql(
        web_settings,
        "UPDATE measurements SET value = value + 1 WHERE parameter = 'PM2.5' "
        "AND observed_at < '2026-10-04T00:00:00+07'",
    )
    _sql(
        web_settings,
        "UPDATE measurements SET value = value + 1 WHERE parameter <> 'PM2.5' "
        "AND observed_at >= '2026-10-05T00:00:00+07'",
    )
    assert not entry()["stale"]
    # a value of the surface's period arrives: out of date, both dates said
    _sql(
        web_settings,
        "UPDATE measurements SET value = value + 1 WHERE parameter = 'PM2.5' AND observed_at = "
        "(SELECT min(observed_at) FROM measurements WHERE parameter = 'PM2.5' "
        "AND observed_at >= '2026-10-05T03:00:00+07')",
    )
    stale = entry()
    assert stale["stale"] and stale["inputs_changed_at"] > stale["made_at"]
    assert "arrived" in stale["text"] and "out of date" in stale["text"]
    vi = entry("vi")["text"]
    assert "đã cũ" in vi and "được nạp lúc" in vi and "Vùng vượt giới hạn" in vi
    assert vi.count("/2026") >= 3  # the zones' date, when made, when the values arrived
    # zones made again are up to date again
    conn = connect(web_settings)
    try:
        with transaction(conn):
            make_surface_zones(conn, web_settings, built["scenario_id"], limit=1.0)
    finally:
        conn.close()
    assert not entry()["stale"]
