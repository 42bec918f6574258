"""The one planning module with IO: fetch inputs from PostGIS, run the pure analyses."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from gis.errors import ValidationError
from gis.network import RoadGraph, path_geometry, project_to_metric, trace, travel_matrix
from planning.tours import Stop, day_window, plan_tour

__all__ = ["THEMES", "TourRequest", "plan_village_tour"]

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
#: Pollution-aware routing: edges inside a current pollution zone cost this many times more.
ZONE_FACTOR = 3.0

_GRAPHS: dict[tuple[str, int], RoadGraph] = {}
_GRAPH_LOCK = threading.Lock()


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


def _graph(conn, network: str) -> RoadGraph | None:
    from layers.roads import read_graph

    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(*), coalesce((SELECT version FROM layer_versions WHERE layer = 'roads'), 0) "
            "FROM road_nodes WHERE network = %s",
            (network,),
        )
        nodes, version = cur.fetchone()
    if nodes == 0:
        return None
    key = (network, int(version))
    with _GRAPH_LOCK:
        if key not in _GRAPHS:
            _GRAPHS.clear()
            _GRAPHS[key] = read_graph(conn, network)
        return _GRAPHS[key]


def _villages(conn, request: TourRequest) -> list[dict[str, Any]]:
    with conn.cursor() as cur:
        if request.refs:
            cur.execute(
                "SELECT ref, name, visit_minutes, opening_hours, ST_X(geom), ST_Y(geom) FROM craft_villages "
                "WHERE ref = ANY(%s)",
                (list(request.refs),),
            )
            found = {r[0]: r for r in cur.fetchall()}
            missing = [r for r in request.refs if r not in found]
            if missing:
                raise ValidationError("unknown village(s): " + ", ".join(missing[:10]))
            rows = [found[r] for r in request.refs]
        elif request.theme:
            if request.theme not in THEMES:
                raise ValidationError(
                    f"unknown theme {request.theme!r}; themes: {', '.join(THEMES)}"
                )
            cur.execute(
                "SELECT ref, name, visit_minutes, opening_hours, ST_X(geom), ST_Y(geom) FROM craft_villages "
                "WHERE craft = ANY(%s) AND visit_minutes IS NOT NULL ORDER BY ST_Distance(geom, "
                "ST_SetSRID(ST_MakePoint(%s, %s), 4326)) LIMIT 8",
                (list(THEMES[request.theme]), *request.start),
            )
            rows = cur.fetchall()
        else:
            raise ValidationError("pick villages (refs) or a theme")
    if not rows:
        raise ValidationError("no village matches the selection")
    keys = ("ref", "name", "visit_min", "opening_hours", "lon", "lat")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def _zones(conn) -> list[shapely.Geometry]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ST_AsBinary(geom) FROM pollution_zones z WHERE zone_date = "
            "(SELECT max(zone_date) FROM pollution_zones WHERE ref = z.ref)"
        )
        return [shapely.from_wkb(bytes(r[0])) for r in cur.fetchall()]


def _stops(villages: list[dict[str, Any]], day: dt.date) -> list[Stop]:
    stops = []
    for rank, v in enumerate(villages):
        window = day_window(v["opening_hours"], day)
        stops.append(
            Stop(
                v["ref"],
                v["name"],
                int(v["visit_min"] or 60),
                window[0] if window else None,
                window[1] if window else None,
                priority=float(len(villages) - rank),
            )
        )
    return stops


def _length_inside(line: shapely.Geometry | None, zones: list[shapely.Geometry]) -> float:
    if line is None or not zones:
        return 0.0
    import geopandas as gpd

    from gis.crs import METRIC_CRS

    inside = shapely.intersection(line, shapely.union_all(zones))
    return float(gpd.GeoSeries([inside], crs=4326).to_crs(METRIC_CRS).length.iloc[0])


def _fallback(request: TourRequest, villages, stops) -> dict[str, Any]:
    lon = np.array([request.start[0], *[v["lon"] for v in villages]])
    lat = np.array([request.start[1], *[v["lat"] for v in villages]])
    x, y = project_to_metric(lon, lat)
    metres = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]) * DETOUR_FACTOR
    plan = plan_tour(
        metres / (FALLBACK_KMH[request.mode] / 3.6),
        stops,
        start_min=request.start_min,
        budget_min=request.budget_min,
    )
    order = [0] + [1 + [s.ref for s in stops].index(r) for r in plan.order] + [0]
    line = shapely.LineString([(lon[i], lat[i]) for i in order]) if len(order) > 2 else None
    return {
        "plan": plan,
        "line": line,
        "distance_m": float(sum(metres[a, b] for a, b in zip(order[:-1], order[1:]))),
        "method": f"straight line x {DETOUR_FACTOR} detour factor at {FALLBACK_KMH[request.mode]:g} km/h "
        "(no road network loaded)",
        "snap_m": {},
    }


def _on_network(request: TourRequest, graph: RoadGraph, villages, stops, zones) -> dict[str, Any]:
    lon = np.array([request.start[0], *[v["lon"] for v in villages]])
    lat = np.array([request.start[1], *[v["lat"] for v in villages]])
    nodes, snap = graph.snap(lon, lat)
    if snap[0] > MAX_SNAP_M:
        raise ValidationError(
            f"the start point is {snap[0] / 1000:.1f} km from the road network "
            f"(at most {MAX_SNAP_M / 1000:g} km): pick a point on land near a road"
        )
    factor = None
    if request.avoid_pollution and zones:
        hit = shapely.STRtree(zones).query(graph.geometry, predicate="intersects")[0]
        factor = np.ones(len(graph.u))
        factor[np.unique(hit)] = ZONE_FACTOR
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
        if d > MAX_SNAP_M:
            times[i, :] = times[:, i] = np.inf
    plan = plan_tour(times, stops, start_min=request.start_min, budget_min=request.budget_min)
    refs = [s.ref for s in stops]
    order = [0] + [1 + refs.index(r) for r in plan.order] + [0]
    coords: list[tuple[float, float]] = []
    distance = 0.0
    for a, b in zip(order[:-1], order[1:], strict=True):
        # the leg follows the fastest path already found for the matrix (zone penalty included)
        path = trace(pred[a], int(nodes[a]), int(nodes[b]))
        leg = path_geometry(graph, path)
        if leg is not None:
            distance += float(sum(graph.length_m[i] for i in _edge_indices(graph, path)))
            coords += list(leg.coords) if not coords else list(leg.coords)[1:]
    return {
        "plan": plan,
        "line": shapely.LineString(coords) if len(coords) > 1 else None,
        "distance_m": distance,
        "method": f"road network '{request.network}', {request.mode} profile"
        + (f", edges in pollution zones x{ZONE_FACTOR:g}" if factor is not None else ""),
        "snap_m": {
            "start": round(float(snap[0]), 1),
            **{v["ref"]: round(float(d), 1) for v, d in zip(villages, snap[1:], strict=True)},
        },
    }


def _edge_indices(graph: RoadGraph, path: list[int]) -> list[int]:
    return [graph.edge_index(a, b) for a, b in zip(path[:-1], path[1:], strict=True)]


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def plan_village_tour(conn, request: TourRequest) -> dict[str, Any]:
    """Plan a day: stops in order with times, dropped stops with reasons, route line, totals."""
    if request.mode not in FALLBACK_KMH:
        raise ValidationError(f"mode must be one of {', '.join(FALLBACK_KMH)}")
    villages = _villages(conn, request)
    stops = _stops(villages, request.day)
    graph = _graph(conn, request.network)
    zones = _zones(conn)
    result = (
        _on_network(request, graph, villages, stops, zones)
        if graph is not None
        else _fallback(request, villages, stops)
    )
    plan = result["plan"]
    if request.avoid_pollution and graph is None:
        plan.notes.append(
            "avoiding pollution zones needs a road network: this route is not changed by it"
        )
    where = {v["ref"]: (v["lon"], v["lat"]) for v in villages}
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
                "lon": where[s["ref"]][0],
                "lat": where[s["ref"]][1],
            }
            for s in plan.schedule
        ],
        "dropped": plan.dropped,
        "notes": plan.notes,
        "end": _clock(plan.end_min),
        "travel_min": round(plan.travel_s / 60.0, 1),
        "distance_m": round(result["distance_m"], 1),
        "geometry": shapely.geometry.mapping(result["line"])
        if result["line"] is not None
        else None,
        "zone_m": round(_length_inside(result["line"], zones), 1),
    }
    if request.avoid_pollution:
        plain = plan_village_tour(
            conn, TourRequest(**{**request.__dict__, "avoid_pollution": False})
        )
        out["zone_m_without_option"] = plain["zone_m"]
    return out


def measurements_frame(
    conn,
    *,
    stations: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    medium: str = "air",
) -> pd.DataFrame:
    """Long frame of values: ``station``, ``parameter``, ``observed_at``, ``value`` (canonical units)."""
    import pandas as pd

    with conn.cursor() as cur:
        cur.execute(
            "SELECT s.ref, m.parameter, m.observed_at, m.value FROM measurements m "
            "JOIN monitoring_stations s ON s.id = m.station_id WHERE s.medium = %(medium)s "
            "AND (%(refs)s::text[] IS NULL OR s.ref = ANY(%(refs)s)) "
            "AND (%(start)s::timestamptz IS NULL OR m.observed_at >= %(start)s) "
            "AND (%(end)s::timestamptz IS NULL OR m.observed_at < %(end)s) ORDER BY 1, 2, 3",
            {"medium": medium, "refs": stations, "start": start, "end": end},
        )
        rows = cur.fetchall()
    frame = pd.DataFrame(rows, columns=["station", "parameter", "observed_at", "value"])
    frame["observed_at"] = pd.to_datetime(frame["observed_at"], utc=True)
    return frame


def _regulation(folder, name: str) -> dict:
    from layers.regulations import load_document

    return load_document(folder, name)


def station_aqi(
    conn,
    folder,
    station: str,
    *,
    daily: bool = False,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> pd.DataFrame:
    """Hourly (NowCast) or daily VN_AQI of one station."""
    from planning.aqi import table_from_document
    from planning.pollution import daily_aqi, hourly_aqi

    frame = measurements_frame(conn, stations=[station], start=start, end=end)
    if frame.empty:
        raise ValidationError(f"no air measurements for station {station!r} in that period")
    wide = frame.pivot_table(index="observed_at", columns="parameter", values="value")
    table = table_from_document(_regulation(folder, "vn_aqi_1459"))
    return (
        daily_aqi(wide, table, eight_hour=table.eight_hour or {})
        if daily
        else hourly_aqi(wide, table)
    )


def find_exceedances(
    conn,
    folder,
    *,
    stations: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    with_counts: bool = False,
):
    """QCVN 05 exceedances of the stored air measurements (and, ``with_counts``, how many
    periods were assessed and how many could not be: ``(exceedances, counts)``).
    """
    from planning.pollution import assess_air

    found, counts = assess_air(
        measurements_frame(conn, stations=stations, start=start, end=end),
        _regulation(folder, "qcvn05_air"),
    )
    return (found, counts) if with_counts else found


def latest_station_aqi(conn, folder) -> dict[str, dict[str, Any]]:
    """Each air station's hourly VN_AQI (NowCast) at its latest hour, with the band."""
    from planning.aqi import band, table_from_document
    from planning.pollution import hourly_aqi

    table = table_from_document(_regulation(folder, "vn_aqi_1459"))
    with conn.cursor() as cur:
        cur.execute(
            "SELECT max(observed_at) FROM measurements m JOIN monitoring_stations s ON s.id = m.station_id "
            "WHERE s.medium = 'air'"
        )
        (latest,) = cur.fetchone()
    if latest is None:
        return {}
    frame = measurements_frame(conn, start=latest - dt.timedelta(hours=12))
    out = {}
    for station, group in frame.groupby("station"):
        wide = group.pivot_table(index="observed_at", columns="parameter", values="value")
        last = hourly_aqi(wide, table).dropna().tail(1)
        if not last.empty:
            value = int(last["aqi"].iloc[0])
            out[station] = {
                "value": value,
                "dominant": last["dominant"].iloc[0],
                "band": dict(band(value, table)),
                "time": last.index[0].tz_convert("Asia/Ho_Chi_Minh").isoformat(),
                "verified": table.verified,
            }
    return out


