"""Zones on the environment page: made, checked for freshness, compared, explained.

Source zones for a date and exceedance zones from a surface made by an environmental
officer; their freshness against their inputs; the change between two dates on the map; the
zones' method texts in the page's language.
"""

from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, Response, current_app, jsonify, request

from gis.db import transaction
from gis.messages import Message, msg
from layers.zones import KINDS, zone_methods, zone_status
from planning.pipeline.zones import make_source_zones, make_surface_zones, zone_change_features
from webmap.auth import require
from webmap.bodies import ZoneSourcesBody, ZoneSurfaceBody, parse_body
from webmap.db import get_conn
from webmap.errors import BadParameter
from webmap.i18n import current_lang
from webmap.messages import render
from webmap.params import parse_choice, parse_date

__all__ = ["bp", "method_text"]

bp = Blueprint("env_zones", __name__)


def method_text(stored: str, lang: str) -> str:
    """A zone's stored method (a message's JSON, or older free text) in ``lang``."""
    try:
        return render(Message.from_dict(json.loads(stored)), lang)
    except (ValueError, KeyError, TypeError, AttributeError):
        return stored


def _status_message(z: dict) -> Message:
    """What one entry of ``zone_status`` says: made when, up to date or not with its inputs."""
    when = {
        k: dt.datetime.fromisoformat(z[k]) if z.get(k) else None
        for k in ("made_at", "inputs_changed_at", "start")
    }
    params = {
        "kind": msg(f"zones.kind.{z['kind']}"),
        "date": dt.date.fromisoformat(z["date"]),
        "zones": z["zones"],
        "made": when["made_at"],
        "changed": when["inputs_changed_at"],
    }
    if z["kind"] != "surface_exceedance":
        return msg("zones.stale" if z["stale"] else "zones.fresh", **params)
    params.update(scenario=z["scenario"], parameter=z["parameter"])
    if when["start"] is None:
        code = "zones.surface_stale_any" if z["stale"] else "zones.surface_fresh_any"
    else:
        code = "zones.surface_stale" if z["stale"] else "zones.surface_fresh"
        params["start"] = when["start"]
    return msg(code, **params)


@bp.get("/api/zones/status")
def status():
    """Per kind: the latest date, its zones, when made, when the inputs changed, stale or not."""
    lang = current_lang()
    found = zone_status(get_conn())
    for z in found:
        z["text"] = render(_status_message(z), lang)
    return jsonify(kinds=found)


@bp.get("/api/zones/methods")
def methods():
    """Each stored method value with its text in the page's language."""
    lang = current_lang()
    return jsonify(methods={m: method_text(m, lang) for m in zone_methods(get_conn())})


@bp.post("/api/zones/sources")
@require("env_officer")
def sources():
    """(Re)make the source zones of a date: buffers around polluting villages by craft."""
    body = parse_body(ZoneSourcesBody)
    with transaction(get_conn()) as conn:
        count = make_source_zones(conn, current_app.config["LANGNGHE"], body.date)
    return jsonify(zones=count, date=body.date.isoformat())


@bp.post("/api/zones/surface")
@require("env_officer")
def from_surface():
    """Exceedance zones where a saved surface is above its QCVN 05 24-hour limit."""
    body = parse_body(ZoneSurfaceBody)
    with transaction(get_conn()) as conn:
        made = make_surface_zones(
            conn, current_app.config["LANGNGHE"], body.scenario_id, band=body.band
        )
    return jsonify(made)


@bp.get("/api/zones/compare")
def compare():
    """The zones of one kind on two dates: each new, gone, grew, shrank or unchanged (GeoJSON)."""
    before = parse_date(request.args.get("before"), "before")
    after = parse_date(request.args.get("after"), "after")
    if before is None or after is None or before >= after:
        raise BadParameter(msg("zones.compare_dates"))
    kind = parse_choice(request.args.get("kind"), "kind", KINDS, default="source_buffer")
    changes = zone_change_features(get_conn(), before, after, kind=kind)
    return Response(changes.to_json(drop_id=True), mimetype="application/geo+json")
