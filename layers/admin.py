"""Administrative units in dated versions (pre-2025 three levels, 2025-07 two levels)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from gis.messages import msg
from gis.postgis import read_geodataframe
from gis.text import admin_key, fold, nfc, split_admin_prefix
from gis.validate import Problem
from layers.importer import ImportOptions, rename_columns
from layers.layer import ID, N_, Column, Layer, Tiles

__all__ = ["ADMIN", "LEVELS", "SRID", "VERSIONS", "unit_at", "units", "units_in_bbox"]

LEVELS = ("province", "district", "commune")
VERSIONS = ("pre-2025", "2025-07")


#: Name prefixes that a unit of each level cannot carry (folded: no diacritics, lower case).
#: A district-level city ("Thành phố Bắc Ninh", before 2025) is a district, so "thanh pho"
#: is refused only at commune level.
_WRONG_PREFIXES = {
    "province": ("viet nam", "quan", "huyen", "thi xa", "xa", "phuong", "thi tran", "dac khu"),
    "district": ("viet nam", "tinh", "xa", "phuong", "thi tran", "dac khu"),
    "commune": ("viet nam", "tinh", "thanh pho", "quan", "huyen", "thi xa"),
}
#: OpenStreetMap ``admin_level`` of each level, by boundary version (Vietnam: 2 country,
#: 4 province; before 2025 6 district and 8 commune; from 1 July 2025 communes are 6).
_OSM_LEVELS = {
    "pre-2025": {"province": "4", "district": "6", "commune": "8"},
    "2025-07": {"province": "4", "commune": "6"},
}


def _level_problems(frame: pd.DataFrame, level: str | None, version: str | None) -> list[Problem]:
    """Rows whose name prefix or OSM ``admin_level`` says they are not a unit of ``level``."""
    problems: list[Problem] = []
    wrong = _WRONG_PREFIXES.get(level or "", ())
    expected = _OSM_LEVELS.get(version or "", {}).get(level or "")
    osm = frame["admin_level"] if "admin_level" in frame.columns else None
    for idx, row in zip(frame.index, frame["_row"], strict=True):
        name = frame.at[idx, "name"] if "name" in frame.columns else None
        folded = fold(name) if isinstance(name, str) else ""
        prefix = next((p for p in wrong if folded == p or folded.startswith(p + " ")), None)
        if prefix is not None:
            reason = msg("admin.wrong_level_name", name=name, level=msg(f"admin.level_{level}"))
            problems.append(Problem(int(row), "name", "wrong_level", reason))
            continue
        given = None if osm is None or pd.isna(osm.at[idx]) else str(osm.at[idx]).strip()
        if expected is not None and given and given != expected:
            reason = msg(
                "admin.wrong_osm_level",
                name=name,
                admin_level=given,
                expected=expected,
                level=msg(f"admin.level_{level}"),
            )
            problems.append(Problem(int(row), "admin_level", "wrong_level", reason))
    return problems


#: The plausible area of a unit of each level, km² (Vietnam: the smallest province, Bắc Ninh
#: before 2025, 821 km², the largest about 16,500 km²; districts from island districts of
#: about 2 km² to some 8,000 km²; communes and wards from well under 1 km² to about 1,000 km²
#: in the highlands after 2025). Outside: refused (a province or the country named a commune).
_AREA_KM2 = {"province": (100.0, 30_000.0), "district": (0.5, 10_000.0), "commune": (0.05, 3_000.0)}
#: A unit this many times larger or smaller than the median unit of its file is flagged.
_AREA_RATIO = 20.0
#: The median is trusted from this many units of the file on.
_AREA_MIN_UNITS = 5


def _area_problems(gdf: gpd.GeoDataFrame, frame: pd.DataFrame, level: str | None) -> list[Problem]:
    """Units whose area is implausible for ``level`` (refused) or far from the file's median."""
    if level not in _AREA_KM2 or gdf.crs is None or not len(gdf):
        return []
    area = gdf.geometry.to_crs(ADMIN.metric_crs).area / 1e6
    low, high = _AREA_KM2[level]
    median = float(area.median()) if area.notna().sum() >= _AREA_MIN_UNITS else None
    problems: list[Problem] = []
    for idx, km2 in area.items():
        if pd.isna(km2) or km2 <= 0:
            continue
        row, name = int(frame.at[idx, "_row"]), frame.at[idx, "name"]
        where = {
            "name": name,
            "area_km2": round(float(km2), 2),
            "level": msg(f"admin.level_{level}"),
        }
        if not low <= km2 <= high:
            reason = msg("admin.area_out_of_range", **where, minimum=low, maximum=high)
            problems.append(Problem(row, "geometry", "area_out_of_range", reason))
        elif median and max(km2 / median, median / km2) > _AREA_RATIO:
            reason = msg("admin.area_outlier", **where, median_km2=round(median, 2))
            problems.append(Problem(row, "geometry", "area_outlier", reason, "warning"))
    return problems