def build_surface(
    conn,
    settings,
    parameter: str,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    cell_m: float = 500.0,
    margin_m: float = 3000.0,
) -> dict[str, Any]:
    """Interpolate the period mean of ``parameter`` by IDW and kriging, save a COG and a scenario."""
    import json

    from gis.crs import METRIC_CRS
    from gis.raster import write_cog
    from planning.surfaces import Grid, idw, idw_loo, kriging, kriging_loo

    with conn.cursor() as cur:
        cur.execute(
            "SELECT s.ref, ST_X(s.geom), ST_Y(s.geom), avg(m.value), count(*) FROM measurements m "
            "JOIN monitoring_stations s ON s.id = m.station_id WHERE m.parameter = %s AND s.geom IS NOT NULL "
            "AND m.quality_flag IN ('ok', 'synthetic') "
            "AND (%s::timestamptz IS NULL OR m.observed_at >= %s) AND (%s::timestamptz IS NULL OR m.observed_at < %s) "
            "GROUP BY s.ref, s.geom",
            (parameter, start, start, end, end),
        )
        rows = cur.fetchall()
    if len(rows) < 3:
        raise ValidationError(
            f"{parameter}: {len(rows)} stations with coordinates have values in that period; "
            "a surface needs at least 3"
        )
    refs = [r[0] for r in rows]
    x, y = project_to_metric(np.array([r[1] for r in rows]), np.array([r[2] for r in rows]))
    values = np.array([float(r[3]) for r in rows])
    grid = Grid.around(x, y, cell=cell_m, margin=margin_m)
    bands = {"idw": idw(x, y, values, grid)}
    result: dict[str, Any] = {
        "parameter": parameter,
        "stations": refs,
        "cell_m": cell_m,
        "loo_rmse": {"idw": idw_loo(x, y, values)},
        "notes": [],
    }
    if len(rows) >= 5:
        surface, variance, fitted = kriging(x, y, values, grid)
        bands.update(kriging=surface, kriging_variance=variance)
        result["loo_rmse"]["kriging"] = kriging_loo(x, y, values)
        result["variogram"] = {k: float(v) for k, v in fitted.items()}
    else:
        result["notes"].append("kriging needs at least 5 stations: IDW only")
    result["band_max"] = {name: float(np.nanmax(band)) for name, band in bands.items()}
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO scenarios (kind, name, params, results) VALUES ('surface', %s, %s, %s) RETURNING id",
            (
                f"{parameter} surface",
                json.dumps(
                    {"parameter": parameter, "start": str(start), "end": str(end), "cell_m": cell_m}
                ),
                json.dumps(result, default=str),
            ),
        )
        (scenario_id,) = cur.fetchone()
        path = write_cog(
            settings.raster_path(f"surface-{scenario_id}-{parameter.replace('.', '')}"),
            bands,
            transform=grid.transform,
            crs=METRIC_CRS,
        )
        cur.execute(
            "INSERT INTO rasters (scenario_id, kind, path, epsg, cell_size_m) VALUES (%s, 'surface', %s, 32648, %s)",
            (scenario_id, str(path), cell_m),
        )
    conn.commit()
    return {**result, "scenario_id": scenario_id, "path": str(path), "bands": list(bands)}


