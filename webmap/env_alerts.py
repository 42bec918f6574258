"""Alerts on the environment page: rules and alerts, every write audited.

Rules are added, edited, paused and deleted; alerts listed with paging and filters,
acknowledged and closed with a note. Every write is audited (``layers.alerts``) and needs
the environmental officer's (or admin's) role.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, jsonify, request, url_for

from gis.db import transaction
from layers.alerts import (
    ALERT_STATUSES,
    AlertFilter,
    create_rule,
    delete_rule,
    find_alerts,
    handle_alert,
    list_rules,
    update_rule,
)
from planning.pipeline.alerts import run_alerts
from webmap.auth import actor, require
from webmap.bodies import AlertNoteBody, AlertRuleBody, parse_body
from webmap.db import get_conn
from webmap.params import parse_choice, parse_instant, parse_int

__all__ = ["bp"]

bp = Blueprint("env_alerts", __name__)

_ID_MAX = 2**31 - 1


@bp.get("/api/alert-rules")
def rules():
    """Every alert rule with its alerts counted by status."""
    return jsonify(rules=list_rules(get_conn()))


@bp.post("/api/alert-rules")
@require("env_officer")
def add_rule():
    """Add a rule (JSON body); 201 with its id. Audited."""
    body = parse_body(AlertRuleBody)
    rule = {"min_hours": 1, **body.changes()}
    with transaction(get_conn()) as conn:
        rule_id = create_rule(conn, rule, actor=actor())
    return jsonify(id=rule_id), 201


@bp.patch("/api/alert-rules/<int:rule_id>")
@require("env_officer")
def edit_rule(rule_id: int):
    """Change a rule's members (``active: false`` pauses it); the rule as it is now. Audited."""
    changes = parse_body(AlertRuleBody).changes()
    with transaction(get_conn()) as conn:
        rule = update_rule(conn, _bounded(rule_id), changes, actor=actor())
    return jsonify(rule)


@bp.delete("/api/alert-rules/<int:rule_id>")
@require("env_officer")
def remove_rule(rule_id: int):
    """Delete a rule and its alerts. Audited."""
    with transaction(get_conn()) as conn:
        removed = delete_rule(conn, _bounded(rule_id), actor=actor())
    return jsonify(deleted=rule_id, alerts_removed=removed)


@bp.post("/api/alerts/run")
@require("env_officer")
def run():
    """Evaluate every active rule over the stored values; how many alerts are new."""
    folder = current_app.config["LANGNGHE"].sample_data / "regulations"
    with transaction(get_conn()) as conn:
        created = run_alerts(conn, folder)
    return jsonify(created=created)


@bp.get("/api/alerts")
def alerts():
    """Alerts newest first, paged and filtered, with the total and a next link.

    ``limit``, ``offset``; ``status``, ``rule``, ``station``, ``since``, ``until`` (on their
    start; a naive instant is Hà Nội time).
    """
    limit = parse_int(request.args.get("limit"), "limit", default=50, minimum=1, maximum=500)
    offset = parse_int(request.args.get("offset"), "offset", default=0, minimum=0, maximum=10**7)
    status = request.args.get("status") or None
    tz = current_app.config["LANGNGHE"].timezone
    where = AlertFilter(
        status=parse_choice(status, "status", ALERT_STATUSES, default="open") if status else None,
        rule_id=parse_int(request.args.get("rule"), "rule", default=0, minimum=1, maximum=_ID_MAX)
        or None,
        station_ref=(request.args.get("station") or None) and request.args["station"][:100],
        since=_local(parse_instant(request.args.get("since"), "since"), tz),
        until=_local(parse_instant(request.args.get("until"), "until"), tz),
    )
    found, total = find_alerts(get_conn(), where, limit=limit, offset=offset)
    links = []
    if offset + limit < total:
        args = {k: v for k, v in request.args.items() if k != "offset"}
        links.append(
            {"rel": "next", "href": url_for("env_alerts.alerts", **args, offset=offset + limit)}
        )
    return jsonify(alerts=found, total=total, limit=limit, offset=offset, links=links)


def _handle(alert_id: int, status: str):
    note = parse_body(AlertNoteBody).note if request.get_data() else None
    with transaction(get_conn()) as conn:
        return jsonify(handle_alert(conn, _bounded(alert_id), status, note, actor=actor()))


@bp.post("/api/alerts/<int:alert_id>/acknowledge")
@require("env_officer")
def acknowledge(alert_id: int):
    """Acknowledge an open alert, with a note (JSON ``{"note": ...}``). Audited."""
    return _handle(alert_id, "acknowledged")


@bp.post("/api/alerts/<int:alert_id>/close")
@require("env_officer")
def close(alert_id: int):
    """Close an open or acknowledged alert, with a note. Audited."""
    return _handle(alert_id, "closed")


def _bounded(row_id: int) -> int:
    return parse_int(str(row_id), "id", default=0, minimum=1, maximum=_ID_MAX)


def _local(value: dt.datetime | None, tz: str) -> dt.datetime | None:
    """A naive instant read in the server's time zone (Hà Nội)."""
    return value.replace(tzinfo=ZoneInfo(tz)) if value and value.tzinfo is None else value
