"""Craft villages (làng nghề) and their OCOP products: validation, loading, queries."""

from __future__ import annotations

import logging
import re
from functools import cache
from importlib.resources import files
from typing import Any

import geopandas as gpd
import pandas as pd
import yaml
from psycopg2 import sql

from gis.db import fetch_one
from gis.errors import ValidationError
from gis.messages import msg
from gis.postgis import read_geodataframe
from gis.text import admin_key, fold, nfc, split_admin_prefix
from gis.validate import REF_PATTERN, Problem
from layers._sql import query
from layers.crafts import CRAFT_CODES, infer_craft, infer_recognition
from layers.duplicates import DuplicateRule
from layers.importer import ImportOptions, rename_columns
from layers.layer import ID, N_, UPDATED_AT, Column, Layer, Tiles

__all__ = [
    "OCOP",
    "SRID",
    "VILLAGES",
    "recognition_facts",
    "relocation_candidates",
    "search",
    "village_points",
    "villages_in_bbox",
    "visit_details",
    "visitable_near",
]

logger = logging.getLogger(__name__)

RECOGNITION = ("traditional_craft_village", "craft_village", "village_with_craft", "unknown")
OCOP_GROUPS = (
    "food",
    "beverages",
    "herbal",
    "textiles_garments",
    "souvenirs_furniture_decor",
    "community_tourism",
)
_TEST_NAME = re.compile(r"^(\d+|.*\btest\b.*|làng nghề \d+)$", re.IGNORECASE)


@cache
def _profiles() -> list[dict[str, Any]]:
    folder = files("layers") / "profiles"
    return [
        yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in folder.iterdir()
        if p.name.endswith(".yaml")
    ]


def _profile_for(columns: list[str], layer: str) -> dict[str, Any] | None:
    return next(
        (
            p
            for p in _profiles()
            if p["layer"] == layer and set(p["detect_columns"]) <= set(columns)
        ),
        None,
    )


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    values = [nfc(v) if isinstance(v, str) and v.strip() else None for v in frame[column]]
    return pd.Series(values, index=frame.index, dtype=object)


def _profile_reads(columns: list[str]) -> set[str]:
    """The source columns a known file's profile reads (for the import report)."""
    profile = _profile_for(columns, "villages") or {}
    return set(profile.get("columns", {})) | {(profile.get("test_rows") or {}).get("field", "")}


def _apply_profile(
    gdf: gpd.GeoDataFrame, profile: dict[str, Any] | None
) -> tuple[pd.DataFrame, list[Problem]]:
    if profile is None:
        return rename_columns(gdf, {}), []
    frame = rename_columns(gdf, profile["columns"])
    frame["ref"] = profile.get("ref_prefix", "") + frame["ref"].astype(str).str.strip()
    frame["source"] = profile["source"]
    problems: list[Problem] = []
    rule = profile.get("test_rows")
    if rule:
        ids = pd.to_numeric(gdf[rule["field"]], errors="coerce")
        for row in frame.loc[ids >= rule["min"], "_row"]:
            reason = msg("villages.profile_test_row", field=rule["field"], minimum=rule["min"])
            problems.append(Problem(int(row), rule["field"], "test_row", reason))
    return frame, problems


def _flag_duplicate_coordinates(gdf: gpd.GeoDataFrame, frame: pd.DataFrame) -> list[Problem]:
    xy = gdf.geometry.map(
        lambda g: None if g is None or g.is_empty else (round(g.x, 7), round(g.y, 7))
    )
    first: dict[tuple[float, float], int] = {}
    problems = []
    for idx, key in xy.items():
        if key is None:
            continue
        row = int(frame.at[idx, "_row"])
        if key in first:
            frame.at[idx, "flags"] = [*frame.at[idx, "flags"], "duplicate_coordinates"]
            problems.append(
                Problem(
                    row,
                    "geometry",
                    "duplicate_coordinates",
                    msg("villages.duplicate_coordinates", first=first[key]),
                    "warning",
                )
            )
        else:
            first[key] = row
    return problems