def make_source_zones(conn, settings, day: dt.date) -> int:
    """Replace the source-based zones of ``day``: buffers around polluting villages by craft."""
    import yaml

    from gis.crs import METRIC_CRS
    from gis.postgis import read_geodataframe
    from planning.zones import source_buffers

    rules = yaml.safe_load(
        (settings.sample_data / "zones" / "source_buffers.yaml").read_text(encoding="utf-8")
    )
    villages = read_geodataframe(
        conn, "SELECT id, ref, name, craft, ST_AsBinary(geom) AS geom FROM craft_villages"
    )
    zones = source_buffers(villages.to_crs(METRIC_CRS), rules["distances_m"]).to_crs(4326)
    ids = dict(zip(villages["ref"], villages["id"], strict=True))
    with conn.cursor() as cur:
        cur.execute(
            "DELETE FROM pollution_zones WHERE kind = 'source_buffer' AND zone_date = %s", (day,)
        )
        for row in zones.itertuples():
            cur.execute(
                "INSERT INTO pollution_zones (ref, name, kind, method, zone_date, severity, village_id, source, geom) "
                "VALUES (%s, %s, 'source_buffer', %s, %s, %s, %s, %s, ST_Multi(ST_GeomFromText(%s, 4326)))",
                (
                    f"src:{row.ref}:{day.isoformat()}",
                    f"Vùng ảnh hưởng {row.name}",
                    f"buffer {row.distance_m:g} m by craft {row.craft}",
                    day,
                    "high" if row.distance_m >= 500 else "medium",
                    ids[row.ref],
                    rules["source"],
                    row.geometry.wkt,
                ),
            )
    conn.commit()
    return len(zones)


