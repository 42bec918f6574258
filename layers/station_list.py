"""The station list of the environment page, and stations placed from a CSV of positions.

Every function takes the caller's connection and never commits.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gis.crs import WGS84_EPSG
from gis.errors import ImportFailedError, ValidationError
from gis.io import coordinate_columns, read_table
from gis.messages import Message, msg
from gis.text import column_key
from gis.validate import Problem, check_cells, in_vietnam
from layers._sql import query
from layers.editing import etag, update_feature
from layers.stations import STATIONS

__all__ = ["PositionsReport", "list_stations", "set_positions"]

logger = logging.getLogger(__name__)

#: Source columns a positions file may name its station code with (any case, diacritics).
CODE_COLUMNS = ("code", "ref", "station_ref", "station_code", "station_id", "station", "ma_tram")
#: Errors listed in full before "(and N more)".
_SHOWN = 20


def list_stations(conn: Any) -> list[dict[str, Any]]:
    """Every station with its position (or ``None``) and the time range of each parameter.

    Returns
    -------
    list of dict
        ``id, ref, name, name_ascii, medium, operator, synthetic, lon, lat`` and ``ranges``:
        ``[{parameter, first, last}]`` (ISO instants), ordered by name.
    """
    with conn.cursor() as cur:
        cur.execute(query("station_list"), {"wgs84": WGS84_EPSG})
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


@dataclass
class PositionsReport:
    """What a positions file did: stations placed for the first time, moved, left as they were.

    Each list holds ``{"id", "ref", "name"}``; ``without_position`` are the stations that still
    have none after the file.
    """

    placed: list[dict[str, Any]] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    without_position: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; the problems' reasons stay messages."""
        return {
            "placed": self.placed,
            "moved": self.moved,
            "unchanged": self.unchanged,
            "without_position": self.without_position,
            "problems": [p.as_dict() for p in self.problems],
        }


def _column(columns: list[str], names: tuple[str, ...]) -> str | None:
    keys = {column_key(c): c for c in reversed(columns)}
    return next((keys[k] for k in map(column_key, names) if k in keys), None)


def _number(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read_positions(
    df: pd.DataFrame, code: str, xcol: str, ycol: str, known: dict[str, dict[str, Any]]
) -> tuple[dict[str, tuple[float, float]], list[Problem]]:
    """``{ref: (lon, lat)}`` of the readable rows, and a problem per unreadable cell."""
    found: dict[str, tuple[float, float]] = {}
    problems: list[Problem] = []
    for row, ref, x, y in df[["_row", code, xcol, ycol]].itertuples(index=False):
        ref = ref.strip()
        bad = [
            Problem(int(row), col, "bad_coordinate", msg("validate.not_number", value=text))
            for col, text, value in ((xcol, x, _number(x)), (ycol, y, _number(y)))
            if value is None
        ]
        if ref not in known:
            bad.append(
                Problem(int(row), code, "unknown_station", msg("positions.unknown", ref=ref[:64]))
            )
        elif ref in found:
            bad.append(Problem(int(row), code, "duplicate", msg("positions.duplicate", ref=ref)))
        if bad:
            problems += bad
            continue
        lon, lat = _number(x), _number(y)
        assert lon is not None and lat is not None  # checked above
        if not in_vietnam(np.array([lon]), np.array([lat]))[0]:
            swapped = bool(in_vietnam(np.array([lat]), np.array([lon]))[0])
            reason = (
                msg("positions.swapped", lon=lon, lat=lat)
                if swapped
                else msg("positions.outside", lon=lon, lat=lat)
            )
            problems.append(Problem(int(row), xcol, "outside_vietnam", reason))
            continue
        found[ref] = (lon, lat)
    return found, problems


def _refused(path_name: str, problems: list[Problem]) -> Message:
    shown = [
        msg("problem.row_column", row=p.row, field=p.field, reason=p.reason)
        for p in problems[:_SHOWN]
    ]
    rows = len({p.row for p in problems})
    if len(problems) <= _SHOWN:
        return msg("measurements.rows_unreadable", file=path_name, rows=rows, problems=shown)
    return msg(
        "measurements.rows_unreadable_more",
        file=path_name,
        rows=rows,
        problems=shown,
        more=len(problems) - _SHOWN,
    )


def set_positions(conn: Any, path: Path | str, *, actor: str, name: str | None = None):
    """Place stations from a CSV of ``code, lon, lat`` (WGS 84 degrees), each an audited edit.

    Any unreadable row (a code that is no station, a coordinate that is not a number or lies
    outside Vietnam, a code given twice) refuses the whole file, every such cell named by row
    and column; nothing is written. Each station is then updated through the editing path
    (:func:`layers.editing.update_feature`), so the audit log holds one entry per station.

    Returns
    -------
    PositionsReport

    Raises
    ------
    ValidationError
        When the file has no code, longitude or latitude column.
    ImportFailedError
        When a row cannot be used.
    """
    path = Path(path)
    df, _ = read_table(path)
    problems = check_cells(df)
    columns = [c for c in df.columns if c != "_row"]
    code = _column(columns, CODE_COLUMNS)
    xcol, ycol = coordinate_columns(columns)
    if code is None or xcol is None or ycol is None:
        raise ValidationError(msg("positions.columns", found=columns[:20]))
    stations = {s["ref"]: s for s in list_stations(conn)}
    found, more = _read_positions(
        df[~df["_row"].isin({p.row for p in problems})], code, xcol, ycol, stations
    )
    problems += more
    if problems:
        raise ImportFailedError(_refused(name or path.name, problems))
    report = PositionsReport()
    for ref, (lon, lat) in found.items():
        station = stations[ref]
        entry = {"id": station["id"], "ref": ref, "name": station["name"]}
        if station["lon"] is not None and np.allclose(
            (station["lon"], station["lat"]), (lon, lat), atol=1e-7
        ):
            report.unchanged.append(entry)
            continue
        body = {"type": "Feature", "properties": {}, "geometry": _point(lon, lat)}
        tag = etag(conn, STATIONS.table, station["id"])
        update_feature(conn, "stations", station["id"], body, tag, actor, partial=True)
        (report.placed if station["lon"] is None else report.moved).append(entry)
    report.without_position = [
        {"id": s["id"], "ref": s["ref"], "name": s["name"]}
        for s in stations.values()
        if s["lon"] is None and s["ref"] not in found
    ]
    return report


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}
