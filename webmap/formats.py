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


_NICE = (1, 2, 5)


def _nice(value: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above ``value``."""
    power = 10 ** math.floor(math.log10(value))
    return max(k * power for k in _NICE if k * power <= value)


def _path(part, xy) -> str:
    rings = [part.exterior, *part.interiors]
    return " ".join(
        " ".join(
            f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}"
            for i, (px, py) in enumerate(xy(*c[:2]) for c in ring.coords)
        )
        + "Z"
        for ring in rings
    )


def _polygons(geom) -> list:
    return [p for p in getattr(geom, "geoms", [geom]) if p.geom_type == "Polygon"]


def scenario_svg(
    gdf: gpd.GeoDataFrame,
    overlay: dict[str, Any] | None,
    *,
    width: int = 640,
    labels: dict[str, str] | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    study_bbox: list[float] | None = None,
) -> str:
    """An SVG map of a scenario's features (Web Mercator), the suitability image under them.

    The map carries a coordinate grid (degrees), a scale bar, a north arrow, the
    administrative boundaries and a legend; each candidate is labelled once (on its
    largest part), each site by its number.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The scenario's features in EPSG:4326, with ``role`` (and ``rank``, ``chosen``).
    overlay : dict or None
        The suitability image: its ``href`` (or ``url``) and ``bounds``
        ``[[south, west], [north, east]]``.
    width : int
        Width of the drawing, pixels; the height follows the extent.
    labels : dict, optional
        The legend's words in the page's language: ``suitability``, ``low``, ``high``,
        ``candidate``, ``site``, ``site_closed``, ``assignment``, ``boundary``, ``study_area``,
        ``north``.
    boundaries : geopandas.GeoDataFrame, optional
        Administrative units (``name``, polygons in EPSG:4326) to outline and name.
    study_bbox : list of float, optional
        The study area ``[west, south, east, north]``, outlined.

    Returns
    -------
    str
        The ``<svg>`` element (markup-safe), or an empty string when there is nothing to draw.
    """
    words = {
        "suitability": "Suitability",
        "low": "low",
        "high": "high",
        "candidate": "candidate",
        "site": "site",
        "site_closed": "site not chosen",
        "assignment": "village → site",
        "boundary": "boundary",
        "study_area": "study area",
        "north": "N",
        "deg_east": "°E",
        "deg_north": "°N",
        "locale": "en",
        **(labels or {}),
    }
    if not len(gdf) and overlay is None and not study_bbox:
        return ""
    t = Transformer.from_crs(4326, 3857, always_xy=True)
    boxes = []
    if len(gdf):
        boxes.append(list(gdf.total_bounds))
    if overlay is not None:
        (s, w), (n, e) = overlay["bounds"]
        boxes.append([w, s, e, n])
    if study_bbox:
        boxes.append(list(study_bbox))
    bounds = [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]
    (x0, x1), (y0, y1) = t.transform([bounds[0], bounds[2]], [bounds[1], bounds[3]])
    pad = 0.06 * max(x1 - x0, y1 - y0, 500)
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    legend_h = 58
    map_h = int(width * (y1 - y0) / (x1 - x0))
    height = map_h + legend_h

    def xy(lon: float, lat: float) -> tuple[float, float]:
        x, y = t.transform(lon, lat)
        return (x - x0) / (x1 - x0) * width, (y1 - y) / (y1 - y0) * map_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" class="report-map" role="img" '
        'font-family="Be Vietnam Pro, sans-serif">'
        f'<rect width="{width}" height="{map_h}" fill="#f4f4f0"/>'
    ]
    if overlay is not None:
        (s, w), (n, e) = overlay["bounds"]
        ax, ay = xy(w, n)
        bx, by = xy(e, s)
        href = overlay.get("href") or overlay["url"]
        parts.append(
            f'<image href="{escape(href)}" x="{ax:.1f}" y="{ay:.1f}" width="{bx - ax:.1f}" '
            f'height="{by - ay:.1f}" preserveAspectRatio="none" opacity="0.8"/>'
        )
    if boundaries is not None and len(boundaries):
        for name, geom in zip(boundaries["name"], boundaries.geometry, strict=True):
            polys = _polygons(geom)
            for part in polys:
                parts.append(
                    f'<path d="{_path(part, xy)}" fill="none" stroke="#6d4c41" '
                    'stroke-width="1" stroke-dasharray="5 3"/>'
                )
            if polys:
                big = max(polys, key=lambda p: p.area)
                cx, cy = xy(*big.representative_point().coords[0])
                parts.append(
                    f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="10" fill="#6d4c41" '
                    f'text-anchor="middle" font-style="italic">{escape(name)}</text>'
                )
    if study_bbox:
        ax, ay = xy(study_bbox[0], study_bbox[3])
        bx, by = xy(study_bbox[2], study_bbox[1])
        parts.append(
            f'<rect x="{ax:.1f}" y="{ay:.1f}" width="{bx - ax:.1f}" height="{by - ay:.1f}" '
            'fill="none" stroke="#222" stroke-width="1.5"/>'
        )
    parts += _features(gdf, xy)
    parts += _grid(t, (x0, x1, y0, y1), width, map_h, words)
    parts += _scale_and_north((x0, x1, y0, y1), width, map_h, words["north"])
    parts += _legend(
        width, map_h, words, overlay is not None, set(gdf["role"]) if len(gdf) else set()
    )
    parts.append("</svg>")
    return Markup("".join(parts))


_STYLES = {
    "candidate": 'fill="#1a9850" fill-opacity="0.25" stroke="#0b3d91" stroke-width="2"',
    "site": 'fill="#1565c0" stroke="#fff" stroke-width="1.5"',
    "site_closed": 'fill="#b0bec5" stroke="#fff"',
    "assignment": 'stroke="#6a1b9a" stroke-width="1.2" fill="none"',
}


def _label(x: float, y: float, text: Any) -> str:
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="8" fill="#fff" stroke="#0b3d91"/>'
        f'<text x="{x:.1f}" y="{y + 3.5:.1f}" font-size="10" font-weight="600" '
        f'text-anchor="middle" fill="#0b3d91">{escape(text)}</text>'
    )


def _features(gdf: gpd.GeoDataFrame, xy) -> list[str]:
    parts: list[str] = []
    if not len(gdf):
        return parts
    chosen = gdf["chosen"] if "chosen" in gdf.columns else [None] * len(gdf)
    ranks = gdf["rank"] if "rank" in gdf.columns else [None] * len(gdf)
    labels_after: list[str] = []
    for role, geom, rank, opened in zip(gdf["role"], gdf.geometry, ranks, chosen, strict=True):
        if geom is None:
            continue
        style = _STYLES.get(role, 'fill="#888" stroke="#333"')
        polys = _polygons(geom)
        for part in polys:
            parts.append(f'<path d="{_path(part, xy)}" {style}/>')
        if polys and rank is not None and rank == rank:
            big = max(polys, key=lambda p: p.area)
            lx, ly = xy(*big.representative_point().coords[0][:2])
            labels_after.append(_label(lx, ly, int(rank)))
        for part in getattr(geom, "geoms", [geom]):
            if part.geom_type == "LineString":
                pts = [xy(*c[:2]) for c in part.coords]
                points = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
                parts.append(f'<polyline points="{points}" {_STYLES["assignment"]}/>')
                parts.append(
                    f'<circle cx="{pts[0][0]:.1f}" cy="{pts[0][1]:.1f}" r="3.5" '
                    'fill="#dc8a1c" stroke="#fff"/>'
                )
            elif part.geom_type == "Point":
                px, py = xy(part.x, part.y)
                closed = role == "site" and opened is False
                radius = 4 if closed else 7
                look = _STYLES["site_closed"] if closed else style
                parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{radius}" {look}/>')
    return parts + labels_after


def _grid(
    t: Transformer, frame: tuple[float, ...], width: int, map_h: int, words: dict[str, str]
) -> list[str]:
    from babel.numbers import format_decimal

    def degrees(value: float, suffix: str) -> str:
        return f"{format_decimal(value, format='0.000', locale=words['locale'])}{suffix}"

    x0, x1, y0, y1 = frame
    (lon0, lon1), (lat0, lat1) = t.transform([x0, x1], [y0, y1], direction="INVERSE")
    step = _nice(max(lon1 - lon0, lat1 - lat0) / 4)
    parts = []
    lon = math.ceil(lon0 / step) * step
    while lon < lon1:
        x = (t.transform(lon, lat0)[0] - x0) / (x1 - x0) * width
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{map_h}" stroke="#000" '
            'stroke-opacity="0.25" stroke-width="0.6"/>'
            f'<text x="{x + 2:.1f}" y="10" font-size="8" fill="#333">'
            f"{degrees(lon, words['deg_east'])}</text>"
        )
        lon += step
    lat = math.ceil(lat0 / step) * step
    while lat < lat1:
        y = (y1 - t.transform(lon0, lat)[1]) / (y1 - y0) * map_h
        parts.append(
            f'<line x1="0" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" stroke="#000" '
            'stroke-opacity="0.25" stroke-width="0.6"/>'
            f'<text x="2" y="{y - 2:.1f}" font-size="8" fill="#333">'
            f"{degrees(lat, words['deg_north'])}</text>"
        )
        lat += step
    return parts


def _scale_and_north(frame: tuple[float, ...], width: int, map_h: int, north: str) -> list[str]:
    x0, x1, y0, y1 = frame
    lat = math.degrees(2 * math.atan(math.exp((y0 + y1) / 2 / 6378137.0)) - math.pi / 2)
    metres_per_px = (x1 - x0) / width * math.cos(math.radians(lat))
    length_m = _nice(metres_per_px * width / 4)
    bar = length_m / metres_per_px
    text = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
    bx, by = width - bar - 16, map_h - 14
    return [
        f'<rect x="{bx - 6:.1f}" y="{by - 16:.1f}" width="{bar + 12:.1f}" height="24" '
        'fill="#fff" fill-opacity="0.8"/>'
        f'<rect x="{bx:.1f}" y="{by:.1f}" width="{bar / 2:.1f}" height="4" fill="#111"/>'
        f'<rect x="{bx + bar / 2:.1f}" y="{by:.1f}" width="{bar / 2:.1f}" height="4" '
        'fill="#fff" stroke="#111" stroke-width="0.8"/>'
        f'<text x="{bx + bar / 2:.1f}" y="{by - 4:.1f}" font-size="9" text-anchor="middle">'
        f"{text}</text>",
        f'<g transform="translate({width - 24},{22})"><rect x="-12" y="-16" width="24" '
        'height="34" fill="#fff" fill-opacity="0.8"/>'
        '<path d="M0,-13 L7,7 L0,2 L-7,7 Z" fill="#111"/>'
        f'<text x="0" y="16" font-size="9" text-anchor="middle" font-weight="600">'
        f"{escape(north)}</text></g>",
    ]


def _legend(width: int, map_h: int, words: dict[str, str], ramp: bool, roles: set) -> list[str]:
    y = map_h + 8
    parts = [f'<rect y="{map_h}" width="{width}" height="58" fill="#fff"/>']
    x = 8
    if ramp:
        colours = ("#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850")
        parts.append(
            f'<text x="{x}" y="{y + 8}" font-size="10" font-weight="600">'
            f"{escape(words['suitability'])}</text>"
        )
        for i, colour in enumerate(colours):
            parts.append(
                f'<rect x="{x + i * 22}" y="{y + 14}" width="22" height="10" fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{x}" y="{y + 36}" font-size="9">{escape(words["low"])}</text>'
            f'<text x="{x + 110}" y="{y + 36}" font-size="9" text-anchor="end">'
            f"{escape(words['high'])}</text>"
        )
        x += 130
    items = [
        (
            "boundary",
            '<line x1="0" y1="5" x2="18" y2="5" stroke="#6d4c41" stroke-dasharray="5 3"/>',
        ),
        (
            "study_area",
            '<rect x="0" y="0" width="18" height="10" fill="none" '
            'stroke="#222" stroke-width="1.5"/>',
        ),
    ]
    if "candidate" in roles:
        items.append(
            ("candidate", f'<rect x="0" y="0" width="18" height="10" {_STYLES["candidate"]}/>')
        )
    if "site" in roles:
        items.append(("site", f'<circle cx="9" cy="5" r="5" {_STYLES["site"]}/>'))
        items.append(("site_closed", f'<circle cx="9" cy="5" r="4" {_STYLES["site_closed"]}/>'))
    if "assignment" in roles:
        items.append(
            ("assignment", f'<line x1="0" y1="5" x2="18" y2="5" {_STYLES["assignment"]}/>')
        )
    per_row = max(1, (width - x) // 165)
    for i, (key, symbol) in enumerate(items):
        cx = x + (i % per_row) * 165
        cy = y + 4 + (i // per_row) * 16
        parts.append(
            f'<g transform="translate({cx},{cy})">{symbol}'
            f'<text x="24" y="9" font-size="10">{escape(words[key])}</text></g>'
        )
    return parts
