"""The OpenAPI operations beyond OGC API Features: pages, data, analyses, edits, sign-in.

One :class:`Op` per endpoint of the app (``blueprint.view``): its summary, query parameters,
request body (the pydantic models of :mod:`webmap.bodies`, rendered as OpenAPI 3.0 schemas)
and success responses. Who may call it is read from the view itself (the roles that
:func:`webmap.auth.require` recorded, or the editable layers' roles), so the document and
the checks cannot disagree. :func:`app_paths` walks the app's URL map: a route without an
``Op`` is left out with a warning, and ``tests/webmap/test_openapi.py`` fails on it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from pydantic import BaseModel

from layers.collections import COLLECTIONS
from layers.editing import EDITABLE
from webmap.bodies import (
    AhpBody,
    AlertNoteBody,
    AlertRuleBody,
    AllocationBody,
    CheckClusterBody,
    ScenarioChangeBody,
    SitingBody,
    SurfaceBody,
    ZoneSourcesBody,
    ZoneSurfaceBody,
)
from webmap.params import MODES, UNIT_LEVELS, UNIT_VERSIONS, ZONE_KINDS

__all__ = ["OPS", "Op", "app_paths", "body_schema", "security_schemes"]

logger = logging.getLogger(__name__)

#: Endpoints that are not API operations: the static files.
UNDOCUMENTED = ("static",)
_ERR = {"$ref": "#/components/schemas/exception"}


@dataclass(frozen=True)
class Op:
    """One operation: what the document says of an endpoint."""

    summary: str
    params: tuple[dict[str, Any], ...] = ()
    body: dict[str, Any] | None = None
    ok: dict[str, Any] = field(default_factory=dict)
    tag: str = "data"


def _q(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description or name,
    }


def _int(minimum: int, maximum: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


def _enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def _text(max_length: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length}


def _content(media: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {media: {"schema": schema or {"type": "string"}}}


def _ok(
    status: str, description: str, media: str | None = None, schema: dict[str, Any] | None = None
) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description}
    if media:
        response["content"] = _content(media, schema)
    return {status: response}


_JSON_OBJECT = {"type": "object"}
_JSON = _ok("200", "OK", "application/json", _JSON_OBJECT)
_GEOJSON = _ok("200", "GeoJSON", "application/geo+json", _JSON_OBJECT)
_HTML = _ok("200", "Page", "text/html")
_PNG = _ok("200", "Image", "image/png")
_GPX = _ok("200", "GPX 1.1", "application/gpx+xml")
_JOB = _ok(
    "202",
    "Job started: poll job_url",
    "application/json",
    {
        "type": "object",
        "required": ["job_id", "job_url"],
        "properties": {"job_id": {"type": "string"}, "job_url": {"type": "string"}},
    },
)
_REDIRECT = _ok("302", "Redirect")
_LANG = _q("lang", _enum("vi", "en"), "Language of the page or the messages")
_LIMIT = _q("limit", _int(1, 500), "At most this many")
_TOUR = (
    _q("villages", _text(2000), "Village refs, comma separated (at most 25)"),
    _q("theme", _text(40), "A theme instead of villages"),
    _q("start", _text(60), "lon,lat of the start"),
    _q("date", {"type": "string", "format": "date"}, "The day planned"),
    _q("start_time", _text(5), "HH:MM"),
    _q("budget", _int(30, 1440), "Minutes available"),
    _q("mode", _enum(*MODES), "Travel mode"),
    _q("avoid_pollution", _enum("0", "1", "true", "false"), "Avoid pollution zones"),
    _q("network", _text(40), "Road network name"),
    _LANG,
)
_POLYGON = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {"type": _enum("Polygon", "MultiPolygon"), "coordinates": {"type": "array"}},
    "description": "A GeoJSON Polygon or MultiPolygon in WGS 84 lon/lat (or a Feature of one)",
}
_FEATURE = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": _enum("Feature"),
        "geometry": {"$ref": "#/components/schemas/geometry"},
        "properties": {"type": "object", "nullable": True},
    },
}


def _json_body(schema: dict[str, Any], media: str = "application/json") -> dict[str, Any]:
    return {"required": True, "content": _content(media, schema)}


def body_schema(model: type[BaseModel], **members: dict[str, Any]) -> dict[str, Any]:
    """A body model's JSON schema as OpenAPI 3.0 (``members`` replace members' schemas)."""
    schema = _oas30(model.model_json_schema())
    schema["properties"].update(members)
    if "bbox" in members and model is SitingBody:
        schema["required"] = ["bbox"]
    return schema


def _oas30(schema: Any) -> Any:
    """JSON Schema 2020-12 (pydantic's) as the OpenAPI 3.0 subset: nullable, items, enums."""
    if isinstance(schema, list):
        return [_oas30(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _oas30(v) for k, v in schema.items() if k not in ("title", "$defs", "propertyNames")}
    options = out.pop("anyOf", None)
    if options is not None:
        kept = [o for o in options if o.get("type") != "null"]
        out = {**out, **(kept[0] if len(kept) == 1 else {"anyOf": kept})}
        if len(kept) < len(options):
            out["nullable"] = True
    if "const" in out:
        out["enum"] = [out.pop("const")]
    if "prefixItems" in out:
        items = out.pop("prefixItems")
        out.update(items=items[0], minItems=len(items), maxItems=len(items))
    for key, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(key), int | float) and not isinstance(out.get(key), bool):
            out[bound], out[key] = out[key], True
    if out.get("default") is None:
        out.pop("default", None)
    return out


def _ops() -> dict[str, Op]:
    siting = body_schema(SitingBody, bbox=_bbox(), ahp=_matrix())
    allocation = body_schema(AllocationBody, bbox={**_bbox(), "nullable": True})
    check = body_schema(CheckClusterBody, geometry={**_POLYGON, "nullable": True})
    scenario_kind = _q("kind", _enum("siting", "allocation", "compliance", "surface", "zones"))
    return {
        "healthz": Op(
            "Health: the collections served, each table's change counter and the process's"
            " read-replica counters (null without DATABASE_REPLICA_URL)",
            ok=_JSON,
        ),
        "api.openapi": Op(
            "This document", ok=_ok("200", "OpenAPI 3.0", "application/json"), tag="ogc"
        ),
        "api.landing": Op("OGC API landing page", (_LANG,), ok=_JSON, tag="ogc"),
        "pages.environment": Op("Environment dashboard", (_LANG,), ok=_HTML, tag="pages"),
        "pages.tour": Op("Tourist page", (_LANG,), ok=_HTML, tag="pages"),
        "pages.audit_page": Op("Audit log page", (_LANG,), ok=_HTML, tag="pages"),
        "tours.printable": Op("A printable day plan", _TOUR, ok=_HTML, tag="tours"),
        "auth.login": Op(
            "Sign-in form",
            (_q("next", _text(2000), "Where to go after"), _LANG),
            ok=_HTML,
            tag="auth",
        ),
        "auth.login#POST": Op(
            "Sign in (form with its CSRF token): a session cookie",
            (_q("next", _text(2000), "Where to go after"), _LANG),
            body={
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "required": ["username", "password"],
                            "properties": {
                                "username": _text(100),
                                "password": _text(200),
                                "csrf_token": _text(200),
                            },
                        }
                    }
                },
            },
            ok={**_REDIRECT, **_HTML},
            tag="auth",
        ),
        "auth.logout": Op("Sign out", ok=_REDIRECT, tag="auth"),
        "data.search_villages": Op(
            "Accent-insensitive village search",
            (_q("q", _text(100), "Words to find"), _q("limit", _int(1, 100))),
            ok=_JSON,
        ),
        "data.within": Op(
            "Villages, clusters and zones inside a drawn polygon",
            body=_json_body(_POLYGON),
            ok=_JSON,
            tag="analysis",
        ),
        "data.choropleth": Op(
            "Administrative units with their number of craft villages",
            (_q("version", _enum(*UNIT_VERSIONS)), _q("level", _enum(*UNIT_LEVELS))),
            ok=_GEOJSON,
        ),
        "data.stations_latest": Op("Stations with their latest values and VN_AQI", ok=_JSON),
        "data.station_series": Op(
            "One station's recent values of a parameter, with the limits in force",
            (_q("parameter", _text(20)), _q("days", _int(1, 366)), _LANG),
            ok=_JSON,
        ),
        "data.station_water": Op(
            "A water station's latest day against QCVN 08 and 40", (_LANG,), ok=_JSON
        ),
        "data.export_village": Op(
            "A standalone HTML map of one village", (_LANG,), ok=_HTML, tag="export"
        ),
        "data.crafts": Op("The craft vocabulary: code -> names and pollution class", ok=_JSON),
        "data.surface_png": Op(
            "One band of a surface as an image",
            (
                _q("band", _int(1, 3)),
                _q("vmax", {"type": "number", "minimum": 0.001, "maximum": 1e6}),
            ),
            ok=_PNG,
        ),
        "data.exposure": Op(
            "Villages, schools, clinics and people inside the zones of a date",
            (
                _q("date", {"type": "string", "format": "date"}),
                _q("version", _enum(*UNIT_VERSIONS)),
                _q("level", _enum(*UNIT_LEVELS)),
                _q("kind", _enum(*ZONE_KINDS)),
                _q("top", _int(1, 500)),
                _LANG,
            ),
            ok=_JSON,
            tag="analysis",
        ),
        "data.village_rules": Op(
            "A village's recognition and Decree 08 status", (_LANG,), ok=_JSON
        ),
        "data.exceedances": Op(
            "QCVN 05 exceedances of the stored air values",
            (
                _q("station", _text(100)),
                _q("limit", _int(1, 1000)),
                _q("offset", _int(0, 10**7)),
                _q("since", {"type": "string", "format": "date-time"}),
                _q("until", {"type": "string", "format": "date-time"}),
                _LANG,
            ),
            ok=_JSON,
            tag="analysis",
        ),
        "data.upload_measurements": Op(
            "Upload a measurements CSV (validated, one transaction)",
            body={
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "replace": _enum("0", "1"),
                                "partial": _enum("0", "1"),
                                "dry_run": _enum("0", "1"),
                                "unit": _text(40),
                                "tz": _text(40),
                            },
                        }
                    }
                },
            },
            ok=_JSON,
            tag="write",
        ),
        "tours.tour": Op("Plan a day tour", _TOUR, ok=_JSON, tag="tours"),
        "tours.tour_gpx_download": Op("A day tour as GPX", _TOUR, ok=_GPX, tag="tours"),
        "tours.tour_geojson_download": Op("A day tour as GeoJSON", _TOUR, ok=_GEOJSON, tag="tours"),
        "tours.curated_gpx": Op("A curated route as GPX", ok=_GPX, tag="tours"),
        "jobs.job_status": Op(
            "A job's status, progress and scenario", (_LANG,), ok=_JSON, tag="analysis"
        ),
        "jobs.job_cancel": Op(
            "Cancel a job (its owner or an admin)",
            (_LANG,),
            ok=_ok("202", "The job", "application/json", _JSON_OBJECT),
            tag="analysis",
        ),
        "planners.siting_inputs": Op(
            "The siting inputs and the model's criteria", ok=_JSON, tag="analysis"
        ),
        "planners.start_siting": Op(
            "Start a siting run", body=_json_body(siting), ok=_JOB, tag="analysis"
        ),
        "planners.start_allocation": Op(
            "Start a relocation run", body=_json_body(allocation), ok=_JOB, tag="analysis"
        ),
        "planners.check_cluster": Op(
            "Decree 32/2024 checks of a polygon or a cluster",
            (_LANG,),
            body=_json_body(check),
            ok=_JSON,
            tag="analysis",
        ),
        "planners.scenarios": Op("Saved scenarios", (scenario_kind,), ok=_JSON, tag="scenarios"),
        "planners.compare": Op(
            "Scenarios side by side",
            (_q("ids", _text(200), "Scenario ids, comma separated"),),
            ok=_JSON,
            tag="scenarios",
        ),
        "planners.delete": Op("Delete a scenario and its files", ok=_JSON, tag="scenarios"),
        "planners.change": Op(
            "Rename a scenario or change its notes (its owner or an admin)",
            (_LANG,),
            body=_json_body(body_schema(ScenarioChangeBody)),
            ok=_JSON,
            tag="scenarios",
        ),
        "planners.ahp": Op(
            "Weights and consistency ratio of an AHP pairwise matrix",
            (_LANG,),
            body=_json_body(body_schema(AhpBody, ahp={**_matrix(), "nullable": False})),
            ok=_JSON,
            tag="analysis",
        ),
        "planners.scenario": Op("A scenario", (_LANG,), ok=_JSON, tag="scenarios"),
        "planners.scenario_geojson": Op(
            "A scenario's features",
            (_q("role", _enum("candidate", "site", "assignment")),),
            ok=_GEOJSON,
            tag="scenarios",
        ),
        "planners.scenario_gpkg": Op(
            "A scenario's features as a GeoPackage",
            ok=_ok("200", "GeoPackage", "application/geopackage+sqlite3"),
            tag="scenarios",
        ),
        "planners.scenario_png": Op("A scenario's suitability image", ok=_PNG, tag="scenarios"),
        "planners.report": Op("A printable planner report", (_LANG,), ok=_HTML, tag="scenarios"),
        "planners.report_pdf_download": Op(
            "The planner report as PDF",
            (_LANG,),
            ok=_ok("200", "PDF", "application/pdf"),
            tag="scenarios",
        ),
        "planners.download": Op(
            "A scenario's suitability COG", ok=_ok("200", "GeoTIFF", "image/tiff"), tag="scenarios"
        ),
        "editing.audit": Op(
            "The audit log",
            (_q("table", _text(60)), _q("limit", _int(1, 1000))),
            ok=_JSON,
            tag="write",
        ),
        "editing.revert_entry": Op("Undo one edit", ok=_JSON, tag="write"),
    }


