"""Tours on the real Ba Đình street graph and their exports.

Network routing, snapping, pollution-aware costs.
"""

from __future__ import annotations

import datetime as dt

import gpxpy
import pytest

from gis.db import transaction
from gis.errors import ValidationError
from gis.messages import msg
from layers.importer import ImportOptions, run_import
from layers.registry import get_spec
from layers.roads import import_roads
from planning.pipeline.tours import TourRequest, plan_village_tour
from webmap.formats import tour_gpx

pytestmark = pytest.mark.postgis
MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def city(conn, real_data, tmp_path):
    """Four pretend villages inside Ba Đình and the real street graph as the default network."""
    with transaction(conn):  # committed, as the CLI would: other connections route on it
        import_roads(
            conn, real_data / "roads" / "badinh.graphml", network="default", progress=False
        )
    path = tmp_path / "v.csv"
    path.write_text(
        "ref,name,craft,source,visit_minutes,opening_hours,lon,lat\n"
        "T-A,Làng A,ceramics,test,30,Mo-Su 08:00-17:00,105.8200,21.0400\n"
        "T-B,Làng B,silk,test,30,Mo-Su 08:00-17:00,105.8350,21.0330\n"
        "T-C,Làng C,wood,test,30,,105.8150,21.0300\n"
        "T-SUN,Làng Chủ nhật,wood,test,30,Su 08:00-17:00,105.8250,21.0350\n",
        encoding="utf-8",
    )
    run_import(conn, get_spec("villages"), path, ImportOptions(progress=False))
    yield conn
    with conn.cursor() as cur:
        cur.execute("DELETE FROM roads WHERE network = 'default'")  # edges first: no cascade
        cur.execute("DELETE FROM road_nodes WHERE network = 'default'")
    conn.commit()


def test_tour_on_the_road_network(city):
    plan = plan_village_tour(
        city,
        TourRequest(
            refs=("T-A", "T-B", "T-C", "T-SUN"),
            start=(105.8300, 21.0370),
            day=MONDAY,
            budget_min=240,
        ),
    )
    assert plan["method"] == msg(
        "tour.method_network", network="default", mode=msg("mode.motorbike")
    )
    assert sorted(s["ref"] for s in plan["stops"]) == ["T-A", "T-B", "T-C"]
    assert plan["dropped"] == [
        {
            "ref": "T-SUN",
            "name": "Làng Chủ nhật",
            "reason": msg("tour.dropped_closed"),
        }
    ]
    assert msg("tour.no_opening_hours", name="Làng C") in plan["notes"]
    assert all(d < 200 for d in plan["snapping_m"].values())  # all points are on streets
    assert plan["geometry"]["type"] == "LineString" and len(plan["geometry"]["coordinates"]) > 20
    assert 3000 < plan["distance_m"] < 15000
    gpx = gpxpy.parse(tour_gpx(plan))
    assert [w.name for w in gpx.waypoints] == [s["name"] for s in plan["stops"]]
    assert len(gpx.tracks[0].segments[0].points) == len(plan["geometry"]["coordinates"])


def test_a_tour_through_the_hierarchy_equals_the_plain_search(city):
    from layers.roads import cached_graph

    request = TourRequest(
        refs=("T-A", "T-B", "T-C"), start=(105.8300, 21.0370), day=MONDAY, budget_min=240
    )
    graph = cached_graph(city, "default")  # the one the planner gets: same object, same cache
    assert graph is not None and graph.n_nodes < graph.ch_min_nodes  # Ba Đình: plain search
    default = graph.ch_min_nodes
    plain = plan_village_tour(city, request)
    graph.ch_min_nodes = 0
    try:
        fast = plan_village_tour(city, request)
    finally:
        graph.ch_min_nodes = default
    assert graph.hierarchy().origin in ("built", "loaded")
    assert [s["ref"] for s in fast["stops"]] == [s["ref"] for s in plain["stops"]]
    assert [(s["arrive"], s["leave"]) for s in fast["stops"]] == [
        (s["arrive"], s["leave"]) for s in plain["stops"]
    ]
    assert fast["travel_min"] == pytest.approx(plain["travel_min"], abs=1e-3)
    assert fast["distance_m"] == pytest.approx(plain["distance_m"], rel=1e-9)
    assert fast["geometry"] == plain["geometry"]


