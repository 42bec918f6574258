"""JSON endpoints behind the pages: search, draw-a-polygon, choropleth, station data."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

from cachetools import LRUCache
from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from gis.db import transaction
from gis.errors import LangNgheError, NotFoundError
from gis.messages import msg
from layers import spatial
from layers.collections import features, get_collection, layer_versions
from layers.crafts import craft_names, craft_vocabulary
from layers.measurements import latest_observation
from layers.regulations import load_document
from layers.scenarios import raster_path
from layers.stations import import_measurements, station_ref
from layers.villages import search
from layers.zones import zone_count
from planning import rules
from planning.aqi import table_from_document
from planning.pipeline.air import find_exceedances, latest_station_aqi
from planning.pipeline.exposure import assess_exposure
from planning.pipeline.water import water_status
from planning.pollution import air_limits_on
from webmap.auth import actor, require
from webmap.db import get_conn, public_read, read_conn
from webmap.env_stations import HOURS_NEEDED, daily_means
from webmap.errors import BadParameter, NotFound
from webmap.export import village_map_html
from webmap.i18n import current_lang
from webmap.import_report import report_json
from webmap.limits import check_raw_vertices, query_limits, read_body
from webmap.messages import localize, message_json, replace_text
from webmap.params import (
    ZONE_KINDS,
    parse_choice,
    parse_date,
    parse_flag,
    parse_import_form,
    parse_instant,
    parse_int,
    parse_number,
    parse_polygon,
    parse_units,
)
from webmap.rasters import raster_png
from webmap.security import content_disposition

__all__ = ["bp"]

bp = Blueprint("data", __name__)

#: Time zones an upload may state for its times without an offset (the first is the default).
UPLOAD_ZONES = ("Asia/Ho_Chi_Minh", "UTC")


@bp.get("/search")
@public_read
def search_villages():
    """Accent-insensitive village search (``?q=bat trang``)."""
    query = request.args.get("q", "")
    if len(query) > 100:
        raise BadParameter(msg("param.q_too_long"))
    limit = parse_int(request.args.get("limit"), "limit", default=10, minimum=1, maximum=100)
    return jsonify(results=search(read_conn(), query, limit=limit))


@bp.post("/api/within")
@public_read
def within():
    """Villages, clusters and zones inside a drawn GeoJSON polygon (request body)."""
    limits = query_limits()  # bytes before reading, vertices before building the polygon
    data = read_body(limits.body_bytes)
    check_raw_vertices(data, limits.vertices)
    polygon = parse_polygon(data, max_vertices=limits.vertices)
    return jsonify(spatial.within(read_conn(), polygon.wkb_hex))


@bp.get("/api/choropleth")
@public_read
def choropleth():
    """Administrative units with their number of craft villages."""
    version, level = parse_units(
        request.args.get("version"),
        request.args.get("level"),
        default_version="pre-2025",
        default_level="province",
    )
    return Response(
        spatial.village_counts(read_conn(), version=version, level=level),
        mimetype="application/geo+json",
    )


def _regulations():
    return current_app.config["LANGNGHE"].sample_data / "regulations"


@bp.get("/api/stations/latest")
@public_read
def stations_latest():
    """Stations with their latest values and hourly VN_AQI (NowCast) band (air stations).

    The index is each station's latest hour in ``?since=&until=`` (local dates or instants;
    default: the 30 days up to the newest air value); stations without data there have none.
    """
    tz = current_app.config["LANGNGHE"].timezone
    since, until = _when("since", tz), _when("until", tz)
    if since is not None and until is not None and since >= until:
        raise BadParameter(msg("param.since_after_until"))
    document = load_document(_regulations(), "vn_aqi_1459")
    table = table_from_document(document)
    lang = str(get_locale() or "vi")
    source = message_json(rules.source(document), lang)
    conn = read_conn()
    latest: dict[int, dict] = {}
    for sid, ref, parameter, at, value, unit in spatial.latest_values(conn):
        entry = latest.setdefault(sid, {"ref": ref, "values": {}, "time": at.isoformat()})
        entry["values"][parameter] = {"value": value, "unit": unit, "time": at.isoformat()}
    indices = latest_station_aqi(conn, _regulations(), start=since, end=until)
    for entry in latest.values():
        found = indices.get(entry["ref"])
        if found is not None:
            chosen = found["band"]
            entry["aqi"] = {
                "value": found["value"],
                "dominant": found["dominant"],
                "color": chosen["color"],
                "band": chosen["name_vi" if lang == "vi" else "name_en"],
                "verified": found["verified"],
                "method": "NowCast hourly (Decision 1459/QĐ-TCMT)",
                "time": found["time"],  # local time with its offset
                "source": source,  # document, dates, verified flag, in the request's language
            }
    return jsonify(
        stations={str(k): v for k, v in latest.items()},
        bands=list(table.bands),
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
    )


@bp.get("/api/stations/<int:station_id>/series")
@public_read
def station_series(station_id: int):
    """One station's recent values of a parameter, with the QCVN limits in force."""
    parameter = request.args.get("parameter", "PM2.5")
    if len(parameter) > 20:
        raise BadParameter(msg("param.parameter_too_long"))
    days = parse_int(request.args.get("days"), "days", default=7, minimum=1, maximum=366)
    tz = current_app.config["LANGNGHE"].timezone
    since, until = _when("since", tz), _when("until", tz)
    if (since is None) != (until is None) or (since and until and since >= until):
        raise BadParameter(msg("param.since_until_both"))
    if since and until and until - since > dt.timedelta(days=366):
        raise BadParameter(msg("param.period_too_long"))
    rows = spatial.series(read_conn(), station_id, parameter, days=days, start=since, end=until)
    day = rules.local_date(rows[-1][0] if rows else dt.datetime.now(dt.UTC))
    limits = [
        lim
        for lim in air_limits_on(load_document(_regulations(), "qcvn05_air"), day)
        if lim["parameter"] == parameter
    ]
    return jsonify(
        parameter=parameter,
        points=[{"t": t.isoformat(), "v": v, "q": q} for t, v, q in rows],
        # the CSV export's 24-hour means: days short of HOURS_NEEDED hours have none
        means_24h=[{**d, "start": d["start"].isoformat()} for d in daily_means(rows, tz)],
        hours_needed=HOURS_NEEDED,
        limits=[_limit_json(lim, _lang()) for lim in limits],
    )