def _bbox() -> dict[str, Any]:
    return {
        "type": "array",
        "minItems": 4,
        "maxItems": 4,
        "items": {"type": "number", "minimum": -180, "maximum": 180},
        "description": "[minlon, minlat, maxlon, maxlat] in WGS 84",
    }


def _matrix() -> dict[str, Any]:
    return {
        "type": "array",
        "nullable": True,
        "minItems": 2,
        "maxItems": 15,
        "items": {"type": "array", "items": {"type": "number", "minimum": 0.11, "maximum": 9}},
        "description": "Pairwise comparisons (Saaty's 1/9..9), in the order of criteria",
    }


def _environment_ops() -> dict[str, Op]:
    """The environmental officer's operations: alerts, surfaces, zones, trends."""
    rule = _json_body(body_schema(AlertRuleBody))
    note = {**_json_body(body_schema(AlertNoteBody)), "required": False}
    when = {"type": "string", "format": "date-time"}
    return {
        "env_alerts.rules": Op("Alert rules with their alerts counted by status", ok=_JSON),
        "env_alerts.add_rule": Op(
            "Add an alert rule",
            body=rule,
            ok=_ok("201", "Created", "application/json", _JSON_OBJECT),
            tag="write",
        ),
        "env_alerts.edit_rule": Op(
            "Change an alert rule (active false pauses it)", body=rule, ok=_JSON, tag="write"
        ),
        "env_alerts.remove_rule": Op("Delete an alert rule and its alerts", ok=_JSON, tag="write"),
        "env_alerts.run": Op("Evaluate the active rules", ok=_JSON, tag="write"),
        "env_alerts.alerts": Op(
            "Alerts, newest first, paged and filtered",
            (
                _q("limit", _int(1, 500)),
                _q("offset", _int(0, 10**7)),
                _q("status", _enum("open", "acknowledged", "closed")),
                _q("rule", _int(1, 2**31 - 1)),
                _q("station", _text(100)),
                _q("since", when),
                _q("until", when),
            ),
            ok=_JSON,
        ),
        "env_alerts.acknowledge": Op(
            "Acknowledge an open alert with a note", body=note, ok=_JSON, tag="write"
        ),
        "env_alerts.close": Op("Close an alert with a note", body=note, ok=_JSON, tag="write"),
        "env_surfaces.surfaces": Op(
            "Saved pollution surfaces, one colour scale per parameter",
            (_q("parameter", _text(20)), _LANG),
            ok=_JSON,
        ),
        "env_surfaces.start_surface": Op(
            "Interpolate a parameter's period mean (a job)",
            body=_json_body(body_schema(SurfaceBody)),
            ok=_JOB,
            tag="analysis",
        ),
        "env_surfaces.remove_surface": Op("Delete a surface", ok=_JSON, tag="write"),
        "env_zones.status": Op("Zones per kind: latest date, stale or not", (_LANG,), ok=_JSON),
        "env_zones.methods": Op("The zones' method texts in a language", (_LANG,), ok=_JSON),
        "env_zones.sources": Op(
            "Make the source zones of a date",
            body=_json_body(body_schema(ZoneSourcesBody)),
            ok=_JSON,
            tag="write",
        ),
        "env_zones.from_surface": Op(
            "Make exceedance zones from a surface",
            body=_json_body(body_schema(ZoneSurfaceBody)),
            ok=_JSON,
            tag="write",
        ),
        "env_zones.compare": Op(
            "Zones of two dates: new, gone, grew, shrank, unchanged",
            (
                _q("before", {"type": "string", "format": "date"}),
                _q("after", {"type": "string", "format": "date"}),
                _q("kind", _enum(*ZONE_KINDS)),
            ),
            ok=_GEOJSON,
        ),
        "env_trends.trend": Op(
            "A station's monthly means and their Theil-Sen / Mann-Kendall trend",
            (_q("parameter", _text(20)), _LANG),
            ok=_JSON,
            tag="analysis",
        ),
    }