def test_pollution_aware_routes_spend_less_distance_in_zones(city):
    import shapely

    request = TourRequest(
        refs=("T-A", "T-B"), start=(105.8150, 21.0300), day=MONDAY, budget_min=300
    )
    plain = plan_village_tour(city, request)
    middle = shapely.LineString(plain["geometry"]["coordinates"]).interpolate(0.3, normalized=True)
    with city.cursor() as cur:  # a small smoky zone right on the plain route
        cur.execute(
            "INSERT INTO pollution_zones (ref, name, kind, method, zone_date, source, geom) VALUES "
            "('Z', 'Khói', 'source_buffer', 'test', '2026-11-01', 'test', ST_Multi(ST_Buffer("
            "ST_SetSRID(ST_MakePoint(%s, %s), 4326), 0.0008)))",
            (middle.x, middle.y),
        )
    city.commit()
    plan = plan_village_tour(city, TourRequest(**{**request.__dict__, "avoid_pollution": True}))
    assert plan["method"].code == "tour.method_network_zones"
    assert plan["method"].params["factor"] == 3
    assert plan["zone_m_without_option"] > 50
    assert plan["zone_m"] < plan["zone_m_without_option"]


def test_points_off_the_network(city):
    with pytest.raises(ValidationError, match="tour.start_off_network"):
        plan_village_tour(
            city, TourRequest(refs=("T-A",), start=(107.5, 20.5), day=MONDAY)
        )  # in the sea
    with pytest.raises(ValidationError, match="tour.unknown_villages"):
        plan_village_tour(city, TourRequest(refs=("T-A", "NOPE"), day=MONDAY))


def test_snap_limits_of_a_tour_and_its_roads(city):
    import shapely

    request = TourRequest(refs=("T-A", "T-B"), start=(105.8300, 21.0370), day=MONDAY)
    plan = plan_village_tour(city, request)
    assert not any(n.code == "route.far_snap" for n in plan["notes"])
    # the route runs along the streets: every vertex is a node or a bend of an edge
    line = shapely.LineString(plan["geometry"]["coordinates"])
    with city.cursor() as cur:
        cur.execute(
            "SELECT max(ST_Distance(ST_SetSRID(ST_MakePoint(x, y), 4326)::geography, "
            "(SELECT ST_Collect(geom) FROM roads WHERE network = 'default')::geography)) "
            "FROM unnest(%s::float8[], %s::float8[]) AS p(x, y)",
            ([c[0] for c in line.coords], [c[1] for c in line.coords]),
        )
        assert cur.fetchone()[0] < 1.0
    strict = TourRequest(**{**request.__dict__, "snap_warn_m": 0.0})
    warned = plan_village_tour(city, strict)
    assert any(n.code == "route.far_snap" for n in warned["notes"])
    with pytest.raises(ValidationError, match="tour.start_off_network"):
        plan_village_tour(city, TourRequest(**{**request.__dict__, "snap_max_m": 0.01}))


