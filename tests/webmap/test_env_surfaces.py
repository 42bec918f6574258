"""Surfaces on the web over the real Hà Nội January 2019 file: made as jobs with progress by an
environmental officer, one colour scale per parameter across periods with the QCVN 05 limit on
it, a warning under five stations (3 of the file's 10 stations have coordinates), the
leave-one-out errors, kriging refused with too few stations, deleted."""

from __future__ import annotations

import time

import pytest

from gis.db import connect
from layers.stations import import_measurements
from tests.webmap.conftest import bearer

pytestmark = pytest.mark.postgis


@pytest.fixture
def hanoi(web_settings, real_data):
    conn = connect(web_settings)
    try:
        import_measurements(
            conn, real_data / "airquality" / "hanoi_2019-01" / "hanoi_stations_hourly_long.csv"
        )
        conn.commit()
    finally:
        conn.close()


def _job(client, token, body, lang="en"):
    started = client.post("/api/surfaces", json=body, headers=bearer(token))
    assert started.status_code == 202, started.get_json()
    url = started.get_json()["job_url"] + f"?lang={lang}"
    seen = set()
    for _ in range(300):
        state = client.get(url, headers=bearer(token)).get_json()
        seen.add(state["status"])
        if state["status"] in ("done", "failed"):
            return state, seen
        time.sleep(0.2)
    raise AssertionError(f"job still {state}")


def test_two_surfaces_on_one_scale(client, accounts, hanoi):
    officer = accounts["env_officer"]
    body = {"parameter": "PM2.5", "method": "auto", "cell_m": 500}
    assert client.post("/api/surfaces", json=body).status_code == 401
    assert (
        client.post("/api/surfaces", json=body, headers=bearer(accounts["planner"])).status_code
        == 403
    )
    refused = client.post(
        "/api/surfaces?lang=vi", json={**body, "since": "2019-01-25"}, headers=bearer(officer)
    )
    assert refused.status_code == 400 and "ngày bắt đầu" in refused.get_json()["description"]
    first, _ = _job(client, officer, {**body, "since": "2019-01-22", "until": "2019-01-25"})
    second, _ = _job(client, officer, {**body, "since": "2019-01-26", "until": "2019-01-28"})
    assert first["status"] == second["status"] == "done", (first, second)
    listed = client.get("/api/surfaces?parameter=PM2.5&lang=en").get_json()
    mine = [s for s in listed["surfaces"] if s["start"] and s["start"].startswith("2019")]
    assert [s["id"] for s in mine] == [first["scenario_id"], second["scenario_id"]]
    assert mine[0]["scale"] == mine[1]["scale"]  # one colour scale across the periods
    top = mine[0]["scale"][1]
    assert top >= max(s["max"] for s in mine) and f"vmax={top}" in mine[0]["url"]
    assert mine[0]["max"] != mine[1]["max"]
    assert mine[0]["limit"]["value"] == 50 and "QCVN 05" in mine[0]["limit"]["document"]
    assert len(mine[0]["stations"]) == 3 and mine[0]["method"] == "idw"
    # the station count said once: one warning (with why kriging was not made), no note again
    assert len(mine[0]["warnings"]) == 1 and "only 3 stations" in mine[0]["warnings"][0]["text"]
    assert "IDW only" in mine[0]["warnings"][0]["text"]
    codes = [n["code"] for n in mine[0]["notes"]]
    assert "surface.completeness" in codes  # how many stations were complete enough, once
    assert not {"surface.few_stations", "surface.idw_only"} & set(codes)
    assert set(mine[0]["loo_rmse"]) == {"idw"} and mine[0]["loo_rmse"]["idw"] > 0
    assert len(listed["ramp"]) == 5 and listed["reliable_stations"] == 5
    assert mine[0]["start"] == "2019-01-22T00:00:00+07:00"
    png = client.get(mine[0]["url"])
    assert png.status_code == 200 and png.mimetype == "image/png"
    # kriging from three stations is refused, in the page's language
    failed, _ = _job(
        client,
        officer,
        {**body, "method": "kriging", "since": "2019-01-22", "until": "2019-01-25"},
        lang="vi",
    )
    assert failed["status"] == "failed" and "kriging cần ít nhất 5 trạm" in failed["error"]
    # deleted by an officer, not by a planner
    url = f"/api/surfaces/{first['scenario_id']}"
    assert client.delete(url, headers=bearer(accounts["planner"])).status_code == 403
    assert client.delete(url, headers=bearer(officer)).get_json()["files_removed"] == 1
    left = client.get("/api/surfaces?parameter=PM2.5").get_json()["surfaces"]
    assert first["scenario_id"] not in [s["id"] for s in left]
    assert client.delete(url, headers=bearer(officer)).status_code == 404
