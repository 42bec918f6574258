"""Saved analysis runs and what they made.

The tables ``scenarios``, their vector results ``scenario_features`` and the raster
catalogue ``rasters`` (Cloud-Optimized GeoTIFFs on disk).

Nothing here commits. Deleting a scenario returns the paths of its raster files: the
caller removes them with :func:`remove_files` once its transaction has committed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from psycopg2.extras import execute_values

from gis.db import fetch_one
from gis.errors import NotFoundError, ValidationError
from gis.messages import Message, msg
from gis.postgis import read_geodataframe
from layers._sql import query
from layers.layer import ID, N_, Column, Layer

__all__ = [
    "INPUT_LAYERS",
    "KINDS",
    "RASTERS",
    "SCENARIOS",
    "SCENARIO_FEATURES",
    "SRID",
    "add_raster",
    "delete_scenario",
    "get_scenario",
    "input_versions",
    "list_scenarios",
    "raster_path",
    "remove_files",
    "save_scenario",
    "scenario_features",
    "surface_of",
    "surface_rasters",
    "update_scenario",
    "write_features",
]

logger = logging.getLogger(__name__)

#: The kinds of analysis runs a scenario saves.
KINDS = ("siting", "allocation", "compliance", "surface", "zones", "exposure", "tour")
_CREATED_AT = Column(
    "created_at", role="stored", required=True, sql_type="timestamp with time zone"
)
_JSON = "jsonb"

SCENARIOS = Layer(
    name="scenarios",
    table="scenarios",
    title=N_("Scenarios"),
    description=N_("Saved analysis runs with their parameters, input versions and results."),
    schema=(
        ID,
        Column("kind", required=True, choices=KINDS, role="stored"),
        Column("name", required=True, role="stored"),
        Column("params", required=True, role="stored", sql_type=_JSON),
        Column("input_versions", required=True, role="stored", sql_type=_JSON),
        Column("results", required=True, role="stored", sql_type=_JSON),
        Column("created_by", required=True, role="stored"),
        _CREATED_AT,
        Column("notes", required=True, role="stored"),
    ),
    key=("id",),
)
SCENARIO_FEATURES = Layer(
    name="scenario_features",
    table="scenario_features",
    title=N_("Scenario features"),
    description=N_("The vector results of a scenario (candidate sites, zones), by role."),
    schema=(
        Column("id", "int", role="stored", sql_type="bigint"),
        Column("scenario_id", "int", required=True, role="stored"),
        Column("role", required=True, role="stored"),
        Column("properties", required=True, role="stored", sql_type=_JSON),
    ),
    key=("id",),
    geometry_type="Geometry",
)
RASTERS = Layer(
    name="rasters",
    table="rasters",
    title=N_("Rasters"),
    description=N_("The catalogue of a scenario's Cloud-Optimized GeoTIFFs on disk."),
    schema=(
        ID,
        Column("scenario_id", "int", role="stored"),
        Column("kind", required=True, role="stored"),
        Column("path", required=True, role="stored"),
        Column("epsg", "int", required=True, role="stored"),
        Column("cell_size_m", "float", required=True, role="stored"),
        _CREATED_AT,
    ),
    key=("path",),
)

#: Scenario features are stored in their declaration's SRID (WGS 84).
SRID = SCENARIO_FEATURES.srid


def _json_value(value: Any) -> Any:
    """Messages among the results are stored in their JSON form (``{"code", "params"}``)."""
    if isinstance(value, Message):
        return value.as_dict()
    return str(value)


def save_scenario(
    conn: Any,
    kind: str,
    name: str,
    params: dict[str, Any],
    input_versions: dict[str, Any],
    results: dict[str, Any],
    features: dict[str, gpd.GeoDataFrame] | None = None,
    *,
    created_by: str = "system",
) -> int:
    """Insert a scenario and its features in the caller's transaction; returns its id.

    Parameters
    ----------
    conn : psycopg2 connection
        The caller's (not committed here).
    kind : str
        ``siting``, ``allocation``, ``compliance``, ``surface``, ``zones``, ``exposure``
        or ``tour``.
    name : str
        What the user called the run.
    params, input_versions, results : dict
        Stored as JSON (values that JSON lacks are written as text).
    features : dict of str to GeoDataFrame, optional
        Features by role (any CRS: stored in WGS 84).
    created_by : str
        Who ran it.

    Returns
    -------
    int
        The new scenario's id.
    """
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO scenarios (kind, name, params, input_versions, results, created_by) "
            "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            (
                kind,
                name,
                json.dumps(params, default=str, ensure_ascii=False),
                json.dumps(input_versions, default=str),
                json.dumps(results, default=_json_value, ensure_ascii=False),
                created_by,
            ),
        )
        (scenario_id,) = cur.fetchone()
        for role, gdf in (features or {}).items():
            if not len(gdf):
                continue
            wgs = gdf.to_crs(SRID)
            props = json.loads(
                wgs.drop(columns="geometry").to_json(orient="records", force_ascii=False)
            )
            rows = [
                (scenario_id, role, json.dumps(p, ensure_ascii=False), g.wkb_hex)
                for p, g in zip(props, wgs.geometry, strict=True)
            ]
            execute_values(
                cur,
                "INSERT INTO scenario_features (scenario_id, role, properties, geom) VALUES %s",
                rows,
                template=f"(%s, %s, %s, ST_SetSRID(ST_GeomFromWKB(decode(%s, 'hex')), {SRID:d}))",
                page_size=1000,
            )
    return int(scenario_id)


def add_raster(
    conn: Any, scenario_id: int, kind: str, path: Path | str, *, epsg: int, cell_size_m: float
) -> None:
    """Catalogue a raster file of a scenario (its CRS and cell size)."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO rasters (scenario_id, kind, path, epsg, cell_size_m) "
            "VALUES (%s, %s, %s, %s, %s)",
            (scenario_id, kind, str(path), int(epsg), float(cell_size_m)),
        )