def _prepare_villages(
    gdf: gpd.GeoDataFrame, options: ImportOptions
) -> tuple[pd.DataFrame, list[Problem]]:
    frame, problems = _apply_profile(gdf, _profile_for(list(gdf.columns), "villages"))
    for column in ("name", "full_name", "craft", "recognition", "source"):
        frame[column] = _text(frame, column)
    if "source" in frame.columns and options.extra.get("source"):
        frame["source"] = frame["source"].fillna(options.extra["source"])
    frame["flags"] = [[] for _ in range(len(frame))]
    for idx, name in frame["name"].items():
        row = int(frame.at[idx, "_row"])
        if name is None:
            continue
        if _TEST_NAME.match(name):
            problems.append(Problem(row, "name", "test_row", msg("villages.test_name", name=name)))
        if frame.at[idx, "craft"] is None:
            craft = infer_craft(name)
            frame.at[idx, "craft"] = craft or "other"
            problems.append(
                Problem(
                    row,
                    "craft",
                    "craft_inferred",
                    msg("villages.craft_inferred", craft=craft)
                    if craft
                    else msg("villages.craft_other"),
                    "warning",
                )
            )
        if frame.at[idx, "recognition"] is None:
            frame.at[idx, "recognition"] = infer_recognition(name)
    frame["name_ascii"] = frame["name"].map(lambda n: fold(n) if n else None)
    for column in ("province_name", "district_name", "commune_name"):  # "Tỉnh Bắc Ninh": "Bắc Ninh"
        frame[column] = _text(frame, column).map(lambda n: split_admin_prefix(n)[1] if n else None)
    frame["_province_key"] = _text(frame, "province_name").map(
        lambda n: admin_key(n) if n else None
    )
    frame["_district_key"] = _text(frame, "district_name").map(
        lambda n: admin_key(n) if n else None
    )
    problems += _flag_duplicate_coordinates(gdf, frame)
    return frame, problems


def _check_villages(cur, options: ImportOptions) -> list[Problem]:
    """Fill province codes and flag villages outside their stated province/district."""
    params = {"version": options.admin_version}
    cur.execute(query("village_province_codes"), params)
    cur.execute(query("village_province_names"), params)
    renamed = cur.rowcount
    problems = []
    if renamed:
        note = msg("villages.province_names_normalised", rows=renamed)
        problems.append(Problem(None, "province_name", "province_normalised", note, "warning"))
    checks = (
        (
            "province",
            sql.SQL("(a.code = s.province_code OR a.name_key = s._province_key)"),
            "province_name",
        ),
        (
            "district",
            sql.SQL(
                "a.name_key = s._district_key AND (s.province_code IS NULL OR a.parent_code = "
                "s.province_code)"
            ),
            "district_name",
        ),
    )
    for level, join, column in checks:
        flag = f"outside_stated_{level}"
        cur.execute(
            sql.SQL(query("village_outside_stated")).format(
                level=sql.Literal(level), join=join, flag=sql.Literal(flag)
            ),
            params,
        )
        for (row,) in cur.fetchall():
            problems.append(
                Problem(
                    row,
                    column,
                    flag,
                    msg("villages.outside_province")
                    if level == "province"
                    else msg("villages.outside_district"),
                    "warning",
                )
            )
    cur.execute(
        "SELECT count(*) FROM _stage s WHERE NOT EXISTS (SELECT 1 FROM admin_units a "
        "WHERE a.version = %(version)s AND a.level = 'province' AND a.code = s.province_code)",
        params,
    )
    (unchecked,) = cur.fetchone()
    if unchecked:
        problems.append(
            Problem(
                None,
                "province_name",
                "province_unchecked",
                msg(
                    "villages.province_unchecked",
                    rows=unchecked,
                    version=options.admin_version,
                ),
                "warning",
            )
        )
    return problems


#: Fixed SQL (no user input) of the villages' computed ``ocop`` property.
_OCOP_JSON = (
    "ocop",
    "(SELECT coalesce(json_agg(json_build_object('name', o.name, 'group', o.product_group, "
    "'stars', o.stars) ORDER BY o.stars DESC, o.name), '[]'::json) FROM ocop_products o "
    "WHERE o.village_id = t.id)",
)

