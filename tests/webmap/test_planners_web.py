"""Planner endpoints through the Flask app.

Jobs with progress, refusals, scenarios, downloads, report.
"""

from __future__ import annotations

import time

import pyogrio
import pytest

from webmap.app import create_app

pytestmark = pytest.mark.postgis
BBOX = [105.90, 21.08, 105.99, 21.16]


@pytest.fixture
def planner_client(web_settings, accounts, tmp_path):
    real = web_settings.real_data
    app = create_app(
        web_settings.model_copy(
            update={
                "siting_dem": real / "dem" / "N21E105_srtm3.tif",
                "siting_landuse": real / "landuse" / "rrd_osm2018_geofabrik.gpkg",
                "siting_roads": real / "roads" / "vn_national_roads_legocity.geojson",
            }
        )
    )
    app.config["TESTING"] = True
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {accounts['planner']}"
    yield client
    app.extensions["langnghe_db"].close()


def _wait(client, url: str) -> dict:
    seen = []
    for _ in range(300):
        job = client.get(url).get_json()
        seen.append(job["progress"])
        if job["status"] in ("done", "failed"):
            return {**job, "seen": seen}
        time.sleep(0.1)
    raise AssertionError(f"job did not finish: {job}")


def test_siting_job_scenario_and_downloads(planner_client, tmp_path):
    c = planner_client
    inputs = c.get("/api/siting/inputs").get_json()
    assert inputs["inputs"]["dem"] == "N21E105_srtm3.tif" and all(
        x["available"] for x in inputs["criteria"]
    )
    started = c.post(
        "/api/siting",
        json={"bbox": BBOX, "cell_m": 90, "kind": "craft_village", "name": "Đông Anh"},
    )
    assert started.status_code == 202
    job = _wait(c, started.get_json()["job_url"])
    assert job["status"] == "done" and job["progress"] == 1.0 and job["seen"] == sorted(job["seen"])
    sid = job["scenario_id"]
    scenario = c.get(f"/api/scenarios/{sid}").get_json()
    assert scenario["name"] == "Đông Anh" and scenario["results"]["candidates"] > 0
    assert "path" not in scenario["rasters"][0]  # no server paths leak
    (south, west), (north, east) = scenario["overlay"]["bounds"]
    assert south < 21.09 and north > 21.15 and west < 105.91 and east > 105.98
    png = c.get(scenario["overlay"]["url"])
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    cog = c.get(scenario["overlay"]["cog"])
    assert cog.status_code == 200 and cog.data[:4] in (b"II*\x00", b"MM\x00*")
    cog.close()
    gj = c.get(scenario["links"]["features"]).get_json()
    assert len(gj["features"]) == scenario["results"]["candidates"]
    gpkg = c.get(scenario["links"]["geopackage"])
    path = tmp_path / "s.gpkg"
    path.write_bytes(gpkg.data)
    assert [name for name, _ in pyogrio.list_layers(path)] == ["candidate"]
    report = c.get(scenario["links"]["report"])
    html = report.get_data(as_text=True)
    assert (
        report.status_code == 200
        and "<svg" in html
        and "Đông Anh" in html
        and "road_distance_m" not in html  # criteria by their names, not their codes
    )
    assert any(s["id"] == sid for s in c.get("/api/scenarios?kind=siting").get_json()["scenarios"])


def test_bad_planner_requests_are_refused_at_once(planner_client):
    c = planner_client
    cases = [
        ("/api/siting", {"bbox": [1, 2, 3]}, "bbox must be"),
        ("/api/siting", {"bbox": [106.0, 21.0, 105.9, 21.1]}, "is empty"),
        (
            "/api/siting",
            {"bbox": BBOX, "criteria": ["road_distance_m", "slope_deg"], "ahp": [[1, 9], [1, 1]]},
            "not reciprocal",
        ),
        (
            "/api/siting",
            {
                "bbox": BBOX,
                "criteria": ["road_distance_m", "slope_deg"],
                "weights": {"road_distance_m": 0.7, "slope_deg": 0.7},
            },
            "sum to 1",
        ),
        ("/api/siting", {"bbox": BBOX, "cell_m": "big"}, "cell_m must be a number"),
        ("/api/allocate", {"model": "max_coverage", "p": 2}, "maximum commute"),
        ("/api/allocate", {"model": "gravity"}, "model 'gravity'"),
        (
            "/api/check-cluster",
            {"geometry": {"type": "Point", "coordinates": [105.9, 21]}},
            "Polygon",
        ),
        ("/api/check-cluster", {}, "either a drawn polygon or"),
    ]
    for url, body, message in cases:
        response = c.post(url, json=body, headers={"Accept-Language": "en"})
        assert response.status_code == 400, (url, body, response.get_json())
        assert message in response.get_json()["description"], (message, response.get_json())
    assert (
        c.post("/api/siting", data="not json", content_type="application/json").status_code == 400
    )
    assert c.get("/api/scenarios/999999").status_code == 404
    assert c.get("/api/jobs/not-a-uuid").status_code == 404
    assert c.get("/api/jobs/00000000-0000-0000-0000-000000000000").status_code == 404
    assert c.post("/api/check-cluster", json={"ref": "NO-SUCH"}).status_code == 404


