"""Tour planning endpoints: the plan as JSON, and as GPX."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_babel import get_locale

from layers.routes import route_with_stops
from planning.pipeline.tours import TourRequest, plan_village_tour
from webmap.db import get_conn
from webmap.errors import NotFound
from webmap.formats import route_svg, tour_geojson, tour_gpx
from webmap.i18n import current_lang
from webmap.messages import localize
from webmap.params import parse_tour
from webmap.security import content_disposition

__all__ = ["bp"]

bp = Blueprint("tours", __name__)


def _today() -> dt.date:
    """Today in the configured time zone (the day a tourist plans for)."""
    return dt.datetime.now(ZoneInfo(current_app.config["LANGNGHE"].timezone)).date()


def _request() -> TourRequest:
    """The tour asked for, with the configured snap limits (``LANGNGHE_SNAP_MAX_M`` ...)."""
    settings = current_app.config["LANGNGHE"]
    return dataclasses.replace(
        parse_tour(request.args, today=_today()),
        snap_max_m=settings.snap_max_m,
        snap_warn_m=settings.snap_warn_m,
    )


@bp.get("/api/tour")
def tour():
    """Plan a day tour (``villages=HN-BAT-TRANG,HN-KIM-LAN`` or ``theme=ceramics``)."""
    plan = plan_village_tour(get_conn(), _request())
    return jsonify(localize(plan, current_lang()))


@bp.get("/api/tour.gpx")
def tour_gpx_download():
    """The same plan as a GPX file."""
    plan = plan_village_tour(get_conn(), _request())
    return Response(
        tour_gpx(plan),
        mimetype="application/gpx+xml",
        headers={"Content-Disposition": content_disposition(f"langnghe-tour-{plan['day']}.gpx")},
    )


@bp.get("/api/tour.geojson")
def tour_geojson_download():
    """The plan as GeoJSON (its texts in the request's language)."""
    plan = localize(plan_village_tour(get_conn(), _request()), current_lang())
    return Response(
        json.dumps(tour_geojson(plan), ensure_ascii=False),
        mimetype="application/geo+json",
        headers={
            "Content-Disposition": content_disposition(f"langnghe-tour-{plan['day']}.geojson")
        },
    )


@bp.get("/api/routes/<ref>.gpx")
def curated_gpx(ref: str):
    """A curated route as GPX."""
    route = route_with_stops(get_conn(), ref)
    if route is None:
        raise NotFound(f"no curated route {ref[:40]!r}")
    return Response(
        tour_gpx(route, title=route["name_vi"]),
        mimetype="application/gpx+xml",
        headers={"Content-Disposition": content_disposition(f"{ref}.gpx")},
    )


@bp.get("/tour/print")
def printable():
    """A printable day plan: schedule table and the route drawn as SVG (no map tiles needed)."""
    plan = localize(plan_village_tour(get_conn(), _request()), current_lang())
    return render_template(
        "tour_print.html",
        plan=plan,
        svg=route_svg(plan["geometry"], plan["stops"]),
        lang=str(get_locale() or "vi"),
    )
