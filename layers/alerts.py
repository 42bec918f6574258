"""Alert rules and the alerts they raised: the ``alert_rules`` and ``alerts`` tables.

Nothing here commits: the CLI command or job that evaluates the rules owns the
transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
from psycopg2 import sql
from psycopg2.extras import execute_values

from gis.errors import ConflictError, NotFoundError, ValidationError
from gis.messages import msg
from layers._sql import query
from layers.audit import audit_change, plain_row
from layers.layer import ID, N_, Column, Layer

__all__ = [
    "ALERTS",
    "ALERT_RULES",
    "ALERT_STATUSES",
    "AlertFilter",
    "AlertRule",
    "active_rules",
    "add_rule",
    "delete_rule",
    "find_alerts",
    "handle_alert",
    "latest_alerts",
    "list_rules",
    "update_rule",
    "upsert_alerts",
]

logger = logging.getLogger(__name__)

_TIME = "timestamp with time zone"
#: An alert is open until an officer acknowledges it, then closed (each step with a note).
ALERT_STATUSES = ("open", "acknowledged", "closed")

ALERT_RULES = Layer(
    name="alert_rules",
    table="alert_rules",
    title=N_("Alert rules"),
    description=N_("A parameter above a threshold, or the VN_AQI at or above a level, for hours."),
    schema=(
        ID,
        Column("name", required=True, role="stored"),
        Column("parameter", role="stored"),
        Column("threshold", "float", role="stored"),
        Column("aqi_at_least", "int", role="stored", sql_type="smallint"),
        Column("min_hours", "int", required=True, role="stored", sql_type="smallint"),
        Column("station_ref", role="stored"),
        Column("active", "bool", required=True, role="stored"),
        Column("created_at", required=True, role="stored", sql_type=_TIME),
        Column("updated_at", role="stored", sql_type=_TIME),
    ),
    key=("name",),
)
ALERTS = Layer(
    name="alerts",
    table="alerts",
    title=N_("Alerts"),
    description=N_("The episodes an alert rule raised at a station: start, end, hours, peak."),
    schema=(
        Column("id", "int", role="stored", sql_type="bigint"),
        Column("rule_id", "int", required=True, role="stored"),
        Column("station_ref", required=True, role="stored"),
        Column("started_at", required=True, role="stored", sql_type=_TIME),
        Column("ended_at", required=True, role="stored", sql_type=_TIME),
        Column("hours", "int", required=True, role="stored"),
        Column("peak", "float", required=True, role="stored"),
        Column("created_at", required=True, role="stored", sql_type=_TIME),
        Column("status", required=True, role="stored", choices=ALERT_STATUSES),
        Column("note", role="stored"),
        Column("handled_by", role="stored"),
        Column("handled_at", role="stored", sql_type=_TIME),
    ),
    key=("rule_id", "station_ref", "started_at"),
)


@dataclass(frozen=True)
class AlertRule:
    """A parameter above a threshold, or the hourly VN_AQI at or above a level, for hours."""

    id: int
    parameter: str | None
    threshold: float | None
    aqi_at_least: int | None
    min_hours: int
    station_ref: str | None


def add_rule(
    conn: Any,
    name: str,
    *,
    parameter: str | None,
    threshold: float | None,
    aqi_at_least: int | None,
    min_hours: int,
    station_ref: str | None,
) -> int:
    """Store an active rule; returns its id (the table checks that it is one kind or the other)."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO alert_rules (name, parameter, threshold, aqi_at_least, min_hours, "
            "station_ref) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            (name, parameter, threshold, aqi_at_least, min_hours, station_ref),
        )
        return int(cur.fetchone()[0])


