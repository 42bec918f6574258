"""Queries the map pages need: what lies inside a drawn polygon, choropleths, station data."""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = ["latest_values", "series", "village_counts", "within"]


def within(conn, polygon_wkb_hex: str) -> dict[str, list[dict[str, Any]]]:
    """Villages, clusters and zones inside (intersecting, for areas) a WGS 84 polygon."""
    queries = {
        "villages": "SELECT id, name, craft FROM craft_villages t, g "
        "WHERE ST_Intersects(t.geom, g.geom) ORDER BY name",
        "clusters": "SELECT id, name, kind FROM industrial_clusters t, g "
        "WHERE ST_Intersects(t.geom, g.geom) ORDER BY name",
        "zones": "SELECT id, name, kind FROM pollution_zones t, g "
        "WHERE ST_Intersects(t.geom, g.geom) ORDER BY name",
    }
    out: dict[str, list[dict[str, Any]]] = {}
    with conn.cursor() as cur:
        for key, query in queries.items():
            cur.execute(
                "WITH g AS (SELECT ST_SetSRID(ST_GeomFromWKB(decode(%s, 'hex')), 4326) AS geom) "
                + query,
                (polygon_wkb_hex,),
            )
            out[key] = [{"id": i, "name": n, "kind": k} for i, n, k in cur.fetchall()]
    return out


def village_counts(conn, *, version: str, level: str) -> str:
    """GeoJSON of the administrative units of ``version``/``level`` with their village counts."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT json_build_object('type', 'FeatureCollection', 'features', "
            "coalesce(json_agg(json_build_object("
            "'type', 'Feature', 'id', a.id, 'geometry', "
            "ST_AsGeoJSON(ST_SimplifyPreserveTopology(a.geom, 0.0005), 6)::json, "
            "'properties', json_build_object('code', a.code, 'name', a.name, 'villages', "
            "(SELECT count(*) FROM craft_villages v WHERE ST_Covers(a.geom, v.geom))))), "
            "'[]'::json))::text "
            "FROM admin_units a WHERE a.version = %s AND a.level = %s",
            (version, level),
        )
        return cur.fetchone()[0]


def latest_values(conn) -> list[tuple[int, str, str, dt.datetime, float, str]]:
    """Each station's latest value of each parameter.

    Rows of (station id, ref, parameter, time, value, unit).
    """
    with conn.cursor() as cur:
        cur.execute(
            "SELECT s.id, s.ref, p.code, m.observed_at, m.value, m.unit FROM monitoring_stations s "
            "CROSS JOIN parameters p CROSS JOIN LATERAL (SELECT observed_at, value, unit FROM "
            "measurements m "
            "WHERE m.station_id = s.id AND m.parameter = p.code ORDER BY observed_at DESC LIMIT "
            "1) m "
            "ORDER BY s.id, p.code"
        )
        return cur.fetchall()


def series(
    conn, station_id: int, parameter: str, *, days: int = 7
) -> list[tuple[dt.datetime, float, str]]:
    """The last ``days`` of values of one station and parameter (time, value, quality flag)."""
    with conn.cursor() as cur:
        cur.execute(
            "WITH last AS (SELECT max(observed_at) AS t FROM measurements WHERE station_id = "
            "%(s)s AND parameter = %(p)s) "
            "SELECT observed_at, value, quality_flag FROM measurements, last WHERE station_id = "
            "%(s)s "
            "AND parameter = %(p)s AND observed_at > last.t - make_interval(days => %(d)s) ORDER "
            "BY observed_at",
            {"s": int(station_id), "p": parameter, "d": int(days)},
        )
        return cur.fetchall()