def _station_ops() -> dict[str, Op]:
    """The environment page's stations: list, positions, daily VN_AQI, CSV export."""
    period = (
        _q("since", {"type": "string", "format": "date-time"}, "Start (local time without zone)"),
        _q("until", {"type": "string", "format": "date-time"}, "End, excluded"),
    )
    csv_file = _ok("200", "CSV (UTF-8 with BOM)", "text/csv")
    upload = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
    return {
        "env_stations.stations": Op("Every station, placed or not, with its data ranges", ok=_JSON),
        "env_stations.positions": Op(
            "Place stations from a CSV of code, lon, lat (audited edits)",
            body=upload,
            ok=_JSON,
            tag="write",
        ),
        "env_stations.daily_index": Op(
            "Daily VN_AQI of an air station, by band", (*period, _LANG), ok=_JSON
        ),
        "env_stations.series_csv": Op(
            "A station's series as CSV (hourly values and 24-hour means)",
            (_q("parameter", _text(20)), *period),
            ok=csv_file,
            tag="export",
        ),
        "env_stations.template": Op("The measurements upload template", ok=csv_file, tag="export"),
    }


OPS = {**_ops(), **_environment_ops(), **_station_ops()}

#: Error statuses every operation may answer, and those of guarded and writing ones.
_ERRORS = ("400", "404", "405", "429", "503")
_GUARDED = ("401", "403")
_WRITES = ("409", "412", "413", "428")


