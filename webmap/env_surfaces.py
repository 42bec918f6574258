"""Pollution surfaces on the environment page: made as jobs with progress, listed, deleted.

The list gives each parameter one colour scale across its periods (from 0 to the highest
value of any of its surfaces, and at least past the QCVN 05 24-hour limit so the limit is on
the ramp), the ramp's colours, the limit with its document, the stations each surface was
made from (a warning under :data:`~planning.pipeline.surfaces.RELIABLE_STATIONS`) and the
leave-one-out errors of each method. Writes need the environmental officer's (or admin's)
role.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, jsonify, request, url_for

from gis.db import transaction
from gis.errors import NotFoundError
from gis.messages import Message, msg
from layers.regulations import load_document
from layers.scenarios import delete_scenario, get_scenario, remove_files, surface_rasters
from planning import rules
from planning.pipeline.surfaces import (
    KRIGING_MIN_STATIONS,
    RELIABLE_STATIONS,
    SurfaceRequest,
    run_surface,
)
from planning.pollution import limit_in_force
from webmap.auth import actor, require
from webmap.bodies import SurfaceBody, parse_body
from webmap.db import get_conn
from webmap.i18n import current_lang
from webmap.jobs import JobWork, runner
from webmap.messages import message_json
from webmap.rasters import RAMP, surface_band

__all__ = ["bp"]

bp = Blueprint("env_surfaces", __name__)

#: The ramp's colours from low (0) to high (the scale's top), as the legend draws them.
RAMP_COLORS = ["#{:02x}{:02x}{:02x}".format(*(int(c) for c in rgb)) for rgb in RAMP[::-1]]
#: The scale reaches at least this far past the limit, so that the limit mark is inside it.
_PAST_LIMIT = 1.25


@bp.get("/api/surfaces")
def surfaces():
    """Saved pollution surfaces (``?parameter=``), by parameter and oldest period first.

    Each with its image (drawn on its parameter's shared scale), the scale, the limit,
    stations, warnings, notes and cross-validation errors: the page's slider walks them.
    """
    lang = current_lang()
    qcvn05 = load_document(current_app.config["LANGNGHE"].sample_data / "regulations", "qcvn05_air")
    found = []
    for scenario_id, params, results, path in surface_rasters(
        get_conn(), request.args.get("parameter") or None
    ):
        shown = surface_band(path, results)
        if shown is not None:
            found.append(_surface(scenario_id, params, results, shown, qcvn05, lang))
    scales = _scales(found)
    for s in found:
        s["scale"] = scales[s["parameter"]]
        s["url"] = url_for(
            "data.surface_png", scenario_id=s["id"], band=s.pop("_band"), vmax=s["scale"][1]
        )
    return jsonify(surfaces=found, ramp=RAMP_COLORS, reliable_stations=RELIABLE_STATIONS)


def _surface(scenario_id, params, results, shown, qcvn05, lang) -> dict[str, Any]:
    start = params.get("start")
    day = rules.local_date(start) if start and start != "None" else None
    limit = limit_in_force(qcvn05, params.get("parameter"), "24h", day) if day else None
    stations = results.get("stations") or []
    codes = {n.get("code") for n in results.get("notes", []) if isinstance(n, dict)}
    few = len(stations) < RELIABLE_STATIONS
    # One warning says the station count once: with IDW only, why kriging was not made too.
    idw_only = few and "surface.idw_only" in codes
    warning = msg(
        "surface.few_stations_idw_only" if idw_only else "surface.few_stations",
        stations=len(stations),
        minimum=RELIABLE_STATIONS,
        **({"kriging": KRIGING_MIN_STATIONS} if idw_only else {}),
    )
    warnings = [message_json(warning, lang)] if few else []
    folded = {"surface.few_stations", *(("surface.idw_only",) if idw_only else ())}
    return {
        "id": scenario_id,
        "parameter": params.get("parameter"),
        "start": _iso(start),
        "end": _iso(params.get("end")),
        "method": shown.method,
        "asked": params.get("method", "auto"),
        "cell_m": params.get("cell_m"),
        "stations": stations,
        "max": round(shown.vmax, 2),
        "loo_rmse": results.get("loo_rmse"),
        "left_out": results.get("left_out", []),
        "warnings": warnings,
        "notes": [
            message_json(Message.from_dict(n), lang) if isinstance(n, dict) else {"text": str(n)}
            for n in results.get("notes", [])
            if not (isinstance(n, dict) and n.get("code") in folded)  # said in the warning
        ],
        "limit": None
        if limit is None
        else {
            "value": limit["value"],
            "unit": limit.get("unit"),
            "document": limit["document"],
            "verified": rules.is_verified(limit),
        },
        "bounds": shown.bounds,
        "_band": shown.band,
    }


def _iso(stored: str | None) -> str | None:
    """A period bound as saved (``str(datetime)`` or ``"None"``) in ISO 8601."""
    if stored in (None, "None"):
        return None
    return dt.datetime.fromisoformat(stored).isoformat()


def _scales(found: list[dict[str, Any]]) -> dict[str, list[float]]:
    """One ``[0, top]`` per parameter: its highest value, and past its highest limit."""
    tops: dict[str, float] = {}
    for s in found:
        limit = (s["limit"] or {}).get("value") or 0.0
        top = max(s["max"], float(limit) * _PAST_LIMIT, 1e-3)
        tops[s["parameter"]] = max(tops.get(s["parameter"], 0.0), top)
    return {p: [0.0, round(top, 2)] for p, top in tops.items()}


@bp.post("/api/surfaces")
@require("env_officer")
def start_surface():
    """Interpolate a parameter's period mean as a job (202 with the job to poll)."""
    body = parse_body(SurfaceBody)
    tz = ZoneInfo(current_app.config["LANGNGHE"].timezone)
    start = dt.datetime.combine(body.since, dt.time(), tz) if body.since else None
    end = (
        dt.datetime.combine(body.until + dt.timedelta(days=1), dt.time(), tz)
        if body.until
        else None
    )
    request_ = SurfaceRequest(
        parameter=body.parameter,
        start=start.isoformat() if start else None,
        end=end.isoformat() if end else None,
        cell_m=body.cell_m,
        method=body.method,
    )
    owner = actor()
    summary = {"parameter": body.parameter, "method": body.method, "cell_m": body.cell_m}
    job_id = runner().submit("surface", summary, JobWork(run_surface, request_), created_by=owner)
    return jsonify(job_id=job_id, job_url=url_for("jobs.job_status", job_id=job_id)), 202


@bp.delete("/api/surfaces/<int:scenario_id>")
@require("env_officer")
def remove_surface(scenario_id: int):
    """Delete a surface, its raster row and file; audited."""
    if get_scenario(get_conn(), scenario_id).get("kind") != "surface":
        raise NotFoundError(msg("surface.not_a_surface", id=scenario_id))
    with transaction(get_conn()) as conn:
        paths = delete_scenario(conn, scenario_id, actor=actor())
    return jsonify(deleted=scenario_id, files_removed=len(remove_files(paths)))
