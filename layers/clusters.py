"""Industrial clusters (cụm công nghiệp, CCN) under Decree 32/2024/NĐ-CP."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from gis.crs import METRIC_CRS, to_wgs84
from gis.db import fetch_one
from gis.errors import CRSError
from gis.messages import msg
from gis.postgis import read_geodataframe
from gis.text import fold, nfc
from gis.validate import REF_PATTERN, Problem
from layers.importer import ImportOptions, rename_columns
from layers.layer import ID, N_, UPDATED_AT, Column, Layer

__all__ = [
    "CLUSTERS",
    "SRID",
    "cluster_facts",
    "clusters_by_ref",
    "clusters_in_bbox",
    "clusters_within",
    "polygon_area_ha",
]

KINDS = ("general", "craft_village")
STATUSES = ("planned", "operating", "expanding")


def polygon_area_ha(geoms: gpd.GeoSeries, *, crs: Any = METRIC_CRS) -> pd.Series:
    """Area of each polygon in hectares, measured in a projected CRS.

    Parameters
    ----------
    geoms : GeoSeries
        Polygons with a CRS.
    crs : CRS-like
        The metric CRS of the measurement (the clusters' declared ``metric_crs``; UTM 48N
        by default).

    Returns
    -------
    Series
        Named ``area_ha``, indexed like ``geoms``.
    """
    if geoms.crs is None:
        raise CRSError(msg("clusters.area_needs_crs"))
    return pd.Series(geoms.to_crs(crs).area / 10_000.0, index=geoms.index, name="area_ha")


def _prepare(gdf: gpd.GeoDataFrame, options: ImportOptions) -> tuple[pd.DataFrame, list[Problem]]:
    frame = rename_columns(gdf, {})
    problems: list[Problem] = []
    frame["name"] = (
        frame["name"].map(lambda v: nfc(v) if isinstance(v, str) else v)
        if "name" in frame
        else None
    )
    frame["name_ascii"] = frame["name"].map(lambda v: fold(v) if isinstance(v, str) else None)
    frame["flags"] = [[] for _ in range(len(frame))]
    if "area_ha" not in frame.columns:
        frame["area_ha"] = None
    frame["area_ha"] = frame["area_ha"].astype(object)
    mountainous = (
        frame["mountainous"] if "mountainous" in frame else pd.Series("no", index=frame.index)
    )
    frame["mountainous"] = mountainous.map(
        lambda v: "no" if v is None or str(v).strip() == "" else v
    )
    measured = polygon_area_ha(
        to_wgs84(gdf[[gdf.geometry.name]]).geometry.make_valid(), crs=CLUSTERS.metric_crs
    ).round(2)
    stated = pd.to_numeric(
        frame.get("area_ha", pd.Series(index=frame.index, dtype=float)), errors="coerce"
    )
    for idx in frame.index:
        row = int(frame.at[idx, "_row"])
        if pd.isna(stated[idx]):
            frame.at[idx, "area_ha"] = float(measured[idx])
            problems.append(
                Problem(
                    row,
                    "area_ha",
                    "area_measured",
                    msg("clusters.area_measured", area_ha=round(float(measured[idx]), 2)),
                    "warning",
                )
            )
        elif abs(stated[idx] - measured[idx]) > 0.2 * stated[idx]:
            frame.at[idx, "flags"] = ["area_mismatch"]
            problems.append(
                Problem(
                    row,
                    "area_ha",
                    "area_mismatch",
                    msg(
                        "clusters.area_mismatch",
                        stated_ha=float(stated[idx]),
                        area_ha=round(float(measured[idx]), 2),
                    ),
                    "warning",
                )
            )
    return frame, problems


CLUSTERS = Layer(
    name="clusters",
    table="industrial_clusters",
    title=N_("Industrial clusters"),
    description=N_("Industrial clusters (Decree 32/2024/NĐ-CP), including craft-village clusters."),
    schema=(
        ID,
        Column(
            "ref",
            required=True,
            pattern=REF_PATTERN,
            aliases=("ma_ccn", "ma_cum"),
            public=True,
            filterable=True,
        ),
        Column(
            "name",
            required=True,
            aliases=("ten_ccn", "ten_cum", "ten_cum_cong_nghiep"),
            public=True,
            filterable=True,
            title=N_("Name"),
        ),
        Column("name_ascii", role="derived"),
        Column("kind", required=True, choices=KINDS, public=True, filterable=True),
        Column(
            "status",
            required=True,
            choices=STATUSES,
            public=True,
            filterable=True,
            title=N_("Status"),
        ),
        Column(
            "area_ha",
            "float",
            minimum=0.01,
            maximum=10_000,
            sql_type="numeric(8,2)",
            public=True,
            filterable=True,
            title=N_("Area (ha)"),
        ),
        Column(
            "occupancy_pct",
            "float",
            minimum=0,
            maximum=100,
            sql_type="numeric(5,2)",
            public=True,
            filterable=True,
            title=N_("Occupancy (%)"),
        ),
        Column("wastewater_treatment", "bool", public=True, filterable=True),
        Column(
            "craft_land_share_pct",
            "float",
            minimum=0,
            maximum=100,
            sql_type="numeric(5,2)",
            public=True,
        ),
        Column(
            "service_land_share_pct",
            "float",
            minimum=0,
            maximum=100,
            sql_type="numeric(5,2)",
            public=True,
        ),
        Column(
            "industrial_land_ha",
            "float",
            minimum=0,
            maximum=10_000,
            sql_type="numeric(8,2)",
            public=True,
        ),
        Column(
            "green_strip_m",
            "float",
            aliases=("dai_cay_xanh_m", "dai_cay_xanh", "green_strip", "green_belt_m"),
            minimum=0,
            maximum=1000,
            sql_type="numeric(6,2)",
            public=True,
            title=N_("Green strip width (m)"),
        ),
        Column("mountainous", "bool"),
        Column("established_year", "int", minimum=1980, maximum=2100, sql_type="smallint"),
        Column("commune_name"),
        Column("district_name", public=True, filterable=True),
        Column("province_code", public=True, filterable=True),
        Column("province_name", public=True, filterable=True),
        Column("source", required=True, public=True, in_tiles=False),
        Column("flags", role="derived", sql_type="text[]", public=True, in_tiles=False),
        UPDATED_AT,
    ),
    key=("ref",),
    geometry_type="MultiPolygon",
    importable=True,
    collection="clusters",
    edit_roles=("planner",),
    edit_form=("name", "status", "area_ha", "occupancy_pct", "green_strip_m"),
    measured=("area_ha",),  # migration 0019's trigger measures it in UTM 48N on every write
    prepare=_prepare,
)


# --- reads for the analyses ----------------------------------------------------------------

#: The storage SRID of the clusters (from their declaration).
SRID = CLUSTERS.srid


def clusters_in_bbox(conn: Any, bbox: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """Clusters (ref and polygon, WGS 84) intersecting a lon/lat box."""
    return read_geodataframe(
        conn,
        "SELECT ref, ST_AsBinary(geom) AS geom FROM industrial_clusters "
        "WHERE ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, %s))",
        (*(float(v) for v in bbox), SRID),
        crs=SRID,
    )


def cluster_facts(conn: Any, ref: str) -> dict[str, Any]:
    """One cluster's kind, areas, shares, flags and polygon (a shapely geometry, WGS 84).

    Raises
    ------
    NotFoundError
        When there is no cluster ``ref``.
    """
    out = fetch_one(
        conn,
        "SELECT ref, name, kind, area_ha, occupancy_pct, wastewater_treatment, "
        "craft_land_share_pct, service_land_share_pct, industrial_land_ha, green_strip_m, "
        "mountainous, "
        "ST_AsBinary(geom) AS geom "
        "FROM industrial_clusters WHERE ref = %s",
        (ref,),
        missing=msg("clusters.not_found", ref=ref),
    )
    out["geom"] = shapely.from_wkb(bytes(out["geom"]))
    for k in (
        "area_ha",
        "occupancy_pct",
        "craft_land_share_pct",
        "service_land_share_pct",
        "industrial_land_ha",
        "green_strip_m",
    ):
        out[k] = None if out[k] is None else float(out[k])
    return out


def clusters_by_ref(conn: Any, refs: list[str]) -> gpd.GeoDataFrame:
    """Clusters ``refs`` (every cluster when empty) by ref: name, area, occupancy, polygon."""
    return read_geodataframe(
        conn,
        "SELECT ref, name, area_ha, occupancy_pct, ST_AsBinary(geom) AS geom "
        "FROM industrial_clusters WHERE (cardinality(%s::text[]) = 0 OR ref = ANY(%s)) "
        "ORDER BY ref",
        (list(refs), list(refs)),
        crs=SRID,
    )


def clusters_within(
    conn: Any, area_wkb: bytes, skip: list[str]
) -> list[tuple[str, float | None, float | None, float | None, str | None]]:
    """Clusters (ref, area ha, occupancy %, industrial land ha, name) inside a WGS 84 area.

    A cluster is inside when its point on surface is.

    Sorted by ref, without those in ``skip``.
    """
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ref, area_ha, occupancy_pct, industrial_land_ha, name "
            "FROM industrial_clusters "
            "WHERE ST_Covers(ST_GeomFromWKB(%s, %s), ST_PointOnSurface(geom)) "
            "AND NOT (ref = ANY(%s)) ORDER BY ref",
            (area_wkb, SRID, list(skip)),
        )
        return [(str(r), _number(a), _number(o), _number(i), n) for r, a, o, i, n in cur.fetchall()]


def _number(value: Any) -> float | None:
    return None if value is None else float(value)
