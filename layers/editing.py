"""Editing features through the API.

The import pipeline's validation (:func:`layers.importer.import_frame` on the one
feature), one transaction per edit (the request's: nothing commits here), optimistic
concurrency by ETag, and an audit row (who, when, before, after) per change that an
admin can revert.

The ETag of a feature is the MD5 of its whole row: any change by anyone changes it, so an
edit sent with a stale ``If-Match`` is refused (412) and never overwrites a newer one.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import geopandas as gpd
import shapely.geometry
from psycopg2 import sql

from gis.crs import WGS84_EPSG
from gis.errors import (
    ConflictError,
    NotFoundError,
    StaleVersionError,
    ValidationError,
    VersionRequiredError,
)
from gis.messages import Message, msg
from gis.validate import count_positions
from layers.audit import audit_change
from layers.importer import ImportOptions, import_frame
from layers.layer import Layer
from layers.registry import LAYERS, get_spec
from layers.routes import ROUTES

__all__ = [
    "EDITABLE",
    "create_feature",
    "delete_feature",
    "etag",
    "parse_feature",
    "revert",
    "update_feature",
]

#: GeoJSON positions are WGS 84 longitude, latitude (RFC 7946).
SRID = WGS84_EPSG
#: Collection -> (layer, roles that may edit besides admin), from the declarations.
EDITABLE: dict[str, tuple[str, tuple[str, ...]]] = {
    layer.collection: (layer.name, layer.edit_roles)
    for layer in LAYERS.values()
    if layer.editable and layer.collection is not None
}
#: Geometry types each editable layer accepts (a route takes none: its line is drawn from
#: its stops).
_GEOMETRY: dict[str, tuple[str, ...]] = {
    name: LAYERS[name].edit_geometries for name, _roles in EDITABLE.values()
}
#: Route fields an edit may send; the line itself is drawn from the stops (``stops``:
#: ``[{"village": ref, "minutes": n}, ...]``), so a route takes no geometry.
_ROUTE_FIELDS = tuple(f.name for f in ROUTES.fields)
#: Tables audited without a geometry (their changes are undone as whole rows).
_NO_GEOMETRY = frozenset(layer.table for layer in LAYERS.values() if layer.geometry_type is None)


def _reject_constant(name: str) -> float:
    raise ValidationError(msg("edit.not_finite", value=name))


def parse_feature(
    body: str | Mapping[str, Any], layer: str, *, max_vertices: int | None = None
) -> dict[str, Any]:
    """A GeoJSON Feature for ``layer`` (its text, or the decoded document).

    It is checked before anything is written.

    Refused: non-JSON, NaN/Infinity, a ``crs`` member (RFC 7946: WGS 84 lon/lat only), a
    geometry of the wrong type, a geometry with more than ``max_vertices`` vertices
    (default: the layer's declared ``max_vertices``; counted before any position is looked
    at), empty geometries, non-finite or out-of-range coordinates, rings that are not
    closed, unknown properties.
    """
    if isinstance(body, Mapping):
        doc: Any = dict(body)
    else:
        try:
            doc = json.loads(body, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:  # NaN/Infinity raise ValidationError, not caught
            raise ValidationError(
                msg("edit.not_json", detail=exc.msg, line=exc.lineno, column=exc.colno)
            ) from None
    if not isinstance(doc, dict) or doc.get("type") != "Feature":
        raise ValidationError(msg("edit.not_feature"))
    if "crs" in doc or (isinstance(doc.get("geometry"), dict) and "crs" in doc["geometry"]):
        raise ValidationError(msg("edit.crs_member"))
    props = doc.get("properties") or {}
    if not isinstance(props, dict):
        raise ValidationError(msg("edit.properties_not_object"))
    geometry = doc.get("geometry")
    if geometry is not None and layer == "routes":
        raise ValidationError(msg("edit.route_geometry"))
    if geometry is not None:
        if not isinstance(geometry, dict) or geometry.get("type") not in _GEOMETRY[layer]:
            got = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
            raise ValidationError(
                msg("edit.geometry_type", layer=layer, expected=list(_GEOMETRY[layer]), found=got)
            )
        _check_size(geometry, max_vertices or LAYERS[layer].max_vertices)
        _check_coordinates(geometry)
    return {"properties": props, "geometry": geometry}


def _check_size(geometry: dict[str, Any], max_vertices: int) -> None:
    vertices = count_positions(geometry)
    if vertices > max_vertices:
        raise ValidationError(
            msg("geometry.too_many_vertices", vertices=vertices, limit=int(max_vertices))
        )


def _check_coordinates(geometry: dict[str, Any]) -> None:
    coords = geometry.get("coordinates")
    if not coords:
        raise ValidationError(msg("edit.empty_geometry", geometry_type=geometry["type"]))

    def walk(value, depth: int):
        if depth == 0:
            if not (
                isinstance(value, list)
                and len(value) in (2, 3)
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            ):
                raise ValidationError(msg("edit.bad_position", value=repr(value)[:200]))
            lon, lat = value[0], value[1]
            if not (math.isfinite(lon) and math.isfinite(lat)):
                raise ValidationError(msg("edit.coordinates_not_finite"))
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValidationError(msg("edit.position_out_of_range", lon=lon, lat=lat))
            return
        if not isinstance(value, list) or not value:
            raise ValidationError(msg("edit.malformed_coordinates", geometry_type=geometry["type"]))
        for v in value:
            walk(v, depth - 1)

    depth = {"Point": 0, "LineString": 1, "Polygon": 2, "MultiPolygon": 3}[geometry["type"]]
    walk(coords, depth)
    rings = (
        [coords]
        if geometry["type"] == "Polygon"
        else coords
        if geometry["type"] == "MultiPolygon"
        else []
    )
    for polygon in rings:
        for ring in polygon:
            if len(ring) < 4 or ring[0] != ring[-1]:
                raise ValidationError(msg("edit.ring_not_closed"))


def etag(conn, table: str, fid: int, *, lock: bool = False) -> str | None:
    """The feature's current ETag (MD5 of its row), or None when it does not exist."""
    query = sql.SQL(
        "SELECT md5(t::text) FROM {} t WHERE id = %s" + (" FOR UPDATE" if lock else "")
    ).format(sql.Identifier(table))
    with conn.cursor() as cur:
        cur.execute(query, (fid,))
        row = cur.fetchone()
    return row[0] if row else None