def make_surface_zones(
    conn, settings, scenario_id: int, *, limit: float | None = None, band: str | None = None
) -> dict[str, Any]:
    """Store the polygons where a saved surface exceeds ``limit`` (default: the QCVN 05 24-hour
    limit of its parameter in force on the surface's date) as ``surface_exceedance`` zones dated
    by the surface's period start; the zones of that surface are replaced.
    """
    import json

    import rasterio

    from planning import rules
    from planning.pollution import limit_in_force
    from planning.zones import exceedance_polygons

    with conn.cursor() as cur:
        cur.execute(
            "SELECT s.params, r.path FROM scenarios s JOIN rasters r ON r.scenario_id = s.id "
            "WHERE s.id = %s AND s.kind = 'surface' AND r.kind = 'surface'",
            (scenario_id,),
        )
        row = cur.fetchone()
    if row is None:
        raise ValidationError(f"scenario {scenario_id} is not a saved surface")
    params, path = row
    parameter = params["parameter"]
    start = params.get("start")
    day = (
        rules.local_date(start)
        if start and start != "None"
        else rules.local_date(dt.datetime.now(dt.UTC))
    )
    document = "given"
    if limit is None:
        found = limit_in_force(
            _regulation(settings.sample_data / "regulations", "qcvn05_air"), parameter, "24h", day
        )
        if found is None or found.get("value") is None:
            raise ValidationError(
                f"no QCVN 05 24-hour limit for {parameter} on {day}: give --limit"
            )
        limit, document = float(found["value"]), found["document"]
    with rasterio.open(path) as src:
        names = list(src.descriptions)
        band = band or ("kriging" if "kriging" in names else names[0])
        if band not in names:
            raise ValidationError(f"surface {scenario_id} has bands {names}, not {band!r}")
        surface = src.read(names.index(band) + 1, masked=True).filled(np.nan)
        polygons = exceedance_polygons(surface, src.transform, src.crs, limit).to_crs(4326)
    prefix = f"surf:{scenario_id}:"
    with conn.cursor() as cur:
        cur.execute("DELETE FROM pollution_zones WHERE ref LIKE %s", (prefix + "%",))
        for i, geom in enumerate(polygons.geometry, start=1):
            cur.execute(
                "INSERT INTO pollution_zones (ref, name, kind, parameter, method, zone_date, severity, source, geom) "
                "VALUES (%s, %s, 'surface_exceedance', %s, %s, %s, 'high', %s, ST_Multi(ST_GeomFromText(%s, 4326)))",
                (
                    f"{prefix}{i}",
                    f"{parameter} > {limit:g}",
                    parameter,
                    f"{band} surface {scenario_id} above {limit:g} ({document})",
                    day,
                    json.dumps({"scenario": scenario_id}),
                    geom.wkt,
                ),
            )
    conn.commit()
    return {
        "zones": len(polygons),
        "limit": limit,
        "document": document,
        "band": band,
        "date": str(day),
        "parameter": parameter,
    }


