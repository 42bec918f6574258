"""Trends of one station's parameter: monthly means, Theil-Sen slope, Mann-Kendall test.

Values come through ``layers.measurements``; the months, the months left out and the trend
are the pure ``planning.trends``. Every sentence is a message (rendered by the caller).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from gis.errors import ValidationError
from gis.messages import msg
from layers.measurements import measurements_frame
from planning.trends import incomplete_months, month_completeness, trend

__all__ = ["station_trend"]

logger = logging.getLogger(__name__)


def station_trend(conn: Any, station: str, parameter: str, *, tz: str) -> dict[str, Any]:
    """Monthly means of ``parameter`` at ``station`` and their trend, said in words.

    Parameters
    ----------
    conn : psycopg2 connection
        Read only.
    station, parameter : str
        The station's ref and a parameter code.
    tz : str
        The time zone whose calendar months are averaged (Asia/Ho_Chi_Minh).

    Returns
    -------
    dict
        ``months`` (month, mean or None, days with a daily mean, days, days needed),
        ``left_out`` (one ``trend.month_incomplete`` message per month left out), ``trend``
        (the Theil-Sen and Mann-Kendall figures, or None), ``summary`` (a message: the trend in
        words, or why there is none) and ``values`` (how many hourly values were read).
    """
    frame = measurements_frame(conn, stations=[station])
    values = frame[frame["parameter"] == parameter].set_index("observed_at")["value"]
    out: dict[str, Any] = {"station": station, "parameter": parameter, "values": len(values)}
    if values.empty:
        return {
            **out,
            "months": [],
            "left_out": [],
            "trend": None,
            "summary": msg("trend.no_values", parameter=parameter, station=station),
        }
    table = month_completeness(values, tz=tz)
    out["months"] = [
        {
            "month": str(month),
            "mean": None if math.isnan(row["mean"]) else round(float(row["mean"]), 2),
            "days_with_mean": int(row.days_with_mean),
            "days": int(row.days),
            "needed": int(row.needed),
        }
        for month, row in table.iterrows()
    ]
    out["left_out"] = incomplete_months(table)
    try:
        found = trend(table["mean"])
    except ValidationError as exc:
        return {**out, "trend": None, "summary": msg("trend.none", reason=exc.message)}
    verdict = "trend.significant" if found["significant"] else "trend.not_significant"
    direction = "trend.rising" if found["slope_per_year"] > 0 else "trend.falling"
    summary = msg(
        "trend.summary",
        parameter=parameter,
        months=found["months"],
        direction=msg(direction),
        slope=round(abs(found["slope_per_year"]), 2),
        low=round(found["slope_low_per_year"], 2),
        high=round(found["slope_high_per_year"], 2),
        tau=round(found["tau"], 2),
        p=round(found["p_value"], 3),
        verdict=msg(verdict),
    )
    return {**out, "trend": found, "summary": summary}