def _written_tag(conn, layer: str, table: str, fid: int) -> str:
    """The ETag of a row this transaction has just written (so it exists)."""
    tag = etag(conn, table, fid)
    if tag is None:  # an import that wrote nothing (a rejected row raises before this)
        raise NotFoundError(msg("edit.no_feature", fid=fid, layer=layer))
    return tag


def _row_json(conn, table: str, fid: int) -> dict[str, Any] | None:
    """The whole row as JSON, the geometry as hex EWKB (so that it can be restored exactly).

    A route also carries its stops; a table without geometry (alert rules, alerts) is its row.
    """
    if table in _NO_GEOMETRY:
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("SELECT to_jsonb(t) FROM {} t WHERE id = %s").format(sql.Identifier(table)),
                (fid,),
            )
            found = cur.fetchone()
        return found[0] if found else None
    stops = (
        (
            ", 'stops', (SELECT coalesce(jsonb_agg(jsonb_build_object('village', v.ref, "
            "'minutes', s.planned_minutes) "
            "ORDER BY s.seq), '[]') FROM route_stops s JOIN craft_villages v ON v.id = "
            "s.village_id "
            "WHERE s.route_id = t.id)"
        )
        if table == "tourism_routes"
        else ""
    )
    query = sql.SQL(
        "SELECT to_jsonb(t) - 'geom' || jsonb_build_object('geom', encode(ST_AsEWKB(t.geom), 'hex')"
        + stops
        + ") FROM {} t WHERE id = %s"
    ).format(sql.Identifier(table))
    with conn.cursor() as cur:
        cur.execute(query, (fid,))
        row = cur.fetchone()
    return row[0] if row else None


