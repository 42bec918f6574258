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
from psycopg2.extras import execute_values

from layers._sql import query
from layers.layer import ID, N_, Column, Layer

__all__ = [
    "ALERTS",
    "ALERT_RULES",
    "AlertRule",
    "active_rules",
    "add_rule",
    "latest_alerts",
    "upsert_alerts",
]

logger = logging.getLogger(__name__)

_TIME = "timestamp with time zone"

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