def active_rules(conn: Any) -> list[AlertRule]:
    """Every active rule, in the order they were made."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, parameter, threshold, aqi_at_least, min_hours, station_ref "
            "FROM alert_rules WHERE active ORDER BY id"
        )
        return [AlertRule(*row) for row in cur.fetchall()]


def upsert_alerts(conn: Any, rule_id: int, station_ref: str, episodes: pd.DataFrame) -> int:
    """Store a rule's episodes at one station; returns how many alerts are new.

    An episode that started at the same time as a stored alert updates its end, hours
    and peak.

    Parameters
    ----------
    conn : psycopg2 connection
        The caller's (not committed here).
    rule_id : int
        The rule that found them.
    station_ref : str
        The station.
    episodes : pandas.DataFrame
        Columns ``start``, ``end`` (timestamps), ``hours`` and ``peak``.
    """
    if not len(episodes):
        return 0
    rows = [
        (
            rule_id,
            station_ref,
            _when(r.start),
            _when(r.end),
            int(r.hours),
            float(r.peak),
        )
        for r in episodes.itertuples()
    ]
    with conn.cursor() as cur:
        inserted = execute_values(cur, query("upsert_alerts"), rows, fetch=True)
    return sum(int(new) for (new,) in inserted)


def _when(value: Any) -> dt.datetime:
    return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value


def latest_alerts(conn: Any, *, limit: int = 50) -> list[dict[str, Any]]:
    """The latest alerts with their rule and station, newest first (times in ISO 8601)."""
    with conn.cursor() as cur:
        cur.execute(query("latest_alerts"), {"limit": int(limit)})
        rows = cur.fetchall()
    keys = ("id", "rule", "station_ref", "station", "start", "end", "hours", "peak", "parameter")
    return [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in zip(keys, r, strict=True)}
        for r in rows
    ]


# --- rules and alerts as an officer handles them (every change audited) ----------------------

#: The fields of a rule an officer sets.
RULE_FIELDS = (
    "name",
    "parameter",
    "threshold",
    "aqi_at_least",
    "min_hours",
    "station_ref",
    "active",
)


def list_rules(conn: Any) -> list[dict[str, Any]]:
    """Every rule with its alerts counted by status, in the order they were made."""
    with conn.cursor() as cur:
        cur.execute(query("alert_rules"))
        keys = (*("id", *RULE_FIELDS), "created_at", "updated_at", "open", "acknowledged", "closed")
        return [
            {
                k: (v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in zip(keys, r, strict=True)
            }
            for r in cur.fetchall()
        ]


def _check_rule(conn: Any, rule: dict[str, Any], rule_id: int | None) -> None:
    """One kind or the other, a known parameter and station, a name no other rule has."""
    threshold_rule = rule["parameter"] is not None and rule["threshold"] is not None
    aqi_rule = rule["aqi_at_least"] is not None
    if threshold_rule == aqi_rule or (rule["parameter"] is None) != (rule["threshold"] is None):
        raise ValidationError(msg("alerts.rule_kind"))
    with conn.cursor() as cur:
        if rule["parameter"] is not None:
            cur.execute("SELECT 1 FROM parameters WHERE code = %s", (rule["parameter"],))
            if cur.fetchone() is None:
                raise ValidationError(
                    msg("measurements.unknown_parameter", parameter=rule["parameter"])
                )
        if rule["station_ref"] is not None:
            cur.execute("SELECT 1 FROM monitoring_stations WHERE ref = %s", (rule["station_ref"],))
            if cur.fetchone() is None:
                raise ValidationError(msg("alerts.unknown_station", station=rule["station_ref"]))
        cur.execute(
            "SELECT id FROM alert_rules WHERE name = %s AND id IS DISTINCT FROM %s",
            (rule["name"], rule_id),
        )
        if cur.fetchone() is not None:
            raise ConflictError(msg("alerts.rule_exists", name=rule["name"]))


def create_rule(conn: Any, rule: dict[str, Any], *, actor: str) -> int:
    """Store a rule (``RULE_FIELDS``; ``active`` defaults to true) and audit it; its id."""
    values = {k: rule.get(k) for k in RULE_FIELDS}
    values["active"] = True if values["active"] is None else bool(values["active"])
    values["min_hours"] = values["min_hours"] or 1
    if not values["name"]:
        raise ValidationError(msg("body.missing", field="name"))
    _check_rule(conn, values, None)
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO alert_rules (name, parameter, threshold, aqi_at_least, min_hours, "
            "station_ref, active) VALUES (%(name)s, %(parameter)s, %(threshold)s, "
            "%(aqi_at_least)s, %(min_hours)s, %(station_ref)s, %(active)s) RETURNING id",
            values,
        )
        rule_id = int(cur.fetchone()[0])
    audit_change(
        conn, actor, "insert", "alert_rules", rule_id, None, plain_row(conn, "alert_rules", rule_id)
    )
    return rule_id


def _locked(conn: Any, table: str, row_id: int, code: str) -> dict[str, Any]:
    """The row, locked for this transaction (NotFoundError with ``code`` when it is not there)."""
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("SELECT to_jsonb(t) FROM {} t WHERE id = %s FOR UPDATE").format(
                sql.Identifier(table)
            ),
            (row_id,),
        )
        row = cur.fetchone()
    if row is None:
        raise NotFoundError(msg(code, id=row_id))
    return dict(row[0])


def update_rule(conn: Any, rule_id: int, changes: dict[str, Any], *, actor: str) -> dict[str, Any]:
    """Change some of a rule's fields (``active`` false pauses it); audited. The new row."""
    before = _locked(conn, "alert_rules", rule_id, "alerts.no_rule")
    values = {k: changes.get(k, before.get(k)) for k in RULE_FIELDS}
    if "parameter" in changes or "threshold" in changes:  # switching a rule to a threshold
        values["aqi_at_least"] = changes.get("aqi_at_least")
    if "aqi_at_least" in changes and changes["aqi_at_least"] is not None:
        values["parameter"] = values["threshold"] = None
    for name in ("name", "min_hours", "active"):  # null: unchanged (the columns are required)
        if values[name] is None:
            values[name] = before[name]
    _check_rule(conn, values, rule_id)
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE alert_rules SET name = %(name)s, parameter = %(parameter)s, "
            "threshold = %(threshold)s, aqi_at_least = %(aqi_at_least)s, "
            "min_hours = %(min_hours)s, station_ref = %(station_ref)s, active = %(active)s, "
            "updated_at = now() WHERE id = %(id)s",
            {**values, "id": rule_id},
        )
    after = plain_row(conn, "alert_rules", rule_id)
    audit_change(conn, actor, "update", "alert_rules", rule_id, before, after)
    return after or {}


