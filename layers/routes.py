"""Curated tourism routes: ordered stops at craft villages, edited as YAML files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import psycopg2
import yaml
from psycopg2.extras import execute_values

from gis.db import savepoint
from gis.errors import ImportFailedError, ValidationError
from gis.messages import Message, msg
from gis.text import fold, nfc
from gis.validate import REF_PATTERN, Problem
from layers._sql import query
from layers.importer import ImportReport
from layers.layer import ID, N_, UPDATED_AT, Column, Layer

__all__ = [
    "ROUTES",
    "ROUTE_STOPS",
    "check_route",
    "import_routes",
    "recompute_on_network",
    "route_with_stops",
    "write_route",
]

_REQUIRED = ("ref", "name_vi", "name_en", "theme", "stops")

#: Fixed SQL (no user input) of the routes' computed ``stops`` property.
_STOPS_JSON = (
    "stops",
    "(SELECT coalesce(json_agg(json_build_object('seq', s.seq, 'ref', v.ref, 'name', v.name, "
    "'minutes', s.planned_minutes) ORDER BY s.seq), '[]'::json) FROM route_stops s "
    "JOIN craft_villages v ON v.id = s.village_id WHERE s.route_id = t.id)",
)

#: Curated routes come from YAML files (``langnghe import routes``), not from the generic
#: import; an edit sends ``stops`` (``[{"village": ref, "minutes": n}, ...]``) and no
#: geometry: the line is drawn from the stops.
ROUTES = Layer(
    name="routes",
    table="tourism_routes",
    title=N_("Craft-village tourism routes"),
    description=N_("Curated craft-village tours."),
    label=N_("Tourism routes"),
    schema=(
        ID,
        Column("ref", required=True, pattern=REF_PATTERN, public=True, filterable=True),
        Column("name_vi", required=True, public=True, filterable=True),
        Column("name_en", required=True, public=True, filterable=True),
        Column("name_ascii", role="derived"),
        Column("theme", required=True, public=True, filterable=True),
        Column("description_vi", public=True, in_tiles=False),
        Column("description_en", public=True, in_tiles=False),
        Column(
            "geometry_method",
            role="derived",
            choices=("straight_line", "network"),
            public=True,
            filterable=True,
        ),
        Column("source"),
        Column("stops", required=True, role="input_only"),
        UPDATED_AT,
    ),
    key=("ref",),
    geometry_type="LineString",
    geometry_required=False,
    collection="routes",
    edit_roles=("planner",),
    edit_geometry_types=(),
    extra_json=(_STOPS_JSON,),
)
#: The storage SRID of the routes (from their declaration).
SRID = ROUTES.srid

ROUTE_STOPS = Layer(
    name="route_stops",
    table="route_stops",
    title=N_("Route stops"),
    description=N_("The ordered stops of each tourism route at craft villages."),
    schema=(
        Column("route_id", "int", required=True),
        Column("seq", "int", required=True, minimum=1, sql_type="smallint"),
        Column("village_id", "int", required=True),
        Column("planned_minutes", "int", minimum=0, maximum=1440, sql_type="smallint"),
    ),
    key=("route_id", "seq"),
)


def check_route(i: int, route: Any) -> list[Problem]:
    """The problems of route number ``i`` of a curated routes file (empty when it is valid)."""
    if not isinstance(route, dict):
        return [Problem(i, None, "type", msg("routes.not_mapping"))]
    problems = [
        Problem(i, key, "required", msg("validate.required"))
        for key in _REQUIRED
        if not route.get(key)
    ]
    ref = route.get("ref")
    if ref and not re.fullmatch(REF_PATTERN, str(ref)):
        problems.append(
            Problem(
                i,
                "ref",
                "range",
                msg("validate.bad_pattern", value=str(ref)[:80], pattern=REF_PATTERN),
            )
        )
    stops = route.get("stops") or []
    if stops and len(stops) < 2:
        problems.append(Problem(i, "stops", "range", msg("routes.too_few_stops")))
    for stop in stops:
        if not isinstance(stop, dict) or not stop.get("village"):
            reason = msg("routes.stop_without_village", stop=repr(stop)[:80])
            problems.append(Problem(i, "stops", "required", reason))
    return problems


def write_route(cur, route: dict[str, Any], source: str) -> str:
    """Upsert one route and its stops; return 'inserted', 'updated' or 'unchanged'."""
    refs = [s["village"] for s in route["stops"]]
    cur.execute("SELECT ref, id FROM craft_villages WHERE ref = ANY(%s)", (refs,))
    ids = dict(cur.fetchall())
    missing = [r for r in refs if r not in ids]
    if missing:
        raise ValidationError(msg("routes.unknown_villages", refs=missing))
    cur.execute(
        "SELECT id, name_vi, name_en, theme, description_vi, description_en, "
        "(SELECT array_agg(village_id || ':' || coalesce(planned_minutes, -1) ORDER BY seq) "
        " FROM route_stops WHERE route_id = r.id) FROM tourism_routes r WHERE ref = %s",
        (route["ref"],),
    )
    before = cur.fetchone()
    values = (
        nfc(route["name_vi"]),
        nfc(route["name_en"]),
        route["theme"],
        nfc(route.get("description_vi") or "") or None,
        nfc(route.get("description_en") or "") or None,
    )
    stops = [f"{ids[s['village']]}:{s.get('minutes', -1)}" for s in route["stops"]]
    if before is not None and tuple(before[1:6]) == values and list(before[6] or []) == stops:
        return "unchanged"
    cur.execute(
        query("upsert_route"),
        (route["ref"], values[0], values[1], fold(values[0]), *values[2:], source),
    )
    (route_id,) = cur.fetchone()
    cur.execute("DELETE FROM route_stops WHERE route_id = %s", (route_id,))
    execute_values(
        cur,
        "INSERT INTO route_stops (route_id, seq, village_id, planned_minutes) VALUES %s",
        [
            (route_id, seq, ids[stop["village"]], stop.get("minutes"))
            for seq, stop in enumerate(route["stops"], start=1)
        ],
    )
    # Straight lines between stops until a road network is loaded (tourism-routes issue).
    cur.execute(
        "UPDATE tourism_routes SET geometry_method = 'straight_line', "
        "geom = (SELECT ST_MakeLine(v.geom ORDER BY s.seq) FROM route_stops s "
        "JOIN craft_villages v ON v.id = s.village_id WHERE s.route_id = %s) WHERE id = %s",
        (route_id, route_id),
    )
    return "inserted" if before is None else "updated"


def import_routes(
    conn, path: Path | str, *, dry_run: bool = False, actor: str = "cli"
) -> ImportReport:
    """Import curated routes from a YAML file (``routes:`` list).

    In a savepoint of the caller's transaction: a dry run or a refusal undoes the import
    alone; nothing is committed here.
    """
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValidationError(msg("routes.unreadable", path=str(path), detail=str(exc))) from exc
    routes = (doc or {}).get("routes") if isinstance(doc, dict) else None
    if not isinstance(routes, list):
        raise ValidationError(msg("routes.no_list", path=str(path)))
    report = ImportReport("routes", str(path), total=len(routes), dry_run=dry_run)
    try:
        with savepoint(conn, keep=not dry_run) as cur:
            for i, route in enumerate(routes, start=1):
                found = check_route(i, route)
                if not found:
                    try:
                        cur.execute("SAVEPOINT route")
                        outcome = write_route(cur, route, route.get("source") or path.name)
                        cur.execute("RELEASE SAVEPOINT route")
                        setattr(report, outcome, getattr(report, outcome) + 1)
                    except ValidationError as exc:
                        cur.execute("ROLLBACK TO SAVEPOINT route")
                        reason = exc.message or msg("routes.unknown_villages", refs=[])
                        found = [Problem(i, "stops", "unknown_village", reason)]
                report.problems += found
            cur.execute(
                "INSERT INTO audit_log (actor, action, table_name, details) VALUES (%s, 'import', "
                "'tourism_routes', %s)",
                (
                    actor,
                    json.dumps(
                        {"file": str(path), "inserted": report.inserted, "updated": report.updated}
                    ),
                ),
            )
    except psycopg2.Error as exc:
        raise ImportFailedError(
            msg("import.database_refused", path=str(path), detail=str(exc))
        ) from exc
    return report


def recompute_on_network(
    conn, graph, *, profile: str = "motorbike", max_snap_m: float = 500.0
) -> tuple[int, list[Message]]:
    """Redraw curated routes along the roads of ``graph`` (fastest legs).

    Called after the default road network changes. A route is redrawn only when every stop
    lies within ``max_snap_m`` metres of the network and every leg has a path; otherwise the
    stored line is kept and a message says which stop is how far (or which leg has no path).
    Returns how many routes were redrawn and the messages about those kept.
    """
    import shapely

    from gis.network import path_geometry, shortest_path

    kept: list[Message] = []
    with conn.cursor() as cur:
        cur.execute(
            "SELECT r.id, r.ref, array_agg(v.ref ORDER BY s.seq), "
            "array_agg(ST_X(v.geom) ORDER BY s.seq), array_agg(ST_Y(v.geom) ORDER BY s.seq) "
            "FROM tourism_routes r JOIN route_stops s ON s.route_id = r.id "
            "JOIN craft_villages v ON v.id = s.village_id GROUP BY r.id, r.ref"
        )
        routes = cur.fetchall()
        done = 0
        for route_id, ref, stops, xs, ys in routes:
            nodes, snap = graph.snap(xs, ys)
            far = [(stop, d) for stop, d in zip(stops, snap, strict=True) if d > max_snap_m]
            if far:
                stop, distance = max(far, key=lambda item: item[1])
                kept.append(
                    msg(
                        "routes.kept_far_stop",
                        route=ref,
                        stop=stop,
                        distance_m=round(float(distance)),
                        limit_m=round(max_snap_m),
                    )
                )
                continue
            coords: list[tuple[float, float]] = []
            for a, b in zip(nodes[:-1], nodes[1:], strict=True):
                _cost, path = shortest_path(graph, int(a), int(b), weight="time", profile=profile)
                leg = path_geometry(graph, path) if path else None
                if leg is None and a != b:
                    coords = []
                    break
                if leg is not None:
                    coords += list(leg.coords) if not coords else list(leg.coords)[1:]
            if len(coords) < 2:
                kept.append(msg("routes.kept_no_path", route=ref))
                continue
            cur.execute(
                "UPDATE tourism_routes SET geom = ST_GeomFromText(%s, %s), "
                "geometry_method = 'network', updated_at = now() WHERE id = %s",
                (shapely.LineString(coords).wkt, SRID, route_id),
            )
            done += 1
    return done, kept


def route_with_stops(conn, ref: str) -> dict[str, Any] | None:
    """One curated route: names, line (GeoJSON) and its stops with coordinates, or ``None``."""
    with conn.cursor() as cur:
        cur.execute(query("route_with_stops"), (ref,))
        row = cur.fetchone()
    if row is None:
        return None
    return {
        "ref": ref,
        "name_vi": row[0],
        "name_en": row[1],
        "geometry_method": row[2],
        "geometry": row[3],
        "stops": row[4],
    }