def security_schemes(cookie: str) -> dict[str, Any]:
    """API tokens, and the browser's session cookie with its CSRF header."""
    return {
        "bearerToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (langnghe users token NAME): no CSRF header needed",
        },
        "sessionCookie": {
            "type": "apiKey",
            "in": "cookie",
            "name": cookie,
            "description": "The session of a signed-in browser (POST /login)",
        },
        "csrfToken": {
            "type": "apiKey",
            "in": "header",
            "name": "X-CSRFToken",
            "description": "With the session cookie, on every POST, PUT, PATCH and DELETE: the "
            "token of the page's csrf-token meta tag",
        },
    }


def _path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def _path_params(path: str) -> list[dict[str, Any]]:
    params = []
    for name in re.findall(r"{([a-z_]+)}", path):
        integer = name.endswith("_id") and name not in ("job_id", "collection_id")
        schema = _int(0, 2**31 - 1) if integer else _text(100)
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def operation(
    op: Op, method: str, path: str, roles: tuple[str, ...] | None, op_id: str
) -> dict[str, Any]:
    """The OpenAPI operation object of ``op`` at ``method path``."""
    unsafe = method in ("post", "put", "patch", "delete")
    codes = list(_ERRORS) + (list(_GUARDED) if roles else []) + (list(_WRITES) if unsafe else [])
    if op.body is not None:
        codes.append("415")
    responses = {
        **op.ok,
        **{
            c: {"description": "Error", "content": _content("application/json", _ERR)}
            for c in sorted(codes)
        },
    }
    out: dict[str, Any] = {
        "summary": op.summary,
        "operationId": op_id,
        "tags": [op.tag],
        "parameters": _path_params(path) + list(op.params),
        "responses": responses,
    }
    if op.body is not None:
        out["requestBody"] = op.body
    if roles:
        out["description"] = f"Roles: {', '.join(sorted({*roles, 'admin'}))}."
        out["x-roles"] = sorted({*roles, "admin"})
        cookie: dict[str, list[str]] = (
            {"sessionCookie": [], "csrfToken": []} if unsafe else {"sessionCookie": []}
        )
        out["security"] = [{"bearerToken": []}, cookie]
    elif unsafe:  # open to anybody; a browser's session still needs the CSRF header
        out["security"] = [{}, {"bearerToken": []}, {"sessionCookie": [], "csrfToken": []}]
    return out


