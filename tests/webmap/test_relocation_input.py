"""Relocation honest about its input (issue 16, item 6), on the real craft-village file.

The real file (``craftvillages/vn_craft_villages_cvpms.csv``) has no household or worker
counts: its polluting villages are skipped and named (in the result, the scenario, the API
and the report) unless a default demand is chosen, which the result and the report state.
Sites are named (cluster names; a siting candidate's number and scenario), never by code.
"""

from __future__ import annotations

import time

import pytest

from gis.db import connect
from gis.errors import ValidationError
from gis.messages import Message
from layers.importer import ImportOptions, run_import
from layers.registry import get_spec
from layers.scenarios import scenario_features
from planning.pipeline.allocation import AllocationRequest, run_allocation
from planning.pipeline.siting import SitingRequest, run_siting
from webmap.app import create_app
from webmap.messages import render

pytestmark = pytest.mark.postgis
NORTH = (105.3, 20.5, 106.3, 21.4)  # Hà Nội, Bắc Ninh, Hưng Yên: sample and real villages
YEN_THAI = "Làng nghề giấy dó Yên Thái"  # paper (Appendix II), no household count in the file


@pytest.fixture
def real_villages(web_settings, real_data):
    """The web copy with the real craft-village file imported (committed: jobs see it)."""
    conn = connect(web_settings)
    try:
        path = real_data / "craftvillages" / "vn_craft_villages_cvpms.csv"
        report = run_import(conn, get_spec("villages"), path, ImportOptions())
        assert report.inserted > 600
        conn.commit()
    finally:
        conn.close()
    return web_settings


@pytest.fixture
def conn(real_villages):
    c = connect(real_villages)
    yield c
    c.rollback()
    c.close()


def _without_count(conn, bbox) -> set[str]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT name FROM craft_villages WHERE households IS NULL "
            "AND geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
            bbox,
        )
        return {r[0] for r in cur.fetchall()}


def test_villages_without_a_count_are_skipped_by_name_or_take_the_default(conn, real_villages):
    settings = real_villages
    skipped = run_allocation(conn, settings, AllocationRequest(p=2, bbox=NORTH, capacity=False))
    names = [v["name"] for v in skipped["skipped_villages"]]
    assert YEN_THAI in names and set(names) <= _without_count(conn, NORTH)
    assert all(v["ref"].startswith("cvpms:") for v in skipped["skipped_villages"])
    assert skipped["default_demand"] is None and skipped["defaulted_villages"] == []
    lines = scenario_features(conn, skipped["scenario_id"], "assignment")
    assert len(lines) == skipped["villages"] and not set(names) & set(lines["village"])
    # the sites are named by the clusters' names, in the result and on every line
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ref, name FROM industrial_clusters WHERE ref = ANY(%s)",
            (skipped["sites_chosen"],),
        )
        clusters = dict(cur.fetchall())
    assert skipped["site_names"] == clusters
    assert set(lines["site_name"]) == set(clusters.values())
    # villages left out by the basis (crafts not listed) are named too, not only by ref
    left = skipped["demand_basis"]["left_out_villages"]["unknown"]
    assert left and all(v["name"] and not v["name"].startswith("cvpms:") for v in left)

    counted = run_allocation(
        conn, settings, AllocationRequest(p=2, bbox=NORTH, capacity=False, default_demand=150)
    )
    assert counted["skipped_villages"] == [] and counted["default_demand"] == 150
    assert [v["name"] for v in counted["defaulted_villages"]] == names
    assert counted["villages"] == skipped["villages"] + len(names)
    lines = scenario_features(conn, counted["scenario_id"], "assignment").set_index("village")
    assert bool(lines.loc[YEN_THAI, "defaulted"]) and lines.loc[YEN_THAI, "demand"] == 15.0
    assert not lines.drop(index=names)["defaulted"].any()


def test_no_counted_village_says_how_many_lack_one(conn, real_villages):
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ST_X(geom), ST_Y(geom) FROM craft_villages WHERE name = %s", (YEN_THAI,)
        )
        lon, lat = cur.fetchone()
    box = (lon - 0.002, lat - 0.002, lon + 0.002, lat + 0.002)
    with pytest.raises(ValidationError) as caught:
        run_allocation(conn, real_villages, AllocationRequest(p=1, bbox=box, capacity=False))
    message = caught.value.message
    assert message.code == "allocation.no_villages_counted" and message.params["skipped"] >= 1
    assert "default demand" in render(message, "en")
    assert "số hộ" in render(message, "vi") and "nhu cầu mặc định" in render(message, "vi")
    # a commute limit no site meets names the villages, not their row numbers
    with pytest.raises(ValidationError) as caught:
        run_allocation(
            conn,
            real_villages,
            AllocationRequest(p=1, bbox=NORTH, capacity=False, max_commute_min=1),
        )
    assert caught.value.message.code == "allocation.villages_stranded_within"
    assert "Đông Mai" in render(caught.value.message, "vi")
    with pytest.raises(ValidationError) as caught:  # each has a site near, but not one for all
        run_allocation(
            conn,
            real_villages,
            AllocationRequest(p=1, bbox=NORTH, capacity=False, max_commute_min=20),
        )
    assert caught.value.message.code == "allocation.median_beyond_commute"
    with pytest.raises(ValidationError, match="bad_default_demand"):
        AllocationRequest(default_demand=0)