VILLAGES = Layer(
    name="villages",
    table="craft_villages",
    title=N_("Craft villages"),
    description=N_(
        "Craft villages with their craft, recognition, tourism details and OCOP products."
    ),
    schema=(
        ID,
        Column(
            "ref",
            required=True,
            pattern=REF_PATTERN,
            aliases=("ma_lang", "village_id"),
            public=True,
            filterable=True,
        ),
        Column(
            "name",
            required=True,
            aliases=("ten_lang", "ten_lang_nghe", "village_name"),
            public=True,
            filterable=True,
            title=N_("Name"),
        ),
        Column("name_ascii", role="derived"),
        Column("full_name", aliases=("ten_day_du", "full name")),
        Column(
            "craft",
            required=True,
            choices=CRAFT_CODES,
            aliases=("nghe", "loai_nghe", "nganh_nghe", "craft_type"),
            public=True,
            filterable=True,
        ),
        Column(
            "recognition",
            choices=RECOGNITION,
            aliases=("cong_nhan", "danh_hieu", "recognition_status"),
            public=True,
            filterable=True,
        ),
        Column(
            "recognition_year",
            "int",
            minimum=1900,
            maximum=2100,
            sql_type="smallint",
            public=True,
            filterable=True,
        ),
        Column(
            "recognition_date",
            "date",
            aliases=("ngay_cong_nhan", "recognised_on"),
            public=True,
            filterable=True,
        ),
        Column(
            "recognition_decision",
            aliases=("quyet_dinh", "quyet_dinh_cong_nhan", "so_quyet_dinh", "decision"),
            public=True,
            in_tiles=False,
        ),
        Column("craft_households", "int", minimum=0, public=True),
        Column(
            "production_since_year",
            "int",
            minimum=1000,
            maximum=2100,
            sql_type="smallint",
            public=True,
        ),
        Column(
            "craft_since_year",
            "int",
            minimum=1000,
            maximum=2100,
            sql_type="smallint",
            public=True,
        ),
        Column("commune_code"),
        Column("commune_name", public=True, filterable=True),
        Column("district_code"),
        Column("district_name", public=True, filterable=True),
        Column("province_code", public=True, filterable=True),
        Column("province_name", public=True, filterable=True),
        Column(
            "households", "int", minimum=0, public=True, filterable=True, title=N_("Households")
        ),
        Column("workers", "int", minimum=0, public=True, filterable=True, title=N_("Workers")),
        Column(
            "visit_minutes",
            "int",
            minimum=0,
            maximum=1440,
            sql_type="smallint",
            public=True,
            filterable=True,
            title=N_("Visit (minutes)"),
        ),
        Column("opening_hours", check="opening_hours", public=True, title=N_("Opening hours")),
        Column("visitable", "bool", public=True, filterable=True, title=N_("Welcomes visitors")),
        Column("description_vi", public=True, in_tiles=False),
        Column("description_en", public=True, in_tiles=False),
        Column("source", required=True, public=True, filterable=True),
        Column("flags", role="derived", sql_type="text[]", public=True, in_tiles=False),
        UPDATED_AT,
    ),
    key=("ref",),
    geometry_type="Point",
    importable=True,
    collection="villages",
    # recognition: the planner's filter; craft and visitable: the tourist page's hazards
    tiles=Tiles(group_by=("recognition", "craft", "visitable")),
    edit_roles=("planner",),
    edit_form=("name", "households", "workers", "visit_minutes", "opening_hours"),
    extra_json=(_OCOP_JSON,),
    prepare=_prepare_villages,
    reads=_profile_reads,
    extras=(("_province_key", "text"), ("_district_key", "text")),
    stage_check=_check_villages,
    # geocoded at commune level, one village's points from two sources lie up to ~1.2 km apart
    duplicates=DuplicateRule(province=("province_code", "province_name"), distance_m=1500.0),
)


def _prepare_ocop(
    gdf: gpd.GeoDataFrame, options: ImportOptions
) -> tuple[pd.DataFrame, list[Problem]]:
    frame = rename_columns(gdf, {"group": "product_group"})  # OCOP's declared alias
    frame["_village_ref"] = _text(frame, "village_ref")
    frame["village_id"] = None
    return frame, []


def _check_ocop(cur, options: ImportOptions) -> list[Problem]:
    cur.execute(
        "UPDATE _stage s SET village_id = v.id FROM craft_villages v WHERE v.ref = s._village_ref"
    )
    cur.execute("SELECT _row, _village_ref FROM _stage WHERE village_id IS NULL")
    return [
        Problem(
            row,
            "village_ref",
            "unknown_village",
            msg("ocop.unknown_village", ref=ref),
        )
        for row, ref in cur.fetchall()
    ]


