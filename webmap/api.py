"""OGC API - Features, Part 1 Core + GeoJSON + OpenAPI 3.0, for every public collection."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_babel import gettext as _

from layers.collections import (
    COLLECTIONS,
    Collection,
    extent,
    feature_page,
    features,
    get_collection,
)
from layers.editing import EDITABLE
from webmap.db import public_read, read_conn
from webmap.editing import item_etag
from webmap.errors import NotFound
from webmap.openapi import openapi_document
from webmap.params import parse_bbox, parse_datetime, parse_int, parse_props

__all__ = ["CONFORMANCE", "bp"]

bp = Blueprint("api", __name__)

GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]


def _title(coll: Collection) -> tuple[str, str]:
    """The collection's title and description in the request's language."""
    return _(coll.title), _(coll.description)


def _collection_doc(coll: Collection) -> dict:
    title, description = _title(coll)
    items = url_for("api.items", collection_id=coll.id, _external=True)
    doc: dict[str, Any] = {
        "id": coll.id,
        "title": title,
        "description": description,
        "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "links": [
            {
                "href": url_for("api.collection", collection_id=coll.id, _external=True),
                "rel": "self",
                "type": "application/json",
                "title": title,
            },
            {"href": items, "rel": "items", "type": GEOJSON, "title": title},
        ],
    }
    box = extent(read_conn(), coll)
    if box is not None:
        doc["extent"] = {
            "spatial": {"bbox": [box], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}
        }
    return doc


@bp.get("/api/ogc")
def landing():
    """Landing page of the OGC API."""
    return jsonify(
        title=_("LangNghe GIS: craft villages and industrial clusters"),
        description=_(
            "Craft villages, industrial clusters, pollution and tourism routes of Vietnam"
        ),
        links=[
            {
                "href": url_for("api.landing", _external=True),
                "rel": "self",
                "type": "application/json",
                "title": _("This document"),
            },
            {
                "href": url_for("api.openapi", _external=True),
                "rel": "service-desc",
                "type": OPENAPI,
                "title": _("API definition"),
            },
            {
                "href": url_for("api.conformance", _external=True),
                "rel": "conformance",
                "type": "application/json",
                "title": _("Conformance classes"),
            },
            {
                "href": url_for("api.collections", _external=True),
                "rel": "data",
                "type": "application/json",
                "title": _("Collections"),
            },
        ],
    )


@bp.get("/conformance")
def conformance():
    """Conformance classes."""
    return jsonify(conformsTo=CONFORMANCE)


@bp.get("/api")
def openapi():
    """The self-contained OpenAPI 3.0 document."""
    doc = openapi_document(
        request.url_root.rstrip("/"),
        current_app.config["LANGNGHE"],
        current_app._get_current_object(),
    )
    return Response(current_app.json.dumps(doc), mimetype=OPENAPI)


@bp.get("/collections")
@public_read
def collections():
    """Every public collection."""
    return jsonify(
        links=[
            {
                "href": url_for("api.collections", _external=True),
                "rel": "self",
                "type": "application/json",
            }
        ],
        collections=[_collection_doc(c) for c in COLLECTIONS.values()],
    )


@bp.get("/collections/<collection_id>")
@public_read
def collection(collection_id: str):
    """One collection's metadata."""
    return jsonify(_collection_doc(get_collection(collection_id)))


def _page_link(coll: Collection, rel: str, offset: int, limit: int) -> dict:
    args = {k: v for k, v in request.args.items() if k not in ("offset", "limit")}
    href = url_for(
        "api.items", collection_id=coll.id, _external=True, offset=offset, limit=limit, **args
    )
    return {"href": href, "rel": rel, "type": GEOJSON}


@bp.get("/collections/<collection_id>/items")
@public_read
def items(collection_id: str):
    """Features of a collection: bbox, limit, offset, datetime and property filters."""
    coll = get_collection(collection_id)
    settings = current_app.config["LANGNGHE"]
    limit = parse_int(
        request.args.get("limit"),
        "limit",
        default=settings.items_default_limit,
        minimum=1,
        maximum=settings.items_max_limit,
    )
    offset = parse_int(request.args.get("offset"), "offset", default=0, minimum=0, maximum=10**9)
    text, returned, matched = feature_page(
        read_conn(),
        coll,
        limit=limit,
        offset=offset,
        bbox=parse_bbox(request.args.get("bbox")),
        interval=parse_datetime(request.args.get("datetime")),
        props=parse_props(request.args, coll),
    )
    links = [_page_link(coll, "self", offset, limit)]
    if returned == limit and (matched is None or offset + limit < matched):
        links.append(_page_link(coll, "next", offset + limit, limit))
    if offset > 0:
        links.append(_page_link(coll, "prev", max(offset - limit, 0), limit))
    head = {
        "type": "FeatureCollection",
        "numberReturned": returned,
        "timeStamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": links,
    }
    if matched is not None:
        head["numberMatched"] = matched
    body = current_app.json.dumps(head)[:-1] + ',"features":[' + text + "]}"
    return Response(body, mimetype=GEOJSON)


@bp.get("/collections/<collection_id>/items/<fid>")
@public_read
def item(collection_id: str, fid: str):
    """One feature by id."""
    coll = get_collection(collection_id)
    number = parse_int(fid, "feature id", default=0, minimum=1, maximum=2**31 - 1)
    rows, _matched = features(read_conn(), coll, limit=1, fid=number)
    if not rows:
        raise NotFound(f"no feature {number} in {coll.id}")
    self_url = url_for("api.item", collection_id=coll.id, fid=number, _external=True)
    collection_url = url_for("api.collection", collection_id=coll.id, _external=True)
    links = (
        f'"links":[{{"href":"{self_url}","rel":"self","type":"{GEOJSON}"}},'
        f'{{"href":"{collection_url}","rel":"collection","type":"application/json"}}]'
    )
    response = Response(rows[0][:-1] + "," + links + "}", mimetype=GEOJSON)
    if coll.id in EDITABLE:  # the ETag an edit must send back in If-Match
        tag = item_etag(coll.table, number, read_conn())  # the body's server
        if tag:
            response.headers["ETag"] = f'"{tag}"'
    return response
