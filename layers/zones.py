"""Pollution zones: the import spec, and the reads and writes of the zone analyses.

Zones drawn or corrected by environmental officers arrive through ``langnghe import
zones`` and zone edits through the API; the analyses replace the zones they made.
Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from psycopg2 import sql
from psycopg2.extras import execute_values

from gis.messages import msg
from gis.postgis import read_geodataframe
from gis.text import nfc
from gis.validate import REF_PATTERN, Problem
from layers import _sql
from layers.importer import ImportOptions, rename_columns
from layers.layer import ID, N_, UPDATED_AT, Column, Layer

__all__ = [
    "KINDS",
    "SRID",
    "ZONES",
    "ZONE_COLUMNS",
    "current_geometries",
    "latest_date",
    "replace_source_zones",
    "replace_zones_by_prefix",
    "zone_count",
    "zone_keys_on",
    "zone_methods",
    "zone_status",
    "zones_on",
]

KINDS = ("surface_exceedance", "source_buffer", "observed")
SEVERITIES = ("high", "medium", "low")


def _prepare(gdf: gpd.GeoDataFrame, options: ImportOptions) -> tuple[pd.DataFrame, list[Problem]]:
    frame = rename_columns(gdf, {})
    frame["name"] = (
        frame["name"].map(lambda v: nfc(v) if isinstance(v, str) else v)
        if "name" in frame
        else None
    )
    return frame, []


def _check_parameters(cur, options: ImportOptions) -> list[Problem]:
    """A zone's parameter must be one the system knows (the table's foreign key, said per row)."""
    cur.execute(
        "SELECT _row, parameter FROM _stage WHERE parameter IS NOT NULL "
        "AND parameter NOT IN (SELECT code FROM parameters)"
    )
    return [
        Problem(int(row), "parameter", "choice", msg("measurements.unknown_parameter", parameter=p))
        for row, p in cur.fetchall()
    ]


ZONES = Layer(
    name="zones",
    table="pollution_zones",
    title=N_("Pollution zones"),
    description=N_("Exceedance zones and source buffers, by date."),
    schema=(
        ID,
        Column("ref", required=True, pattern=REF_PATTERN, public=True, filterable=True),
        Column("name", required=True, public=True, filterable=True, title=N_("Name")),
        Column("kind", required=True, choices=KINDS, public=True, filterable=True),
        Column("parameter", public=True, filterable=True),
        Column("method", required=True, public=True, filterable=True, title=N_("Method")),
        Column("zone_date", "date", required=True, public=True, title=N_("Date")),
        Column("severity", choices=SEVERITIES, public=True, filterable=True, title=N_("Severity")),
        Column("village_id", "int", role="stored"),
        Column("source", required=True, public=True, in_tiles=False),
        UPDATED_AT,
    ),
    key=("ref",),
    geometry_type="MultiPolygon",
    # Zones traced from interpolated surfaces follow the raster's cells: more vertices.
    max_vertices=100_000,
    importable=True,
    collection="zones",
    edit_roles=("env_officer",),
    edit_form=("name", "severity", "zone_date", "method"),
    datetime_column="zone_date",
    prepare=_prepare,
    stage_check=_check_parameters,
)

# --- reading and writing zones for the analyses ----------------------------------------------

#: The storage SRID of the zones (from their declaration).
SRID = ZONES.srid
#: The columns an analysis writes (``geometry`` as well, in any CRS).
ZONE_COLUMNS = (
    "ref",
    "name",
    "kind",
    "parameter",
    "method",
    "zone_date",
    "severity",
    "village_id",
    "source",
)


def current_geometries(conn: Any) -> list[shapely.Geometry]:
    """The geometry of each zone's latest date (WGS 84)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ST_AsBinary(geom) FROM pollution_zones z WHERE zone_date = "
            "(SELECT max(zone_date) FROM pollution_zones WHERE ref = z.ref)"
        )
        return [shapely.from_wkb(bytes(r[0])) for r in cur.fetchall()]


def zone_count(conn: Any) -> int:
    """How many zones are stored."""
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pollution_zones")
        return int(cur.fetchone()[0])