def _audit(conn, actor: str, action: str, table: str, fid: int, before, after, details=None) -> int:
    return audit_change(conn, actor, action, table, fid, before, after, details)


def _rejected(problems: list) -> Message:
    """Why a feature was refused: each problem's field and reason."""
    return msg(
        "edit.rejected",
        problems=[
            msg("edit.field_problem", field=p.field or "feature", reason=p.reason) for p in problems
        ],
    )


def _write_route(conn, properties: dict[str, Any]) -> None:
    """Check and write one route with its stops, in the caller's transaction.

    The curated routes' own rules apply.
    """
    from layers.routes import check_route, write_route

    unknown = sorted(set(properties) - set(_ROUTE_FIELDS))
    if unknown:
        raise ValidationError(
            msg("edit.unknown_properties", names=unknown, layer="routes", known=list(_ROUTE_FIELDS))
        )
    problems = check_route(1, properties)
    if problems:
        raise ValidationError(_rejected(problems))
    with conn.cursor() as cur:
        try:
            write_route(cur, properties, properties.get("source") or "api")
        except ValidationError:
            raise


def _import_one(
    conn,
    layer: str,
    properties: dict[str, Any],
    geometry: dict[str, Any] | None,
    actor: str,
    max_vertices: int | None = None,
) -> None:
    """Run the layer's import on one feature, inside the caller's transaction."""
    if layer == "routes":
        return _write_route(conn, properties)
    spec = get_spec(layer)
    known = {f.name for f in spec.fields} | set(spec.columns)
    unknown = sorted(set(properties) - known)
    if unknown:
        raise ValidationError(
            msg(
                "edit.unknown_properties",
                names=unknown,
                layer=layer,
                known=sorted(f.name for f in spec.fields),
            )
        )
    frame = gpd.GeoDataFrame(
        [properties],
        geometry=[None if geometry is None else shapely.geometry.shape(geometry)],
        crs=SRID,
    )
    report = import_frame(
        conn,
        spec,
        frame,
        ImportOptions(
            progress=None,
            actor=actor,
            audit=False,
            repair=False,
            max_vertices=max_vertices,
            on_duplicate=None,  # an edit says which feature it changes
        ),
        source="feature",
    )
    errors = [p for p in report.problems if p.severity == "error"]
    if errors:
        raise ValidationError(_rejected(errors))


def _spec(layer: str) -> Layer:
    """The declaration of an editable layer: table, natural key, whether a geometry is needed."""
    return LAYERS[layer]


def _table(layer: str) -> str:
    return LAYERS[layer].table


def _editable_values(conn, layer: str, fid: int) -> dict[str, Any]:
    """The stored values in the import's field names (for a partial update)."""
    from layers.registry import get_spec

    if layer == "routes":
        row = _row_json(conn, "tourism_routes", fid)
        if row is None:  # deleted since its version was locked: not possible in one transaction
            raise NotFoundError(msg("edit.no_feature", fid=fid, layer=layer))
        return {
            "properties": {k: row[k] for k in _ROUTE_FIELDS if row.get(k) is not None},
            "geometry": None,
        }
    spec = get_spec(layer)
    names = [f.name for f in spec.fields if f.name in spec.columns]
    query = sql.SQL("SELECT {}, ST_AsGeoJSON(geom)::json FROM {} WHERE id = %s").format(
        sql.SQL(", ").join(map(sql.Identifier, names)), sql.Identifier(spec.table)
    )
    with conn.cursor() as cur:
        cur.execute(query, (fid,))
        row = cur.fetchone()
    values = {
        n: (float(v) if isinstance(v, Decimal) else v.isoformat() if isinstance(v, dt.date) else v)
        for n, v in zip(names, row[:-1], strict=True)
        if v is not None and n != "flags"
    }
    return {"properties": values, "geometry": row[-1]}