def zone_changes(
    conn, before: dt.date, after: dt.date, *, kind: str = "source_buffer"
) -> pd.DataFrame:
    """How the zones of ``kind`` changed between two dates (keyed by village or zone name)."""
    from gis.crs import METRIC_CRS
    from gis.postgis import read_geodataframe
    from planning.zones import diff_zones

    def load(day: dt.date):
        frame = read_geodataframe(
            conn,
            "SELECT split_part(ref, ':', 2) AS ref, ST_AsBinary(geom) AS geom "
            "FROM pollution_zones WHERE kind = %(kind)s AND zone_date = %(day)s",
            {"kind": kind, "day": day},
        )
        return frame.to_crs(METRIC_CRS)

    return diff_zones(load(before), load(after))


def run_alerts(conn, folder) -> int:
    """Evaluate every active rule on the stored air measurements; store new alerts; return how many."""
    from planning.alerts import episodes

    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, parameter, threshold, aqi_at_least, min_hours, station_ref FROM alert_rules "
            "WHERE active"
        )
        rules = cur.fetchall()
    created = 0
    for rule_id, parameter, threshold, aqi_at_least, min_hours, station in rules:
        frame = measurements_frame(conn, stations=[station] if station else None)
        for ref, group in frame.groupby("station"):
            if parameter is not None:
                series = group[group["parameter"] == parameter].set_index("observed_at")["value"]
                level, strict = threshold, True
            else:
                series = station_aqi(conn, folder, ref)["aqi"].dropna()
                level, strict = aqi_at_least, False
            if series.empty:
                continue
            found = episodes(series, level=level, min_hours=min_hours, strict=strict)
            with conn.cursor() as cur:
                for row in found.itertuples():
                    cur.execute(
                        "INSERT INTO alerts (rule_id, station_ref, started_at, ended_at, hours, peak) "
                        "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (rule_id, station_ref, started_at) "
                        "DO UPDATE SET ended_at = EXCLUDED.ended_at, hours = EXCLUDED.hours, peak = EXCLUDED.peak "
                        "RETURNING (xmax = 0)",
                        (
                            rule_id,
                            ref,
                            row.start.to_pydatetime(),
                            row.end.to_pydatetime(),
                            int(row.hours),
                            row.peak,
                        ),
                    )
                    created += int(cur.fetchone()[0])
    conn.commit()
    return created


