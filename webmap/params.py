"""Parse and range-check request parameters before any model call."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape

from gis.messages import msg
from gis.validate import count_positions
from gis.vncodecs import canonical_name
from layers.collections import Collection
from planning.pipeline.tours import THEMES, TourRequest
from webmap.errors import BadParameter
from webmap.jsontext import decode_json

__all__ = [
    "MODES",
    "RESERVED",
    "ZONE_KINDS",
    "parse_bbox",
    "parse_choice",
    "parse_clock",
    "parse_date",
    "parse_datetime",
    "parse_flag",
    "parse_import_form",
    "parse_instant",
    "parse_int",
    "parse_number",
    "parse_point",
    "parse_polygon",
    "parse_props",
    "parse_tile",
    "parse_tour",
    "parse_units",
    "safe_next",
]

#: Query parameters with a meaning of their own; anything else must be a filterable property.
RESERVED = {"bbox", "limit", "offset", "datetime", "f", "lang", "bbox-crs"}


def safe_next(raw: str | None) -> str | None:
    r"""A same-origin relative path to go to after sign-in, or ``None``.

    Browsers drop tabs and newlines from URLs and read ``\\`` as ``/``, so ``/\t/evil.example``
    or ``/\evil.example`` would leave the site: any control character or backslash refuses
    the target, and what remains must be a path (no scheme, no host) not starting with ``//``.

    Examples
    --------
    >>> safe_next("/tour?lang=en"), safe_next("/\t/evil.example"), safe_next("//evil.example")
    ('/tour?lang=en', None, None)
    """
    from urllib.parse import urlsplit

    if not raw or len(raw) > 2000 or any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        return None
    if "\\" in raw or not raw.startswith("/") or raw.startswith("//"):
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return raw


def parse_int(raw: str | None, name: str, *, default: int, minimum: int, maximum: int) -> int:
    """An integer parameter within [minimum, maximum]."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(msg("param.whole_number", name=name, value=raw[:40])) from None
    if not minimum <= value <= maximum:
        raise BadParameter(
            msg("param.out_of_range", name=name, minimum=minimum, maximum=maximum, value=value)
        )
    return value


def parse_number(raw: str | None, name: str, *, default: float) -> float:
    """A finite number; its range is for the caller to check."""
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadParameter(msg("param.number", name=name)) from None
    if not math.isfinite(value):
        raise BadParameter(msg("param.number", name=name))
    return value


def parse_choice(raw: str | None, name: str, choices: tuple[str, ...], *, default: str) -> str:
    """One of ``choices`` (``default`` when absent)."""
    value = default if raw is None or raw == "" else raw
    if value not in choices:
        raise BadParameter(msg("param.choice", name=name, choices=", ".join(choices)))
    return value


def parse_flag(raw: str | None, *, default: bool = False) -> bool:
    """``1``, ``true`` or ``yes`` (any case) for true; anything else is false."""
    if raw is None:
        return default
    return raw.lower() in ("1", "true", "yes")


#: Kinds of pollution zones.
ZONE_KINDS = ("source_buffer", "surface_exceedance", "observed")

#: Boundary versions and levels of the administrative units.
UNIT_VERSIONS = ("pre-2025", "2025-07")
UNIT_LEVELS = ("province", "district", "commune")


def parse_units(
    version: str | None, level: str | None, *, default_version: str, default_level: str
) -> tuple[str, str]:
    """An administrative boundary version and level."""
    version, level = version or default_version, level or default_level
    if version not in UNIT_VERSIONS or level not in UNIT_LEVELS:
        raise BadParameter(
            "version must be pre-2025 or 2025-07; level province, district or commune"
        )
    return version, level


def _pairs(values: list[str], name: str) -> list[str]:
    """Form values, one a line (a text area) or repeated, each at most 200 characters."""
    out = [line.strip() for v in values for line in v.splitlines() if line.strip()]
    for line in out:
        if "\x00" in line or len(line) > 200:
            raise BadParameter(msg("body.too_long", field=name, maximum=200))
    return out