def _lang() -> str:
    return str(get_locale() or "vi")


def _limit_json(limit: dict, lang: str) -> dict:
    """A QCVN limit record for the browser: value, averaging, document, dates, source text."""
    start, end = rules.effective_dates(limit)
    return {
        "parameter": limit["parameter"],
        "averaging": limit["averaging"],
        "value": limit["value"],
        "unit": limit.get("unit"),
        "document": limit["document"],
        "article": limit.get("article"),
        "effective_from": start.isoformat() if start else None,
        "effective_to": end.isoformat() if end else None,
        "verified": rules.is_verified(limit),
        "source": message_json(rules.source(limit), lang),
    }


@bp.get("/export/villages/<ref>.html")
def export_village(ref: str):
    """A standalone, offline HTML map of one village and the clusters near it (folium)."""
    conn = get_conn()
    rows, _n = features(conn, get_collection("villages"), limit=1, props={"ref": ref})
    if not rows:
        raise NotFound(f"no village with ref {ref[:40]!r}")
    village = json.loads(rows[0])
    lon, lat = village["geometry"]["coordinates"]
    near, _n = features(
        conn,
        get_collection("clusters"),
        limit=50,
        bbox=(lon - 0.1, lat - 0.1, lon + 0.1, lat + 0.1),
    )
    craft_vi, craft_en = craft_names(conn, village["properties"]["craft"]) or ("", "")
    lang = str(get_locale() or "vi")
    settings = current_app.config["LANGNGHE"]
    html = village_map_html(
        village,
        {"type": "FeatureCollection", "features": [json.loads(r) for r in near]},
        lang=lang,
        basemap_url=settings.basemap_url,
        attribution=settings.basemap_attribution,
        labels={
            "craft": _("Craft"),
            "craft_name": craft_vi if lang == "vi" else craft_en,
            "opening_hours": _("Opening hours"),
            "clusters": _("Industrial clusters"),
        },
    )
    return Response(
        html,
        mimetype="text/html",
        headers={
            "Content-Disposition": content_disposition(f"{village['properties']['ref']}.html")
        },
    )


@bp.get("/api/crafts")
@public_read
def crafts():
    """The craft vocabulary with names in both languages and pollution classes."""
    return Response(
        json.dumps(craft_vocabulary(read_conn()), ensure_ascii=False),
        mimetype="application/json",
    )


@bp.get("/api/surfaces/<int:scenario_id>.png")
def surface_png(scenario_id: int):
    """One band of a surface as an image, coloured from 0 (green) to ``vmax`` (red)."""
    band = parse_int(request.args.get("band"), "band", default=1, minimum=1, maximum=3)
    vmax = parse_number(request.args.get("vmax"), "vmax", default=100.0)
    if not vmax > 0:
        raise BadParameter(msg("param.vmax_positive"))
    path = raster_path(get_conn(), scenario_id, "surface")
    if path is None:
        raise NotFoundError(msg("scenario.not_found", scenario=scenario_id))
    data, _bounds = raster_png(path, band=band, vmin=vmax, vmax=0.0)  # high values red
    return Response(data, mimetype="image/png", headers={"Cache-Control": "max-age=3600"})


