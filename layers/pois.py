"""Points of interest: schools, health posts, markets, bus stops, temples, car parks...

Each point has a category of the vocabulary ``poi_categories`` (seeded by its migration):
its names in both languages, whether exposure counts it (``sensitive``: schools, clinics)
and whether the tourist page shows it near the villages (``visitor``: parking, bus stops),
and the OpenStreetMap values an import maps to it (``fclass`` of a Geofabrik extract,
``amenity``, ``shop``, ``highway``...). A file's category may be written as the code or as
such an OSM value; a row whose category the vocabulary does not know is rejected.
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import pandas as pd

from gis.messages import msg
from gis.postgis import read_geodataframe
from gis.text import fold, nfc
from gis.validate import REF_PATTERN, Problem
from layers._sql import query
from layers.duplicates import DuplicateRule
from layers.importer import ImportOptions, rename_columns
from layers.layer import ID, N_, UPDATED_AT, Column, Layer

__all__ = [
    "POIS",
    "POI_CATEGORIES",
    "POI_CATEGORY_CODES",
    "SRID",
    "has_sensitive_pois",
    "poi_categories",
    "pois_near",
    "sensitive_pois",
]

logger = logging.getLogger(__name__)

#: The category codes (the vocabulary table ``poi_categories`` holds their names and uses).
POI_CATEGORY_CODES = (
    "kindergarten",
    "school",
    "university",
    "hospital",
    "clinic",
    "pharmacy",
    "market",
    "bus_stop",
    "bus_station",
    "parking",
    "temple",
    "church",
    "museum",
    "toilet",
    "tourist_info",
    "ferry",
)

#: The category vocabulary (codes, names, flags, OSM values), seeded by the POIs' migration.
POI_CATEGORIES = Layer(
    name="poi_categories",
    table="poi_categories",
    title=N_("Point of interest categories"),
    description=N_("The categories of the points of interest, with their names and uses."),
    schema=(
        Column("code", required=True, role="stored"),
        Column("name_vi", required=True, role="stored"),
        Column("name_en", required=True, role="stored"),
        Column("sensitive", "bool", required=True, role="stored"),
        Column("visitor", "bool", required=True, role="stored"),
        Column("osm_values", role="stored", sql_type="text[]"),
    ),
    key=("code",),
)

#: Source columns that may hold the category, tried in order when no ``category`` field maps.
_CATEGORY_SOURCES = ("fclass", "amenity", "shop", "highway", "public_transport", "religion")


def _prepare(gdf: gpd.GeoDataFrame, options: ImportOptions) -> tuple[pd.DataFrame, list[Problem]]:
    frame = rename_columns(gdf, {})
    if "osm_id" in frame.columns:  # OpenStreetMap ids are unique only with their source
        frame["ref"] = frame["osm_id"].map(lambda v: None if pd.isna(v) else f"osm:{v}")
    raw = frame["category_source"] if "category_source" in frame.columns else None
    for column in _CATEGORY_SOURCES:
        if column in frame.columns:
            raw = (
                frame[column]
                if raw is None
                else raw.where(raw.notna() & (raw != ""), frame[column])
            )
    frame["_category"] = (
        raw.map(
            lambda v: fold(str(v)).replace(" ", "_") if isinstance(v, str) and v.strip() else None
        )
        if raw is not None
        else None
    )
    frame["category"] = None  # from the vocabulary, in the stage check
    names = frame["name"] if "name" in frame.columns else pd.Series(None, index=frame.index)
    frame["name"] = names.map(lambda v: nfc(v) if isinstance(v, str) and v.strip() else None)
    frame["name_ascii"] = frame["name"].map(lambda v: fold(v) if isinstance(v, str) else None)
    if "source" not in frame.columns or frame["source"].isna().all():
        frame["source"] = options.extra.get("source") or "file"
    problems = [
        Problem(int(row), "category", "required", msg("pois.no_category"))
        for row in frame.loc[frame["_category"].isna(), "_row"]
    ]
    return frame, problems


def _check(cur: Any, options: ImportOptions) -> list[Problem]:
    """Give each staged point its category code; reject those the vocabulary does not know."""
    cur.execute(query("poi_categories_staged"))
    return [
        Problem(row, "category", "unknown_category", msg("pois.unknown_category", value=value))
        for row, value in cur.fetchall()
    ]


#: The computed ``category_name`` property: the category's names in both languages and its
#: uses (``sensitive``, ``visitor``), for the maps' popups and colours.
_CATEGORY_JSON = (
    "category_name",
    "(SELECT json_build_object('vi', c.name_vi, 'en', c.name_en, 'sensitive', c.sensitive, "
    "'visitor', c.visitor) FROM poi_categories c WHERE c.code = t.category)",
)

POIS = Layer(
    name="pois",
    table="pois",
    title=N_("Points of interest"),
    label=N_("Points of interest"),
    description=N_(
        "Schools, health posts, markets, bus stops, temples, car parks... with their category."
    ),
    schema=(
        ID,
        Column(
            "ref",
            required=True,
            pattern=REF_PATTERN,
            aliases=("osm_id", "ma_diem", "poi_id"),
            public=True,
            filterable=True,
        ),
        Column("name", aliases=("ten_diem",), public=True, filterable=True),
        Column("name_ascii", role="derived"),
        Column(
            "category", role="derived", choices=POI_CATEGORY_CODES, public=True, filterable=True
        ),
        Column(
            "category_source",
            role="input_only",
            aliases=("category", "loai", "phan_loai", "loai_diem", "kind", "type"),
        ),
        Column("source", required=True, public=True, in_tiles=False),
        UPDATED_AT,
    ),
    key=("ref",),
    geometry_type="Point",
    importable=True,
    collection="pois",
    extra_json=(_CATEGORY_JSON,),
    prepare=_prepare,
    stage_check=_check,
    extras=(("_category", "text"),),
    reads=lambda columns: set(columns) & set(_CATEGORY_SOURCES),
    # one school from two sources: the same category, a similar name, within 150 m
    duplicates=DuplicateRule(same=("category",), prefix=r"^$", distance_m=150.0),
)

#: The storage SRID of the points (from their declaration).
SRID = POIS.srid


def poi_categories(conn: Any) -> dict[str, dict[str, Any]]:
    """Every category by code: names (``vi``, ``en``), ``sensitive`` and ``visitor``."""
    with conn.cursor() as cur:
        cur.execute("SELECT code, name_vi, name_en, sensitive, visitor FROM poi_categories")
        return {
            r[0]: {"vi": r[1], "en": r[2], "sensitive": r[3], "visitor": r[4]}
            for r in cur.fetchall()
        }


def has_sensitive_pois(conn: Any) -> bool:
    """Whether the layer holds any sensitive point (exposure says "not loaded" otherwise)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT EXISTS (SELECT 1 FROM pois p JOIN poi_categories c ON c.code = p.category "
            "AND c.sensitive)"
        )
        return bool(cur.fetchone()[0])