def _lock_version(conn, layer: str, table: str, fid: int, if_match: str | None) -> None:
    """Lock the feature's row and check that ``if_match`` is its current ETag (428 / 404 / 412)."""
    if not if_match:
        raise VersionRequiredError(msg("edit.if_match_required"))
    current = etag(conn, table, fid, lock=True)
    if current is None:
        raise NotFoundError(msg("edit.no_feature", fid=fid, layer=layer))
    if if_match.strip('"') != current:
        raise StaleVersionError(msg("edit.stale", fid=fid))


def create_feature(
    conn,
    layer: str,
    body: str | Mapping[str, Any],
    actor: str,
    *,
    max_vertices: int | None = None,
) -> tuple[int, str]:
    """Insert one feature; returns (id, ETag). 409 when its natural key exists.

    ``max_vertices`` (default: the layer's declaration) bounds the geometry's size.
    """
    spec = _spec(layer)
    feature = parse_feature(body, layer, max_vertices=max_vertices)
    if feature["geometry"] is None and spec.geometry_required:
        raise ValidationError(msg("edit.geometry_required", layer=layer))
    key = {k: feature["properties"].get(k) for k in spec.key}
    if any(v in (None, "") for v in key.values()):
        raise ValidationError(msg("edit.key_required", fields=list(spec.key)))
    for name, value in key.items():  # looked up before the layer's checks run
        if not isinstance(value, str):
            raise ValidationError(msg("edit.key_not_text", field=name))
    where = sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in spec.key)
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("SELECT id FROM {} WHERE ").format(sql.Identifier(spec.table)) + where,
            list(key.values()),
        )
        if cur.fetchone():
            raise ConflictError(
                msg("edit.key_exists", layer=layer, key=[f"{k}={v}" for k, v in key.items()])
            )
    _import_one(conn, layer, feature["properties"], feature["geometry"], actor, max_vertices)
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("SELECT id FROM {} WHERE ").format(sql.Identifier(spec.table)) + where,
            list(key.values()),
        )
        (fid,) = cur.fetchone()
    _audit(conn, actor, "insert", spec.table, fid, None, _row_json(conn, spec.table, fid))
    return int(fid), _written_tag(conn, layer, spec.table, fid)


def update_feature(
    conn,
    layer: str,
    fid: int,
    body: str | Mapping[str, Any],
    if_match: str | None,
    actor: str,
    *,
    partial: bool,
    max_vertices: int | None = None,
) -> str:
    """Replace (PUT) or merge (PATCH) one feature when ``if_match`` is its current ETag.

    Returns the new ETag. ``max_vertices`` (default: the layer's declaration) bounds the
    geometry's size.
    """
    spec = _spec(layer)
    feature = parse_feature(
        body, layer, max_vertices=max_vertices
    )  # before locking: bad bodies never wait for a lock
    _lock_version(conn, layer, spec.table, fid, if_match)
    before = _row_json(conn, spec.table, fid)
    stored = _editable_values(conn, layer, fid)
    properties = (
        {**stored["properties"], **feature["properties"]}
        if partial
        else dict(feature["properties"])
    )
    geometry = feature["geometry"] or (stored["geometry"] if partial else None)
    for k in spec.key:
        if properties.get(k) != stored["properties"].get(k):
            raise ValidationError(
                msg("edit.key_changed", field=k, value=str(stored["properties"].get(k)))
            )
    if geometry is None and spec.geometry_required:
        raise ValidationError(msg("edit.geometry_required", layer=layer))
    _import_one(conn, layer, properties, geometry, actor, max_vertices)
    after = _row_json(conn, spec.table, fid)
    _audit(conn, actor, "update", spec.table, fid, before, after)
    return _written_tag(conn, layer, spec.table, fid)


def delete_feature(conn, layer: str, fid: int, if_match: str | None, actor: str) -> None:
    """Delete one feature when ``if_match`` is its current ETag."""
    table = _table(layer)
    _lock_version(conn, layer, table, fid, if_match)
    before = _row_json(conn, table, fid)
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DELETE FROM {} WHERE id = %s").format(sql.Identifier(table)), (fid,))
    _audit(conn, actor, "delete", table, fid, before, None)