def parse_import_form(form: Any) -> dict[str, Any]:
    """An upload's import options, as ``langnghe import`` takes them.

    ``encoding`` (utf-8, cp1258, tcvn3, vni; empty: detected), ``field`` (``TARGET=SOURCE``,
    repeated or one a line, as ``--field``) and ``unit`` (``UNIT`` for every column and/or
    ``COLUMN=UNIT`` per column, repeated or one a line, as ``--unit``).
    """
    encoding = (form.get("encoding") or "").strip() or None
    if encoding is not None and canonical_name(encoding) is None:
        raise BadParameter(
            msg(
                "encoding.unknown",
                encoding=encoding[:40],
                choices=["utf-8", "cp1258", "tcvn3", "vni"],
            )
        )
    fields: dict[str, str] = {}
    for line in _pairs(form.getlist("field"), "field"):
        target, sep, source = line.partition("=")
        if not sep or not target.strip() or not source.strip():
            raise BadParameter(msg("import.field_format", value=line[:60]))
        fields[target.strip()] = source.strip()
    unit: str | None = None
    units: dict[str, str] = {}
    for line in _pairs(form.getlist("unit"), "unit"):
        column, sep, value = line.rpartition("=")
        if not value.strip() or (sep and not column.strip()) or (not sep and unit is not None):
            raise BadParameter(msg("import.unit_format", value=line[:60]))
        if sep:
            units[column.strip()] = value.strip()
        else:
            unit = value.strip()
    return {"encoding": encoding, "fields": fields, "unit": unit, "units": units}


def parse_date(raw: str | None, name: str, *, default: dt.date | None = None) -> dt.date | None:
    """A calendar day ``YYYY-MM-DD``."""
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(msg("param.date", name=name, value=raw[:40])) from None


def parse_instant(raw: str | None, name: str) -> dt.datetime | None:
    """An ISO 8601 date or date-time: naive stays naive, an offset is turned into UTC.

    PostgreSQL refuses offsets beyond 15:59 and offsets with seconds, which Python reads.
    """
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
        return value.astimezone(dt.UTC) if value.tzinfo is not None else value
    except (ValueError, OverflowError):
        raise BadParameter(msg("param.iso_instant", name=name, value=raw[:40])) from None


def parse_point(raw: str | None, name: str, *, default: tuple[float, float]) -> tuple[float, float]:
    """``lon,lat`` in WGS 84."""
    if not raw:
        return default
    try:
        lon, lat = (float(v) for v in raw.split(","))
    except ValueError:
        raise BadParameter(msg("param.point", name=name)) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise BadParameter(msg("param.point_range", name=name))
    return lon, lat


def parse_clock(raw: str | None, name: str, *, default: int) -> int:
    """``HH:MM`` as minutes after midnight."""
    if not raw:
        return default
    try:
        hours, minutes = (int(v) for v in raw.split(":"))
    except ValueError:
        raise BadParameter(msg("param.clock", name=name)) from None
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise BadParameter(msg("param.clock_range", name=name))
    return hours * 60 + minutes


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    """``minlon,minlat,maxlon,maxlat`` in WGS 84, checked for order and range."""
    if raw is None or raw == "":
        return None
    parts = raw.split(",")
    if len(parts) not in (4, 6):
        raise BadParameter(msg("param.bbox_shape"))
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise BadParameter(msg("param.bbox_numbers", value=raw[:60])) from None
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if not all(math.isfinite(v) for v in values):
        raise BadParameter(msg("param.bbox_finite"))
    x0, y0, x1, y1 = values
    if not (-180 <= x0 <= 180 and -180 <= x1 <= 180 and -90 <= y0 <= 90 and -90 <= y1 <= 90):
        raise BadParameter(msg("param.bbox_range"))
    if x0 > x1 or y0 > y1:
        raise BadParameter(
            "bbox minimum is greater than its maximum (expected minlon,minlat,maxlon,maxlat)"
        )
    return x0, y0, x1, y1


def _date(text: str) -> dt.date | None:
    if text in ("..", ""):
        return None
    try:
        return (
            dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
            if "T" in text
            else dt.date.fromisoformat(text)
        )
    except ValueError:
        raise BadParameter(
            "datetime must be RFC 3339 (e.g. 2026-01-31 or 2026-01-01/2026-01-31), "
            f"got {text[:40]!r}"
        ) from None


def parse_datetime(raw: str | None) -> tuple[dt.date | None, dt.date | None] | None:
    """An instant or an interval (``a/b``, ``../b``, ``a/..``)."""
    if raw is None or raw == "":
        return None
    if "/" in raw:
        start, _, end = raw.partition("/")
        interval = (_date(start), _date(end))
        if interval[0] and interval[1] and interval[0] > interval[1]:
            raise BadParameter(msg("param.interval_order"))
        return interval
    day = _date(raw)
    return day, day