@bp.get("/api/exposure")
def exposure():
    """Villages, schools, clinics and people inside the zones of a date.

    Units are ranked EJScreen-style.
    """
    settings = current_app.config["LANGNGHE"]
    day = parse_date(request.args.get("date"), "date")
    version, level = parse_units(
        request.args.get("version"),
        request.args.get("level"),
        default_version="2025-07",
        default_level="commune",
    )
    kind = request.args.get("kind") or None
    if kind is not None:
        kind = parse_choice(kind, "kind", ZONE_KINDS, default=kind)
    if zone_count(get_conn()) == 0:  # nothing to assess yet: an empty answer, not an error
        return jsonify(
            date=None,
            zones=0,
            villages_inside=0,
            schools_inside=0,
            clinics_inside=0,
            population_inside=0,
            per_zone=[],
            ranking=[],
            notes=[localize(msg("exposure.no_zones_stored"), current_lang())],
        )
    result = assess_exposure(
        get_conn(),
        settings,
        day=day,
        kind=kind,
        facilities=settings.siting_landuse,
        version=version,
        level=level,
    )
    result["ranking"] = result["ranking"][
        : parse_int(request.args.get("top"), "top", default=20, minimum=1, maximum=500)
    ]
    return jsonify(localize(result, current_lang()))


@bp.get("/api/stations/<int:station_id>/water")
def station_water(station_id: int):
    """A water station's latest day against QCVN 08:2023 (class, health limits) and QCVN 40.

    ``?kq=`` and ``?kf=`` give the factors from flow data; without ``kf`` the QCVN 40 limits
    are unknown unless ``?assume_kf=true`` (this project's labelled option: Kf 1.0).
    """
    ref = station_ref(get_conn(), station_id)
    kq, kf = (
        parse_number(request.args[k], k, default=1.0) if request.args.get(k) else None
        for k in ("kq", "kf")
    )
    if any(v is not None and not v > 0 for v in (kq, kf)):
        raise BadParameter(msg("param.kq_kf_positive"))
    status = water_status(
        get_conn(),
        current_app.config["LANGNGHE"],
        ref,
        wastewater=True,
        kq=kq,
        kf=kf,
        assume_kf=parse_flag(request.args.get("assume_kf")),
    )
    return jsonify(localize(status, _lang()))


@bp.get("/api/villages/<ref>/rules")
def village_rules(ref: str):
    """A village's recognition and whether Decree 08/2022 Appendix II lists its craft.

    The Decree 52/2018 Art. 5 criteria its data meets, and which are unknown, in the
    request's language.
    """
    from planning.pipeline.villages import village_rules as check
    from webmap.rule_results import rendered

    if len(ref) > 100:
        raise BadParameter(msg("param.ref_too_long"))
    found = check(get_conn(), current_app.config["LANGNGHE"], ref)
    lang = _lang()
    return jsonify(
        {**found, "recognition": rendered(found["recognition"], lang)}
        | {"appendix2": localize(found["appendix2"], lang)}
    )


@bp.get("/api/exceedances")
def exceedances():
    """QCVN 05 exceedances of the stored air values in a bounded window, newest first, paged.

    ``?station=REF&since=&until=&limit=&offset=``. The window ends at ``until`` (default: the
    latest value) and starts at ``since`` (default: ``exceedances_window_days`` before); it may
    span at most ``exceedances_max_days``. Results are cached until the measurements change.
    """
    settings = current_app.config["LANGNGHE"]
    limit = parse_int(request.args.get("limit"), "limit", default=100, minimum=1, maximum=1000)
    offset = parse_int(request.args.get("offset"), "offset", default=0, minimum=0, maximum=10**7)
    station = request.args.get("station") or None
    since, until = _exceedance_window(settings)
    rows, counts = _cached_exceedances(settings, station, since, until)
    args = {k: v for k, v in request.args.items() if k != "offset"}
    links = []
    if offset + limit < len(rows):
        href = url_for("data.exceedances", **{**args, "offset": offset + limit})
        links.append({"rel": "next", "href": href})
    lang = _lang()
    page = [_exceedance_json(row, lang) for row in rows[offset : offset + limit]]
    periods = [
        {k: (int(v) if k in _COUNTS else v) for k, v in row.items() if k != "message"}
        | {"message": message_json(row["message"], lang)}
        for row in counts
    ]
    return jsonify(
        exceedances=page,
        count=len(page),
        total=len(rows),
        since=since.isoformat(),
        until=until.isoformat(),
        links=links,
        periods=periods,
    )


