"""Road graphs in memory, pure: arrays in, arrays out, no IO.

Profiles, strongly connected components, snapping, shortest paths, travel-time
matrices and isochrones.

Graphs of at least ``ch_min_nodes`` nodes (:data:`CH_MIN_NODES` unless the loader sets the
``LANGNGHE_CH_MIN_NODES`` setting) answer shortest paths and matrices through a contraction
hierarchy (:mod:`gis.ch`), with the plain Dijkstra's costs; smaller graphs, and searches
with a zone penalty or predecessor rows, use the plain search (scipy), which stays the
reference.

A graph is directed: a two-way street is two edges. Nodes are numbered 0..n-1 and carry
WGS 84 coordinates; weights are metres (``length``) or seconds for a profile (``time``).
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from gis.crs import METRIC_CRS
from gis.errors import ValidationError
from gis.messages import Message, msg

__all__ = [
    "CH_MIN_NODES",
    "PROFILES",
    "RoadGraph",
    "edge_speeds_kmh",
    "isochrone",
    "largest_scc",
    "parse_maxspeed",
    "path_geometry",
    "project_to_metric",
    "shortest_path",
    "snap_within",
    "trace",
    "travel_matrix",
]

#: Speeds (km/h) by OSM highway class for each profile; `None` = not allowed.
PROFILES: dict[str, dict[str, float | None]] = {
    "motorbike": {
        "motorway": None,
        "trunk": 45,
        "primary": 35,
        "secondary": 30,
        "tertiary": 28,
        "unclassified": 25,
        "residential": 22,
        "living_street": 12,
        "service": 15,
        "track": 15,
        "pedestrian": None,
        "footway": None,
        "path": None,
        "steps": None,
        "cycleway": None,
        "_link": 25,
        "_default": 22,
    },
    "car": {
        "motorway": 90,
        "trunk": 60,
        "primary": 40,
        "secondary": 35,
        "tertiary": 30,
        "unclassified": 25,
        "residential": 20,
        "living_street": 10,
        "service": 12,
        "track": 10,
        "pedestrian": None,
        "footway": None,
        "path": None,
        "steps": None,
        "cycleway": None,
        "_link": 30,
        "_default": 20,
    },
    "walk": {"motorway": None, "trunk": None, "_link": 4.5, "_default": 4.5},
}
#: Graphs at least this large route through a contraction hierarchy (below it the plain
#: search answers a 50 x 50 matrix in under 0.1 s and a path in under 1 ms, and building
#: the hierarchy would cost more than it saves; see ``bench/routing_peers.py``).
CH_MIN_NODES = 5_000

#: What a profile may exceed of a tagged maxspeed (congested mixed traffic in Vietnam).
_MAXSPEED_CAP = {"motorbike": 1.0, "car": 1.0, "walk": 1.0}
_MPH = 1.609344


def parse_maxspeed(value: object) -> float | None:
    """OSM ``maxspeed`` to km/h (``"50"``, ``"30 mph"``, ``"['40', '50']"``), else ``None``.

    Examples
    --------
    >>> parse_maxspeed("50"), parse_maxspeed("20 mph")
    (50.0, 32.18688)
    >>> parse_maxspeed("['40', '60']"), parse_maxspeed("none")
    (40.0, None)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    numbers = re.findall(r"\d+(?:\.\d+)?", str(value))
    if not numbers:
        return None
    speed = min(float(n) for n in numbers)
    return speed * _MPH if "mph" in str(value) else speed


def _class(highway: object) -> str:
    text = str(highway or "")
    if text.startswith("["):  # OSMnx lists of classes: take the first
        found = re.findall(r"'([^']+)'", text)
        text = found[0] if found else ""
    return text.split(",")[0].strip()  # OSMnx GeoPackages join the list with commas


