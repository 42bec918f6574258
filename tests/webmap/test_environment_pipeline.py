"""VN_AQI and exceedances over the stored (synthetic) sample measurements, and the CLI."""

from __future__ import annotations

import subprocess

import pytest

from gis.db import connect, transaction
from gis.errors import ValidationError
from planning.pipeline.air import find_exceedances, latest_station_aqi, station_aqi
from tests.support import executable

pytestmark = pytest.mark.postgis


def test_station_aqi_and_exceedances(web_settings):
    folder = web_settings.sample_data / "regulations"
    conn = connect(web_settings)
    try:
        hourly = station_aqi(conn, folder, "SYN-AIR-DA-HOI").dropna()
        daily = station_aqi(conn, folder, "SYN-AIR-DA-HOI", daily=True).dropna(subset=["aqi"])
        found = find_exceedances(conn, folder, stations=["SYN-AIR-VAN-PHUC", "SYN-AIR-VAN-MON"])
        latest = latest_station_aqi(conn, folder)
    finally:
        conn.close()
    assert len(hourly) > 600 and hourly["aqi"].between(0, 500).all()
    assert len(daily) == 30 and set(daily["dominant"]) <= {
        "PM2.5",
        "PM10",
        "O3",
        "NO2",
        "CO",
        "SO2",
    }
    assert (
        set(found["regulation"]) == {"QCVN 05:2023/BTNMT"}
        and (found["value"] > found["limit"]).all()
    )
    busy = found.groupby("station").size()
    assert busy["SYN-AIR-VAN-MON"] > busy.get(
        "SYN-AIR-VAN-PHUC", 0
    )  # the aluminium village is dirtier
    assert len(latest) == 6 and all(v["band"]["color"].startswith("#") for v in latest.values())


