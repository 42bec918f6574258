"""The environment page's stations: the list, positions from a CSV, daily VN_AQI, CSV export.

``GET /api/stations`` lists every station (placed or not) with its data ranges;
``POST /api/stations/positions`` places stations from a CSV of ``code, lon, lat``;
``GET /api/stations/<id>/aqi`` gives the daily VN_AQI of a period, coloured by band;
``GET /api/stations/<id>/series.csv`` exports the chart's series;
``GET /api/measurements/template.csv`` is the upload form's template file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from flask import Blueprint, Response, current_app, jsonify, request

from gis.db import transaction
from gis.errors import LangNgheError
from gis.messages import msg
from layers import spatial
from layers.regulations import load_document
from layers.station_list import list_stations, set_positions
from layers.stations import station_ref
from planning.aqi import band, table_from_document
from planning.pipeline.air import station_aqi
from planning.pollution import COMPLETENESS, mean_24h
from webmap.auth import actor, require
from webmap.db import get_conn
from webmap.errors import BadParameter
from webmap.i18n import current_lang
from webmap.messages import localize, message_json, replace_text
from webmap.params import parse_instant
from webmap.security import content_disposition

__all__ = ["HOURS_NEEDED", "TEMPLATE_CSV", "bp", "csv_cell", "daily_means"]

bp = Blueprint("env_stations", __name__)

#: The upload form's template: the long layout, one value a row (Hà Nội time, no offset).
TEMPLATE_CSV = (
    "station_id,time,parameter,value,unit,station_name,lon,lat\n"
    "HN-01,2019-01-22 01:00,PM2.5,31.6,µg/m3,Trạm mẫu,105.8342,21.0278\n"
    "HN-01,2019-01-22 01:00,NO2,9.5,µg/m3,Trạm mẫu,105.8342,21.0278\n"
)
#: A cell a spreadsheet would run as a formula starts with one of these.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: a text starting ``= + - @`` is prefixed ``'``.

    Numbers stay numbers (a negative value is a number, never a formula).

    Examples
    --------
    >>> csv_cell("=HYPERLINK(1)"), csv_cell("@SUM(A1)"), csv_cell("Hà Nội"), csv_cell(-1.5)
    ("'=HYPERLINK(1)", "'@SUM(A1)", 'Hà Nội', -1.5)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _instant(name: str) -> dt.datetime | None:
    value = parse_instant(request.args.get(name), name)
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=ZoneInfo(current_app.config["LANGNGHE"].timezone))


def _period() -> tuple[dt.datetime | None, dt.datetime | None]:
    since, until = _instant("since"), _instant("until")
    if (since is None) != (until is None) or (since and until and since >= until):
        raise BadParameter(msg("param.since_until_both"))
    if since and until and until - since > dt.timedelta(days=366):
        raise BadParameter(msg("param.period_too_long"))
    return since, until


def _regulations() -> Path:
    return current_app.config["LANGNGHE"].sample_data / "regulations"


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


@bp.get("/api/stations")
def stations():
    """Every station, placed or not, with its position and per-parameter data ranges."""
    found = list_stations(get_conn())
    return jsonify(stations=[{k: _iso(v) for k, v in s.items()} for s in found])


@bp.post("/api/stations/positions")
@require("env_officer")
def positions():
    """Place stations from an uploaded CSV of ``code, lon, lat`` (one audited edit each)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadParameter(msg("param.upload_field"))
    name = Path(upload.filename.replace("\\", "/")).name[:200]
    if not name.lower().endswith(".csv"):
        raise BadParameter(msg("param.csv_only", name=name))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "positions.csv"
        upload.save(path)
        try:
            with transaction(get_conn()) as conn:
                report = set_positions(conn, path, actor=actor(), name=name)
        except LangNgheError as exc:  # the user's file name, never our temporary folder
            if exc.message is None:
                raise
            raise type(exc)(replace_text(exc.message, str(path), name)) from None
    return jsonify(localize(report.to_dict(), current_lang()))