def _edit_ops(paths: dict[str, Any]) -> None:
    """Create on each editable collection's items; replace, merge and delete on an item."""
    for collection, (_layer, roles) in EDITABLE.items():
        if collection not in COLLECTIONS:
            continue
        body = _json_body(_FEATURE, "application/geo+json")
        match = {
            "name": "If-Match",
            "in": "header",
            "required": False,
            "schema": _text(200),
            "description": "The feature's ETag (from GET)",
        }
        ident = collection.replace("-", "_")
        items = paths.setdefault(f"/collections/{collection}/items", {})
        created = Op("Create a feature", body=body, ok=_ok("201", "Created"), tag="write")
        items["post"] = operation(created, "post", "", roles, f"create_{ident}")
        item = paths.setdefault(f"/collections/{collection}/items/{{featureId}}", {})
        fid = {"name": "featureId", "in": "path", "required": True, "schema": _int(1, 2**31 - 1)}
        for method, summary in (
            ("put", "Replace a feature"),
            ("patch", "Merge into a feature"),
            ("delete", "Delete a feature"),
        ):
            op = Op(
                summary,
                (match,),
                body=None if method == "delete" else body,
                ok=_ok("204", "Done"),
                tag="write",
            )
            doc = operation(op, method, "", roles, f"{method}_{ident}")
            doc["parameters"] = [fid, match]
            item[method] = doc