def test_failed_job_says_why(planner_client):
    started = planner_client.post(
        "/api/siting",
        json={
            "bbox": BBOX,
            "cell_m": 90,
            "criteria": ["road_distance_m"],
            "weights": {"road_distance_m": 1},
            "threshold": 0.999999,
        },
    )
    job = _wait(planner_client, started.get_json()["job_url"])
    assert job["status"] in ("done", "failed")
    allocation = planner_client.post(
        "/api/allocate", json={"p": 1, "bbox": [105.0, 20.0, 105.01, 20.01]}
    )
    job = _wait(planner_client, allocation.get_json()["job_url"])
    assert (
        job["status"] == "failed"
        and job["error_detail"]["code"] == "allocation.no_villages"
        and job["error"]
        and job["scenario_id"] is None
    )


def test_check_cluster_endpoint(planner_client):
    r = planner_client.post(
        "/api/check-cluster", json={"ref": "CCN-HN-BAT-TRANG", "save_as": "Bát Tràng check"}
    )
    body = r.get_json()
    assert r.status_code == 200 and body["verdict"] in ("pass", "fail", "unknown")
    rules = {x["rule"]: x for x in body["results"]}
    assert rules["no_residents"]["status"] in ("pass", "fail")  # the land-use file answers it
    # each result in the request's language with document, article (or "article not
    # recorded"), effective dates and verified flag
    area = next(x for x in body["results"] if x["rule"].startswith("area_"))
    assert "khoản 1 Điều 2" in area["source_text"] and "2024" in area["source_text"]
    assert rules["confirm_investor"]["status"] == "confirm"
    report = planner_client.get(f"/scenarios/{body['scenario_id']}/report")
    assert report.status_code == 200
    html = report.get_data(as_text=True)
    assert "Nghị định 32/2024/NĐ-CP, khoản 1 Điều 2" in html and "confirm_investor" in html
    for lang, words in (
        ("en", ("in force from 2024-05-01", "unverified", "To confirm")),
        ("vi", ("hiệu lực từ 01/05/2024", "chưa kiểm chứng", "Cần xác nhận")),
    ):
        page = planner_client.get(f"/scenarios/{body['scenario_id']}/report?lang={lang}").get_data(
            as_text=True
        )
        assert all(w in page for w in words), (lang, words)
        answer = planner_client.post(
            f"/api/check-cluster?lang={lang}", json={"ref": "CCN-HN-BAT-TRANG"}
        ).get_json()
        assert any(words[0] in x["source_text"] for x in answer["results"]), lang


def test_compare_and_delete_scenarios(planner_client):
    c = planner_client
    ids = []
    for body in (
        {"p": 1, "capacity": False, "bbox": BBOX},
        {"p": 2, "capacity": False, "bbox": BBOX},
    ):
        job = _wait(c, c.post("/api/allocate", json=body).get_json()["job_url"])
        ids.append(job["scenario_id"])
    side = c.get(f"/api/scenarios/compare?ids={ids[0]},{ids[1]}").get_json()["scenarios"]
    assert [s["p"] for s in side] == [1, 2] and side[1]["mean_commute_min"] <= side[0][
        "mean_commute_min"
    ]
    assert c.get("/api/scenarios/compare?ids=1,x").status_code == 400
    assert c.delete(f"/api/scenarios/{ids[0]}").get_json() == {
        "deleted": ids[0],
        "files_removed": 0,
    }
    assert c.get(f"/api/scenarios/{ids[0]}").status_code == 404
    assert c.delete(f"/api/scenarios/{ids[0]}").status_code == 404


