"""Feature editing over HTTP (OGC API - Features Part 4 shape).

POST to a collection's items, PUT / PATCH / DELETE on an item with If-Match; the admin's
audit log and revert. Each edit is one transaction of the request.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from gis.db import transaction
from layers.collections import get_collection, layer_version
from layers.editing import (
    EDITABLE,
    audit_entries,
    create_feature,
    delete_feature,
    etag,
    revert,
    update_feature,
)
from webmap.auth import actor, current, require
from webmap.bodies import parse_feature_body
from webmap.db import get_conn
from webmap.errors import Forbidden, NotFound, Unauthorized
from webmap.limits import layer_limits
from webmap.params import parse_int

__all__ = ["bp"]

bp = Blueprint("editing", __name__)
#: Response header of an edit: the layer's change counter after it. A page asks for tiles with
#: ``?v=`` that version, so the editor sees the change at once (webmap.tiles).
LAYER_VERSION = "Layer-Version"


def _layer(collection_id: str) -> str:
    if collection_id not in EDITABLE:
        raise NotFound(
            f"collection {collection_id!r} cannot be edited here (editable: {', '.join(EDITABLE)})"
        )
    layer, roles = EDITABLE[collection_id]
    user = current()
    if user is None:
        raise Unauthorized("sign in (or send an API token) to edit")
    if user.role != "admin" and user.role not in roles:
        raise Forbidden(
            f"the {user.role} role may not edit {collection_id}; it needs {' or '.join(roles)}"
        )
    return layer


def _fid(raw: str) -> int:
    return parse_int(raw, "feature id", default=0, minimum=1, maximum=2**31 - 1)


@bp.post("/collections/<collection_id>/items")
def create(collection_id: str):
    """Create a feature (a GeoJSON Feature body): 201 with Location and ETag."""
    layer = _layer(collection_id)
    limits = layer_limits(layer)
    feature = parse_feature_body(max_bytes=limits.body_bytes, max_vertices=limits.vertices)
    with transaction(get_conn()) as conn:
        fid, tag = create_feature(conn, layer, feature, actor(), max_vertices=limits.vertices)
        version = layer_version(conn, get_collection(collection_id))
    response = Response(status=201)
    response.headers[LAYER_VERSION] = str(version)
    response.headers["Location"] = url_for(
        "api.item", collection_id=collection_id, fid=fid, _external=True
    )
    response.headers["ETag"] = f'"{tag}"'
    return response


@bp.route("/collections/<collection_id>/items/<fid>", methods=["PUT", "PATCH"])
def update(collection_id: str, fid: str):
    """Replace (PUT) or merge (PATCH) a feature; needs If-Match with its ETag (412 when stale)."""
    layer = _layer(collection_id)
    limits = layer_limits(layer)
    feature = parse_feature_body(max_bytes=limits.body_bytes, max_vertices=limits.vertices)
    with transaction(get_conn()) as conn:
        tag = update_feature(
            conn,
            layer,
            _fid(fid),
            feature,
            request.headers.get("If-Match"),
            actor(),
            partial=request.method == "PATCH",
            max_vertices=limits.vertices,
        )
        version = layer_version(conn, get_collection(collection_id))
    response = Response(status=204)
    response.headers["ETag"] = f'"{tag}"'
    response.headers[LAYER_VERSION] = str(version)
    return response


@bp.delete("/collections/<collection_id>/items/<fid>")
def delete(collection_id: str, fid: str):
    """Delete a feature; needs If-Match with its ETag."""
    layer = _layer(collection_id)
    with transaction(get_conn()) as conn:
        delete_feature(conn, layer, _fid(fid), request.headers.get("If-Match"), actor())
        version = layer_version(conn, get_collection(collection_id))
    return Response(status=204, headers={LAYER_VERSION: str(version)})


@bp.get("/api/audit")
@require("admin")
def audit():
    """The audit log, newest first (``?table=``, ``?limit=``)."""
    limit = parse_int(request.args.get("limit"), "limit", default=100, minimum=1, maximum=1000)
    return jsonify(
        entries=audit_entries(get_conn(), table=request.args.get("table") or None, limit=limit)
    )


@bp.post("/api/audit/<int:audit_id>/revert")
@require("admin")
def revert_entry(audit_id: int):
    """Undo one edit (refused with 412 when the feature changed again after it)."""
    with transaction(get_conn()) as conn:
        return jsonify(revert(conn, audit_id, actor()))


def item_etag(table: str, fid: int, conn: Any = None) -> str | None:
    """For the item GET: the feature's ETag, read on ``conn`` (the one that read the body)."""
    conn = conn if conn is not None else get_conn()
    tag = etag(conn, table, fid)
    conn.rollback()
    return tag
