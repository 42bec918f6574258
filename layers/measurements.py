"""Reading the ``measurements`` table for the analyses (the import is in ``layers.stations``).

Every function takes the caller's connection and never commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd

from gis.errors import ValidationError
from gis.messages import msg
from layers._sql import query

__all__ = [
    "StationMean",
    "daily_means",
    "latest_air_time",
    "latest_local_day",
    "latest_observation",
    "measurements_frame",
    "station_means",
    "WaterStation",
    "water_station",
]

logger = logging.getLogger(__name__)


def measurements_frame(
    conn: Any,
    *,
    stations: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    medium: str = "air",
) -> pd.DataFrame:
    """Long frame of values: ``station``, ``parameter``, ``observed_at`` (UTC), ``value``.

    Parameters
    ----------
    conn : psycopg2 connection
        The caller's.
    stations : list of str, optional
        Station refs (default: every station of ``medium``).
    start, end : datetime, optional
        Half-open period ``[start, end)``.
    medium : str
        ``air``, ``water``, ``soil`` or ``noise``.

    Returns
    -------
    pandas.DataFrame
        Values in canonical units, sorted by station, parameter and time.
    """
    with conn.cursor() as cur:
        cur.execute(
            query("measurements_frame"),
            {"medium": medium, "refs": stations, "start": start, "end": end},
        )
        rows = cur.fetchall()
    frame = pd.DataFrame(rows, columns=["station", "parameter", "observed_at", "value"])
    frame["observed_at"] = pd.to_datetime(frame["observed_at"], utc=True)
    return frame


def latest_air_time(conn: Any) -> dt.datetime | None:
    """The time of the latest air measurement, or None when there is none."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT max(observed_at) FROM measurements m "
            "JOIN monitoring_stations s ON s.id = m.station_id WHERE s.medium = 'air'"
        )
        (latest,) = cur.fetchone()
    return latest


def latest_observation(conn: Any) -> dt.datetime | None:
    """When the newest stored measurement was taken (the time index answers at once)."""
    with conn.cursor() as cur:
        cur.execute("SELECT max(observed_at) FROM measurements")
        (latest,) = cur.fetchone()
    return latest


@dataclass(frozen=True)
class StationMean:
    """One station's period mean of a parameter, at its WGS 84 position.

    ``hours`` counts the distinct clock hours with a usable value; ``first`` and ``last`` are
    the earliest and latest value of the parameter at any located station in the period.
    """

    ref: str
    lon: float
    lat: float
    mean: float
    count: int
    hours: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None


def station_means(
    conn: Any,
    parameter: str,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[StationMean]:
    """Each located station's mean of ``parameter`` in ``[start, end)`` (usable values only)."""
    with conn.cursor() as cur:
        cur.execute(query("station_means"), {"parameter": parameter, "start": start, "end": end})
        return [
            StationMean(str(r), float(x), float(y), float(v), int(n), int(h), first, last)
            for r, x, y, v, n, h, first, last in cur.fetchall()
        ]


@dataclass(frozen=True)
class WaterStation:
    """A water station's id, receiving water and the facility it watches (if any)."""

    id: int
    water_body: str | None
    facility_commissioned: dt.date | None
    facility_eia_approved: dt.date | None
    facility_craft: str | None


def water_station(conn: Any, station: str) -> WaterStation:
    """The water station ``station``.

    Raises
    ------
    ValidationError
        When the station does not exist or does not measure water.
    """
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, medium, water_body, facility_commissioned, facility_eia_approved, "
            "facility_craft FROM monitoring_stations WHERE ref = %s",
            (station,),
        )
        row = cur.fetchone()
    if row is None:
        raise ValidationError(msg("stations.unknown", ref=station))
    if row[1] != "water":
        raise ValidationError(msg("stations.not_water", ref=station, medium=row[1]))
    return WaterStation(int(row[0]), row[2], row[3], row[4], row[5])


def latest_local_day(conn: Any, station_id: int, timezone: str) -> dt.date | None:
    """The local date (in ``timezone``) of the station's latest measurement, or None."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT (max(observed_at) AT TIME ZONE %s)::date FROM measurements "
            "WHERE station_id = %s",
            (timezone, station_id),
        )
        (day,) = cur.fetchone()
    return day


def daily_means(conn: Any, station_id: int, timezone: str, day: dt.date) -> dict[str, float]:
    """The station's mean of each parameter on local ``day`` (usable values only)."""
    with conn.cursor() as cur:
        cur.execute(query("daily_means"), {"station_id": station_id, "tz": timezone, "day": day})
        return {str(p): float(v) for p, v, _n in cur.fetchall()}