#: OSM POI classes -> exposure facility kind.
FACILITY_KINDS = {
    "school": "school",
    "kindergarten": "school",
    "college": "school",
    "university": "school",
    "hospital": "clinic",
    "clinic": "clinic",
    "doctors": "clinic",
}
SEVERITY_WEIGHT = {"high": 3.0, "medium": 2.0, "low": 1.0}


def assess_exposure(
    conn,
    settings,
    *,
    day: dt.date | None = None,
    kind: str | None = None,
    facilities: Path | None = None,
    version: str = "2025-07",
    level: str = "commune",
    save_as: str | None = None,
) -> dict[str, Any]:
    """Exposure of the zones of ``day`` (default: the latest zone date): per zone and per unit."""
    import json

    import geopandas as gpd
    import pandas as pd

    from gis.crs import METRIC_CRS
    from gis.postgis import read_geodataframe
    from planning.exposure import rank_units, zone_exposure

    with conn.cursor() as cur:
        cur.execute(
            "SELECT max(zone_date) FROM pollution_zones WHERE %s::text IS NULL OR kind = %s",
            (kind, kind),
        )
        latest = cur.fetchone()[0]
    day = day or latest
    if day is None:
        raise ValidationError(
            "no pollution zones stored yet: run `langnghe zones sources` or build them from a surface"
        )
    zones = read_geodataframe(
        conn,
        "SELECT ref, name, kind, coalesce(severity, 'medium') AS severity, "
        "ST_AsBinary(geom) AS geom FROM pollution_zones WHERE zone_date = %s "
        "AND (%s::text IS NULL OR kind = %s) ORDER BY ref",
        (day, kind, kind),
    )
    if not len(zones):
        raise ValidationError(f"no pollution zones on {day}" + (f" of kind {kind}" if kind else ""))
    zones = zones.to_crs(METRIC_CRS)
    zones["weight"] = zones["severity"].map(SEVERITY_WEIGHT).fillna(2.0)
    box = zones.to_crs(4326).total_bounds
    villages = read_geodataframe(
        conn,
        "SELECT ref, name, ST_AsBinary(geom) AS geom FROM craft_villages "
        "WHERE ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))",
        tuple(float(v) for v in box),
    ).to_crs(METRIC_CRS)
    # Every unit of the level: percentiles are among all of them, not only those near the zones.
    units = read_geodataframe(
        conn,
        "SELECT code, name, population, ST_AsBinary(geom) AS geom FROM admin_units "
        "WHERE version = %s AND level = %s",
        (version, level),
    ).to_crs(METRIC_CRS)
    notes = []
    if facilities is not None:
        pois = pd.concat(
            [
                gpd.read_file(facilities, layer=layer, bbox=tuple(box), engine="pyogrio")
                for layer in ("pois", "pois_a")
            ],
            ignore_index=True,
        )
        pois = pois[pois["fclass"].isin(FACILITY_KINDS)]
        facility_gdf = gpd.GeoDataFrame(
            {"kind": pois["fclass"].map(FACILITY_KINDS), "name": pois["name"]},
            geometry=pois.geometry,
            crs=pois.crs,
        ).to_crs(METRIC_CRS)
    else:
        facility_gdf = gpd.GeoDataFrame({"kind": [], "name": []}, geometry=[], crs=METRIC_CRS)
        notes.append("no facilities file: schools and clinics not counted")
    if not len(units):
        notes.append(f"no {level} units of {version} loaded here: population and ranking unknown")
    per_zone = zone_exposure(zones, villages, facility_gdf, units)
    ranking = rank_units(zones, units, weight="weight") if len(units) else pd.DataFrame()
    exposed = ranking[ranking["indicator"] > 0] if len(ranking) else ranking
    result = {
        "date": str(day),
        "kind": kind,
        "zones": len(zones),
        "unit_version": version,
        "unit_level": level,
        "population_inside": round(float(per_zone["population"].sum()), 0),
        "villages_inside": int(per_zone["villages"].sum()),
        "schools_inside": int(per_zone["schools"].sum()),
        "clinics_inside": int(per_zone["clinics"].sum()),
        "notes": notes,
        "per_zone": json.loads(per_zone.to_json(orient="records", force_ascii=False)),
        "ranking": json.loads(exposed.to_json(orient="records", force_ascii=False))
        if len(exposed)
        else [],
    }
    if save_as:
        from planning.pipeline_planners import save_scenario

        features = {}
        if len(exposed):
            ranked = units.merge(
                exposed[["code", "indicator", "percentile", "score", "rank"]], on="code"
            )
            features["unit"] = ranked
        result["scenario_id"] = save_scenario(
            conn,
            "exposure",
            save_as,
            {
                "date": str(day),
                "kind": kind,
                "facilities": str(facilities) if facilities else None,
                "version": version,
                "level": level,
            },
            {},
            result,
            features,
        )
        conn.commit()
    return result