def test_siting_candidates_are_named_by_number_and_scenario(conn, real_villages, real_data):
    siting = run_siting(
        conn,
        real_villages,
        SitingRequest(
            name="Tìm đất Từ Sơn",
            bbox=(105.90, 21.08, 105.99, 21.16),
            cell_m=120,
            kind="craft_village",
            dem=real_data / "dem" / "N21E105_srtm3.tif",
            landuse=real_data / "landuse" / "rrd_osm2018_geofabrik.gpkg",
            roads=real_data / "roads" / "vn_national_roads_legocity.geojson",
        ),
    )
    sid = siting["scenario_id"]
    result = run_allocation(
        conn,
        real_villages,
        AllocationRequest(p=1, sites_from=sid, bbox=NORTH, capacity=False, default_demand=50),
    )
    (ref,) = result["sites_chosen"]
    label = Message.from_dict(result["site_names"][ref])
    rank = int(ref.rsplit("C", 1)[1])
    assert render(label, "vi") == (
        f"Địa điểm ứng viên {rank} của phương án chọn địa điểm #{sid} “Tìm đất Từ Sơn”"
    )
    assert render(label, "en") == f"Candidate {rank} of siting #{sid} “Tìm đất Từ Sơn”"
    assert result["sites_from"] == {"id": sid, "name": "Tìm đất Từ Sơn"}
    sites = scenario_features(conn, result["scenario_id"], "site")
    chosen = sites[sites["chosen"]].iloc[0]
    assert chosen["rank"] == rank and chosen["siting_name"] == "Tìm đất Từ Sơn"
    lines = scenario_features(conn, result["scenario_id"], "assignment")
    assert set(lines["site_rank"]) == {rank}


@pytest.fixture
def client(real_villages, accounts):
    app = create_app(real_villages)
    app.config["TESTING"] = True
    c = app.test_client()
    c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {accounts['planner']}"
    yield c
    app.extensions["langnghe_db"].close()


def _run(client, body) -> int:
    started = client.post("/api/allocate", json=body)
    assert started.status_code == 202, started.get_json()
    for _ in range(600):
        job = client.get(started.get_json()["job_url"]).get_json()
        if job["status"] in ("done", "failed"):
            assert job["status"] == "done", job
            return int(job["scenario_id"])
        time.sleep(0.1)
    raise AssertionError("relocation job did not finish")


def test_api_and_report_list_the_skipped_villages_or_state_the_default(client):
    body = {"p": 2, "bbox": list(NORTH), "capacity": False}
    refused = client.post("/api/allocate", json={**body, "default_demand": -5})
    assert refused.status_code == 400 and "default_demand" in refused.get_json()["description"]
    skipped = _run(client, body)
    counted = _run(client, {**body, "default_demand": 150, "name": "mặc định 150"})
    vi = {"Accept-Language": "vi"}
    s = client.get(f"/api/scenarios/{skipped}", headers=vi).get_json()["results"]
    assert YEN_THAI in [v["name"] for v in s["skipped_villages"]]
    assert s["demand_column_text"] == "hộ"
    assert all(not n.startswith("CCN-") for n in s["sites_chosen_names"]), s
    assert s["demand_left_out"] and not any(n.startswith("cvpms:") for n in s["demand_left_out"])
    c = client.get(f"/api/scenarios/{counted}", headers=vi).get_json()["results"]
    assert c["skipped_villages"] == [] and YEN_THAI in [v["name"] for v in c["defaulted_villages"]]

    report = client.get(f"/scenarios/{skipped}/report?lang=vi").get_data(as_text=True)
    n = len(s["skipped_villages"])
    assert f"Đã bỏ qua {n} làng không có số hộ" in report and YEN_THAI in report
    assert "CCN-" not in report.split("<h2>", 3)[-1]  # sites by name in the relocation part
    for name in s["sites_chosen_names"]:
        assert name in report
    english = client.get(f"/scenarios/{skipped}/report?lang=en").get_data(as_text=True)
    assert f"{n} villages without a number of households were skipped" in english
    report = client.get(f"/scenarios/{counted}/report?lang=vi").get_data(as_text=True)
    assert "với nhu cầu mặc định 150 hộ mỗi làng" in report and YEN_THAI in report
    assert "Đã bỏ qua" not in report