def audit_entries(conn, *, table: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The audit log, newest first (one table's entries when ``table`` is given)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, at, actor, action, table_name, row_ref, before IS NOT NULL, after IS NOT "
            "NULL, details "
            "FROM audit_log WHERE %s::text IS NULL OR table_name = %s ORDER BY id DESC LIMIT %s",
            (table, table, limit),
        )
        keys = ("id", "at", "actor", "action", "table", "row", "has_before", "has_after", "details")
        return [{**dict(zip(keys, r, strict=True)), "at": r[1].isoformat()} for r in cur.fetchall()]


def _restore_stops(conn, route_id: int, stops: list[dict[str, Any]]) -> None:
    with conn.cursor() as cur:
        cur.execute("DELETE FROM route_stops WHERE route_id = %s", (route_id,))
        for seq, stop in enumerate(stops, start=1):
            cur.execute(
                "INSERT INTO route_stops (route_id, seq, village_id, planned_minutes) "
                "SELECT %s, %s, id, %s FROM craft_villages WHERE ref = %s",
                (route_id, seq, stop.get("minutes"), stop["village"]),
            )
            if cur.rowcount != 1:
                raise ConflictError(msg("edit.route_village_gone", ref=stop["village"]))


def revert(conn, audit_id: int, actor: str) -> dict[str, Any]:
    """Undo one edit: an insert is deleted, a delete re-inserted, an update restored.

    Refused when the row changed again since (revert the later edit first).
    """
    with conn.cursor() as cur:
        cur.execute(
            "SELECT action, table_name, row_ref, before, after FROM audit_log WHERE id = %s",
            (audit_id,),
        )
        row = cur.fetchone()
    if row is None:
        raise NotFoundError(msg("edit.no_audit_entry", audit=audit_id))
    action, table, ref, before, after = row
    if table == "scenarios":
        raise ValidationError(msg("edit.scenario_not_restorable", audit_id=audit_id))
    if action not in ("insert", "update", "delete"):
        raise ValidationError(msg("edit.not_revertible", audit=audit_id, action=action))
    fid = int(ref)
    ident = sql.Identifier(table)
    now = _row_json(conn, table, fid)
    if action in ("insert", "update") and now != after:
        raise StaleVersionError(msg("edit.changed_after", table=table, fid=fid, audit=audit_id))
    with conn.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() "
            "AND table_name = %s AND column_name <> 'id' ORDER BY ordinal_position",
            (table,),
        )
        columns = [c for (c,) in cur.fetchall()]
        cols = sql.SQL(", ").join(map(sql.Identifier, columns))
        if action == "insert":
            cur.execute(sql.SQL("DELETE FROM {} WHERE id = %s").format(ident), (fid,))
        elif action == "delete":
            if now is not None:
                raise ConflictError(msg("edit.exists_again", table=table, fid=fid))
            cur.execute(
                sql.SQL(
                    "INSERT INTO {t} (id, {c}) SELECT id, {c} FROM "
                    "jsonb_populate_record(NULL::{t}, %s)"
                ).format(t=ident, c=cols),
                (json.dumps(before),),
            )
        else:
            cur.execute(
                sql.SQL(
                    "UPDATE {t} SET ({c}) = (SELECT {c} FROM jsonb_populate_record(NULL::{t}, %s)) "
                    "WHERE id = %s"
                ).format(t=ident, c=cols),
                (json.dumps(before), fid),
            )
    if table == "tourism_routes" and action in ("update", "delete"):
        _restore_stops(conn, fid, before.get("stops") or [])
    restored = _row_json(conn, table, fid)
    entry = _audit(conn, actor, "revert", table, fid, now, restored, {"reverts": audit_id})
    return {"reverted": audit_id, "audit_id": entry, "table": table, "id": fid}
