"""Tour planning endpoints: the plan as JSON, and as GPX."""

from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, Response, jsonify, request

from planning.pipeline import THEMES, TourRequest, plan_village_tour
from webmap.db import get_conn
from webmap.errors import BadParameter
from webmap.i18n import current_lang
from webmap.messages import localize
from webmap.params import parse_int

__all__ = ["bp", "tour_geojson", "tour_gpx"]

bp = Blueprint("tours", __name__)


def _point(raw: str | None, default: tuple[float, float]) -> tuple[float, float]:
    if not raw:
        return default
    try:
        lon, lat = (float(v) for v in raw.split(","))
    except ValueError:
        raise BadParameter("start must be lon,lat") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise BadParameter("start must be lon -180..180, lat -90..90")
    return lon, lat


def _clock(raw: str | None) -> int:
    if not raw:
        return 8 * 60
    try:
        hours, minutes = (int(v) for v in raw.split(":"))
    except ValueError:
        raise BadParameter("start_time must be HH:MM") from None
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise BadParameter("start_time must be HH:MM between 00:00 and 23:59")
    return hours * 60 + minutes


def _request() -> TourRequest:
    args = request.args
    refs = tuple(r for r in (args.get("villages") or "").split(",") if r)
    if len(refs) > 25:
        raise BadParameter("at most 25 villages in one day")
    theme = args.get("theme") or None
    if not refs and not theme:
        raise BadParameter(
            "pick villages (villages=ref,ref) or a theme (" + ", ".join(THEMES) + ")"
        )
    try:
        day = dt.date.fromisoformat(args["date"]) if args.get("date") else dt.date.today()
    except ValueError:
        raise BadParameter("date must be YYYY-MM-DD") from None
    mode = args.get("mode", "motorbike")
    if mode not in ("motorbike", "car", "walk"):
        raise BadParameter("mode must be motorbike, car or walk")
    return TourRequest(
        refs=refs,
        theme=theme,
        start=_point(args.get("start"), TourRequest.start),
        day=day,
        start_min=_clock(args.get("start_time")),
        budget_min=parse_int(
            args.get("budget"), "budget (minutes)", default=480, minimum=30, maximum=1440
        ),
        mode=mode,
        avoid_pollution=args.get("avoid_pollution", "false").lower() in ("1", "true", "yes"),
        network=args.get("network", "default")[:40],
    )


@bp.get("/api/tour")
def tour():
    """Plan a day tour (``villages=HN-BAT-TRANG,HN-KIM-LAN`` or ``theme=ceramics``)."""
    return jsonify(localize(plan_village_tour(get_conn(), _request()), current_lang()))


def tour_gpx(plan: dict, *, title: str | None = None) -> str:
    """GPX 1.1 of a plan or curated route: the line as a track, the stops as waypoints (gpxpy)."""
    import gpxpy.gpx

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


@bp.get("/api/tour.gpx")
def tour_gpx_download():
    """The same plan as a GPX file."""
    plan = plan_village_tour(get_conn(), _request())
    return Response(
        tour_gpx(plan),
        mimetype="application/gpx+xml",
        headers={"Content-Disposition": f'attachment; filename="langnghe-tour-{plan["day"]}.gpx"'},
    )


def tour_geojson(plan: dict) -> dict:
    """A plan as a FeatureCollection: the route line, then one point per stop with its times."""
    features = (
        [
            {
                "type": "Feature",
                "geometry": plan["geometry"],
                "properties": {
                    "kind": "route",
                    "distance_m": plan["distance_m"],
                    "travel_min": plan["travel_min"],
                    "method": plan["method"],
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


@bp.get("/api/tour.geojson")
def tour_geojson_download():
    """The plan as GeoJSON."""
    plan = plan_village_tour(get_conn(), _request())
    return Response(
        json.dumps(tour_geojson(plan), ensure_ascii=False),
        mimetype="application/geo+json",
        headers={
            "Content-Disposition": f'attachment; filename="langnghe-tour-{plan["day"]}.geojson"'
        },
    )


@bp.get("/api/routes/<ref>.gpx")
def curated_gpx(ref: str):
    """A curated route as GPX."""
    from layers.routes import route_with_stops
    from webmap.errors import NotFound

    route = route_with_stops(get_conn(), ref)
    if route is None:
        raise NotFound(f"no curated route {ref[:40]!r}")
    return Response(
        tour_gpx(route, title=route["name_vi"]),
        mimetype="application/gpx+xml",
        headers={"Content-Disposition": f'attachment; filename="{ref}.gpx"'},
    )


def _svg_path(geometry: dict | None, stops: list[dict], size: int = 600) -> dict:
    """Project the route into an SVG box (equirectangular, scaled by cos(lat))."""
    import math

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


@bp.get("/tour/print")
def printable():
    """A printable day plan: schedule table and the route drawn as SVG (no map tiles needed)."""
    from flask import render_template
    from flask_babel import get_locale

    plan = localize(plan_village_tour(get_conn(), _request()), current_lang())
    return render_template(
        "tour_print.html",
        plan=plan,
        svg=_svg_path(plan["geometry"], plan["stops"]),
        lang=str(get_locale() or "vi"),
    )
