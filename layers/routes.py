"""Curated tourism routes: ordered stops at craft villages, edited as YAML files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg2
import yaml

from gis.errors import ImportFailedError, ValidationError
from gis.text import fold, nfc
from gis.validate import Problem
from layers.importer import ImportReport

__all__ = ["import_routes"]

_REQUIRED = ("ref", "name_vi", "name_en", "theme", "stops")


def _check_route(i: int, route: Any) -> list[Problem]:
    if not isinstance(route, dict):
        return [Problem(i, None, "type", "a route must be a mapping")]
    problems = [Problem(i, key, "required", "required value is missing") for key in _REQUIRED if not route.get(key)]
    stops = route.get("stops") or []
    if stops and len(stops) < 2:
        problems.append(Problem(i, "stops", "range", "a route needs at least 2 stops"))
    for stop in stops:
        if not isinstance(stop, dict) or not stop.get("village"):
            problems.append(Problem(i, "stops", "required", f"stop without a village: {stop!r}"))
    return problems


def _write_route(cur, route: dict[str, Any], source: str) -> str:
    """Upsert one route and its stops; return 'inserted', 'updated' or 'unchanged'."""
    refs = [s["village"] for s in route["stops"]]
    cur.execute("SELECT ref, id FROM craft_villages WHERE ref = ANY(%s)", (refs,))
    ids = dict(cur.fetchall())
    missing = [r for r in refs if r not in ids]
    if missing:
        raise ValidationError("unknown village ref(s): " + ", ".join(missing))
    cur.execute("SELECT id, name_vi, name_en, theme, description_vi, description_en, "
                "(SELECT array_agg(village_id || ':' || coalesce(planned_minutes, -1) ORDER BY seq) "
                " FROM route_stops WHERE route_id = r.id) FROM tourism_routes r WHERE ref = %s", (route["ref"],))
    before = cur.fetchone()
    values = (nfc(route["name_vi"]), nfc(route["name_en"]), route["theme"],
              nfc(route.get("description_vi") or "") or None, nfc(route.get("description_en") or "") or None)
    stops = [f"{ids[s['village']]}:{s.get('minutes', -1)}" for s in route["stops"]]
    if before is not None and tuple(before[1:6]) == values and list(before[6] or []) == stops:
        return "unchanged"
    cur.execute(
        "INSERT INTO tourism_routes (ref, name_vi, name_en, name_ascii, theme, description_vi, description_en, source) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (ref) DO UPDATE SET name_vi = EXCLUDED.name_vi, "
        "name_en = EXCLUDED.name_en, name_ascii = EXCLUDED.name_ascii, theme = EXCLUDED.theme, "
        "description_vi = EXCLUDED.description_vi, description_en = EXCLUDED.description_en, "
        "source = EXCLUDED.source, updated_at = now() RETURNING id",
        (route["ref"], values[0], values[1], fold(values[0]), *values[2:], source),
    )
    (route_id,) = cur.fetchone()
    cur.execute("DELETE FROM route_stops WHERE route_id = %s", (route_id,))
    for seq, stop in enumerate(route["stops"], start=1):
        cur.execute("INSERT INTO route_stops (route_id, seq, village_id, planned_minutes) VALUES (%s, %s, %s, %s)",
                    (route_id, seq, ids[stop["village"]], stop.get("minutes")))
    # Straight lines between stops until a road network is loaded (tourism-routes issue).
    cur.execute("UPDATE tourism_routes SET geometry_method = 'straight_line', geom = (SELECT ST_MakeLine(v.geom "
                "ORDER BY s.seq) FROM route_stops s JOIN craft_villages v ON v.id = s.village_id "
                "WHERE s.route_id = %s) WHERE id = %s", (route_id, route_id))
    return "inserted" if before is None else "updated"


def import_routes(conn, path: Path | str, *, dry_run: bool = False, actor: str = "cli") -> ImportReport:
    """Import curated routes from a YAML file (``routes:`` list) in one transaction."""
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValidationError(f"{path}: cannot read routes: {exc}") from exc
    routes = (doc or {}).get("routes") if isinstance(doc, dict) else None
    if not isinstance(routes, list):
        raise ValidationError(f"{path}: expected a top-level 'routes:' list")
    report = ImportReport("routes", str(path), total=len(routes), dry_run=dry_run)
    try:
        with conn.cursor() as cur:
            for i, route in enumerate(routes, start=1):
                found = _check_route(i, route)
                if not found:
                    try:
                        cur.execute("SAVEPOINT route")
                        outcome = _write_route(cur, route, route.get("source") or path.name)
                        cur.execute("RELEASE SAVEPOINT route")
                        setattr(report, outcome, getattr(report, outcome) + 1)
                    except ValidationError as exc:
                        cur.execute("ROLLBACK TO SAVEPOINT route")
                        found = [Problem(i, "stops", "unknown_village", str(exc))]
                report.problems += found
            cur.execute("INSERT INTO audit_log (actor, action, table_name, details) VALUES (%s, 'import', "
                        "'tourism_routes', %s)", (actor, json.dumps({"file": str(path), "inserted": report.inserted,
                                                                     "updated": report.updated})))
        conn.rollback() if dry_run else conn.commit()
    except psycopg2.Error as exc:
        conn.rollback()
        raise ImportFailedError(f"{path}: the database refused the routes, nothing was written: {exc}") from exc
    return report