def water_status(
    conn,
    settings,
    station: str,
    *,
    day: dt.date | None = None,
    wastewater: bool = False,
    column: str = "B",
    kq: float | None = None,
    kf: float = 1.0,
) -> dict[str, Any]:
    """A water station's daily means on ``day`` (default: its latest local day) against the
    QCVN 08 in force that day (river class, health limits) and, for a discharge, the QCVN 40
    that applies to its facility (commissioning / EIA dates) on that day. Without ``kq``
    (flow data), Kq follows the station's receiving water (river 0.9, lake 0.6).
    """
    from planning.water import health_exceedances, river_class, wastewater_check

    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, medium, water_body, facility_commissioned, facility_eia_approved, "
            "facility_craft FROM monitoring_stations WHERE ref = %s",
            (station,),
        )
        row = cur.fetchone()
        if row is None:
            raise ValidationError(f"unknown station {station!r}")
        if row[1] != "water":
            raise ValidationError(f"station {station!r} measures {row[1]}, not water")
        cur.execute(
            "SELECT (max(observed_at) AT TIME ZONE %s)::date FROM measurements WHERE station_id = %s",
            (settings.timezone, row[0]),
        )
        latest = cur.fetchone()[0]
        day = day or latest
        if day is None:
            raise ValidationError(f"station {station!r} has no measurements")
        cur.execute(
            "SELECT parameter, avg(value), count(*) FROM measurements WHERE station_id = %s "
            "AND (observed_at AT TIME ZONE %s)::date = %s AND quality_flag IN ('ok', 'synthetic') "
            "GROUP BY parameter ORDER BY parameter",
            (row[0], settings.timezone, day),
        )
        values = {p: float(v) for p, v, _n in cur.fetchall()}
    if not values:
        raise ValidationError(f"station {station!r} has no usable values on {day}")
    water_body, commissioned, eia, craft = row[2:6]
    since = min((d for d in (commissioned, eia) if d is not None), default=None)
    folder = settings.sample_data / "regulations"
    qcvn08 = _regulation(folder, "qcvn08_surface_water")
    out = {
        "station": station,
        "date": str(day),
        "values": values,
        "water_body": water_body,
        "river": river_class(values, qcvn08, sampled_on=day, water_body=water_body),
        "health": health_exceedances(values, qcvn08, sampled_on=day),
    }
    if wastewater:
        out["facility_since"] = since.isoformat() if since else None
        out["wastewater"] = wastewater_check(
            values,
            day,
            _regulation(folder, "qcvn40_wastewater"),
            column=column,
            kq=kq,
            kf=kf,
            receiving=water_body,
            facility_since=since,
            craft=craft,
        )
    return out


