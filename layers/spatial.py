"""Queries the map pages need: what lies inside a drawn polygon, choropleths, station data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from psycopg2 import sql

from gis.crs import WGS84_EPSG
from layers._sql import query
from layers.clusters import CLUSTERS
from layers.villages import VILLAGES
from layers.zones import ZONES

__all__ = ["SRID", "latest_values", "series", "village_counts", "within"]

#: The drawn polygon's CRS: WGS 84 longitude/latitude, as the web sends it.
SRID = WGS84_EPSG
#: What :func:`within` lists: key -> (layer, the column shown as ``kind``).
_WITHIN = {
    "villages": (VILLAGES, "craft"),
    "clusters": (CLUSTERS, "kind"),
    "zones": (ZONES, "kind"),
}


def within(conn: Any, polygon_wkb_hex: str) -> dict[str, list[dict[str, Any]]]:
    """Villages, clusters and zones inside (intersecting, for areas) a WGS 84 polygon."""
    out: dict[str, list[dict[str, Any]]] = {}
    with conn.cursor() as cur:
        for key, (layer, kind) in _WITHIN.items():
            cur.execute(
                sql.SQL(
                    "WITH g AS (SELECT ST_Transform(ST_SetSRID(ST_GeomFromWKB(decode(%s, 'hex')), "
                    "%s), %s) AS geom) "
                    "SELECT id, name, {kind} FROM {table} t, g "
                    "WHERE ST_Intersects(t.geom, g.geom) ORDER BY name"
                ).format(kind=sql.Identifier(kind), table=sql.Identifier(layer.table)),
                (polygon_wkb_hex, SRID, layer.srid),
            )
            out[key] = [{"id": i, "name": n, "kind": k} for i, n, k in cur.fetchall()]
    return out


def village_counts(conn: Any, *, version: str, level: str) -> str:
    """GeoJSON of the administrative units of ``version``/``level`` with their village counts."""
    with conn.cursor() as cur:
        cur.execute(query("village_counts"), {"version": version, "level": level})
        return str(cur.fetchone()[0])


def latest_values(conn: Any) -> list[tuple[int, str, str, dt.datetime, float, str]]:
    """Each station's latest value of each parameter.

    Rows of (station id, ref, parameter, time, value, unit).
    """
    with conn.cursor() as cur:
        cur.execute(query("latest_values"))
        return list(cur.fetchall())


def series(
    conn: Any,
    station_id: int,
    parameter: str,
    *,
    days: int = 7,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[tuple[dt.datetime, float, str]]:
    """Values of one station and parameter (time, value, quality flag).

    With ``start`` and ``end``: the half-open period ``[start, end)``; otherwise the last
    ``days`` counted back from the station's latest value of the parameter.
    """
    with conn.cursor() as cur:
        if start is not None and end is not None:
            cur.execute(
                query("station_series_range"),
                {"s": int(station_id), "p": parameter, "a": start, "b": end},
            )
        else:
            cur.execute(
                query("station_series"), {"s": int(station_id), "p": parameter, "d": int(days)}
            )
        return list(cur.fetchall())