#: Per station, parameter and averaging period: how many periods were assessed and not.
_COUNTS = ("assessed", "incomplete", "no_limit", "exceeded")


def _when(name: str, tz: str):
    value = parse_instant(request.args.get(name), name)
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(tz))


def _exceedance_window(settings):
    """``(since, until)`` of the request, bounded by the settings (400 when too wide)."""
    until = _when("until", settings.timezone)
    since = _when("since", settings.timezone)
    if until is None:
        latest = latest_observation(get_conn())
        until = (latest or dt.datetime.now(dt.UTC)) + dt.timedelta(microseconds=1)
        if since is not None and since >= until:
            until = since + dt.timedelta(days=settings.exceedances_window_days)
    if since is None:
        since = until - dt.timedelta(days=settings.exceedances_window_days)
    if since >= until:
        raise BadParameter(msg("param.since_after_until"))
    if until - since > dt.timedelta(days=settings.exceedances_max_days):
        raise BadParameter(
            f"the time window may span at most {settings.exceedances_max_days} days:"
            " narrow since/until"
        )
    return since, until


def _cached_exceedances(settings, station, since, until) -> tuple[list[dict], list[dict]]:
    """The window's exceedances (newest first) and period counts, cached per version.

    The key holds the measurements' layer version, so an upload invalidates it.
    """
    conn = get_conn()
    key = (layer_versions(conn).get("measurements", 0), station, since, until)
    cache, lock = current_app.extensions.setdefault(
        "langnghe_exceedances", (LRUCache(maxsize=64), threading.Lock())
    )
    with lock:
        if key in cache:
            return cache[key]
    found, counts = find_exceedances(
        conn,
        settings.sample_data / "regulations",
        stations=[station] if station else None,
        start=since,
        end=until,
        with_counts=True,
    )
    rows = found.sort_values("start", ascending=False).to_dict(orient="records")
    answer = (rows, counts.to_dict(orient="records"))
    with lock:
        cache[key] = answer
    return answer


def _exceedance_json(row: dict, lang: str) -> dict:
    """One exceedance: its numbers, local start time with zone, provenance and its text."""
    dates = {k: row[k].isoformat() if row[k] else None for k in ("effective_from", "effective_to")}
    return {
        **{k: row[k] for k in ("station", "parameter", "period", "value", "limit", "unit")},
        **{k: row[k] for k in ("regulation", "article", "verified")},
        **dates,
        "start": row["start"].isoformat(),
        "source": message_json(row["source"], lang),
        "message": message_json(row["message"], lang),
    }


@bp.post("/api/measurements")
@require("env_officer")
def upload_measurements():
    """Upload a measurements CSV; the import report back.

    Multipart field ``file``; options ``replace``, ``partial``, ``encoding``, ``field`` and
    ``unit`` (as ``langnghe import measurements`` takes them), ``tz`` (the zone of
    times written without an offset: ``Asia/Ho_Chi_Minh`` or ``UTC``), ``dry_run``:
    validated, one transaction. A file with
    unreadable rows is refused whole (400, rows and columns listed) unless ``partial``.
    """
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadParameter(msg("param.upload_field"))
    name = Path(upload.filename.replace("\\", "/")).name
    if "\x00" in name or len(name) > 200 or not name.strip():
        raise BadParameter(msg("upload.bad_file_name", maximum=200))
    if not name.lower().endswith(".csv"):
        raise BadParameter(msg("param.csv_only", name=name))
    options = parse_import_form(request.form)
    tz = parse_choice(request.form.get("tz") or None, "tz", UPLOAD_ZONES, default=UPLOAD_ZONES[0])
    flags = {
        name: request.form.get(name, "").lower() in ("1", "true", "yes", "on")
        for name in ("replace", "partial", "dry_run")
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.csv"  # the user's name is shown, never used as a path
        upload.save(path)
        try:
            with transaction(get_conn()) as conn:
                report = import_measurements(
                    conn,
                    path,
                    **options,
                    tz=tz,
                    actor=actor(),
                    source=name,
                    **flags,
                )
        except (
            LangNgheError
        ) as exc:  # name the file as the user knows it, never our temporary folder
            if exc.message is not None:
                named = replace_text(exc.message, str(path), name)
                named = replace_text(replace_text(named, folder, ""), path.name, name)
                raise type(exc)(named) from None
            text = str(exc).replace(str(path), name).replace(folder, "")
            raise type(exc)(text.replace(path.name, name)) from None
        report.path = name
    lang = current_lang()
    return jsonify(
        {**localize(report.to_dict(), lang), "path": name, "report": report_json(report, lang)}
    )
