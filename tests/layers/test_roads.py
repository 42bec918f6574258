"""Road networks from the real OSM graphs: SCC, one-way streets, pgRouting agreement."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gis.network import shortest_path, travel_matrix
from layers.roads import import_roads, read_graph
from tests.conftest import count

pytestmark = pytest.mark.postgis


@pytest.fixture(scope="module")
def badinh(module_settings, real_data):
    """The Ba Dinh graph imported once into this module's database (its tests only read it)."""
    from gis.db import connect, transaction

    conn = connect(module_settings)
    with transaction(conn):  # committed, as the CLI would
        report = import_roads(conn, real_data / "roads" / "badinh.graphml", network="badinh")
    graph = read_graph(conn, "badinh")
    yield report, graph, conn
    conn.close()


def test_badinh_keeps_the_largest_strongly_connected_component(badinh):
    report, graph, conn = badinh
    assert report.nodes + report.dropped_nodes == 4520 and report.dropped_nodes == 84
    assert report.edges + report.dropped_edges == 10205
    assert graph.n_nodes == report.nodes and len(graph.u) == report.edges
    assert count(conn, "roads") >= report.edges


def test_shortest_paths_equal_pgrouting_to_the_metre(badinh):
    _report, graph, conn = badinh
    rng = np.random.default_rng(3)
    pairs = rng.integers(0, graph.n_nodes, size=(15, 2))
    with conn.cursor() as cur:
        for s, t in pairs:
            ours, nodes = shortest_path(graph, int(s), int(t), weight="length")
            cur.execute(
                "SELECT max(agg_cost) FROM pgr_dijkstra('SELECT id, source, target, cost, "
                "reverse_cost "
                "FROM roads WHERE network = ''badinh''', %s::bigint, %s::bigint, directed => true)",
                (int(s) + 1, int(t) + 1),
            )
            theirs = cur.fetchone()[0]
            if s == t:
                continue
            assert theirs is not None and abs(ours - theirs) < 1.0, (s, t, ours, theirs)
            assert nodes[0] == s and nodes[-1] == t


def test_one_way_streets_are_respected(badinh):
    _report, graph, _conn = badinh
    pairs = set(zip(graph.u.tolist(), graph.v.tolist(), strict=True))
    one_way = next(
        i
        for i in range(len(graph.u))
        if (graph.v[i], graph.u[i]) not in pairs and graph.length_m[i] > 30
    )
    a, b = int(graph.u[one_way]), int(graph.v[one_way])
    forward, _ = shortest_path(graph, a, b)
    backward, _ = shortest_path(graph, b, a)
    assert forward <= graph.length_m[one_way] + 1e-6
    assert backward > graph.length_m[one_way] + 1.0  # going back means going round


def test_time_matrix_is_finite_and_asymmetric(badinh):
    _report, graph, _conn = badinh
    nodes = np.arange(0, graph.n_nodes, graph.n_nodes // 8)[:8]
    matrix = travel_matrix(graph, nodes, nodes, weight="time", profile="motorbike")
    assert matrix.shape == (8, 8) and np.isfinite(matrix).all() and (np.diag(matrix) == 0).all()
    assert not np.allclose(matrix, matrix.T)  # one-way streets make it asymmetric
    walk = travel_matrix(graph, nodes, nodes, weight="time", profile="walk")
    assert (walk[matrix > 0] > matrix[matrix > 0]).all()


def test_national_roads_are_noded_honestly_and_snapped_only_on_request(conn, real_data):
    """The LegoCity lines share most vertices: noded there, nothing moves by default.

    Their junctions have real gaps of hundreds of metres: only an explicit ``snap_m``
    bridges them, and the report says how many ends moved and how far.
    """
    path = real_data / "roads" / "vn_national_roads_legocity.geojson"
    report = import_roads(conn, path, network="national")
    assert report.reader == "lines (shared vertices)" and report.moved == 0
    assert report.noded_lines > 400 and report.crossings > 0
    assert any(n.code == "roads.railways" for n in report.notes)
    report = import_roads(conn, path, network="national", snap_m=1000.0)
    assert report.reader.startswith("lines (unnoded") and report.moved > 100
    assert 500 < report.moved_max_m <= 1000.0 and 0 < report.moved_mean_m < report.moved_max_m
    codes = [m.code for m in report.messages()]
    assert "roads.snapped" in codes and "roads.noded" in codes
    graph = read_graph(conn, "national")
    hanoi = graph.snap(105.85, 21.03)[0][0]
    hcmc = graph.snap(106.70, 10.78)[0][0]
    km, _ = shortest_path(graph, int(hanoi), int(hcmc))
    assert 1500_000 < km < 2200_000  # Hà Nội to Hồ Chí Minh City by national roads
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM roads WHERE network = 'national' AND name IS NOT NULL")
        assert cur.fetchone()[0] > 0  # the LegoCity 'ten' column is the name
        cur.execute("DELETE FROM roads WHERE network = 'national'")  # edges first: no cascade
        cur.execute("DELETE FROM road_nodes WHERE network = 'national'")
    conn.commit()


def test_osm_xml_is_split_at_junctions_with_one_ways_and_classes(conn):
    from pathlib import Path

    from gis.network import isochrone

    path = Path(__file__).resolve().parent.parent / "fixtures" / "roads" / "tiny.osm"
    report = import_roads(conn, path, network="tiny")
    assert report.reader.startswith("OpenStreetMap") and (report.nodes, report.edges) == (6, 13)
    graph = read_graph(conn, "tiny")
    (n1, n3, n4, n6), _ = graph.snap(
        np.array([105.8400, 105.8440, 105.8440, 105.8420]),
        np.array([21.0300, 21.0300, 21.0320, 21.0310]),
    )
    ahead, _ = shortest_path(graph, int(n3), int(n4))
    back, nodes = shortest_path(graph, int(n4), int(n3))
    assert (
        200 < ahead < 240 and back > 600 and len(nodes) == 5
    )  # no going back up the one-way street
    walk, _ = shortest_path(graph, int(n1), int(n6), weight="time", profile="walk")
    ride, ride_nodes = shortest_path(graph, int(n1), int(n6), weight="time", profile="motorbike")
    assert (
        np.isfinite(walk) and np.isfinite(ride) and len(ride_nodes) == 3
    )  # motorbikes avoid the footway
    with conn.cursor() as cur:
        cur.execute(
            "SELECT maxspeed_kmh, oneway FROM roads WHERE network = 'tiny' AND osm_id = 101"
        )
        assert cur.fetchall() == [(40.0, True)]
    area = isochrone(graph, int(n1), 5.0, profile="walk")  # 375 m on foot: nodes 1, 2 and 5
    assert area.contains(shapely.Point(105.8405, 21.0305)) and not area.contains(
        shapely.Point(105.8440, 21.0320)
    )
    with conn.cursor() as cur:
        cur.execute("DELETE FROM roads WHERE network = 'tiny'")  # edges first: no cascade
        cur.execute("DELETE FROM road_nodes WHERE network = 'tiny'")
    conn.commit()


@pytest.mark.parametrize("name, nodes", [("kimma.graphml", 324), ("trungliet.graphml", 182)])
def test_ward_graphs(conn, real_data, name, nodes):
    report = import_roads(conn, real_data / "roads" / name, network=name)
    assert report.nodes + report.dropped_nodes == nodes and report.nodes > nodes / 2
    with conn.cursor() as cur:
        cur.execute("DELETE FROM roads WHERE network = %s", (name,))  # edges first: no cascade
        cur.execute("DELETE FROM road_nodes WHERE network = %s", (name,))
    conn.commit()