def test_curated_routes_are_redrawn_when_the_network_changes(conn, real_data, tmp_path):
    from layers.routes import import_routes

    villages = tmp_path / "v.csv"
    villages.write_text(
        "ref,name,craft,source,lon,lat\nR-1,Một,wood,test,105.8200,21.0400\n"
        "R-2,Hai,wood,test,105.8350,21.0330\nR-3,Ba,wood,test,105.8150,21.0300\n",
        encoding="utf-8",
    )
    run_import(conn, get_spec("villages"), villages, ImportOptions(progress=False))
    routes = tmp_path / "r.yaml"
    routes.write_text(
        "routes:\n  - {ref: r, name_vi: Tuyến, name_en: Route, theme: wood, stops: "
        "[{village: R-1}, {village: R-2}, {village: R-3}]}\n",
        encoding="utf-8",
    )
    import_routes(conn, routes)
    with conn.cursor() as cur:
        cur.execute("SELECT geometry_method, ST_NPoints(geom) FROM tourism_routes")
        assert cur.fetchone() == ("straight_line", 3)
    report = import_roads(
        conn, real_data / "roads" / "badinh.graphml", network="default", progress=False
    )
    assert msg("roads.routes_redrawn", routes=1) in report.notes
    with conn.cursor() as cur:
        cur.execute(
            "SELECT geometry_method, ST_NPoints(geom), ST_Length(geom::geography) FROM "
            "tourism_routes"
        )
        method, points, metres = cur.fetchone()
        cur.execute("DELETE FROM roads WHERE network = 'default'")  # edges first: no cascade
        cur.execute("DELETE FROM road_nodes WHERE network = 'default'")
    conn.commit()
    assert method == "network" and points > 20 and metres > 3000


def test_curated_route_with_a_stop_off_the_network_is_kept(conn, real_data, tmp_path):
    """A stop 13 km outside Ba Đình: the stored line stays, the report says which and how far."""
    from layers.routes import import_routes

    villages = tmp_path / "v.csv"
    villages.write_text(
        "ref,name,craft,source,lon,lat\nF-1,Một,wood,test,105.8200,21.0400\n"
        "F-FAR,Xa,wood,test,105.9300,20.9500\n",
        encoding="utf-8",
    )
    run_import(conn, get_spec("villages"), villages, ImportOptions(progress=False))
    routes = tmp_path / "r.yaml"
    routes.write_text(
        "routes:\n  - {ref: far, name_vi: Tuyến, name_en: Route, theme: wood, stops: "
        "[{village: F-1}, {village: F-FAR}]}\n",
        encoding="utf-8",
    )
    import_routes(conn, routes)
    with conn.cursor() as cur:
        cur.execute("SELECT ST_AsText(geom) FROM tourism_routes WHERE ref = 'far'")
        before = cur.fetchone()[0]
    report = import_roads(
        conn, real_data / "roads" / "badinh.graphml", network="default", progress=False
    )
    assert msg("roads.routes_redrawn", routes=0) in report.notes
    (kept,) = [n for n in report.notes if n.code == "routes.kept_far_stop"]
    assert kept.params["route"] == "far" and kept.params["stop"] == "F-FAR"
    assert 10_000 < kept.params["distance_m"] < 20_000 and kept.params["limit_m"] == 500
    with conn.cursor() as cur:
        cur.execute("SELECT geometry_method, ST_AsText(geom) FROM tourism_routes WHERE ref = 'far'")
        assert cur.fetchone() == ("straight_line", before)


def test_tour_exports_from_the_web(client):
    import json as _json

    geo = client.get("/api/tour.geojson?villages=HN-BAT-TRANG,HN-KIM-LAN&date=2026-11-23")
    assert geo.status_code == 200 and geo.content_type == "application/geo+json"
    kinds = [f["properties"]["kind"] for f in _json.loads(geo.data)["features"]]
    assert kinds == ["route", "stop", "stop"]
    curated = gpxpy.parse(client.get("/api/routes/gia-lam-gom-quy.gpx").get_data(as_text=True))
    assert [w.name for w in curated.waypoints] == ["Bát Tràng", "Kim Lan", "Kiêu Kỵ"]
    page = client.get(
        "/tour/print?villages=HN-BAT-TRANG,HN-KIM-LAN&date=2026-11-23&lang=vi"
    ).get_data(as_text=True)
    assert "Lịch trình của bạn" in page and "<polyline" in page and "Bát Tràng" in page
    for bad in (
        "",
        "?villages=NOPE",
        "?theme=jazz",
        "?villages=HN-BAT-TRANG&start=abc",
        "?villages=HN-BAT-TRANG&budget=0",
    ):
        response = client.get("/api/tour" + bad)
        assert response.status_code == 400 and response.get_json()["description"]
