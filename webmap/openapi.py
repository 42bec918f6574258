"""The OpenAPI 3.0 document, generated from the collection registry; self-contained."""

from __future__ import annotations

from typing import Any

from flask import Flask

from gis.settings import Settings
from layers.collections import COLLECTIONS, Collection
from webmap.messages import translations
from webmap.openapi_ops import app_paths, security_schemes

__all__ = ["openapi_document"]

_JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer", "format": "int32", "minimum": -(2**31), "maximum": 2**31 - 1},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "array": {"type": "array", "items": {"type": "string"}},
}


def _error() -> dict[str, Any]:
    return {
        "description": "Error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}},
    }


def _param(
    name: str, schema: dict[str, Any], description: str, *, style: str | None = None
) -> dict[str, Any]:
    param: dict[str, Any] = {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }
    if style:
        param.update(style=style, explode=False)
    return param


def _items_path(coll: Collection, settings: Settings) -> dict[str, Any]:
    params = [
        _param(
            "limit",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": settings.items_max_limit,
                "default": settings.items_default_limit,
            },
            "Maximum number of features.",
        ),
        _param(
            "offset",
            {"type": "integer", "minimum": 0, "maximum": 10**9, "default": 0},
            "Features to skip (paging).",
        ),
        _param(
            "bbox",
            {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
            "minlon,minlat,maxlon,maxlat in CRS84.",
            style="form",
        ),
    ]
    if coll.datetime_column:
        params.append(
            _param("datetime", {"type": "string"}, "Instant or interval (RFC 3339, '..' open).")
        )
    params += [
        _param(
            p.name,
            {**_JSON_TYPES[p.type], **({"format": p.format} if p.format else {})},
            f"Filter: {p.name} equals",
        )
        for p in coll.props
        if p.filterable
    ]
    return {
        "get": {
            "summary": f"{coll.title} / {translations('vi').gettext(coll.title)}",
            "operationId": f"items_{coll.id.replace('-', '_')}",
            "tags": [coll.id],
            "parameters": params,
            "responses": {
                "200": {
                    "description": "Features",
                    "content": {
                        "application/geo+json": {
                            "schema": {"$ref": "#/components/schemas/featureCollection"}
                        }
                    },
                },
                "400": _error(),
                "404": _error(),
                "503": _error(),
            },
        }
    }


def _item_path(coll: Collection) -> dict[str, Any]:
    return {
        "get": {
            "summary": f"One feature of {coll.title}",
            "operationId": f"item_{coll.id.replace('-', '_')}",
            "tags": [coll.id],
            "parameters": [
                {
                    "name": "featureId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                }
            ],
            "responses": {
                "200": {
                    "description": "Feature",
                    "content": {
                        "application/geo+json": {"schema": {"$ref": "#/components/schemas/feature"}}
                    },
                },
                "400": _error(),
                "404": _error(),
                "503": _error(),
            },
        }
    }


def _json_ok(schema_ref: str) -> dict[str, Any]:
    return {
        "200": {
            "description": "OK",
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}
            },
        },
        "503": _error(),
    }


_SCHEMAS: dict[str, Any] = {
    "exception": {
        "type": "object",
        "required": ["code"],
        "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
    },
    "link": {
        "type": "object",
        "required": ["href"],
        "properties": {
            "href": {"type": "string"},
            "rel": {"type": "string"},
            "type": {"type": "string"},
            "title": {"type": "string"},
        },
    },
    "landing": {
        "type": "object",
        "required": ["links"],
        "properties": {
            "title": {"type": "string"},
            "description": {"type": "string"},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
        },
    },
    "conformance": {
        "type": "object",
        "required": ["conformsTo"],
        "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
    },
    "collection": {
        "type": "object",
        "required": ["id", "links"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "itemType": {"type": "string"},
            "crs": {"type": "array", "items": {"type": "string"}},
            "extent": {"type": "object"},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
        },
    },
    "collections": {
        "type": "object",
        "required": ["links", "collections"],
        "properties": {
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
            "collections": {"type": "array", "items": {"$ref": "#/components/schemas/collection"}},
        },
    },
    "geometry": {
        "type": "object",
        "nullable": True,
        "required": ["type"],
        "properties": {
            "type": {
                "type": "string",
                "enum": [
                    "Point",
                    "MultiPoint",
                    "LineString",
                    "MultiLineString",
                    "Polygon",
                    "MultiPolygon",
                    "GeometryCollection",
                ],
            },
            "coordinates": {"type": "array"},
        },
    },
    "feature": {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer"},
            "geometry": {"$ref": "#/components/schemas/geometry"},
            "properties": {"type": "object", "nullable": True},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
        },
    },
    "featureCollection": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": {"$ref": "#/components/schemas/feature"}},
            "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}},
            "timeStamp": {"type": "string"},
            "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0},
        },
    },
}


def openapi_document(base_url: str, settings: Settings, app: Flask | None = None) -> dict[str, Any]:
    """The OpenAPI 3.0.3 document for this server (only internal ``$ref``s).

    With ``app``, every operation it serves: the OGC API part generated from the collection
    registry, and every other route from :mod:`webmap.openapi_ops` (bodies, roles, security).
    """
    paths: dict[str, Any] = {
        "/": {
            "get": {
                "summary": "Landing page",
                "operationId": "landing",
                "parameters": [
                    _param("f", {"type": "string", "enum": ["json", "html"]}, "Response format")
                ],
                # JSON with f=json or Accept: application/json;
                # otherwise the planner map page (HTML).
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/landing"}
                            },
                            "text/html": {"schema": {"type": "string"}},
                        },
                    },
                    "400": _error(),
                    "503": _error(),
                },
            }
        },
        "/conformance": {
            "get": {
                "summary": "Conformance classes",
                "operationId": "conformance",
                "responses": _json_ok("conformance"),
            }
        },
        "/collections": {
            "get": {
                "summary": "Collections",
                "operationId": "collections",
                "responses": _json_ok("collections"),
            }
        },
    }
    for coll in COLLECTIONS.values():
        paths[f"/collections/{coll.id}"] = {
            "get": {
                "summary": f"{coll.title} metadata",
                "operationId": f"collection_{coll.id.replace('-', '_')}",
                "responses": {**_json_ok("collection"), "404": _error()},
            }
        }
        paths[f"/collections/{coll.id}/items"] = _items_path(coll, settings)
        paths[f"/collections/{coll.id}/items/{{featureId}}"] = _item_path(coll)
    components: dict[str, Any] = {"schemas": _SCHEMAS}
    if app is not None:
        for path, methods in app_paths(app).items():
            paths.setdefault(path, {}).update(methods)
        cookie = app.config.get("SESSION_COOKIE_NAME", "session")
        components["securitySchemes"] = security_schemes(cookie)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "LangNghe GIS: OGC API - Features and the planning API",
            "version": "1.0.0",
            "description": (
                "Craft villages, industrial clusters, pollution and tourism layers of Vietnam."
            ),
        },
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": components,
    }
