"""Every road-file form imports to the graph its file describes (issue 15, item 3).

The Ba Đình streets are written at test time as OSM XML and PBF, GeoJSON lines with flat
tags, GeoJSON lines with the tags nested (Overpass style, first feature one-way) and unnoded
lines; the OSMnx GraphML and GeoPackage are read as they are. Each import is compared with a
reference graph that networkx builds from the file's own vertices and segments: node and edge
counts, total length (0.1 %), shortest paths on random pairs for walk and car, one-way
honoured (0.1 %), and sampled edges' attributes against their source line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely
from pyproj import Geod

from gis.network import PROFILES, RoadGraph, parse_maxspeed, shortest_path
from layers.roads import build, graph_from_frames, read_network
from tests.layers.road_forms import Line, badinh_lines, unnoded_lines, write_geojson, write_osm

_GEOD = Geod(ellps="WGS84")
PAIRS = 12
BUFFER_M = 60.0  # the isochrone default


@dataclass
class Reference:
    """A networkx graph of a file (nodes keyed by rounded lon/lat) and its expected counts."""

    graph: nx.MultiDiGraph
    nodes: int
    edges: int
    length_m: float


def _key(x: float, y: float) -> tuple[float, float]:
    return (round(float(x), 7), round(float(y), 7))


def _speed(tags: dict, profile: str) -> float | None:
    """km/h of an edge for a profile, read straight from the profile table."""
    table = PROFILES[profile]
    cls = str(tags.get("highway") or "")
    base = table.get(cls, table["_link"] if cls.endswith("_link") else table["_default"])
    tagged = parse_maxspeed(tags.get("maxspeed"))
    return None if base is None else (min(base, tagged) if tagged else base)


def lines_reference(lines: list[Line]) -> Reference:
    """Every vertex a node, every segment an edge (both ways unless one-way)."""
    graph = nx.MultiDiGraph()
    ends: set[tuple[float, float]] = set()
    for line in lines:
        ends |= {line.coords[0], line.coords[-1]}
        for a, b in zip(line.coords[:-1], line.coords[1:], strict=True):
            if a == b:
                continue
            metres = _GEOD.inv(a[0], a[1], b[0], b[1])[2]
            graph.add_edge(a, b, length=metres, way=line.way, **line.tags)
            if line.tags.get("oneway") != "yes":
                graph.add_edge(b, a, length=metres, way=line.way, **line.tags)
    undirected = {n: set() for n in graph.nodes}
    for a, b, _k in graph.edges(keys=True):
        undirected[a].add((b, _k))
    incidence = {n: 0 for n in graph.nodes}
    for line in lines:
        for a, b in zip(line.coords[:-1], line.coords[1:], strict=True):
            if a != b:
                incidence[a] += 1
                incidence[b] += 1
    cut = {n for n in graph.nodes if n in ends or incidence[n] != 2}
    edges = sum(graph.out_degree(n) for n in cut)
    length = sum(d["length"] for _a, _b, d in graph.edges(data=True))
    return Reference(graph, len(cut), edges, length)


def osmnx_reference(path: Path) -> Reference:
    """The OSMnx graph itself: its nodes, its directed edges and their ``length``."""
    source = nx.read_graphml(path)
    graph = nx.MultiDiGraph()
    xy = {n: _key(d["x"], d["y"]) for n, d in source.nodes(data=True)}
    for u, v, d in source.edges(data=True):
        tags = {"highway": _first(d.get("highway")), "maxspeed": d.get("maxspeed")}
        graph.add_edge(xy[u], xy[v], length=float(d["length"]), **tags)
    length = sum(d["length"] for _a, _b, d in graph.edges(data=True))
    return Reference(graph, source.number_of_nodes(), source.number_of_edges(), length)


def _none(value: object) -> object:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _first(value: object) -> object:
    """The first class of an OSMnx list (``"['a', 'b']"`` in GraphML, ``"a,b"`` in GeoPackage)."""
    text = str(value or "")
    return text.strip("[]").split(",")[0].strip(" '") if value is not None else None


def _ours(path: Path, **options) -> tuple[object, RoadGraph, object]:
    edges, nodes, report = read_network(path, **options)
    kept, kept_nodes = build(edges, nodes, report)
    return report, graph_from_frames(kept, kept_nodes), (edges, kept)


def _reference_cost(ref: Reference, a, b, profile: str | None) -> float:
    def weight(_u, _v, parallel):
        costs = []
        for d in parallel.values():
            if profile is None:
                costs.append(d["length"])
                continue
            speed = _speed(d, profile)
            if speed is not None:
                costs.append(d["length"] / (speed / 3.6))
        return min(costs) if costs else None

    try:
        return nx.dijkstra_path_length(ref.graph, a, b, weight=weight)
    except nx.NetworkXNoPath:
        return math.inf


def _compare(ref: Reference, report, graph: RoadGraph, frames, *, seed: int = 0) -> None:
    edges, _kept = frames
    assert report.nodes + report.dropped_nodes == ref.nodes
    assert report.edges + report.dropped_edges == ref.edges
    assert abs(edges["length_m"].sum() - ref.length_m) <= 0.001 * ref.length_m
    rng = np.random.default_rng(seed)
    for s, t in rng.integers(0, graph.n_nodes, size=(PAIRS, 2)):
        a, b = _key(graph.lon[s], graph.lat[s]), _key(graph.lon[t], graph.lat[t])
        for weight, profile in (("length", None), ("time", "walk"), ("time", "car")):
            ours, _nodes = shortest_path(
                graph, int(s), int(t), weight=weight, profile=profile or "car"
            )
            theirs = _reference_cost(ref, a, b, profile)
            assert (math.isinf(ours) and math.isinf(theirs)) or abs(ours - theirs) <= max(
                0.001 * theirs, 0.01
            ), (profile, s, t, ours, theirs)


def _attributes_match(lines: list[Line], frames, *, seed: int = 0) -> None:
    """Sampled edges carry the tags of the line they lie on (and lie on it)."""
    edges, _kept = frames
    by_way = {line.way: line for line in lines}
    for i in np.random.default_rng(seed).choice(len(edges), size=60, replace=False):
        edge = edges.iloc[int(i)]
        line = by_way[int(edge["osm_id"])]
        assert shapely.LineString(line.coords).dwithin(
            edge["geometry"].interpolate(0.5, normalized=True), 1e-7
        )
        assert edge["highway"] == line.tags.get("highway")
        assert _none(edge["name"]) == line.tags.get("name")
        assert bool(edge["oneway"]) == (line.tags.get("oneway") == "yes")
        assert _none(edge["maxspeed"]) == line.tags.get("maxspeed")


@pytest.fixture(scope="module")
def lines(real_data) -> list[Line]:
    return badinh_lines(real_data / "roads" / "hanoi_badinh_osmnx.gpkg")


@pytest.fixture(scope="module")
def reference(lines) -> Reference:
    return lines_reference(lines)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("road_forms")


def test_the_fixture_starts_with_a_one_way_street(lines):
    assert lines[0].tags["oneway"] == "yes" and len(lines) > 5000


@pytest.mark.parametrize("form", ["badinh.osm", "badinh.osm.pbf"])
def test_osm_files(lines, reference, folder, form):
    report, graph, frames = _ours(write_osm(lines, folder / form))
    assert report.reader.startswith("OpenStreetMap")
    _compare(reference, report, graph, frames)
    _attributes_match(lines, frames)


@pytest.mark.parametrize("nested", [False, True], ids=["flat tags", "nested tags"])
def test_geojson_lines(lines, reference, folder, nested):
    path = write_geojson(lines, folder / f"badinh_{nested}.geojson", nested=nested)
    report, graph, frames = _ours(path)
    assert report.reader == "lines (shared vertices)" and report.moved == 0
    assert report.crossings == 0 and not report.errors
    assert not any(n.code == "roads.no_class" for n in report.notes)
    first = frames[0].iloc[0]  # the first feature is one-way: one edge, along the line
    assert first["oneway"] and int(first["osm_id"]) == lines[0].way
    assert (frames[0]["osm_id"].astype(int) == lines[0].way).sum() == 1
    _compare(reference, report, graph, frames)
    _attributes_match(lines, frames)


def test_unnoded_lines_snap_back_to_their_streets(lines, folder):
    truth, gapped = unnoded_lines(lines)
    pulled = sum(
        a.coords[e] != b.coords[e] for a, b in zip(truth, gapped, strict=True) for e in (0, -1)
    )
    path = write_geojson(gapped, folder / "badinh_unnoded.geojson")
    report, graph, frames = _ours(path, snap_m=3.0)
    assert report.reader.startswith("lines (unnoded") and pulled > 500
    assert report.moved == pulled and 1.4 < report.moved_max_m < 1.6
    _compare(lines_reference(truth), report, graph, frames)
    _attributes_match(truth, frames)


@pytest.mark.parametrize("name", ["badinh.graphml", "hanoi_badinh_osmnx.gpkg"])
def test_osmnx_graphs(real_data, name):
    path = real_data / "roads" / name
    report, graph, frames = _ours(path)
    _compare(osmnx_reference(real_data / "roads" / "badinh.graphml"), report, graph, frames)
    source = nx.read_graphml(real_data / "roads" / "badinh.graphml")
    edges, _kept = frames
    for i in np.random.default_rng(1).choice(len(edges), size=60, replace=False):
        edge = edges.iloc[int(i)]
        data = source.get_edge_data(str(edge["u"]), str(edge["v"]))
        assert data is not None
        assert any(abs(float(d["length"]) - edge["length_m"]) < 1e-3 for d in data.values())
        assert any(
            _first(d.get("highway")) == _first(edge["highway"])
            and (str(d.get("oneway")) == "True") == bool(edge["oneway"])
            for d in data.values()
        )


def test_a_file_without_classes_says_so(folder):
    path = folder / "plain.geojson"
    write_geojson(
        [
            Line(1, [(105.80, 21.0), (105.81, 21.0)], {}),
            Line(2, [(105.81, 21.0), (105.81, 21.01)], {}),
        ],
        path,
    )
    edges, _nodes, report = read_network(path)
    assert any(n.code == "roads.no_class" for n in report.notes)
    assert len(edges) == 4 and not edges["oneway"].any()


@pytest.mark.parametrize("minutes, profile", [(10, "walk"), (4, "car")])
def test_isochrones_cover_what_the_reference_reaches(lines, reference, folder, minutes, profile):
    """At least 95 % of the nodes reachable in the reference graph lie inside; at most 5 % of
    the area lies beyond 100 m of the edges the reference reaches."""
    from gis.network import isochrone

    report, graph, _frames = _ours(write_geojson(lines, folder / "iso.geojson"))
    source = int(np.argmin(np.hypot(graph.lon - 105.8300, graph.lat - 21.0350)))
    area = isochrone(graph, source, minutes, profile=profile, buffer_m=BUFFER_M)

    def seconds(_u, _v, parallel):
        costs = [d["length"] / (s / 3.6) for d in parallel.values() if (s := _speed(d, profile))]
        return min(costs) if costs else None

    start = _key(graph.lon[source], graph.lat[source])
    times = nx.single_source_dijkstra_path_length(
        reference.graph, start, cutoff=minutes * 60.0, weight=seconds
    )
    reached = list(times)
    inside = shapely.covers(area.buffer(1e-7), shapely.points(np.asarray(reached)))
    assert len(reached) > 200 and inside.mean() >= 0.95, inside.mean()
    edges = [
        shapely.LineString([a, b]) for a, b in reference.graph.edges() if a in times and b in times
    ]
    from gis.network import _from_metric, _to_metric

    corridor = _from_metric(
        shapely.union_all(shapely.buffer(_to_metric(np.asarray(edges, dtype=object)), 100.0))
    )
    beyond = shapely.difference(area, corridor).area / area.area
    assert beyond <= 0.05, beyond


def test_tags_in_a_json_column_and_osm_id_spellings():
    import geopandas as gpd

    from layers.roads import _osm_ids, flatten_tags

    lines = gpd.GeoDataFrame(
        {
            "osmId": ["123", "way/456"],
            "other": ['{"highway": "primary", "name": "Phố A"}', '{"oneway": "yes"}'],
        },
        geometry=[shapely.LineString([(0, 0), (1, 0)]), shapely.LineString([(1, 0), (1, 1)])],
        crs=4326,
    )
    flat = flatten_tags(lines)
    assert "other" not in flat.columns and flat["highway"].tolist()[0] == "primary"
    assert flat["oneway"].tolist()[1] == "yes" and flat["name"].tolist()[0] == "Phố A"
    assert _osm_ids(flat).tolist() == ["123", "456"]