def test_aqi_and_exceedances_cli(web_env, web_settings):
    env = web_env
    aqi = subprocess.run(
        [executable("langnghe"), "aqi", "SYN-AIR-BAT-TRANG", "--daily"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert (
        aqi.returncode == 0
        and aqi.stdout.startswith("day,aqi,dominant")
        and len(aqi.stdout.splitlines()) == 31
    )
    bad = subprocess.run(
        [executable("langnghe"), "aqi", "NO-SUCH-STATION"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 1 and "trạm 'NO-SUCH-STATION' không có số liệu không khí" in bad.stderr
    exc = subprocess.run(
        [executable("langnghe"), "exceedances", "--station", "SYN-AIR-VAN-MON"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert (
        exc.returncode == 0
        and "QCVN 05:2023/BTNMT" in exc.stdout
        and "lần vượt ngưỡng" in exc.stderr
    )
    english = subprocess.run(
        [executable("langnghe"), "--lang", "en", "exceedances", "--station", "SYN-AIR-VAN-MON"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert english.returncode == 0 and "exceedances; unverified limits" in english.stderr


def test_surface_is_a_cog_with_cross_validation(web_settings, tmp_path):
    import rasterio

    from planning.pipeline.surfaces import build_surface

    settings = web_settings  # (not another home: the embedded cluster's port is recorded there)
    conn = connect(settings)
    try:
        with transaction(conn):
            result = build_surface(conn, settings, "PM2.5", cell_m=250)
        with conn.cursor() as cur:
            cur.execute(
                "SELECT kind, epsg, cell_size_m FROM rasters WHERE scenario_id = %s",
                (result["scenario_id"],),
            )
            assert cur.fetchone() == ("surface", 32648, 250.0)
        with pytest.raises(Exception, match="surface.too_few_stations"):
            build_surface(conn, settings, "Pb_air")
    finally:
        conn.close()
    assert set(result["loo_rmse"]) == {"idw", "kriging"} and all(
        v > 0 for v in result["loo_rmse"].values()
    )
    with rasterio.open(result["path"]) as cog:
        assert cog.crs.to_epsg() == 32648 and cog.res == (250.0, 250.0) and cog.count == 3
        assert cog.descriptions == ("idw", "kriging", "kriging_variance") and cog.profile["tiled"]
        idw_band = cog.read(1, masked=True)
    assert float(idw_band.min()) > 0 and len(result["stations"]) == 6


def test_source_zones_stored_by_date_and_diffed(web_settings):
    import datetime as dt

    from planning.pipeline.zones import make_source_zones, zone_changes

    conn = connect(web_settings)
    try:
        with transaction(conn):
            first = make_source_zones(conn, web_settings, dt.date(2026, 10, 1))
        with transaction(conn):  # replaces, does not duplicate
            again = make_source_zones(conn, web_settings, dt.date(2026, 10, 1))
        with conn.cursor() as cur:
            cur.execute(
                "UPDATE craft_villages SET craft = 'silk' WHERE ref = 'BN-DONG-HO'"
            )  # was painting: no zone
            cur.execute(
                "UPDATE craft_villages SET craft = 'wood' WHERE ref = 'HY-MINH-KHAI'"
            )  # stops recycling
        conn.commit()
        with transaction(conn):
            make_source_zones(conn, web_settings, dt.date(2026, 11, 1))
        changes = zone_changes(conn, dt.date(2026, 10, 1), dt.date(2026, 11, 1)).set_index("ref")
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*), min(zone_date) FROM pollution_zones WHERE kind = 'source_buffer'"
            )
            stored = cur.fetchone()
    finally:
        with conn.cursor() as cur:
            cur.execute("UPDATE craft_villages SET craft = 'painting' WHERE ref = 'BN-DONG-HO'")
            cur.execute(
                "UPDATE craft_villages SET craft = 'plastic_recycling' WHERE ref = 'HY-MINH-KHAI'"
            )
            cur.execute("DELETE FROM pollution_zones WHERE kind = 'source_buffer'")
        conn.commit()
        conn.close()
    assert first == again == 17 and stored == (33, dt.date(2026, 10, 1))
    assert (
        changes.loc["HY-MINH-KHAI", "status"] == "gone"
        and changes.loc["HY-DONG-MAI", "status"] == "unchanged"
    )
    assert changes.loc["HY-DONG-MAI", "area_after_m2"] == pytest.approx(
        3.14159e6, rel=0.01
    )  # 1 km lead buffer


def test_alert_rules_produce_alerts_once(web_settings, client):
    from planning.pipeline.alerts import run_alerts

    conn = connect(web_settings)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO alert_rules (name, parameter, threshold, min_hours) VALUES ('pm', "
                "'PM2.5', 150, 3)"
            )
            cur.execute(
                "INSERT INTO alert_rules (name, aqi_at_least, min_hours, station_ref) "
                "VALUES ('aqi', 201, 2, 'SYN-AIR-VAN-MON')"
            )
        conn.commit()
        with transaction(conn):
            first = run_alerts(conn, web_settings.sample_data / "regulations")
        with transaction(conn):
            second = run_alerts(conn, web_settings.sample_data / "regulations")
        listed = client.get("/api/alerts?limit=500").get_json()["alerts"]
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM alerts a JOIN alert_rules r ON r.id = a.rule_id WHERE "
                "r.name = 'aqi' "
                "AND a.station_ref <> 'SYN-AIR-VAN-MON'"
            )
            stray = cur.fetchone()[0]
    finally:
        with conn.cursor() as cur:
            cur.execute("DELETE FROM alert_rules")
        conn.commit()
        conn.close()
    assert (
        first > 0 and second == 0 and stray == 0
    )  # idempotent, and a station rule stays on its station
    assert len(listed) == first and {a["rule"] for a in listed} == {"pm", "aqi"}
    assert all(a["hours"] >= 2 for a in listed)


def test_water_station_against_qcvn08_and_qcvn40(web_settings, web_env):
    from planning.pipeline.water import water_status
    from webmap.app import create_app

    conn = connect(web_settings)
    try:
        status = water_status(conn, web_settings, "SYN-WATER-PHONG-KHE", wastewater=True)
        with pytest.raises(ValidationError, match="stations.not_water"):
            water_status(conn, web_settings, "SYN-AIR-BAT-TRANG")
    finally:
        conn.close()
    # A canal: judged by the river table of the QCVN 08 in force on the sample's local date;
    # a class only when its core parameters were measured, else unknown with the reason.
    assert status["water_body"] == "canal"
    assert status["river"]["regulation"] == "QCVN 08:2023/BTNMT"
    assert status["river"]["class"] in ("A", "B", "C", "D", None)
    assert status["river"]["message"].code.startswith("water.class")
    assert {"BOD5", "COD", "pH"} <= set(status["values"])
    # Sampled after 2025-09-01 with no commissioning or EIA date recorded: which QCVN 40
    # applies is unknown, and each row says why.
    assert {w["result"] for w in status["wastewater"]} == {"unknown"}
    assert all(
        w["message"].params["why"].code == "wastewater.facility_date_unknown"
        for w in status["wastewater"]
    )
    app = create_app(web_settings)
    client = app.test_client()
    with connect(web_settings) as c2, c2.cursor() as cur:
        cur.execute("SELECT id FROM monitoring_stations WHERE ref = 'SYN-WATER-PHONG-KHE'")
        sid = cur.fetchone()[0]
    body = client.get(f"/api/stations/{sid}/water", headers={"Accept-Language": "en"}).get_json()
    assert body["river"]["class"] == status["river"]["class"]
    assert "QCVN 08:2023/BTNMT" in body["river"]["message"]["text"]
    assert client.get("/api/stations/999999/water").status_code == 404
    # Kq and Kf from flow data are parameters; a labelled option assumes Kf 1.0
    assert client.get(f"/api/stations/{sid}/water?kf=0").status_code == 400
    assert client.get(f"/api/stations/{sid}/water?kf=abc").status_code == 400
    assert client.get(f"/api/stations/{sid}/water?kq=0.9&assume_kf=true").status_code == 200
    app.extensions["langnghe_db"].close()
    run = subprocess.run(
        [executable("langnghe"), "water", "SYN-WATER-PHONG-KHE", "--wastewater"],
        capture_output=True,
        text=True,
        env=web_env,
        timeout=120,
    )
    assert run.returncode == 0 and "QCVN 08:2023/BTNMT" in run.stdout and "QCVN 40" in run.stdout
    assert "chưa rõ" in run.stdout and "Bảng 1" in run.stdout and "Thông tư 06/2025" in run.stdout


def test_exceedances_endpoint(web_settings):
    from webmap.app import create_app

    app = create_app(web_settings)
    client = app.test_client()
    body = client.get("/api/exceedances?station=SYN-AIR-VAN-MON&limit=5").get_json()
    assert 0 < body["count"] <= 5
    assert all(
        e["station"] == "SYN-AIR-VAN-MON" and e["value"] > e["limit"] for e in body["exceedances"]
    )
    assert body["exceedances"][0]["regulation"] == "QCVN 05:2023/BTNMT"
    first = body["exceedances"][0]
    assert first["start"].endswith("+07:00") and "(UTC+7)" in first["message"]["text"]
    # completeness said with counts: periods assessed, incomplete and without a limit
    daily = next(p for p in body["periods"] if p["parameter"] == "PM2.5" and p["period"] == "24h")
    assert daily["assessed"] > 0 and daily["assessed"] + daily["incomplete"] > 0
    assert (
        f"{daily['assessed']} periods assessed"
        in client.get("/api/exceedances?station=SYN-AIR-VAN-MON&limit=5&lang=en").get_json()[
            "periods"
        ][[p["parameter"] + p["period"] for p in body["periods"]].index("PM2.524h")]["message"][
            "text"
        ]
    )
    assert client.get("/api/exceedances?since=soon").status_code == 400
    app.extensions["langnghe_db"].close()


def test_village_rules_endpoint(web_settings):
    """Decree 52/2018 criteria of a stored village and its craft against Decree 08 Appendix II."""
    from webmap.app import create_app

    app = create_app(web_settings)
    client = app.test_client()
    body = client.get("/api/villages/HN-BAT-TRANG/rules?lang=en").get_json()
    by_rule = {r["rule"]: r for r in body["recognition"]}
    assert by_rule["recognition"]["status"] == "pass"  # recorded traditional craft village
    assert "traditional craft village" in by_rule["recognition"]["text"]
    assert by_rule["households_share"]["status"] == "unknown"  # craft households not recorded
    assert "Decree 52/2018/NĐ-CP, Art. 5" in by_rule["households_share"]["source_text"]
    assert body["appendix2"]["status"] == "unknown"  # ceramics: not in the part of the list read
    vi = client.get("/api/villages/HN-BAT-TRANG/rules?lang=vi").get_json()
    assert "làng nghề truyền thống" in vi["recognition"][0]["text"]
    assert client.get("/api/villages/NO-SUCH/rules").status_code == 404
    app.extensions["langnghe_db"].close()
