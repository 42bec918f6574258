"""Alerts: every active rule evaluated on the stored air measurements.

Rules and alerts go through ``layers.alerts``, measurements through
``layers.measurements``; episodes are found by the pure ``planning.alerts.episodes``.
Not committed here.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from layers.alerts import active_rules, upsert_alerts
from layers.measurements import measurements_frame
from planning.alerts import episodes
from planning.pipeline.air import station_aqi

__all__ = ["run_alerts"]

logger = logging.getLogger(__name__)


def run_alerts(conn: Any, folder: Path) -> int:
    """Evaluate every active rule and store its episodes; returns how many alerts are new.

    Parameters
    ----------
    conn : psycopg2 connection
        The caller's (not committed here).
    folder : Path
        The regulations folder (VN_AQI rules need ``vn_aqi_1459``).
    """
    created = 0
    for rule in active_rules(conn):
        frame = measurements_frame(conn, stations=[rule.station_ref] if rule.station_ref else None)
        for ref, group in frame.groupby("station"):
            if rule.parameter is not None and rule.threshold is not None:
                series = group[group["parameter"] == rule.parameter].set_index("observed_at")
                values, level, strict = series["value"], float(rule.threshold), True
            elif rule.aqi_at_least is not None:
                values = station_aqi(conn, folder, str(ref))["aqi"].dropna()
                level, strict = float(rule.aqi_at_least), False
            else:  # the table's CHECK makes every rule one kind or the other
                continue
            if values.empty:
                continue
            found = episodes(values, level=level, min_hours=rule.min_hours, strict=strict)
            created += upsert_alerts(conn, rule.id, str(ref), found)
    return created