OCOP = Layer(
    name="ocop",
    table="ocop_products",
    title=N_("OCOP products"),
    description=N_("OCOP products of the craft villages, with their group and stars."),
    schema=(
        ID,
        Column("village_id", "int", role="derived"),
        Column("village_ref", required=True, role="input_only"),
        Column("name", required=True),
        Column("product_group", required=True, choices=OCOP_GROUPS, aliases=("group",)),
        Column("stars", "int", required=True, minimum=1, maximum=5, sql_type="smallint"),
        Column("year_rated", "int", minimum=2018, maximum=2100, sql_type="smallint"),
        Column("source", required=True),
    ),
    key=("village_id", "name"),
    importable=True,
    prepare=_prepare_ocop,
    extras=(("_village_ref", "text"),),
    stage_check=_check_ocop,
)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(conn, query: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Accent-insensitive name search over craft villages, best matches first.

    ``"bat trang"``, ``"Bat Trang"`` and ``"Bát Tràng"`` all find "Bát Tràng".

    Returns
    -------
    list of dict
        ``id``, ``ref``, ``name``, ``craft``, ``province_name``, ``lon``, ``lat``.
    """
    folded = fold(query)
    if not folded:
        return []
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, ref, name, craft, province_name, ST_X(geom), ST_Y(geom) FROM "
            "craft_villages "
            "WHERE name_ascii LIKE %(pattern)s "
            "ORDER BY similarity(name_ascii, %(q)s) DESC, name LIMIT %(limit)s",
            {"pattern": _like_pattern(folded), "q": folded, "limit": int(limit)},
        )
        keys = ("id", "ref", "name", "craft", "province_name", "lon", "lat")
        return [dict(zip(keys, row, strict=True)) for row in cur.fetchall()]


# --- reads for the analyses ----------------------------------------------------------------

#: The storage SRID of the villages (from their declaration).
SRID = VILLAGES.srid
_VISIT_KEYS = ("ref", "name", "visit_min", "opening_hours", "lon", "lat")


def visit_details(conn: Any, refs: list[str]) -> dict[str, dict[str, Any]]:
    """Name, visit minutes, opening hours and position of the villages ``refs``, by ref.

    Unknown refs are absent from the answer.
    """
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ref, name, visit_minutes, opening_hours, ST_X(geom), ST_Y(geom) "
            "FROM craft_villages WHERE ref = ANY(%s)",
            (list(refs),),
        )
        return {r[0]: dict(zip(_VISIT_KEYS, r, strict=True)) for r in cur.fetchall()}


def visitable_near(
    conn: Any, crafts: list[str], lon: float, lat: float, *, limit: int = 8
) -> list[dict[str, Any]]:
    """The ``limit`` visitable villages of ``crafts`` nearest to a point, nearest first."""
    with conn.cursor() as cur:
        cur.execute(
            query("visitable_near"),
            {"crafts": list(crafts), "lon": lon, "lat": lat, "srid": SRID, "limit": int(limit)},
        )
        return [dict(zip(_VISIT_KEYS, r, strict=True)) for r in cur.fetchall()]


def village_points(conn: Any) -> gpd.GeoDataFrame:
    """Every village: id, ref, name, craft and its point (WGS 84)."""
    return read_geodataframe(
        conn, "SELECT id, ref, name, craft, ST_AsBinary(geom) AS geom FROM craft_villages", crs=SRID
    )


def villages_in_bbox(
    conn: Any, bbox: tuple[float, float, float, float], *, polluting_only: bool = False
) -> gpd.GeoDataFrame:
    """Villages (ref, name) inside a WGS 84 box.

    Only those of the high and medium pollution classes when ``polluting_only``.
    """
    return read_geodataframe(
        conn,
        query("villages_in_bbox"),
        {"bbox": [float(v) for v in bbox], "srid": SRID, "polluting": polluting_only},
        crs=SRID,
    )


def relocation_candidates(
    conn: Any,
    demand_column: str,
    classes: list[str] | None,
    bbox: tuple[float, float, float, float] | None = None,
) -> pd.DataFrame:
    """Villages of pollution ``classes`` (every class when None), inside ``bbox`` if given.

    Columns: ``ref``, ``name``, ``craft``, ``pollution_class``, ``amount`` (the value of
    ``demand_column``: ``households`` or ``workers``), ``households``, ``lon``, ``lat``.
    """
    if demand_column not in ("households", "workers"):
        raise ValidationError(msg("allocation.bad_demand_kind", demand=demand_column))
    statement = sql.SQL(query("relocation_candidates")).format(amount=sql.Identifier(demand_column))
    with conn.cursor() as cur:
        cur.execute(
            statement,
            {
                "classes": None if classes is None else list(classes),
                "bbox": None if bbox is None else [float(v) for v in bbox],
                "srid": SRID,
            },
        )
        rows = cur.fetchall()
    return pd.DataFrame(
        rows,
        columns=["ref", "name", "craft", "pollution_class", "amount", "households", "lon", "lat"],
    )


def recognition_facts(conn: Any, ref: str) -> dict[str, Any]:
    """What a village's recognition is judged on.

    Its craft, recorded recognition (date, decision), households, craft households, years
    of production and workers.

    Raises
    ------
    NotFoundError
        When there is no village ``ref``.
    """
    return fetch_one(
        conn,
        "SELECT ref, craft, recognition, recognition_date, recognition_decision, households, "
        "craft_households, production_since_year, craft_since_year, workers "
        "FROM craft_villages WHERE ref = %s",
        (ref,),
        missing=msg("villages.not_found", ref=ref),
    )