def _coerce(value: str, kind: str, name: str, fmt: str | None = None) -> Any:
    if fmt == "date":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise BadParameter(msg("param.date", name=name, value=value[:40])) from None
    if kind == "integer":
        return parse_int(value, name, default=0, minimum=-(2**31), maximum=2**31 - 1)
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            raise BadParameter(msg("param.number_got", name=name, value=value[:40])) from None
        if not math.isfinite(number):
            raise BadParameter(msg("param.finite", name=name))
        return number
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise BadParameter(msg("param.boolean", name=name))
        return value.lower() == "true"
    return value


def parse_props(args: Mapping[str, str], coll: Collection) -> dict[str, Any]:
    """Property filters (``?craft=ceramics``): only filterable properties, typed."""
    filters = {}
    for name, value in args.items():
        if name in RESERVED:
            continue
        prop = coll.prop(name)
        if prop is None or not prop.filterable:
            known = ", ".join(p.name for p in coll.props if p.filterable)
            raise BadParameter(
                f"unknown or non-filterable property {name[:40]!r} for {coll.id}; "
                f"use one of: {known}"
            )
        filters[name] = _coerce(value, prop.type, name, prop.format)
    return filters


def parse_tile(z: int, x: int, y: int, *, max_zoom: int = 22) -> tuple[int, int, int]:
    """Tile coordinates inside the Web Mercator pyramid."""
    if not 0 <= z <= max_zoom:
        raise BadParameter(msg("param.zoom", max_zoom=max_zoom, value=z))
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise BadParameter(msg("param.tile", x=x, y=y, z=z))
    return z, x, y


#: Largest drawn polygon accepted, in vertices.
MAX_VERTICES = 5000


def parse_polygon(body: str | bytes, *, max_vertices: int = MAX_VERTICES) -> shapely.Geometry:
    """A GeoJSON Polygon/MultiPolygon (geometry or Feature) in WGS 84, valid, within range.

    Its vertices are counted on the decoded JSON, before the polygon is built: more than
    ``max_vertices`` is refused with the ``geometry.too_many_vertices`` message.
    """
    doc = decode_json(body)
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = doc.get("geometry")
    if not isinstance(doc, dict) or doc.get("type") not in ("Polygon", "MultiPolygon"):
        raise BadParameter(msg("param.polygon_body"))
    vertices = count_positions(doc)
    if vertices > max_vertices:
        raise BadParameter(
            msg("geometry.too_many_vertices", vertices=vertices, limit=int(max_vertices))
        )
    try:
        geom = shape(doc)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, GEOSException):
        raise BadParameter(msg("param.polygon_malformed")) from None
    xy = shapely.get_coordinates(geom)
    if len(xy) == 0:
        raise BadParameter(msg("param.polygon_malformed"))
    if not ((abs(xy[:, 0]) <= 180).all() and (abs(xy[:, 1]) <= 90).all()):
        raise BadParameter(msg("param.polygon_range"))
    if not geom.is_valid:
        raise BadParameter(msg("param.polygon_invalid", reason=shapely.is_valid_reason(geom)))
    return geom


#: Travel modes of the road-network profiles.
MODES = ("motorbike", "car", "walk")


def parse_tour(args: Mapping[str, str], *, today: dt.date) -> TourRequest:
    """A day tour from the query string (``villages=ref,ref`` or ``theme=``, ``date``, ...).

    Parameters
    ----------
    args : Mapping
        The query string.
    today : datetime.date
        The day planned when ``date`` is absent.

    Returns
    -------
    TourRequest
        For ``planning.pipeline.plan_village_tour``.
    """
    refs = tuple(r for r in (args.get("villages") or "").split(",") if r)
    if len(refs) > 25:
        raise BadParameter(msg("param.tour_too_many"))
    theme = args.get("theme") or None
    if not refs and not theme:
        raise BadParameter(
            "pick villages (villages=ref,ref) or a theme (" + ", ".join(THEMES) + ")"
        )
    return TourRequest(
        refs=refs,
        theme=theme,
        start=parse_point(args.get("start"), "start", default=TourRequest.start),
        day=parse_date(args.get("date"), "date") or today,
        start_min=parse_clock(args.get("start_time"), "start_time", default=8 * 60),
        budget_min=parse_int(
            args.get("budget"), "budget (minutes)", default=480, minimum=30, maximum=1440
        ),
        mode=parse_choice(args.get("mode"), "mode", MODES, default="motorbike"),
        avoid_pollution=parse_flag(args.get("avoid_pollution")),
        network=args.get("network", "default")[:40],
        must=tuple(r for r in (args.get("must") or "").split(",") if r in refs),
        fixed_order=parse_choice(args.get("order"), "order", ("best", "given"), default="best")
        == "given",
        lunch=parse_flag(args.get("lunch"), default=True),
    )
