"""Air quality of the stored measurements: VN_AQI per station and QCVN 05 exceedances.

Fetches measurements through ``layers.measurements`` and the regulation documents
through ``layers.regulations``; computes with the pure ``planning.pollution`` and
``planning.aqi``. Nothing is written.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from gis.errors import ValidationError
from gis.messages import msg
from layers.measurements import latest_air_time, measurements_frame
from layers.regulations import load_document
from planning.aqi import band, table_from_document
from planning.pollution import assess_air, daily_aqi, hourly_aqi

__all__ = ["find_exceedances", "latest_station_aqi", "station_aqi"]

logger = logging.getLogger(__name__)


def station_aqi(
    conn: Any,
    folder: Path,
    station: str,
    *,
    daily: bool = False,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> pd.DataFrame:
    """Hourly (NowCast) or daily VN_AQI of one station.

    Parameters
    ----------
    conn : psycopg2 connection
        The caller's.
    folder : Path
        The regulations folder (``vn_aqi_1459``).
    station : str
        The station's ref.
    daily : bool
        Daily index instead of the hourly NowCast.
    start, end : datetime, optional
        Half-open period of the measurements used.

    Returns
    -------
    pandas.DataFrame
        ``aqi``, ``dominant`` and the sub-indices, indexed by time.

    Raises
    ------
    ValidationError
        When the station has no air measurements in the period.
    """
    frame = measurements_frame(conn, stations=[station], start=start, end=end)
    if frame.empty:
        raise ValidationError(msg("air.no_measurements", station=station))
    wide = frame.pivot_table(index="observed_at", columns="parameter", values="value")
    table = table_from_document(load_document(folder, "vn_aqi_1459"))
    return (
        daily_aqi(wide, table, eight_hour=table.eight_hour or {})
        if daily
        else hourly_aqi(wide, table)
    )


def find_exceedances(
    conn: Any,
    folder: Path,
    *,
    stations: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    with_counts: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, Any]:
    """QCVN 05 exceedances of the stored air measurements (every station by default).

    With ``with_counts``, also how many periods were assessed and how many could not be:
    ``(exceedances, counts)``.
    """
    found, counts = assess_air(
        measurements_frame(conn, stations=stations, start=start, end=end),
        load_document(folder, "qcvn05_air"),
    )
    return (found, counts) if with_counts else found


def latest_station_aqi(
    conn: Any,
    folder: Path,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> dict[str, dict[str, Any]]:
    """Each air station's hourly VN_AQI (NowCast) at its own latest hour in ``[start, end)``.

    ``end`` defaults to just after the latest air measurement and ``start`` to 30 days before
    ``end``; a station without values in the period is left out (the map shows it grey). Each
    station is indexed at its own latest hour, so a station whose data ended years ago is
    coloured by the period that holds its data, not compared with the newest station.
    """
    table = table_from_document(load_document(folder, "vn_aqi_1459"))
    if end is None:
        latest = latest_air_time(conn)
        if latest is None:
            return {}
        end = latest + dt.timedelta(microseconds=1)
    if start is None:
        start = end - dt.timedelta(days=30)
    frame = measurements_frame(conn, start=start, end=end)
    out = {}
    for station, group in frame.groupby("station"):
        recent = group[group["observed_at"] > group["observed_at"].max() - pd.Timedelta(hours=12)]
        wide = recent.pivot_table(index="observed_at", columns="parameter", values="value")
        last = hourly_aqi(wide, table).dropna().tail(1)
        if not last.empty:
            value = int(last["aqi"].iloc[0])
            out[str(station)] = {
                "value": value,
                "dominant": last["dominant"].iloc[0],
                "band": dict(band(value, table)),
                "time": last.index[0].tz_convert("Asia/Ho_Chi_Minh").isoformat(),
                "verified": table.verified,
            }
    return out