def latest_date(conn: Any, kind: str | None = None) -> dt.date | None:
    """The latest zone date (of ``kind`` when given), or None when there are no zones."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT max(zone_date) FROM pollution_zones WHERE %s::text IS NULL OR kind = %s",
            (kind, kind),
        )
        return cur.fetchone()[0]


def zones_on(conn: Any, day: dt.date, kind: str | None = None) -> gpd.GeoDataFrame:
    """The zones of ``day`` (of ``kind`` when given) by ref: ref, name, kind, severity.

    A zone without a severity counts as ``medium``.
    """
    return read_geodataframe(
        conn,
        "SELECT ref, name, kind, coalesce(severity, 'medium') AS severity, "
        "ST_AsBinary(geom) AS geom FROM pollution_zones WHERE zone_date = %s "
        "AND (%s::text IS NULL OR kind = %s) ORDER BY ref",
        (day, kind, kind),
        crs=SRID,
    )


def zone_keys_on(conn: Any, day: dt.date, kind: str) -> gpd.GeoDataFrame:
    """The zones of ``kind`` on ``day`` keyed by the second part of their ref (the village)."""
    return read_geodataframe(
        conn,
        "SELECT split_part(ref, ':', 2) AS ref, ST_AsBinary(geom) AS geom "
        "FROM pollution_zones WHERE kind = %(kind)s AND zone_date = %(day)s",
        {"kind": kind, "day": day},
        crs=SRID,
    )


def _insert_zones(cur: Any, zones: gpd.GeoDataFrame) -> None:
    frame = zones.to_crs(SRID)
    rows = [
        (*(_plain(getattr(r, c, None)) for c in ZONE_COLUMNS), r.geometry.wkt)
        for r in frame.itertuples()
    ]
    insert = sql.SQL("INSERT INTO pollution_zones ({}, geom) VALUES %s").format(
        sql.SQL(", ").join(map(sql.Identifier, ZONE_COLUMNS))
    )
    template = "(" + ", ".join(["%s"] * len(ZONE_COLUMNS))
    template += f", ST_Multi(ST_GeomFromText(%s, {SRID:d})))"
    execute_values(cur, insert.as_string(cur), rows, template=template, page_size=1000)


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def replace_source_zones(conn: Any, day: dt.date, zones: gpd.GeoDataFrame) -> int:
    """Replace the ``source_buffer`` zones of ``day`` by ``zones``; returns how many.

    ``zones`` has the columns of :data:`ZONE_COLUMNS` (missing ones are NULL).
    """
    with conn.cursor() as cur:
        cur.execute(
            "DELETE FROM pollution_zones WHERE kind = 'source_buffer' AND zone_date = %s", (day,)
        )
        _insert_zones(cur, zones)
    return len(zones)


def replace_zones_by_prefix(conn: Any, prefix: str, zones: gpd.GeoDataFrame) -> int:
    """Replace the zones whose ref starts with ``prefix`` by ``zones``; returns how many."""
    with conn.cursor() as cur:
        cur.execute(
            "DELETE FROM pollution_zones WHERE starts_with(ref, %s)",
            (prefix,),
        )
        _insert_zones(cur, zones)
    return len(zones)


def zone_status(conn: Any) -> list[dict[str, Any]]:
    """Per kind: the latest zone date, its zones, when made, when their inputs changed.

    The inputs of source zones are the villages: ``stale`` when they changed after the zones.
    Exceedance zones come one entry per surface they were made from (``scenario``, with the
    surface's ``parameter`` and period ``start``): their inputs are the measurements of that
    parameter observed in or after the surface's period, ``stale`` when such measurements
    arrived after the zones were made (``inputs_changed_at`` is the latest such arrival).
    """
    with conn.cursor() as cur:
        cur.execute(
            "SELECT kind, zone_date, count(*), min(updated_at) FROM pollution_zones z "
            "WHERE kind <> 'surface_exceedance' AND zone_date = "
            "(SELECT max(zone_date) FROM pollution_zones WHERE kind = z.kind) "
            "GROUP BY kind, zone_date ORDER BY kind"
        )
        rows = cur.fetchall()
        cur.execute("SELECT max(updated_at) FROM craft_villages")
        villages = cur.fetchone()[0]
    out = []
    for kind, day, count, made in rows:
        changed = villages if kind == "source_buffer" else None
        out.append(_status(kind, day, count, made, changed))
    return out + _surface_zone_status(conn)


def _status(
    kind: str, day: dt.date, count: int, made: dt.datetime, changed: dt.datetime | None
) -> dict[str, Any]:
    return {
        "kind": kind,
        "date": day.isoformat(),
        "zones": int(count),
        "made_at": made.isoformat(),
        "inputs_changed_at": changed.isoformat() if changed else None,
        "stale": bool(changed and changed > made),
    }


def _surface_zone_status(conn: Any, *, surfaces: int = 10) -> list[dict[str, Any]]:
    """The exceedance zones of the latest ``surfaces`` surfaces, each against its measurements."""
    with conn.cursor() as cur:
        cur.execute(_sql.query("surface_zone_status"), {"surfaces": int(surfaces)})
        rows = cur.fetchall()
    out = []
    for scenario, parameter, start, day, count, made, changed in rows:
        entry = _status("surface_exceedance", day, count, made, changed)
        entry.update(
            scenario=scenario, parameter=parameter, start=start.isoformat() if start else None
        )
        out.append(entry)
    return out


def zone_methods(conn: Any) -> list[str]:
    """The distinct stored ``method`` values (codes as JSON, or older free text)."""
    with conn.cursor() as cur:
        cur.execute("SELECT DISTINCT method FROM pollution_zones ORDER BY method LIMIT 5000")
        return [m for (m,) in cur.fetchall()]