def _tile_ops(paths: dict[str, Any]) -> None:
    zxy = [
        {"name": n, "in": "path", "required": True, "schema": _int(0, 2**22)}
        for n in ("z", "x", "y")
    ]
    version = {
        "name": "v",
        "in": "query",
        "required": False,
        "description": "The layer version the page knows (an edit's Layer-Version header): "
        "a newer one than the server's is read again at once.",
        "schema": {"type": "string", "maxLength": 18},
    }
    errors = {
        c: {"description": "Error", "content": _content("application/json", _ERR)} for c in _ERRORS
    }
    for coll in COLLECTIONS.values():
        ident = coll.id.replace("-", "_")
        paths[f"/tiles/{coll.id}/{{z}}/{{x}}/{{y}}.pbf"] = {
            "get": {
                "summary": f"Vector tile of {coll.id}",
                "operationId": f"tile_{ident}",
                "tags": ["tiles"],
                "parameters": [*zxy, version],
                "responses": {
                    **_ok("200", "Mapbox Vector Tile", "application/vnd.mapbox-vector-tile"),
                    "304": {"description": "Not modified (If-None-Match)"},
                    **errors,
                },
            }
        }
        if coll.geometry_type not in ("Point", "MultiPoint"):
            continue
        by = {
            "name": "by",
            "in": "query",
            "required": False,
            "description": "The properties the counts are nested by, one or two of "
            f"{', '.join(coll.group_by) or 'none'} joined by a comma (the first by default).",
            "schema": {"type": "string", "maxLength": 200},
        }
        paths[f"/tiles/{coll.id}/groups/{{z}}/{{x}}/{{y}}.json"] = {
            "get": {
                "summary": f"Counted groups of {coll.id} in a tile (a quarter tile each)",
                "operationId": f"tile_groups_{ident}",
                "tags": ["tiles"],
                "parameters": [*zxy, version, by],
                "responses": {
                    **_ok("200", "Groups: n, lon, lat, by, one", "application/json", _JSON_OBJECT),
                    "304": {"description": "Not modified (If-None-Match)"},
                    **errors,
                },
            }
        }


#: Endpoints the OGC part (``webmap.openapi``) documents, per collection.
OGC = {
    "api.collections",
    "api.collection",
    "api.items",
    "api.item",
    "api.conformance",
    "pages.planner",
    "editing.create",
    "editing.update",
    "editing.delete",
    "tiles.get_tile",
    "tiles.get_group_tile",
}


def app_paths(app: Flask) -> dict[str, Any]:
    """Every operation of ``app`` outside the OGC part, keyed by path then method.

    A route without an ``Op`` here is left out with a warning (``tests/webmap/test_openapi``
    fails on it: document a route when adding it).
    """
    paths: dict[str, Any] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in UNDOCUMENTED or rule.endpoint in OGC:
            continue
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "required_roles", None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op = OPS.get(f"{rule.endpoint}#{method}") or OPS.get(rule.endpoint)
            if op is None:  # test_openapi fails on it; the document still serves the rest
                logger.warning("route %s %s (%s) has no Op", method, rule.rule, rule.endpoint)
                continue
            path = _path(rule.rule)
            op_id = rule.endpoint.replace(".", "_") + ("" if method == "GET" else "_" + method)
            paths.setdefault(path, {})[method.lower()] = operation(
                op, method.lower(), path, roles, op_id.lower()
            )
    _edit_ops(paths)
    _tile_ops(paths)
    return paths