def village_rules(conn, settings, ref: str, *, on: dt.date | None = None) -> dict[str, Any]:
    """A village's recorded recognition and the Decree 52/2018 Art. 5 criteria its data meets
    (pass / fail / unknown / confirm), and whether Decree 08/2022 Appendix II lists its craft.
    """
    from gis.db import fetch_one
    from planning.craft_rules import VillageFacts, appendix2_status, recognition_check
    from planning.rules import local_date

    row = fetch_one(
        conn,
        "SELECT ref, craft, recognition, recognition_date, recognition_decision, households, "
        "craft_households, production_since_year, craft_since_year, workers "
        "FROM craft_villages WHERE ref = %s",
        (ref,),
        missing=f"craft village {ref!r} does not exist",
    )
    workers = row.pop("workers")
    facts = VillageFacts(**row, still_practised=True if workers else None)
    folder = settings.sample_data / "regulations"
    day = on or local_date(dt.datetime.now(dt.UTC))
    checks = recognition_check(facts, _regulation(folder, "decree52_craft_villages"), on=day)
    return {
        "ref": ref,
        "craft": facts.craft,
        "checked_on": day.isoformat(),
        "recognition": [r.as_dict() for r in checks],
        "appendix2": appendix2_status(facts.craft, _regulation(folder, "decree08_appendix2")),
    }
