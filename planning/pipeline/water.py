"""Water quality of a station's day against QCVN 08:2023 and, for a discharge, QCVN 40.

Fetches daily means through ``layers.measurements`` and the regulation documents
through ``layers.regulations``; checks with the pure ``planning.water``. Nothing is
written.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from gis.errors import ValidationError
from gis.messages import msg
from gis.settings import Settings
from layers.measurements import daily_means, latest_local_day, water_station
from layers.regulations import load_document
from planning.water import health_exceedances, river_class, wastewater_check

__all__ = ["water_status"]

logger = logging.getLogger(__name__)


def water_status(
    conn: Any,
    settings: Settings,
    station: str,
    *,
    day: dt.date | None = None,
    wastewater: bool = False,
    column: str = "B",
    kq: float | None = None,
    kf: float | None = None,
    assume_kf: bool = False,
) -> dict[str, Any]:
    """A water station's daily means on ``day`` against the rules in force that day.

    QCVN 08 (river class, health limits) in force that day and, for a discharge, the
    QCVN 40 that applies to its facility (commissioning / EIA dates) on that day. Without
    ``kq`` (flow data), Kq follows the station's receiving water (river 0.9, lake 0.6);
    without ``kf`` (flow data) Kf is unknown, unless ``assume_kf`` (this project's labelled
    option: Kf 1.0, said in every result).

    Parameters
    ----------
    conn : psycopg2 connection
        The caller's.
    settings : Settings
        The time zone of "a day" and the regulations folder.
    station : str
        The station's ref.
    day : date, optional
        Default: the station's latest local day.
    wastewater : bool
        Also check QCVN 40 (industrial wastewater), column ``column`` with the flow
        and receiving-water factors ``kq`` and ``kf``.

    Returns
    -------
    dict
        ``station``, ``date``, ``values``, ``river`` (QCVN 08 class), ``health``
        (and ``wastewater``).

    Raises
    ------
    ValidationError
        For an unknown or non-water station, or one without usable values that day.
    """
    found = water_station(conn, station)
    station_id = found.id
    day = day or latest_local_day(conn, station_id, settings.timezone)
    if day is None:
        raise ValidationError(msg("water.no_measurements", station=station))
    values = daily_means(conn, station_id, settings.timezone, day)
    if not values:
        raise ValidationError(msg("water.no_values_on", station=station, day=day))
    since = min(
        (d for d in (found.facility_commissioned, found.facility_eia_approved) if d is not None),
        default=None,
    )
    folder = settings.sample_data / "regulations"
    qcvn08 = load_document(folder, "qcvn08_surface_water")
    out: dict[str, Any] = {
        "station": station,
        "date": str(day),
        "values": values,
        "water_body": found.water_body,
        "river": river_class(values, qcvn08, sampled_on=day, water_body=found.water_body),
        "health": health_exceedances(values, qcvn08, sampled_on=day),
    }
    if wastewater:
        out["facility_since"] = since.isoformat() if since else None
        out["wastewater"] = wastewater_check(
            values,
            day,
            load_document(folder, "qcvn40_wastewater"),
            column=column,
            kq=kq,
            kf=kf,
            assume_kf=assume_kf,
            receiving=found.water_body,
            facility_since=since,
            craft=found.facility_craft,
        )
    return out