def sensitive_pois(conn: Any, bbox: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
    """The sensitive points (schools, clinics...) in a WGS 84 box: category, name, point."""
    return read_geodataframe(
        conn,
        query("sensitive_pois"),
        {"bbox": [float(v) for v in bbox], "srid": SRID},
        crs=SRID,
    )


def pois_near(
    conn: Any, points: list[tuple[float, float]], *, within_m: float, limit: int = 5
) -> list[dict[str, Any]]:
    """Visitor points (parking, bus stops...) within ``within_m`` of each lon/lat point.

    Returns
    -------
    list of dict
        ``near`` (the index of the point), ``ref``, ``name``, ``category``, ``category_vi``,
        ``category_en``, ``distance_m``, ``lon``, ``lat``; at most ``limit`` per point and
        category, nearest first.
    """
    if not points:
        return []
    with conn.cursor() as cur:
        cur.execute(
            query("visitor_pois_near"),
            {
                "lons": [float(p[0]) for p in points],
                "lats": [float(p[1]) for p in points],
                "srid": SRID,
                "within_m": float(within_m),
                "limit": int(limit),
            },
        )
        keys = (
            "near",
            "ref",
            "name",
            "category",
            "category_vi",
            "category_en",
            "distance_m",
            "lon",
            "lat",
        )
        return [dict(zip(keys, r, strict=True)) for r in cur.fetchall()]