def raster_path(conn: Any, scenario_id: int, kind: str) -> Path | None:
    """The file of the scenario's raster of ``kind``, or None."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT path FROM rasters WHERE scenario_id = %s AND kind = %s", (scenario_id, kind)
        )
        row = cur.fetchone()
    return Path(row[0]) if row else None


def surface_rasters(
    conn: Any, parameter: str | None = None
) -> list[tuple[int, dict[str, Any], dict[str, Any], str]]:
    """Saved pollution surfaces ``(id, params, results, path)``, oldest period first."""
    with conn.cursor() as cur:
        cur.execute(query("surface_rasters"), {"parameter": parameter})
        return [(int(i), p, r, str(f)) for i, p, r, f in cur.fetchall()]


def list_scenarios(
    conn: Any, kind: str | None = None, *, owner: str | None = None
) -> list[dict[str, Any]]:
    """Saved scenarios, newest first (without their features), of one kind and owner if given."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT s.id, s.kind, s.name, s.notes, s.created_by, s.created_at, "
            "(SELECT count(*) FROM scenario_features f WHERE f.scenario_id = s.id) "
            "FROM scenarios s WHERE (%s::text IS NULL OR s.kind = %s) "
            "AND (%s::text IS NULL OR s.created_by = %s) ORDER BY s.id DESC",
            (kind, kind, owner, owner),
        )
        return [
            {
                "id": i,
                "kind": k,
                "name": n,
                "notes": notes,
                "created_by": b,
                "created_at": t.isoformat(),
                "features": f,
            }
            for i, k, n, notes, b, t, f in cur.fetchall()
        ]


def update_scenario(
    conn: Any,
    scenario_id: int,
    *,
    name: str | None = None,
    notes: str | None = None,
    actor: str = "cli",
) -> dict[str, Any]:
    """Rename a scenario or replace its notes; audited (action ``update``, before and after).

    Returns the scenario's ``id``, ``name`` and ``notes`` as saved.

    Raises
    ------
    NotFoundError
        When there is no such scenario.
    ValidationError
        When the new name is empty.
    """
    if name is not None and not name.strip():
        raise ValidationError(msg("scenario.name_empty"))
    before = fetch_one(
        conn,
        "SELECT id, name, notes FROM scenarios WHERE id = %s FOR UPDATE",
        (scenario_id,),
        missing=msg("scenario.not_found", scenario=scenario_id),
    )
    after = {
        **before,
        **({"name": name.strip()} if name is not None else {}),
        **({"notes": notes} if notes is not None else {}),
    }
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE scenarios SET name = %s, notes = %s WHERE id = %s",
            (after["name"], after["notes"], scenario_id),
        )
        cur.execute(
            "INSERT INTO audit_log (actor, action, table_name, row_ref, before, after)"
            " VALUES (%s, 'update', 'scenarios', %s, %s, %s)",
            (
                actor,
                str(scenario_id),
                json.dumps(before, ensure_ascii=False),
                json.dumps(after, ensure_ascii=False),
            ),
        )
    return after


def get_scenario(conn: Any, scenario_id: int) -> dict[str, Any]:
    """One scenario with its parameters, input versions, results and rasters.

    Raises
    ------
    NotFoundError
        When there is no such scenario.
    """
    out = fetch_one(
        conn,
        "SELECT id, kind, name, notes, params, input_versions, results, created_by, created_at "
        "FROM scenarios WHERE id = %s",
        (scenario_id,),
        missing=msg("scenario.not_found", scenario=scenario_id),
    )
    with conn.cursor() as cur:
        cur.execute(
            "SELECT kind, path, epsg, cell_size_m FROM rasters WHERE scenario_id = %s ORDER BY id",
            (scenario_id,),
        )
        rasters = [
            {"kind": k, "path": p, "epsg": e, "cell_size_m": c} for k, p, e, c in cur.fetchall()
        ]
    out["created_at"] = out["created_at"].isoformat()
    return {**out, "rasters": rasters}


