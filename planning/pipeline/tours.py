"""Tours: a day's visit of craft villages in order, on the road network when one is loaded.

Fetches the villages, the cached road graph and the current pollution zones through
``layers``, orders the stops with the pure :func:`planning.tours.plan_tour`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from gis.crs import METRIC_CRS, WGS84
from gis.errors import ValidationError
from gis.messages import Message, msg
from gis.network import (
    RoadGraph,
    path_geometry,
    project_to_metric,
    shortest_path,
    trace,
    travel_matrix,
)
from layers.pois import pois_near
from layers.roads import cached_graph
from layers.villages import visit_details, visitable_near
from layers.zones import current_geometries
from planning.tours import (
    MUST_SEE,
    NICE_TO_HAVE,
    Lunch,
    Stop,
    TourPlan,
    day_window,
    plan_tour,
    week_hours,
)

__all__ = [
    "DETOUR_FACTOR",
    "FALLBACK_KMH",
    "MAX_SNAP_M",
    "THEMES",
    "WALK_WARN_M",
    "ZONE_FACTOR",
    "TourRequest",
    "plan_village_tour",
]

logger = logging.getLogger(__name__)

#: Theme -> crafts.
THEMES = {
    "ceramics": ("ceramics",),
    "silk": ("silk", "weaving", "embroidery"),
    "wood": ("wood",),
    "lacquer": ("lacquer", "mother_of_pearl"),
    "metal": ("bronze_casting", "silver_gold", "metal_working"),
    "bamboo": ("rattan_bamboo", "conical_hat"),
    "painting": ("painting", "toys_crafts"),
    "food": ("food_processing", "liquor"),
}
#: Without a road network: straight-line distance times this detour factor, at these speeds.
DETOUR_FACTOR = 1.35
FALLBACK_KMH = {"motorbike": 25.0, "car": 28.0, "walk": 4.5}
#: A point farther than this from the network is "off the network".
MAX_SNAP_M = 2000.0
#: A walking day longer than this (metres) is planned with a warning.
WALK_WARN_M = 10_000.0
#: Pollution-aware routing: edges inside a current pollution zone cost this many times more.
ZONE_FACTOR = 3.0
#: The travel modes as words of the user's language.
_MODES = {"motorbike": msg("mode.motorbike"), "car": msg("mode.car"), "walk": msg("mode.walk")}


@dataclass(frozen=True)
class TourRequest:
    """What the tourist asked for."""

    refs: tuple[str, ...] = ()
    theme: str | None = None
    start: tuple[float, float] = (105.8522, 21.0287)  # Hoàn Kiếm lake
    day: dt.date = field(default_factory=dt.date.today)
    start_min: int = 8 * 60
    budget_min: int = 8 * 60
    mode: str = "motorbike"
    avoid_pollution: bool = False
    network: str = "default"
    #: The must-see villages (the others are nice to have).
    must: tuple[str, ...] = ()
    #: Visit in the order given instead of the fastest order.
    fixed_order: bool = False
    #: Plan a lunch break.
    lunch: bool = True
    #: A start farther than this from the road network is refused, a village is unreachable.
    snap_max_m: float = MAX_SNAP_M
    #: A point farther than this from the road network is routed with a warning.
    snap_warn_m: float = 200.0


def _villages(conn: Any, request: TourRequest) -> list[dict[str, Any]]:
    if request.refs:
        found = visit_details(conn, list(request.refs))
        missing = [r for r in request.refs if r not in found]
        if missing:
            raise ValidationError(msg("tour.unknown_villages", refs=missing[:10]))
        rows = [found[r] for r in request.refs]
    elif request.theme:
        if request.theme not in THEMES:
            raise ValidationError(
                msg("tour.unknown_theme", theme=request.theme, choices=list(THEMES))
            )
        rows = visitable_near(conn, list(THEMES[request.theme]), *request.start, limit=8)
    else:
        raise ValidationError(msg("tour.pick_villages"))
    if not rows:
        raise ValidationError(msg("tour.no_match"))
    return rows


def _stops(
    villages: list[dict[str, Any]],
    request: TourRequest,
    invalid: list[dict[str, Any]] | None = None,
) -> list[Stop]:
    """One stop per village, must-see or nice to have as the visitor said.

    A stored value that cannot be read (opening hours stored before they were checked) is
    reported in ``invalid`` and the stop is planned without it.
    """
    stops = []
    for v in villages:
        try:
            window = day_window(v["opening_hours"], request.day)
        except ValueError:
            window = None
            if invalid is not None:
                invalid.append(
                    {"ref": v["ref"], "field": "opening_hours", "value": v["opening_hours"]}
                )
        stops.append(
            Stop(
                v["ref"],
                v["name"],
                int(v["visit_min"] or 60),
                window[0] if window else None,
                window[1] if window else None,
                priority=MUST_SEE if v["ref"] in request.must else NICE_TO_HAVE,
            )
        )
    return stops


def _length_inside(line: shapely.Geometry | None, zones: list[shapely.Geometry]) -> float:
    if line is None or not zones:
        return 0.0
    inside = shapely.intersection(line, shapely.union_all(zones))
    return float(gpd.GeoSeries([inside], crs=WGS84).to_crs(METRIC_CRS).length.iloc[0])


def _fallback(
    request: TourRequest, villages: list[dict[str, Any]], stops: list[Stop]
) -> dict[str, Any]:
    lon = np.array([request.start[0], *[v["lon"] for v in villages]])
    lat = np.array([request.start[1], *[v["lat"] for v in villages]])
    x, y = project_to_metric(lon, lat)
    metres = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]) * DETOUR_FACTOR
    plan = plan_tour(metres / (FALLBACK_KMH[request.mode] / 3.6), stops, **_day_options(request))
    order = [0] + [1 + [s.ref for s in stops].index(r) for r in plan.order] + [0]
    line = shapely.LineString([(lon[i], lat[i]) for i in order]) if len(order) > 2 else None
    return {
        "plan": plan,
        "line": line,
        "distance_m": float(sum(metres[a, b] for a, b in zip(order[:-1], order[1:], strict=True))),
        "method": msg(
            "tour.method_straight_line",
            detour_factor=DETOUR_FACTOR,
            speed_kmh=FALLBACK_KMH[request.mode],
        ),
        "snap_m": {},
    }


def _on_network(
    request: TourRequest,
    graph: RoadGraph,
    villages: list[dict[str, Any]],
    stops: list[Stop],
    zones: list[shapely.Geometry],
) -> dict[str, Any]:
    lon = np.array([request.start[0], *[v["lon"] for v in villages]])
    lat = np.array([request.start[1], *[v["lat"] for v in villages]])
    nodes, snap = graph.snap(lon, lat)
    if snap[0] > request.snap_max_m:
        raise ValidationError(
            msg(
                "tour.start_off_network",
                distance_km=round(float(snap[0]) / 1000, 1),
                max_km=request.snap_max_m / 1000,
            )
        )
    factor = None
    if request.avoid_pollution and zones:
        hit = shapely.STRtree(zones).query(graph.geometry, predicate="intersects")[0]
        factor = np.ones(len(graph.u))
        factor[np.unique(hit)] = ZONE_FACTOR
    pred = None
    if factor is None and graph.uses_hierarchy():  # the legs are asked for once the order is known
        times = travel_matrix(graph, nodes, nodes, weight="time", profile=request.mode)
    else:
        times, pred = travel_matrix(
            graph,
            nodes,
            nodes,
            weight="time",
            profile=request.mode,
            zone_factor=factor,
            predecessors=True,
        )
    for i, d in enumerate(snap[1:], start=1):
        if d > request.snap_max_m:
            times[i, :] = times[:, i] = np.inf
    plan = plan_tour(times, stops, **_day_options(request))
    for x, y, d in zip(lon, lat, snap, strict=True):
        if request.snap_warn_m < d <= request.snap_max_m:
            plan.notes.append(msg("route.far_snap", point=f"{x:.6f},{y:.6f}", distance_m=round(d)))
    refs = [s.ref for s in stops]
    order = [0] + [1 + refs.index(r) for r in plan.order] + [0]
    coords: list[tuple[float, float]] = []
    distance = 0.0
    for a, b in zip(order[:-1], order[1:], strict=True):
        # the leg follows the fastest path already found for the matrix (zone penalty included)
        # or, through the contraction hierarchy, the fastest path of the same metric
        path = (
            trace(pred[a], int(nodes[a]), int(nodes[b]))
            if pred is not None
            else shortest_path(
                graph, int(nodes[a]), int(nodes[b]), weight="time", profile=request.mode
            )[1]
        )
        leg = path_geometry(graph, path)
        if leg is not None:
            distance += float(sum(graph.length_m[i] for i in _edge_indices(graph, path)))
            coords += list(leg.coords) if not coords else list(leg.coords)[1:]
    return {
        "plan": plan,
        "line": shapely.LineString(coords) if len(coords) > 1 else None,
        "distance_m": distance,
        "method": _network_method(request, zones_avoided=factor is not None),
        "snap_m": {
            "start": round(float(snap[0]), 1),
            **{v["ref"]: round(float(d), 1) for v, d in zip(villages, snap[1:], strict=True)},
        },
    }


def _day_options(request: TourRequest) -> dict[str, Any]:
    return {
        "start_min": request.start_min,
        "budget_min": request.budget_min,
        "lunch": Lunch() if request.lunch else None,
        "fixed_order": request.fixed_order,
    }


def _network_method(request: TourRequest, *, zones_avoided: bool) -> Message:
    mode = _MODES[request.mode]
    if zones_avoided:
        return msg(
            "tour.method_network_zones", network=request.network, mode=mode, factor=ZONE_FACTOR
        )
    return msg("tour.method_network", network=request.network, mode=mode)


def _edge_indices(graph: RoadGraph, path: list[int]) -> list[int]:
    return [graph.edge_index(a, b) for a, b in zip(path[:-1], path[1:], strict=True)]


def _lunch(plan: TourPlan, names: dict[str, str]) -> dict[str, Any] | None:
    if plan.lunch is None:
        return None
    after = plan.lunch["after"]
    return {
        "start": _clock(plan.lunch["start_min"]),
        "end": _clock(plan.lunch["end_min"]),
        "after": after,
        "after_name": names.get(after) if after else None,
    }


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


#: Car parks, bus stops... within this walk of a stop are shown with it (metres: a village
#: point is its centre, and its lanes spread a few hundred metres; about 15 minutes' walk).
NEAR_STOP_M = 1000.0


def _add_nearby(conn: Any, stops: list[dict[str, Any]]) -> None:
    """Give each stop ``nearby``: the visitor points of interest (parking, bus stops...) near it."""
    found = pois_near(conn, [(s["lon"], s["lat"]) for s in stops], within_m=NEAR_STOP_M, limit=2)
    for i, stop in enumerate(stops):
        stop["nearby"] = [
            {k: v for k, v in p.items() if k != "near"} for p in found if p["near"] == i
        ]


def plan_village_tour(conn: Any, request: TourRequest) -> dict[str, Any]:
    """Plan a day: stops in order with times, dropped stops with reasons, route line, totals.

    Parameters
    ----------
    conn : psycopg2 connection
        The caller's; nothing is written.
    request : TourRequest
        The villages (or a theme), start point and time, budget, mode and options.

    Returns
    -------
    dict
        JSON-ready: ``method``, ``stops`` (with arrival and departure clock times and
        ``nearby``: car parks, bus stops... within ``NEAR_STOP_M``),
        ``dropped``, ``notes``, ``geometry`` (WGS 84 GeoJSON or None), totals.

    Raises
    ------
    ValidationError
        For an unknown mode, village or theme, or a start far from the road network.
    """
    if request.mode not in FALLBACK_KMH:
        raise ValidationError(
            msg("tour.unknown_mode", mode=request.mode, choices=list(FALLBACK_KMH))
        )
    villages = _villages(conn, request)
    invalid: list[dict[str, Any]] = []
    stops = _stops(villages, request, invalid)
    graph = cached_graph(conn, request.network)
    zones = current_geometries(conn)
    result = (
        _on_network(request, graph, villages, stops, zones)
        if graph is not None
        else _fallback(request, villages, stops)
    )
    plan: TourPlan = result["plan"]
    if request.avoid_pollution and graph is None:
        plan.notes.append(msg("tour.avoid_needs_network"))
    if request.mode == "walk" and result["distance_m"] > WALK_WARN_M:
        plan.notes.append(
            msg(
                "tour.walk_over_limit",
                distance_km=round(result["distance_m"] / 1000, 1),
                limit_km=round(WALK_WARN_M / 1000, 1),
            )
        )
    where = {v["ref"]: v for v in villages}
    names = {v["ref"]: v["name"] for v in villages}
    out = {
        "method": result["method"],
        "snapping_m": result["snap_m"],
        "day": request.day.isoformat(),
        "start": {
            "lon": request.start[0],
            "lat": request.start[1],
            "time": _clock(request.start_min),
        },
        "stops": [
            {
                **s,
                "arrive": _clock(s["arrive_min"]),
                "leave": _clock(s["leave_min"]),
                "lon": where[s["ref"]]["lon"],
                "lat": where[s["ref"]]["lat"],
                "opening_hours": where[s["ref"]]["opening_hours"],
                "hours": week_hours(where[s["ref"]]["opening_hours"]),
                "priority": "must" if s["ref"] in request.must else "nice",
            }
            for s in plan.schedule
        ],
        "dropped": plan.dropped,
        "lunch": _lunch(plan, names),
        "walk_limit_m": WALK_WARN_M,
        "notes": plan.notes,
        "invalid_values": invalid,
        "end": _clock(plan.end_min),
        "travel_min": round(plan.travel_s / 60.0, 1),
        "distance_m": round(result["distance_m"], 1),
        "geometry": shapely.geometry.mapping(result["line"])
        if result["line"] is not None
        else None,
        "zone_m": round(_length_inside(result["line"], zones), 1),
    }
    _add_nearby(conn, out["stops"])
    if request.avoid_pollution:
        plain = plan_village_tour(
            conn, TourRequest(**{**request.__dict__, "avoid_pollution": False})
        )
        out["zone_m_without_option"] = plain["zone_m"]
    return out