def edge_speeds_kmh(highway: pd.Series, maxspeed: pd.Series, profile: str) -> NDArray[np.float64]:
    """Speed of each edge for ``profile`` (NaN where the profile may not use it).

    The class speed applies, lowered to a tagged ``maxspeed`` where that is lower.
    """
    table = PROFILES[profile]
    out = np.empty(len(highway))
    for i, (hw, ms) in enumerate(zip(highway, maxspeed, strict=True)):
        cls = _class(hw)
        base = table.get(cls, table["_link"] if cls.endswith("_link") else table["_default"])
        if base is None:
            out[i] = np.nan
            continue
        tagged = parse_maxspeed(ms)
        out[i] = min(base, tagged * _MAXSPEED_CAP[profile]) if tagged else base
    return out


@dataclass
class RoadGraph:
    """A directed road graph: node coordinates and edge arrays (one row per directed edge)."""

    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    u: NDArray[np.int64]
    v: NDArray[np.int64]
    length_m: NDArray[np.float64]
    highway: pd.Series
    maxspeed: pd.Series
    geometry: NDArray[np.object_]
    edge_ids: NDArray[np.int64] | None = None
    #: The road network's name, the folder of saved hierarchy topologies (None: build in
    #: memory) and the size from which the hierarchy answers (see :data:`CH_MIN_NODES`).
    network: str = "graph"
    ch_store: Path | None = None
    ch_min_nodes: int = CH_MIN_NODES
    _hierarchy: Any = field(default=None, repr=False)
    _hierarchy_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _tree: cKDTree | None = field(default=None, repr=False)
    _csr: dict[str, csr_matrix] = field(default_factory=dict, repr=False)
    _weights: dict[str, NDArray[np.float64]] = field(default_factory=dict, repr=False)
    _edge_of: dict[tuple[int, int], int] | None = field(default=None, repr=False)
    _landmarks: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]] = field(
        default_factory=dict, repr=False
    )

    def hierarchy(self) -> Any:
        """The graph's :class:`gis.ch.Hierarchy` (made once; its topology loads lazily)."""
        with self._hierarchy_lock:
            if self._hierarchy is None:
                from gis.ch import Hierarchy

                self._hierarchy = Hierarchy(self, store=self.ch_store, name=self.network)
            return self._hierarchy

    def uses_hierarchy(self) -> bool:
        """Whether shortest paths and matrices go through the contraction hierarchy."""
        return self.n_nodes >= self.ch_min_nodes

    def landmarks(
        self, weight: str, profile: str = "motorbike", *, count: int = 16
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Distances from (``to_all``) and to (``from_all``) ``count`` landmarks.

        The landmarks are picked farthest-first, for the triangle-inequality upper bound
        d(s, t) <= d(s, L) + d(L, t). Built once per weight.
        """
        key = f"{weight}:{profile}"
        if key not in self._landmarks:
            forward = self.matrix(weight, profile)
            backward = forward.T.tocsr()
            rng = np.random.default_rng(0)
            chosen = [int(rng.integers(self.n_nodes))]
            nearest = dijkstra(forward, indices=chosen[0])
            to_all, from_all = [], []
            for k in range(min(count, self.n_nodes)):
                if k:
                    chosen.append(int(np.argmax(np.where(np.isfinite(nearest), nearest, -1.0))))
                to_all.append(dijkstra(forward, indices=chosen[-1]))  # L -> v
                from_all.append(dijkstra(backward, indices=chosen[-1]))  # v -> L
                nearest = np.minimum(nearest, to_all[-1])
            self._landmarks[key] = (np.array(to_all), np.array(from_all))
        return self._landmarks[key]

    def edge_index(self, a: int, b: int) -> int:
        """Index of the shortest edge from node ``a`` to node ``b`` (KeyError if none)."""
        if self._edge_of is None:
            order = np.argsort(-self.length_m)  # later (shorter) edges overwrite longer parallels
            self._edge_of = {(int(self.u[i]), int(self.v[i])): int(i) for i in order}
        return self._edge_of[(a, b)]

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.lon)

    def weights(
        self,
        weight: str,
        profile: str = "motorbike",
        *,
        zone_factor: NDArray[np.float64] | None = None,
    ) -> NDArray[np.float64]:
        """Per-edge weight: ``length`` (m) or ``time`` (s) for ``profile``; NaN = closed."""
        if weight == "length":
            w = self.length_m.astype(float)
        elif weight == "time":
            key = f"time:{profile}"
            if key not in self._weights:
                speed = edge_speeds_kmh(self.highway, self.maxspeed, profile)
                self._weights[key] = self.length_m / (speed / 3.6)
            w = self._weights[key]
        else:
            raise ValueError(f"weight must be 'length' or 'time', got {weight!r}")
        return w * zone_factor if zone_factor is not None else w

    def matrix(
        self,
        weight: str,
        profile: str = "motorbike",
        *,
        zone_factor: NDArray[np.float64] | None = None,
    ) -> csr_matrix:
        """The sparse adjacency matrix for a weight (parallel edges keep their minimum)."""
        key = f"{weight}:{profile}"
        if zone_factor is None and key in self._csr:
            return self._csr[key]
        w = self.weights(weight, profile, zone_factor=zone_factor)
        ok = np.isfinite(w)
        frame = pd.DataFrame({"u": self.u[ok], "v": self.v[ok], "w": np.maximum(w[ok], 1e-6)})
        frame = frame.groupby(["u", "v"], as_index=False)["w"].min()
        csr = csr_matrix(
            (frame["w"].to_numpy(), (frame["u"].to_numpy(), frame["v"].to_numpy())),
            shape=(self.n_nodes, self.n_nodes),
        )
        if zone_factor is None:
            self._csr[key] = csr
        return csr

    def reverse_matrix(self, weight: str, profile: str = "motorbike") -> csr_matrix:
        """The transposed adjacency matrix (searches towards a node)."""
        key = f"reverse:{weight}:{profile}"
        if key not in self._csr:
            self._csr[key] = self.matrix(weight, profile).T.tocsr()
        return self._csr[key]

    def snap(
        self, lon: float | NDArray[np.float64], lat: float | NDArray[np.float64]
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Nearest node of each point and the distance to it in metres (UTM 48N)."""
        if self._tree is None:
            x, y = project_to_metric(self.lon, self.lat)
            self._tree = cKDTree(np.column_stack([x, y]))
        px, py = project_to_metric(np.atleast_1d(lon), np.atleast_1d(lat))
        dist, idx = self._tree.query(np.column_stack([px, py]))
        return np.asarray(idx, dtype=np.int64), np.asarray(dist, dtype=float)


def snap_within(
    graph: RoadGraph,
    lon: float | NDArray[np.float64],
    lat: float | NDArray[np.float64],
    *,
    max_m: float,
    warn_m: float,
) -> tuple[NDArray[np.int64], NDArray[np.float64], list[Message]]:
    """Nearest nodes of points, refusing any point more than ``max_m`` metres from the network.

    Returns the nodes, the snap distances (m) and a warning for each point farther than
    ``warn_m``.

    Raises
    ------
    ValidationError
        ``route.too_far`` for the first point beyond ``max_m``.
    """
    lons, lats = np.atleast_1d(lon), np.atleast_1d(lat)
    nodes, dist = graph.snap(lons, lats)
    notes: list[Message] = []
    for x, y, d in zip(lons, lats, dist, strict=True):
        where = dict(point=f"{x:.6f},{y:.6f}", distance_m=round(float(d)))
        if d > max_m:
            raise ValidationError(msg("route.too_far", **where, limit_m=round(max_m)))
        if d > warn_m:
            notes.append(msg("route.far_snap", **where))
    return nodes, dist, notes


def project_to_metric(
    lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """WGS 84 lon/lat to UTM 48N metres (the metric CRS of the project)."""
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, METRIC_CRS, always_xy=True).transform(
        np.asarray(lon), np.asarray(lat)
    )
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def largest_scc(u: NDArray[np.int64], v: NDArray[np.int64], n_nodes: int) -> NDArray[np.bool_]:
    """Mask of the nodes in the largest strongly connected component.

    Examples
    --------
    >>> largest_scc(np.array([0, 1, 1]), np.array([1, 0, 2]), 3).tolist()
    [True, True, False]
    """
    graph = csr_matrix((np.ones(len(u)), (u, v)), shape=(n_nodes, n_nodes))
    _count, labels = connected_components(graph, directed=True, connection="strong")
    biggest = np.bincount(labels).argmax()
    return np.asarray(labels == biggest, dtype=np.bool_)


#: Graphs at least this large answer point-to-point queries with two bounded searches.
BOUNDED_SEARCH_NODES = 20_000


def shortest_path(
    graph: RoadGraph,
    source: int,
    target: int,
    *,
    weight: str = "length",
    profile: str = "motorbike",
    zone_factor: NDArray[np.float64] | None = None,
) -> tuple[float, list[int]]:
    """Cost and node sequence of the best path (``inf``, [] when unreachable).

    From ``graph.ch_min_nodes`` nodes on (and without a zone penalty) the contraction
    hierarchy answers (:mod:`gis.ch`). Otherwise, on graphs of at least
    :data:`BOUNDED_SEARCH_NODES`, two searches meet in the middle: a forward search
    from the source and a backward one from the target each stop at a radius ``r``, and the
    best edge joining the two balls closes the path. When that path is at most ``2 r`` long it
    is the shortest: some edge of the shortest path leaves the forward ball into the backward
    one. ``r`` starts just above half of a landmark lower bound (triangle inequality) and grows
    to half the landmark upper bound when needed; two balls of half the distance cover about
    half the area of one search to the target.
    """
    source, target = int(source), int(target)
    if zone_factor is None and graph.uses_hierarchy():
        cost, path = graph.hierarchy().shortest_path(source, target, weight=weight, profile=profile)
        return float(cost), list(path)
    if zone_factor is None and graph.n_nodes >= BOUNDED_SEARCH_NODES and source != target:
        return _bounded_bidirectional(graph, source, target, weight, profile)
    dist, pred = dijkstra(
        graph.matrix(weight, profile, zone_factor=zone_factor),
        directed=True,
        indices=source,
        return_predecessors=True,
    )
    if not np.isfinite(dist[target]):
        return math.inf, []
    return float(dist[target]), trace(pred, source, target)


def _bounded_bidirectional(
    graph: RoadGraph, source: int, target: int, weight: str, profile: str
) -> tuple[float, list[int]]:
    forward = graph.matrix(weight, profile)
    to_all, from_all = graph.landmarks(weight, profile)
    upper = float(np.min(from_all[:, source] + to_all[:, target]))
    if not np.isfinite(upper):  # no landmark links them: one unbounded search decides
        dist, pred = dijkstra(forward, indices=source, return_predecessors=True)
        return (
            (math.inf, [])
            if not np.isfinite(dist[target])
            else (float(dist[target]), trace(pred, source, target))
        )
    # Landmark lower bounds are usually within a few percent of the distance, upper bounds
    # often not: try balls just over half the lower bound first, and grow them only when
    # the path found is longer than twice their radius (then it might not be the shortest).
    with np.errstate(invalid="ignore"):  # inf - inf for landmarks that see neither end
        bounds = np.concatenate(
            [to_all[:, target] - to_all[:, source], from_all[:, source] - from_all[:, target]]
        )
    bounds = bounds[np.isfinite(bounds)]
    lower = float(bounds.max()) if len(bounds) else 0.0
    radius = min(upper, max(lower, 0.0) * 1.08) / 2
    while True:
        found = _meet(graph, forward, source, target, weight, profile, radius * (1 + 1e-9) + 1e-9)
        if found[0] <= 2 * radius * (1 + 1e-9) + 1e-9 or radius >= upper / 2:
            return found
        radius = min(upper, found[0]) / 2


def _meet(
    graph: RoadGraph,
    forward: csr_matrix,
    source: int,
    target: int,
    weight: str,
    profile: str,
    radius: float,
) -> tuple[float, list[int]]:
    """Best path through a forward ball and a backward ball of ``radius`` joined by one edge.

    It is the shortest path whenever its length is at most twice the radius.
    """
    df, pf = dijkstra(forward, indices=source, return_predecessors=True, limit=radius)
    if np.isfinite(df[target]):  # the target lies inside the forward ball: its distance is exact
        return float(df[target]), trace(pf, source, target)
    db, pb = dijkstra(
        graph.reverse_matrix(weight, profile),
        indices=target,
        return_predecessors=True,
        limit=radius,
    )
    # Join the balls across one edge, looking only at the edges of the smaller ball's nodes.
    inside_f, inside_b = np.flatnonzero(np.isfinite(df)), np.flatnonzero(np.isfinite(db))
    if len(inside_f) <= len(inside_b):
        a, b, w = _edges_of(forward, inside_f)
    else:
        b, a, w = _edges_of(graph.reverse_matrix(weight, profile), inside_b)  # rows are edge heads
    total = df[a] + w + db[b]
    if len(total) == 0 or not np.isfinite(total.min()):
        return math.inf, []
    best = int(np.argmin(total))
    return float(total[best]), trace(pf, source, int(a[best])) + _back(pb, int(b[best]), target)


def _edges_of(
    csr: csr_matrix, rows: NDArray[np.int64]
) -> tuple[NDArray[np.integer[Any]], NDArray[np.integer[Any]], NDArray[np.float64]]:
    """(row, column, weight) of every stored entry in ``rows`` of ``csr``."""
    starts = csr.indptr[rows]
    counts = csr.indptr[rows + 1] - starts
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    idx = offsets + np.arange(int(counts.sum()))
    return np.repeat(rows, counts), csr.indices[idx], csr.data[idx]


def _back(pred_back: NDArray[np.int32], node: int, target: int) -> list[int]:
    """Nodes from ``node`` to ``target`` along a backward search's predecessors (next hops)."""
    path = [node]
    while path[-1] != target:
        path.append(int(pred_back[path[-1]]))
    return path


#: Distances kept at once by :func:`travel_matrix` (sources of a block x nodes), 16 MB.
_MATRIX_BLOCK = 2_000_000


@overload
def travel_matrix(
    graph: RoadGraph,
    sources: NDArray[np.int64],
    targets: NDArray[np.int64],
    *,
    weight: str = ...,
    profile: str = ...,
    zone_factor: NDArray[np.float64] | None = ...,
    predecessors: Literal[False] = ...,
) -> NDArray[np.float64]: ...


@overload
def travel_matrix(
    graph: RoadGraph,
    sources: NDArray[np.int64],
    targets: NDArray[np.int64],
    *,
    weight: str = ...,
    profile: str = ...,
    zone_factor: NDArray[np.float64] | None = ...,
    predecessors: Literal[True],
) -> tuple[NDArray[np.float64], NDArray[np.int32]]: ...


def travel_matrix(
    graph: RoadGraph,
    sources: NDArray[np.int64],
    targets: NDArray[np.int64],
    *,
    weight: str = "time",
    profile: str = "motorbike",
    zone_factor: NDArray[np.float64] | None = None,
    predecessors: bool = False,
) -> NDArray[np.float64] | tuple[NDArray[np.float64], NDArray[np.int32]]:
    """Cost from every source to every target (``inf`` where unreachable).

    With ``predecessors``, also return the predecessor rows of the sources (one per source,
    over all nodes), so that paths between them can be traced without searching again
    (that, and a zone penalty, takes the plain search).
    """
    sources = np.atleast_1d(np.asarray(sources, dtype=np.int64))
    targets = np.asarray(targets, dtype=np.int64)
    if zone_factor is None and not predecessors and graph.uses_hierarchy():
        found: NDArray[np.float64] = graph.hierarchy().matrix(
            sources, np.atleast_1d(targets), weight=weight, profile=profile
        )
        return found
    csr = graph.matrix(weight, profile, zone_factor=zone_factor)
    if not predecessors:
        # A few sources at a time: only the target columns of each block are kept, so the
        # full rows (sources x nodes doubles: 100 MB for 50 sources on 250,000 nodes) are
        # never all in memory at once.
        step = max(1, _MATRIX_BLOCK // max(1, graph.n_nodes))
        blocks = [
            np.atleast_2d(dijkstra(csr, directed=True, indices=sources[i : i + step]))[:, targets]
            for i in range(0, len(sources), step)
        ]
        return np.vstack(blocks) if blocks else np.empty((0, len(targets)))
    result = dijkstra(csr, directed=True, indices=sources, return_predecessors=True)
    dist, pred = result
    return np.atleast_2d(dist)[:, np.asarray(targets, dtype=np.int64)], np.atleast_2d(pred)


def trace(predecessors: NDArray[np.int32], source: int, target: int) -> list[int]:
    """Node sequence from ``source`` to ``target`` along one predecessor row ([] if unreachable)."""
    if source != target and predecessors[target] < 0:
        return []
    path = [int(target)]
    while path[-1] != source:
        path.append(int(predecessors[path[-1]]))
    return path[::-1]


def isochrone(
    graph: RoadGraph,
    source: int,
    minutes: float,
    *,
    profile: str = "motorbike",
    ratio: float = 0.3,
    buffer_m: float = 60.0,
) -> shapely.Geometry:
    """Area reachable from ``source`` within ``minutes`` (WGS 84).

    The concave hull of the reached nodes, cut to ``buffer_m`` metres around the edges whose
    both ends are reached: it covers the reached nodes and does not spread over blocks that
    no reached street runs along.
    """
    dist = dijkstra(
        graph.matrix("time", profile), directed=True, indices=int(source), limit=minutes * 60.0
    )
    reached = np.isfinite(dist)
    points = shapely.points(graph.lon[reached], graph.lat[reached])
    if reached.sum() < 3:
        return shapely.buffer(shapely.multipoints(points), 0.0005)
    hull = shapely.concave_hull(shapely.multipoints(points), ratio=ratio)
    edges = np.flatnonzero(reached[graph.u] & reached[graph.v])
    lines = [
        graph.geometry[i]
        if graph.geometry[i] is not None
        else shapely.LineString(
            [
                (graph.lon[graph.u[i]], graph.lat[graph.u[i]]),
                (graph.lon[graph.v[i]], graph.lat[graph.v[i]]),
            ]
        )
        for i in edges
    ]
    if not lines:
        return hull
    corridor = _from_metric(
        shapely.union_all(shapely.buffer(_to_metric(np.asarray(lines, dtype=object)), buffer_m))
    )
    return shapely.intersection(hull, corridor)


def _to_metric(geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    def forward(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.column_stack(project_to_metric(xy[:, 0], xy[:, 1]))

    return np.asarray(shapely.transform(geoms, forward), dtype=object)


def _from_metric(geom: shapely.Geometry) -> shapely.Geometry:
    from pyproj import Transformer

    back = Transformer.from_crs(METRIC_CRS, 4326, always_xy=True)

    def inverse(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.column_stack(back.transform(xy[:, 0], xy[:, 1]))

    return shapely.transform(geom, inverse)


def path_geometry(graph: RoadGraph, nodes: list[int]) -> shapely.LineString | None:
    """The route line through ``nodes``, using each edge's own geometry where it has one."""
    if len(nodes) < 2:
        return None
    coords: list[tuple[float, float]] = []
    for a, b in zip(nodes[:-1], nodes[1:], strict=True):
        geom = graph.geometry[graph.edge_index(a, b)]
        part = (
            list(geom.coords)
            if geom is not None
            else [(graph.lon[a], graph.lat[a]), (graph.lon[b], graph.lat[b])]
        )
        first, last = part[0], part[-1]
        if (first[0] - graph.lon[a]) ** 2 + (first[1] - graph.lat[a]) ** 2 > (
            last[0] - graph.lon[a]
        ) ** 2 + (last[1] - graph.lat[a]) ** 2:
            part = part[::-1]  # a geometry stored the other way round
        coords += part if not coords else part[1:]
    return shapely.LineString(coords)
