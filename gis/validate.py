"""Validation at the boundary: typed fields and geometries, with row-level problems.

Every check returns :class:`Problem` records naming the row (1-based record number in
the input, header excluded), the field and the reason (a :class:`~gis.messages.Message`),
so that an import report can say exactly what is wrong and where, in the reader's language.
Nothing here touches a database or a file.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.errors import ValidationError
from gis.messages import Message, msg
from gis.text import nfc

__all__ = [
    "REF_PATTERN",
    "SYNTAXES",
    "VIETNAM_BOXES",
    "Field",
    "Problem",
    "MAX_CELL_CHARS",
    "check_cells",
    "check_duplicates",
    "check_fields",
    "check_geometries",
    "count_positions",
    "in_vietnam",
]

Severity = Literal["error", "warning"]

#: Every natural key (``ref``) of every layer: ASCII letters and digits, then also ``.``,
#: ``_``, ``:`` and ``-``; at most 64 characters. No spaces, quotes, slashes or control
#: characters, so a ref is safe in a URL path, a file name and a header.
REF_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}"

#: Envelopes (lon_min, lat_min, lon_max, lat_max) of Vietnam's land and archipelagos:
#: the mainland lies at 8-24 N, 102-110 E; Hoàng Sa and Trường Sa lie further east.
VIETNAM_BOXES: tuple[tuple[float, float, float, float], ...] = (
    (102.0, 8.0, 110.0, 24.0),
    (110.0, 15.5, 113.0, 17.5),
    (111.0, 6.0, 117.5, 12.5),
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong (error: the row is rejected) or worth knowing (warning).

    Examples
    --------
    >>> p = Problem(3, "lon", "type", msg("validate.not_number", value="abc"))
    >>> p.message.code, p.message.params["row"]
    ('problem.row_field', 3)
    """

    row: int | None
    field: str | None
    code: str
    reason: Message
    severity: Severity = "error"

    @property
    def message(self) -> Message:
        """Where (the row, the field) and what, as one message."""
        if self.row is not None and self.field:
            return msg("problem.row_field", row=self.row, field=self.field, reason=self.reason)
        if self.row is not None:
            return msg("problem.row", row=self.row, reason=self.reason)
        if self.field:
            return msg("problem.file_field", field=self.field, reason=self.reason)
        return msg("problem.file", reason=self.reason)

    def __str__(self) -> str:
        return str(self.message)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (the reason stays a message, rendered at the edge)."""
        return {
            "row": self.row,
            "field": self.field,
            "code": self.code,
            "reason": self.reason,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class Field:
    """One input field: its type, whether it is required, its allowed values or range."""

    name: str
    kind: Literal["text", "int", "float", "bool", "date"] = "text"
    required: bool = False
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    #: A regular expression the whole text must match (``re.fullmatch``).
    pattern: str | None = None
    #: A named syntax the text must parse as (see :data:`SYNTAXES`), e.g. ``opening_hours``.
    check: Literal["opening_hours"] | None = None


_TRUE = {"true", "yes", "y", "1", "có", "co", "x"}
_FALSE = {"false", "no", "n", "0", "không", "khong"}


#: Longest text a cell of an uploaded table may hold (no column of ours needs more).
MAX_CELL_CHARS = 2000


def check_cells(df: pd.DataFrame, *, max_chars: int = MAX_CELL_CHARS) -> list[Problem]:
    r"""Cells no column can store: NUL characters (PostgreSQL text cannot hold them), over-long.

    ``df`` is a table read as text (with ``_row``); a problem names each such cell's row and
    column.

    Examples
    --------
    >>> df = pd.DataFrame({"ref": ["A", "B\x00", "C" * 3000], "_row": [1, 2, 3]})
    >>> [(p.row, p.field, p.code) for p in check_cells(df)]
    [(2, 'ref', 'nul'), (3, 'ref', 'too_long')]
    """
    problems: list[Problem] = []
    for column in (c for c in df.columns if c != "_row"):
        text = df[column].astype(str)
        nul = text.str.contains("\x00", regex=False)
        long = ~nul & (text.str.len() > max_chars)
        problems += [
            Problem(int(r), _clean(column), "nul", msg("validate.nul")) for r in df.loc[nul, "_row"]
        ]
        problems += [
            Problem(int(r), _clean(column), "too_long", msg("validate.too_long", maximum=max_chars))
            for r in df.loc[long, "_row"]
        ]
    return sorted(problems, key=lambda p: (p.row or 0, p.field or ""))


def _clean(column: object) -> str:
    """A column name fit for a message (NUL removed, at most 60 characters)."""
    return str(column).replace("\x00", "")[:60]


def _blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and value.strip() == "")
        or value is pd.NA
    )


def _coerce(value: object, spec: Field) -> object:
    """Coerce one non-blank value or raise :class:`ValidationError` with the reason."""
    if spec.kind == "text":
        return nfc(str(value))
    if spec.kind == "bool":
        if isinstance(value, bool | np.bool_):
            return bool(value)
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValidationError(msg("validate.not_yes_no", value=str(value)))
    if spec.kind == "date":
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(msg("validate.not_date", value=str(value))) from None
    try:
        number = (
            float(str(value).strip().replace(",", "")) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
        )
    except (TypeError, ValueError):
        raise ValidationError(msg("validate.not_number", value=str(value))) from None
    if not math.isfinite(number):
        raise ValidationError(msg("validate.not_finite", value=str(value)))
    if spec.kind == "int":
        if number != int(number):
            raise ValidationError(msg("validate.not_whole", value=str(value)))
        return int(number)
    return number


def _opening_hours_ok(text: str) -> bool:
    """Whether ``text`` parses as OSM ``opening_hours`` syntax."""
    import opening_hours

    try:
        opening_hours.OpeningHours(text)
    except (opening_hours.ParserError, ValueError):  # type: ignore[attr-defined]
        return False
    return True


#: Named syntaxes a text field may be checked against.
SYNTAXES = {"opening_hours": _opening_hours_ok}


def _check_value(value: object, spec: Field) -> Message | None:
    if spec.check is not None and not SYNTAXES[spec.check](str(value)):
        return msg("validate.bad_syntax", value=str(value)[:80], syntax=spec.check)
    if spec.pattern is not None and not re.fullmatch(spec.pattern, str(value)):
        return msg("validate.bad_pattern", value=str(value)[:80], pattern=spec.pattern)
    if spec.choices is not None and value not in spec.choices:
        return msg("validate.not_choice", value=str(value), choices=list(spec.choices))
    if spec.minimum is not None and value < spec.minimum:  # type: ignore[operator]
        return msg("validate.below_minimum", value=value, minimum=spec.minimum)
    if spec.maximum is not None and value > spec.maximum:  # type: ignore[operator]
        return msg("validate.above_maximum", value=value, maximum=spec.maximum)
    return None


def check_fields(
    df: pd.DataFrame, fields: Sequence[Field], *, rows: pd.Series
) -> tuple[pd.DataFrame, list[Problem]]:
    """Coerce and check the declared fields of ``df``.

    Parameters
    ----------
    df : DataFrame
        Input records; missing optional columns are added as empty.
    fields : sequence of Field
        The declared fields.
    rows : Series
        The 1-based record number of each row of ``df`` (same index).

    Returns
    -------
    (DataFrame, list of Problem)
        A new frame whose declared columns hold Python values (``None`` when blank),
        and the problems found (errors reject their row).
    """
    out = df.copy()
    problems: list[Problem] = []
    for spec in fields:
        source = (
            df[spec.name]
            if spec.name in df.columns
            else pd.Series(None, index=df.index, dtype=object)
        )
        values: list[object] = []
        for idx, raw in source.items():
            row = int(rows[idx])
            if _blank(raw):
                if spec.required:
                    problems.append(Problem(row, spec.name, "required", msg("validate.required")))
                values.append(None)
                continue
            try:
                value = _coerce(raw, spec)
            except ValidationError as exc:
                assert exc.message is not None
                problems.append(Problem(row, spec.name, "type", exc.message))
                values.append(None)
                continue
            reason = _check_value(value, spec)
            if reason:
                problems.append(
                    Problem(row, spec.name, "range" if spec.choices is None else "choice", reason)
                )
            values.append(value)
        out[spec.name] = pd.Series(values, index=df.index, dtype=object)
    return out, problems


def in_vietnam(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Element-wise: whether each (lon, lat) lies in one of :data:`VIETNAM_BOXES`.

    Examples
    --------
    >>> in_vietnam(np.array([105.85, 21.0]), np.array([21.03, 105.85])).tolist()
    [True, False]
    """
    inside = np.zeros(np.shape(lon), dtype=bool)
    for x0, y0, x1, y1 in VIETNAM_BOXES:
        inside |= (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    return inside


_FAMILY = {
    "Point": {"Point"},
    "MultiPoint": {"Point", "MultiPoint"},
    "LineString": {"LineString"},
    "MultiLineString": {"LineString", "MultiLineString"},
    "MultiPolygon": {"Polygon", "MultiPolygon"},
    "Polygon": {"Polygon"},
}


def _promote(geom: Any, expected: str) -> Any:
    if expected == "MultiPolygon" and geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    if expected == "MultiLineString" and geom.geom_type == "LineString":
        return shapely.MultiLineString([geom])
    return geom


def _polygonal(geom: Any) -> Any:
    parts = [
        g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon")
    ]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return shapely.MultiPolygon([merged]) if merged.geom_type == "Polygon" else merged


def _check_one(
    geom: Any, row: int, *, expected: str, fix_swapped: bool, repair: bool
) -> tuple[Any, list[Problem]]:
    """Return (geometry or None, problems) for one geometry in EPSG:4326."""
    if geom is None or geom.is_empty:
        return None, [Problem(row, "geometry", "empty_geometry", msg("validate.empty_geometry"))]
    if geom.geom_type not in _FAMILY[expected]:
        return None, [
            Problem(
                row,
                "geometry",
                "geometry_type",
                msg("validate.geometry_type", found=geom.geom_type, expected=expected),
            )
        ]
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all():
        return None, [Problem(row, "geometry", "non_finite", msg("validate.non_finite"))]
    lon, lat = xy[:, 0], xy[:, 1]
    problems: list[Problem] = []
    if not in_vietnam(lon, lat).all():
        if in_vietnam(lat, lon).all():
            where = {"x": _six(lon[0]), "y": _six(lat[0])}
            if not fix_swapped:
                return None, [
                    Problem(
                        row,
                        "geometry",
                        "latlon_swapped",
                        msg("validate.latlon_swapped", **where),
                    )
                ]
            geom = shapely.transform(geom, lambda a: a[:, ::-1])
            problems.append(
                Problem(
                    row,
                    "geometry",
                    "latlon_swapped",
                    msg("validate.latlon_fixed", **where),
                    "warning",
                )
            )
        else:
            bad = ~in_vietnam(lon, lat)
            where = {"lon": _six(lon[bad][0]), "lat": _six(lat[bad][0])}
            if (np.abs(lon) > 180).any() or (np.abs(lat) > 90).any():
                reason = msg("validate.out_of_range", **where)
                return None, [Problem(row, "geometry", "out_of_range", reason)]
            return None, [
                Problem(
                    row,
                    "geometry",
                    "outside_vietnam",
                    msg("validate.outside_vietnam", **where),
                )
            ]
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        fixed = _polygonal(shapely.make_valid(geom)) if repair and "Polygon" in expected else None
        if fixed is None or fixed.is_empty:
            code = "validate.invalid_geometry" if repair else "validate.invalid_geometry_repair"
            return None, [
                *problems,
                Problem(row, "geometry", "invalid_geometry", msg(code, reason=reason)),
            ]
        problems.append(
            Problem(
                row,
                "geometry",
                "invalid_geometry",
                msg("validate.geometry_repaired", reason=reason),
                "warning",
            )
        )
        geom = fixed
    return _promote(geom, expected), problems


def _six(value: float) -> float:
    """A coordinate to six significant digits (what a message shows)."""
    return float(f"{value:.6g}")


def _key(key: object) -> str:
    """A natural key as the user wrote it: ``('A', 'B')`` reads ``A, B``."""
    return ", ".join(map(str, key)) if isinstance(key, tuple) else str(key)


#: Nesting depth of the positions in each GeoJSON geometry type's ``coordinates``.
_POSITION_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


def _positions(coords: object, depth: int) -> int:
    if depth == 0:
        return 1
    if not isinstance(coords, list):
        return 0
    if depth == 1:
        return len(coords)
    return sum(_positions(part, depth - 1) for part in coords)


def count_positions(geometry: object, *, _nesting: int = 0) -> int:
    """The number of positions (vertices) in a decoded GeoJSON geometry, before parsing it.

    Counts list lengths per ring or part without looking at each position, so an
    oversized geometry is measured in a fraction of the time building it would take.
    Malformed members count as nothing (the parser refuses them afterwards).

    Parameters
    ----------
    geometry : object
        A decoded GeoJSON geometry (a ``dict`` with ``type`` and ``coordinates``, or a
        ``GeometryCollection`` with ``geometries``); anything else counts 0.

    Returns
    -------
    int
        The number of positions, closing positions of rings included.

    Examples
    --------
    >>> square = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    >>> count_positions({"type": "Polygon", "coordinates": [square]})
    5
    >>> count_positions({"type": "MultiPolygon", "coordinates": [[square], [square, square]]})
    15
    >>> count_positions({"type": "Polygon", "coordinates": "nonsense"})
    0
    """
    if not isinstance(geometry, dict):
        return 0
    kind = geometry.get("type")
    if kind == "GeometryCollection" and _nesting < 8:
        parts = geometry.get("geometries")
        if not isinstance(parts, list):
            return 0
        return sum(count_positions(part, _nesting=_nesting + 1) for part in parts)
    if kind not in _POSITION_DEPTH:
        return 0
    return _positions(geometry.get("coordinates"), _POSITION_DEPTH[kind])


def _too_many_vertices(
    geoms: gpd.GeoSeries, rows: pd.Series, max_vertices: int | None
) -> tuple[set[Any], list[Problem]]:
    """The index labels of geometries over ``max_vertices`` (counted vectorised), problems."""
    if max_vertices is None or not len(geoms):
        return set(), []
    counts = shapely.get_num_coordinates(np.asarray(geoms.values, dtype=object))
    over = np.flatnonzero(counts > max_vertices)
    labels = geoms.index[over]
    problems = [
        Problem(
            int(rows[label]),
            "geometry",
            "too_many_vertices",
            msg("geometry.too_many_vertices", vertices=int(counts[i]), limit=int(max_vertices)),
        )
        for i, label in zip(over, labels, strict=True)
    ]
    return set(labels), problems


def check_geometries(
    geoms: gpd.GeoSeries,
    rows: pd.Series,
    *,
    expected: str,
    fix_swapped: bool = False,
    repair: bool = True,
    max_vertices: int | None = None,
) -> tuple[gpd.GeoSeries, list[Problem]]:
    """Check geometries already in EPSG:4326 for a layer of type ``expected``.

    Catches geometries with more than ``max_vertices`` vertices (counted before any other
    check), empty and wrong-typed geometries, NaN/infinite and out-of-range
    coordinates, points outside Vietnam, swapped latitude/longitude (fixed only when
    ``fix_swapped``) and invalid polygons (repaired with a warning when ``repair``).

    Returns
    -------
    (GeoSeries, list of Problem)
        Checked geometries (``None`` where rejected) on the same index, and problems.
    """
    if geoms.crs is None or geoms.crs.to_epsg() != 4326:
        raise ValueError("check_geometries expects EPSG:4326 input")  # a programming error
    oversized, problems = _too_many_vertices(geoms, rows, max_vertices)
    out: list[object] = []
    for idx, geom in geoms.items():
        if idx in oversized:
            out.append(None)
            continue
        checked, found = _check_one(
            geom, int(rows[idx]), expected=expected, fix_swapped=fix_swapped, repair=repair
        )
        out.append(checked)
        problems.extend(found)
    return gpd.GeoSeries(out, index=geoms.index, crs=geoms.crs), problems


def check_duplicates(
    keys: pd.Series, rows: pd.Series, *, field: str, skip: Iterable[int] = ()
) -> list[Problem]:
    """Flag every repeat of a key after its first occurrence as an error."""
    first: dict[object, int] = {}
    skipped = set(skip)
    problems = []
    for idx, key in keys.items():
        row = int(rows[idx])
        if key is None or row in skipped:
            continue
        if key in first:
            problems.append(
                Problem(
                    row,
                    field,
                    "duplicate",
                    msg("validate.duplicate", first=first[key], key=_key(key)),
                )
            )
        else:
            first[key] = row
    return problems