def _first(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def _prepare(gdf: gpd.GeoDataFrame, options: ImportOptions) -> tuple[pd.DataFrame, list[Problem]]:
    level = options.extra.get("level")
    frame = rename_columns(gdf, {})
    problems: list[Problem] = []
    code_col = options.extra.get("code_field") or _first(
        frame, ADMIN.column("code").aliases_for(level)
    )
    if code_col is None:
        problems += [
            Problem(int(r), "code", "required", msg("admin.no_code_column")) for r in frame["_row"]
        ]
        frame["code"] = None
    else:
        prefix = "osm:" if code_col.startswith("osm") else ""
        frame["code"] = frame[code_col].map(
            lambda v: None if pd.isna(v) or v == "" else prefix + str(v).strip()
        )
    parent_col = options.extra.get("parent_field") or _first(
        frame, ADMIN.column("parent_code").aliases_for(level)
    )
    frame["parent_code"] = frame[parent_col].astype(object) if parent_col else None
    frame["level"] = level
    frame["version"] = options.extra.get("version")
    frame["source"] = options.extra.get("source") or "file"
    frame["name"] = (
        frame["name"].map(lambda v: " ".join(nfc(v).split()) if isinstance(v, str) else v)
        if "name" in frame
        else None
    )
    # The kind's prefix is kept as a field; the name without it is what other layers match.
    split = frame["name"].map(lambda v: split_admin_prefix(v) if isinstance(v, str) else (None, v))
    frame["name_prefix"] = split.map(lambda p: p[0])
    frame["base_name"] = split.map(lambda p: p[1])
    frame["name_ascii"] = frame["name"].map(lambda v: fold(v) if isinstance(v, str) else None)
    frame["name_key"] = frame["name"].map(lambda v: admin_key(v) if isinstance(v, str) else None)
    if "population" not in frame.columns:
        frame["population"] = None
    problems += _level_problems(frame, level, options.extra.get("version"))
    problems += _area_problems(gdf, frame, level)
    return frame, problems


ADMIN = Layer(
    name="admin",
    table="admin_units",
    title=N_("Administrative units"),
    description=N_("Administrative boundaries in dated versions (pre-2025 and from 1 July 2025)."),
    schema=(
        ID,
        Column("version", required=True, choices=VERSIONS, public=True, filterable=True),
        Column("level", required=True, choices=LEVELS, public=True, filterable=True),
        Column(
            "code",
            required=True,
            public=True,
            filterable=True,
            # the source columns of the unit code, by level, first found wins
            variant_aliases=(
                ("province", ("code", "level1_id", "ma_tinh", "province_code")),
                ("district", ("code", "level2_id", "ma_huyen", "district_code")),
                (
                    "commune",
                    ("code", "level3_id", "ma_xa", "commune_code", "osm_relation_id", "osm_id"),
                ),
            ),
        ),
        Column("name", required=True, public=True, filterable=True),
        Column("name_ascii", role="derived"),
        Column("name_key", role="derived"),
        Column(
            "parent_code",
            public=True,
            filterable=True,
            variant_aliases=(
                ("district", ("parent_code", "level1_id", "province_code")),
                ("commune", ("parent_code", "level2_id", "district_code")),
            ),
        ),
        Column("population", "int", minimum=0, public=True, filterable=True),
        Column("source", required=True),
        # "Tỉnh", "Thành phố", "Phường"... as the name writes it, and the name without it
        Column("name_prefix", role="derived", public=True),
        Column("base_name", role="derived", public=True, filterable=True),
    ),
    key=("version", "level", "code"),
    geometry_type="MultiPolygon",
    # Official boundaries at full resolution: a province has up to about 10^5 vertices
    # (the sample's simplified ones at most 5,540).
    max_vertices=250_000,
    importable=True,
    collection="admin-units",
    page_items=False,  # the planner draws the units as a choropleth of village counts
    tiles=Tiles(min_zoom=0),
    prepare=_prepare,
)


# --- reads for the analyses ----------------------------------------------------------------

#: The storage SRID of the units (from their declaration).
SRID = ADMIN.srid


def units(conn: Any, version: str, level: str) -> gpd.GeoDataFrame:
    """Every unit of ``version`` and ``level``: code, name, population, polygon (WGS 84)."""
    return read_geodataframe(
        conn,
        "SELECT code, name, population, ST_AsBinary(geom) AS geom FROM admin_units "
        "WHERE version = %s AND level = %s",
        (version, level),
        crs=SRID,
    )


def units_in_bbox(
    conn: Any, bbox: tuple[float, float, float, float], level: str = "district"
) -> gpd.GeoDataFrame:
    """Units of ``level`` meeting a lon/lat box, clipped to it: name and polygon (WGS 84).

    One row per name (the first version in code order when several versions hold it).
    """
    w, s, e, n = (float(v) for v in bbox)
    return read_geodataframe(
        conn,
        "SELECT DISTINCT ON (name) name, "
        "ST_AsBinary(ST_Intersection(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))) AS geom "
        "FROM admin_units WHERE level = %s AND geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326) "
        "AND ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326)) ORDER BY name, version",
        (w, s, e, n, level, w, s, e, n, w, s, e, n),
        crs=SRID,
    )


def unit_at(conn: Any, version: str, level: str, point_wkb: bytes) -> tuple[str, bytes] | None:
    """The name and polygon (WKB, WGS 84) of the unit covering a point, or None."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT name, ST_AsBinary(geom) FROM admin_units WHERE version = %s AND level = %s "
            "AND ST_Covers(geom, ST_SetSRID(ST_GeomFromWKB(%s), %s)) LIMIT 1",
            (version, level, point_wkb, SRID),
        )
        row = cur.fetchone()
    return (str(row[0]), bytes(row[1])) if row else None