def test_weights_ahp_and_coverage_on_the_page_api(planner_client):
    """Issue 16 item 5: relative weights scaled and shown; zero, negative, AHP CR, coverage."""
    c = planner_client
    inputs = c.get("/api/siting/inputs", headers={"Accept-Language": "vi"}).get_json()
    dem = inputs["coverage"]["dem"]
    assert dem["file"] == "N21E105_srtm3.tif" and dem["bounds"][1] == pytest.approx(21.0, abs=1e-3)
    assert dem["title"] == "mô hình số độ cao (DEM)" and "vĩ độ 21° đến 22° B" in dem["extent"]
    assert inputs["coverage"]["landuse"]["bounds"][3] == pytest.approx(21.80, abs=0.01)
    names = ["road_distance_m", "slope_deg"]
    refused = [
        ({"weights": {"road_distance_m": 0, "slope_deg": 0}}, "weights_all_zero", "all weights"),
        ({"weights": {"road_distance_m": -0.2, "slope_deg": 0.5}}, "", "main road"),
    ]
    for extra, _code, words in refused:
        r = c.post(
            "/api/siting",
            json={"bbox": BBOX, "criteria": names, "normalise": True, **extra},
            headers={"Accept-Language": "en"},
        )
        assert r.status_code == 400 and words in r.get_json()["description"], r.get_json()
    # the Vietnamese page reads the refusal in Vietnamese, criteria by their names
    r = c.post(
        "/api/siting",
        json={"bbox": BBOX, "criteria": names, "normalise": True, "weights": {"slope_deg": -1}},
        headers={"Accept-Language": "vi"},
    )
    assert r.get_json()["description"] == "trọng số không được âm: Độ dốc"
    # AHP: weights and CR of a consistent matrix; an inconsistent one names the pair
    three = ["road_distance_m", "village_distance_m", "slope_deg"]
    ok = c.post(
        "/api/siting/ahp",
        json={"criteria": three, "ahp": [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]},
    ).get_json()
    assert round(ok["cr"], 3) == 0.033 and round(ok["weights"]["road_distance_m"], 3) == 0.637
    bad = c.post(
        "/api/siting/ahp",
        json={"criteria": three, "ahp": [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]},
        headers={"Accept-Language": "en"},
    )
    text = bad.get_json()["refused"]  # the check's answer (the run itself is refused: 400)
    assert bad.status_code == 200 and "above 0.1" in text and "Distance to a main road" in text
    # a study area south of the DEM (21°N) is refused with the reason, before any job starts
    south = [105.80, 20.90, 105.90, 20.98]
    r = c.post("/api/siting", json={"bbox": south, "cell_m": 90}, headers={"Accept-Language": "en"})
    text = r.get_json()["description"]
    assert r.status_code == 400 and "the elevation model (DEM)" in text, text
    assert "latitude 21° to 22° N" in text and "holds only 0%" in text


def test_scenarios_renamed_annotated_filtered_and_deleted_by_their_owner(
    planner_client, accounts, web_settings
):
    """Issue 16 item 3: rename and notes (owner or admin, audited), filters by kind and owner."""
    from gis.db import connect, transaction
    from tests.webmap.conftest import bearer
    from webmap.auth import add_user, create_token

    conn = connect(web_settings)
    try:
        with transaction(conn):
            add_user(conn, "planner-b", "planner-b-pass-123", "planner")
            other = bearer(create_token(conn, "planner-b", "tests"))
    finally:
        conn.close()

    c = planner_client
    job = _wait(
        c,
        c.post("/api/allocate", json={"p": 1, "capacity": False, "bbox": BBOX}).get_json()[
            "job_url"
        ],
    )
    sid = job["scenario_id"]
    changed = c.patch(f"/api/scenarios/{sid}", json={"name": "  Phương án A ", "notes": "xem lại"})
    assert changed.get_json() == {"id": sid, "name": "Phương án A", "notes": "xem lại"}
    listed = c.get("/api/scenarios?kind=allocation&owner=planner").get_json()["scenarios"]
    mine = next(s for s in listed if s["id"] == sid)
    assert mine["notes"] == "xem lại" and mine["may_change"] and mine["created_by"] == "planner"
    assert c.get("/api/scenarios?owner=nobody").get_json()["scenarios"] == []
    assert all(
        s["kind"] == "siting" for s in c.get("/api/scenarios?kind=siting").get_json()["scenarios"]
    )
    refused = c.patch(
        f"/api/scenarios/{sid}", json={"name": " "}, headers={"Accept-Language": "vi"}
    )
    assert refused.status_code == 400 and refused.get_json()["description"] == "kịch bản cần có tên"
    # another planner may read it but neither change nor delete it; an admin may
    other = {"Authorization": f"Bearer {accounts['planner2']}"} if "planner2" in accounts else None
    admin = bearer(accounts["admin"])
    if other:
        assert (
            c.patch(f"/api/scenarios/{sid}", json={"notes": "x"}, headers=other).status_code == 403
        )
    assert (
        c.patch(f"/api/scenarios/{sid}", json={"notes": "đã duyệt"}, headers=admin).status_code
        == 200
    )
    entries = c.get("/api/audit?table=scenarios", headers=admin).get_json()["entries"]
    assert any(
        e["action"] == "update" and e["row"] == str(sid) and e["actor"] == "admin" for e in entries
    ), entries
    assert c.delete(f"/api/scenarios/{sid}").status_code == 200
