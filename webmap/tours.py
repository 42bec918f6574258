"""Tour planning endpoints: the plan as JSON, and as GPX."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, jsonify, request

from planning.pipeline import THEMES, TourRequest, plan_village_tour
from webmap.app import get_conn
from webmap.errors import BadParameter
from webmap.params import parse_int

__all__ = ["bp", "tour_gpx"]

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
        raise BadParameter("pick villages (villages=ref,ref) or a theme (" + ", ".join(THEMES) + ")")
    try:
        day = dt.date.fromisoformat(args["date"]) if args.get("date") else dt.date.today()
    except ValueError:
        raise BadParameter("date must be YYYY-MM-DD") from None
    mode = args.get("mode", "motorbike")
    if mode not in ("motorbike", "car", "walk"):
        raise BadParameter("mode must be motorbike, car or walk")
    return TourRequest(refs=refs, theme=theme, start=_point(args.get("start"), TourRequest.start), day=day,
                       start_min=_clock(args.get("start_time")),
                       budget_min=parse_int(args.get("budget"), "budget (minutes)", default=480, minimum=30, maximum=1440),
                       mode=mode, avoid_pollution=args.get("avoid_pollution", "false").lower() in ("1", "true", "yes"),
                       network=args.get("network", "default")[:40])


@bp.get("/api/tour")
def tour():
    """Plan a day tour (``villages=HN-BAT-TRANG,HN-KIM-LAN`` or ``theme=ceramics``)."""
    return jsonify(plan_village_tour(get_conn(), _request()))


def tour_gpx(plan: dict) -> str:
    """GPX 1.1 of a plan: the route as a track, the stops as waypoints (gpxpy)."""
    import gpxpy.gpx

    gpx = gpxpy.gpx.GPX()
    gpx.creator = "LangNghe GIS"
    for stop in plan["stops"]:
        gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(stop["lat"], stop["lon"], name=stop["name"],
                                                   description=f"{stop['arrive']}-{stop['leave']}"))
    if plan["geometry"]:
        track = gpxpy.gpx.GPXTrack(name="LangNghe tour " + plan["day"])
        segment = gpxpy.gpx.GPXTrackSegment()
        segment.points = [gpxpy.gpx.GPXTrackPoint(lat, lon) for lon, lat in plan["geometry"]["coordinates"]]
        track.segments.append(segment)
        gpx.tracks.append(track)
    return gpx.to_xml(version="1.1")


@bp.get("/api/tour.gpx")
def tour_gpx_download():
    """The same plan as a GPX file."""
    plan = plan_village_tour(get_conn(), _request())
    return Response(tour_gpx(plan), mimetype="application/gpx+xml",
                    headers={"Content-Disposition": f'attachment; filename="langnghe-tour-{plan["day"]}.gpx"'})