@bp.get("/api/stations/<int:station_id>/aqi")
def daily_index(station_id: int):
    """Daily VN_AQI (Decision 1459/QĐ-TCMT) of an air station in ``?since=&until=``.

    Each local day with its index, dominant pollutant, band (colour, name in the request's
    language) or the reason it has none.
    """
    since, until = _period()
    conn = get_conn()
    ref = station_ref(conn, station_id)
    table = table_from_document(load_document(_regulations(), "vn_aqi_1459"))
    lang = current_lang()
    try:
        frame = station_aqi(conn, _regulations(), ref, daily=True, start=since, end=until)
    except LangNgheError:  # no air values in the period: no bars
        frame = None
    days = []
    for day, row in [] if frame is None else frame.iterrows():
        value = None if row["aqi"] != row["aqi"] else int(row["aqi"])
        chosen = band(value, table) if value is not None else None
        days.append(
            {
                "day": day.date().isoformat(),
                "aqi": value,
                "dominant": row["dominant"] if value is not None else None,
                "color": chosen["color"] if chosen else None,
                "band": chosen["name_vi" if lang == "vi" else "name_en"] if chosen else None,
                "note": message_json(row["note"], lang) if row["note"] is not None else None,
            }
        )
    return jsonify(days=days, verified=table.verified)


def _series_rows(station_id: int, parameter: str) -> list[list[Any]]:
    since, until = _period()
    conn = get_conn()
    ref = station_ref(conn, station_id)
    rows = spatial.series(conn, station_id, parameter, start=since, end=until)
    unit = next((u for p, u in _units(conn, station_id) if p == parameter), "")
    tz = current_app.config["LANGNGHE"].timezone
    zone = ZoneInfo(tz)
    out: list[list[Any]] = [
        [ref, parameter, "1h", t.astimezone(zone).isoformat(), v, unit, q] for t, v, q in rows
    ]
    for day in daily_means(rows, tz):
        if day["mean"] is not None:
            start = day["start"].isoformat()
            out.append([ref, parameter, "24h", start, round(day["mean"], 3), unit, ""])
    return out


#: The hours a local day needs for a 24-hour mean (this project's 75% completeness rule).
HOURS_NEEDED = int(math.ceil(24 * COMPLETENESS))


def daily_means(rows: list[tuple[dt.datetime, float, Any]], tz: str) -> list[dict[str, Any]]:
    """Each local calendar day of an hourly series: its start, 24-hour mean and hours present.

    The one rule of the chart and the CSV export (``planning.pollution.mean_24h``): a day with
    fewer than :data:`HOURS_NEEDED` hours has no mean (``None``).

    Parameters
    ----------
    rows : list of (datetime, float, quality)
        Hourly values, aware times, as ``layers.spatial.series`` gives them.
    tz : str
        The local time zone of the days.

    Returns
    -------
    list of dict
        ``start`` (aware, local midnight), ``mean`` (float or None) and ``hours`` per day.
    """
    if not rows:
        return []
    hourly = pd.Series([v for _t, v, _q in rows], index=pd.DatetimeIndex([t for t, *_ in rows]))
    means = mean_24h(hourly, tz=tz)
    present = hourly.dropna().index.tz_convert(tz).floor("h").unique()
    hours = pd.Series(1, index=present).groupby(present.date).sum()
    zone = ZoneInfo(tz)
    return [
        {
            "start": dt.datetime.combine(day.date(), dt.time(), tzinfo=zone),
            "mean": None if mean != mean else float(mean),
            "hours": int(hours.get(day.date(), 0)),
        }
        for day, mean in means.items()
    ]


def _units(conn: Any, station_id: int) -> list[tuple[str, str]]:
    return [(p, u) for sid, _r, p, _t, _v, u in spatial.latest_values(conn) if sid == station_id]


@bp.get("/api/stations/<int:station_id>/series.csv")
def series_csv(station_id: int):
    """The chart's series as CSV: hourly values and 24-hour means, local time with offset.

    Text cells that a spreadsheet would run as a formula are prefixed with ``'``.
    """
    parameter = request.args.get("parameter", "PM2.5")
    if len(parameter) > 20:
        raise BadParameter(msg("param.parameter_too_long"))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["station", "parameter", "averaging", "start", "value", "unit", "quality"])
    for row in _series_rows(station_id, parameter):
        writer.writerow([csv_cell(c) for c in row])
    name = f"{station_ref(get_conn(), station_id)}_{parameter}.csv"
    return Response(
        "\ufeff" + buf.getvalue(),  # a BOM: spreadsheets then read the file as UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": content_disposition(name)},
    )


@bp.get("/api/measurements/template.csv")
def template():
    """The upload form's template file (long layout, described on the form)."""
    return Response(
        "\ufeff" + TEMPLATE_CSV,
        mimetype="text/csv",
        headers={"Content-Disposition": content_disposition("measurements_template.csv")},
    )