def delete_rule(conn: Any, rule_id: int, *, actor: str) -> int:
    """Delete a rule and its alerts; audited (the rule as it was). How many alerts went."""
    before = _locked(conn, "alert_rules", rule_id, "alerts.no_rule")
    with conn.cursor() as cur:
        cur.execute("DELETE FROM alerts WHERE rule_id = %s", (rule_id,))
        removed = cur.rowcount
        cur.execute("DELETE FROM alert_rules WHERE id = %s", (rule_id,))
    audit_change(
        conn, actor, "delete", "alert_rules", rule_id, before, None, {"alerts_removed": removed}
    )
    return int(removed)


#: Which status an alert may move to from which.
_MOVES = {"acknowledged": ("open",), "closed": ("open", "acknowledged")}


def handle_alert(
    conn: Any, alert_id: int, status: str, note: str | None, *, actor: str
) -> dict[str, Any]:
    """Acknowledge or close an alert with a note; audited. The alert as it is now.

    Raises
    ------
    NotFoundError
        When there is no such alert.
    ConflictError
        When the alert is not in a status it may leave that way (a closed alert stays closed).
    """
    before = _locked(conn, "alerts", alert_id, "alerts.no_alert")
    if before["status"] not in _MOVES[status]:
        raise ConflictError(
            msg(
                "alerts.cannot_move",
                id=alert_id,
                status=msg(f"alerts.status.{before['status']}"),
                to=msg(f"alerts.status.{status}"),
            )
        )
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE alerts SET status = %s, note = %s, handled_by = %s, handled_at = now() "
            "WHERE id = %s",
            (status, note, actor, alert_id),
        )
    after = plain_row(conn, "alerts", alert_id)
    audit_change(conn, actor, "update", "alerts", alert_id, before, after, {"status": status})
    return after or {}


@dataclass(frozen=True)
class AlertFilter:
    """Which alerts to list: status, rule, station ref, a time window on their start."""

    status: str | None = None
    rule_id: int | None = None
    station_ref: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def find_alerts(
    conn: Any, where: AlertFilter, *, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of the alerts that match, newest first, and how many match in all.

    Each alert has its rule, station (name, lon, lat when placed), times in ISO 8601,
    hours, peak, unit, status, note and who handled it when.
    """
    params = {
        "status": where.status,
        "rule_id": where.rule_id,
        "station": where.station_ref,
        "since": where.since,
        "until": where.until,
        "limit": int(limit),
        "offset": int(offset),
    }
    with conn.cursor() as cur:
        cur.execute(query("find_alerts"), params)
        rows = cur.fetchall()
        cur.execute(query("count_alerts"), params)
        total = int(cur.fetchone()[0])
    keys = (
        "id",
        "rule_id",
        "rule",
        "parameter",
        "unit",
        "station_ref",
        "station",
        "lon",
        "lat",
        "start",
        "end",
        "hours",
        "peak",
        "status",
        "note",
        "handled_by",
        "handled_at",
    )
    return [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in zip(keys, r, strict=True)}
        for r in rows
    ], total
