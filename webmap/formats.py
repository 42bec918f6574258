"""Documents built from results for download or print: GPX, GeoJSON and SVG sketches.

Serialisers only: each takes a plan, a route or a scenario's features and returns text;
the views send it. Nothing here reads the database or the request.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import gpxpy.gpx
from markupsafe import Markup, escape
from pyproj import Transformer

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["route_svg", "scenario_svg", "tour_geojson", "tour_gpx"]


def tour_gpx(plan: dict, *, title: str | None = None) -> str:
    """GPX 1.1 of a plan or curated route: the line as a track, the stops as waypoints (gpxpy)."""
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "LangNghe GIS"
    for stop in plan["stops"]:
        when = (
            f"{stop['arrive']}-{stop['leave']}"
            if "arrive" in stop
            else f"{stop.get('minutes') or ''} min"
        )
        gpx.waypoints.append(
            gpxpy.gpx.GPXWaypoint(stop["lat"], stop["lon"], name=stop["name"], description=when)
        )
    if plan["geometry"]:
        track = gpxpy.gpx.GPXTrack(name=title or ("LangNghe tour " + plan.get("day", "")))
        segment = gpxpy.gpx.GPXTrackSegment()
        segment.points = [
            gpxpy.gpx.GPXTrackPoint(lat, lon) for lon, lat in plan["geometry"]["coordinates"]
        ]
        track.segments.append(segment)
        gpx.tracks.append(track)
    return gpx.to_xml(version="1.1")


def tour_geojson(plan: dict) -> dict:
    """A localized plan as a FeatureCollection: the route line, then a point per stop with times."""
    features = (
        [
            {
                "type": "Feature",
                "geometry": plan["geometry"],
                "properties": {
                    "kind": "route",
                    "distance_m": plan["distance_m"],
                    "travel_min": plan["travel_min"],
                    "method": plan["method"]["text"],
                    "day": plan["day"],
                },
            }
        ]
        if plan["geometry"]
        else []
    )
    features += [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
            "properties": {
                "kind": "stop",
                "order": i,
                "ref": s["ref"],
                "name": s["name"],
                "arrive": s["arrive"],
                "leave": s["leave"],
            },
        }
        for i, s in enumerate(plan["stops"], start=1)
    ]
    return {"type": "FeatureCollection", "features": features}


def route_svg(geometry: dict | None, stops: list[dict], size: int = 600) -> dict:
    """Project the route into an SVG box (equirectangular, scaled by cos(lat)).

    Parameters
    ----------
    geometry : dict or None
        The route line (GeoJSON); without one, the stops in order.
    stops : list of dict
        The stops, with ``lon``, ``lat`` and ``name``.
    size : int
        Width and height of the square box, pixels.

    Returns
    -------
    dict
        ``line`` (SVG points), ``points`` (numbered stops with their ``xy``) and ``size``.
    """
    coords = (geometry or {}).get("coordinates") or [[s["lon"], s["lat"]] for s in stops]
    if not coords:
        return {"line": "", "points": [], "size": size}
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    k = math.cos(math.radians(sum(ys) / len(ys)))
    span = max((max(xs) - min(xs)) * k, max(ys) - min(ys), 1e-6)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (
            20 + (lon - min(xs)) * k / span * (size - 40),
            size - 20 - (lat - min(ys)) / span * (size - 40),
        )

    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (project(*c) for c in coords))
    points = [
        {"n": i, "name": s["name"], "xy": project(s["lon"], s["lat"])}
        for i, s in enumerate(stops, start=1)
    ]
    return {"line": line, "points": points, "size": size}


def scenario_svg(gdf: gpd.GeoDataFrame, overlay: dict[str, Any] | None, *, width: int = 640) -> str:
    """A small SVG map of a scenario's features (Web Mercator), the suitability image under them.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The scenario's features in EPSG:4326, with ``role`` (and ``rank``, ``chosen``).
    overlay : dict or None
        The suitability image: its ``url`` and ``bounds`` ``[[south, west], [north, east]]``.
    width : int
        Width of the drawing, pixels; the height follows the extent.

    Returns
    -------
    str
        The ``<svg>`` element (markup-safe), or an empty string when there is nothing to draw.
    """
    if not len(gdf) and overlay is None:
        return ""
    t = Transformer.from_crs(4326, 3857, always_xy=True)
    bounds = list(gdf.total_bounds) if len(gdf) else []
    if overlay is not None:
        (s, w), (n, e) = overlay["bounds"]
        bounds = (
            [w, s, e, n]
            if not bounds
            else [min(bounds[0], w), min(bounds[1], s), max(bounds[2], e), max(bounds[3], n)]
        )
    (x0, x1), (y0, y1) = t.transform([bounds[0], bounds[2]], [bounds[1], bounds[3]])
    pad = 0.05 * max(x1 - x0, y1 - y0, 500)
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    height = int(width * (y1 - y0) / (x1 - x0))

    def xy(lon, lat):
        x, y = t.transform(lon, lat)
        return (x - x0) / (x1 - x0) * width, (y1 - y) / (y1 - y0) * height

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" '
        'class="report-map" role="img"><rect width="100%" height="100%" fill="#f4f4f0"/>'
    ]
    if overlay is not None:
        (s, w), (n, e) = overlay["bounds"]
        ax, ay = xy(w, n)
        bx, by = xy(e, s)
        parts.append(
            f'<image href="{escape(overlay["url"])}" x="{ax:.1f}" y="{ay:.1f}" '
            f'width="{bx - ax:.1f}" '
            f'height="{by - ay:.1f}" preserveAspectRatio="none"/>'
        )
    styles = {
        "candidate": 'fill="#1a9850" fill-opacity="0.35" stroke="#0b5d2e" stroke-width="1.5"',
        "site": 'fill="#1565c0" stroke="#fff"',
        "assignment": 'stroke="#6a1b9a" stroke-width="1.2" fill="none"',
    }
    chosen = gdf["chosen"] if "chosen" in gdf.columns else [None] * len(gdf)
    labels = gdf["rank"] if "rank" in gdf.columns else gdf["role"]
    for role, geom, label, opened in zip(gdf["role"], gdf.geometry, labels, chosen, strict=True):
        style = styles.get(role, 'fill="#888" stroke="#333"')
        if role == "site" and opened is False:
            style = 'fill="#b0bec5" stroke="#fff"'
        for part in getattr(geom, "geoms", [geom]):
            if part.geom_type == "Polygon":
                d = (
                    " ".join(
                        f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}"
                        for i, (px, py) in enumerate(xy(*c) for c in part.exterior.coords)
                    )
                    + "Z"
                )
                parts.append(f'<path d="{d}" {style}/>')
                cx, cy = xy(*part.representative_point().coords[0])
                parts.append(
                    f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="11" text-anchor="middle">'
                    f"{escape(label)}</text>"
                )
            elif part.geom_type == "LineString":
                pts = [xy(*c) for c in part.coords]
                points = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
                parts.append(f'<polyline points="{points}" {style}/>')
                parts.append(
                    f'<circle cx="{pts[0][0]:.1f}" cy="{pts[0][1]:.1f}" r="3.5" '
                    'fill="#dc8a1c" stroke="#fff"/>'
                )
            elif part.geom_type == "Point":
                px, py = xy(part.x, part.y)
                radius = 7 if role == "site" and opened else 4
                parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{radius}" {style}/>')
    parts.append("</svg>")
    return Markup("".join(parts))