def scenario_features(conn: Any, scenario_id: int, role: str | None = None) -> gpd.GeoDataFrame:
    """The scenario's features (EPSG:4326) with their properties as columns.

    Raises
    ------
    NotFoundError
        When there is no such scenario.
    """
    get_scenario(conn, scenario_id)
    gdf = read_geodataframe(
        conn,
        "SELECT id AS feature_id, role, properties::text AS properties, ST_AsBinary(geom) AS geom "
        "FROM scenario_features WHERE scenario_id = %s AND (%s::text IS NULL OR role = %s) "
        "ORDER BY id",
        (scenario_id, role, role),
        crs=SRID,
    )
    if not len(gdf):
        return gpd.GeoDataFrame(
            columns=["feature_id", "role", "geometry"], geometry="geometry", crs=SRID
        )
    props = pd.DataFrame([json.loads(p) for p in gdf["properties"]], index=gdf.index)
    return gpd.GeoDataFrame(
        pd.concat([gdf.drop(columns="properties"), props], axis=1), geometry="geometry", crs=SRID
    )


def write_features(gdf: gpd.GeoDataFrame, path: Path | str) -> Path:
    """Write scenario features as GeoJSON (one collection) or GeoPackage (one layer per role).

    Raises
    ------
    ValidationError
        When ``path`` is neither ``.geojson`` nor ``.gpkg``.
    """
    path = Path(path)
    if path.suffix == ".gpkg":
        if path.exists():
            path.unlink()
        for role, part in gdf.groupby("role", sort=True):
            part.dropna(axis=1, how="all").to_file(
                path, layer=str(role), driver="GPKG", engine="pyogrio"
            )
        if not len(gdf):
            gdf.to_file(path, layer="empty", driver="GPKG", engine="pyogrio")
    elif path.suffix == ".geojson":
        gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    else:
        raise ValidationError(msg("scenario.bad_export_type", file=path.name))
    return path


def delete_scenario(conn: Any, scenario_id: int, *, actor: str = "cli") -> list[str]:
    """Delete a scenario with its features and raster rows; returns its raster files' paths.

    An audit row (action ``delete``, table ``scenarios``) keeps the scenario as it was and
    who deleted it. The files stay on disk until the caller, after committing, passes the
    paths to :func:`remove_files`.

    Raises
    ------
    NotFoundError
        When there is no such scenario.
    """
    before = get_scenario(conn, scenario_id)
    with conn.cursor() as cur:
        cur.execute("SELECT path FROM rasters WHERE scenario_id = %s", (scenario_id,))
        paths = [str(p) for (p,) in cur.fetchall()]
        cur.execute(
            "INSERT INTO audit_log (actor, action, table_name, row_ref, before)"
            " VALUES (%s, 'delete', 'scenarios', %s, %s)",
            (actor, str(scenario_id), json.dumps(before, default=str, ensure_ascii=False)),
        )
        cur.execute("DELETE FROM scenarios WHERE id = %s", (scenario_id,))
        if cur.rowcount == 0:
            raise NotFoundError(msg("scenario.not_found", scenario=scenario_id))
    return paths


def remove_files(paths: Iterable[str]) -> list[str]:
    """Remove the files that exist among ``paths``; returns those removed."""
    removed = []
    for p in paths:
        if Path(p).exists():
            Path(p).unlink()
            removed.append(p)
    return removed


def surface_of(conn: Any, scenario_id: int) -> tuple[dict[str, Any], Path]:
    """The parameters and raster file of saved surface ``scenario_id``.

    Raises
    ------
    ValidationError
        When the scenario is not a saved surface.
    """
    with conn.cursor() as cur:
        cur.execute(
            "SELECT s.params, r.path FROM scenarios s JOIN rasters r ON r.scenario_id = s.id "
            "WHERE s.id = %s AND s.kind = 'surface' AND r.kind = 'surface'",
            (scenario_id,),
        )
        row = cur.fetchone()
    if row is None:
        raise ValidationError(msg("scenario.not_surface", scenario=scenario_id))
    return row[0], Path(row[1])


#: The layers whose versions a planning scenario records as its inputs.
INPUT_LAYERS = ("craft_villages", "industrial_clusters", "roads")


def input_versions(conn: Any) -> dict[str, Any]:
    """The current versions of :data:`INPUT_LAYERS` (those that have one), by table name."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT layer, version FROM layer_versions WHERE layer = ANY(%s) ORDER BY layer",
            (list(INPUT_LAYERS),),
        )
        return {layer: int(version) for layer, version in cur.fetchall()}
