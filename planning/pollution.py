"""Averaging periods, NowCast, VN_AQI and QCVN exceedances. Pure: pandas in, pandas out.

Completeness rule (stated here, applied everywhere): a mean is computed only when at
least 75% of its hours are present: 6 of 8 for the 8-hour rolling mean, 18 of 24 for
the daily mean, and 75% of the days of a year for the annual mean (of daily means).
This is the usual rule of air-quality reporting; the Vietnamese technical circular on
monitoring data should be checked against it (VERIFY).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from gis.errors import ValidationError
from gis.messages import msg
from planning import rules
from planning.aqi import AqiTable, sub_index

__all__ = [
    "COMPLETENESS",
    "air_limits_on",
    "assess_air",
    "daily_aqi",
    "exceedances",
    "hourly_aqi",
    "limit_in_force",
    "mean_8h",
    "mean_24h",
    "mean_year",
    "nowcast",
]

COMPLETENESS = 0.75
_PM = ("PM2.5", "PM10")


def _hourly(series: pd.Series) -> pd.Series:
    """Put values on a regular hourly index (missing hours become NaN)."""
    if not isinstance(series.index, pd.DatetimeIndex):
        raise ValidationError(msg("pollution.needs_hourly_index"))
    series = series.sort_index()
    full = pd.date_range(series.index.min().floor("h"), series.index.max().floor("h"), freq="h")
    return series.groupby(series.index.floor("h")).mean().reindex(full)


def mean_8h(series: pd.Series) -> pd.Series:
    """Rolling 8-hour means ending at each hour; NaN with fewer than 6 of the 8 hours."""
    hourly = _hourly(series)
    return hourly.rolling(8, min_periods=int(np.ceil(8 * COMPLETENESS))).mean().rename("mean_8h")


def mean_24h(series: pd.Series, *, tz: str = "Asia/Ho_Chi_Minh") -> pd.Series:
    """Calendar-day means in local time; NaN with fewer than 18 hours present."""
    hourly = _hourly(series)
    local = hourly.tz_convert(tz) if hourly.index.tz is not None else hourly
    days = local.groupby(local.index.date)
    means = days.mean().where(days.count() >= int(np.ceil(24 * COMPLETENESS)))
    means.index = pd.to_datetime(means.index)
    return means.rename("mean_24h")


def mean_year(series: pd.Series, *, tz: str = "Asia/Ho_Chi_Minh") -> pd.Series:
    """Calendar-year means of the daily means; NaN with fewer than 75% valid days."""
    daily = mean_24h(series, tz=tz)
    years = daily.groupby(daily.index.year)
    size = pd.Series({y: 366 if calendar.isleap(int(y)) else 365 for y in years.groups})
    return years.mean().where(years.count() >= np.ceil(size * COMPLETENESS)).rename("mean_year")


def nowcast(series: pd.Series) -> pd.Series:
    """NowCast of particulate matter at each hour from the last 12 hours.

    w* = min/max of the available values, w = max(w*, 0.5);
    NowCast = sum(w^(i-1) c_i) / sum(w^(i-1)), i = 1 (this hour) .. 12, over available c_i.
    NaN unless at least 2 of the 3 most recent hours are present.

    Examples
    --------
    >>> idx = pd.date_range("2026-01-01", periods=3, freq="h")
    >>> round(float(nowcast(pd.Series([30.0, 20.0, 10.0], index=idx)).iloc[-1]), 3)
    15.714
    """
    hourly = _hourly(series)
    values = hourly.to_numpy(dtype=float)
    out = np.full(len(values), np.nan)
    for t in range(len(values)):
        window = values[max(0, t - 11) : t + 1][::-1]  # c_1 = this hour
        if np.isfinite(window[:3]).sum() < 2:
            continue
        present = np.isfinite(window)
        top = window[present].max()
        w = max(window[present].min() / top, 0.5) if top > 0 else 1.0
        weights = w ** np.arange(len(window))
        out[t] = float((weights[present] * window[present]).sum() / weights[present].sum())
    return pd.Series(out, index=hourly.index, name="nowcast")


def _sub_indices(
    values: Mapping[str, float], table: AqiTable, breakpoints: Mapping[str, Sequence[float]]
) -> dict[str, float]:
    return {
        p: sub_index(v, breakpoints[p], table.index)
        for p, v in values.items()
        if p in breakpoints and v is not None and np.isfinite(v) and v >= 0
    }


def _index_of(subs: Mapping[str, float], table: AqiTable) -> tuple[float, str | None]:
    """The index (rounded to the nearest integer, halves up) and its dominant pollutant."""
    if not subs or not any(p in subs for p in table.requires_one_of):
        return np.nan, None
    dominant = max(subs, key=lambda p: subs[p])
    return float(rules.round_half_up(subs[dominant])), dominant


def hourly_aqi(frame: pd.DataFrame, table: AqiTable) -> pd.DataFrame:
    """Hourly VN_AQI from a wide frame (hourly index, one column per parameter, µg/m3).

    PM columns go through NowCast; gases use their 1-hour value. Returns columns
    ``aqi`` and ``dominant``; hours without a PM value have no index.
    """
    hourly = frame.apply(_hourly)
    for pm in _PM:
        if pm in hourly:
            hourly[pm] = nowcast(hourly[pm]).to_numpy()
    rows = [
        _index_of(_sub_indices(row.to_dict(), table, table.concentrations), table)
        for _, row in hourly.iterrows()
    ]
    return pd.DataFrame(rows, index=hourly.index, columns=["aqi", "dominant"])


def _local(series: pd.Series, tz: str) -> pd.Series:
    return series.tz_convert(tz) if series.index.tz is not None else series


def daily_aqi(
    frame: pd.DataFrame,
    table: AqiTable,
    *,
    eight_hour: Mapping[str, Sequence[float]],
    tz: str = "Asia/Ho_Chi_Minh",
) -> pd.DataFrame:
    """Daily VN_AQI (Decision 1459/QĐ-TCMT) per local day.

    PM: 24-hour means (this project's 75% rule: 18 of 24 hours); CO, NO2, SO2: their
    highest 1-hour value; O3: the larger of the sub-indices of its highest 1-hour and
    highest 8-hour means, except that when the day's highest 8-hour mean exceeds the
    8-hour table (400 µg/m3) only the 1-hour sub-index counts. Returns ``aqi``,
    ``dominant`` and ``note`` (a message when a PM mean could not be computed, with the
    counts, or ``None``), indexed by ``day``.
    """
    local = frame.apply(_hourly)
    local.index = local.index.tz_convert(tz) if local.index.tz is not None else local.index
    pm_means = {pm: mean_24h(frame[pm], tz=tz) for pm in _PM if pm in frame}
    pm_hours = {pm: local[pm].groupby(local.index.date).count() for pm in pm_means}
    o3_8h = _local(mean_8h(frame["O3"]), tz) if "O3" in frame and "O3" in eight_hour else None
    out = []
    for day in sorted(set(local.index.date)):
        today = local[local.index.date == day]
        values = {pm: float(means.get(pd.Timestamp(day), np.nan)) for pm, means in pm_means.items()}
        values.update({g: float(today[g].max()) for g in ("CO", "NO2", "SO2", "O3") if g in today})
        subs = _sub_indices(values, table, table.concentrations)
        if o3_8h is not None:
            peak = float(o3_8h[o3_8h.index.date == day].max())
            top = float(eight_hour["O3"][-1])
            if np.isfinite(peak) and peak <= top:
                sub8 = sub_index(peak, eight_hour["O3"], table.index[: len(eight_hour["O3"])])
                subs["O3"] = max(subs.get("O3", 0.0), sub8)
        aqi, dominant = _index_of(subs, table)
        note = None
        if not np.isfinite(aqi) and pm_means:
            hours = max(int(counts.get(day, 0)) for counts in pm_hours.values())
            note = msg(
                "aqi.day_incomplete",
                day=day,
                hours=hours,
                needed=int(np.ceil(24 * COMPLETENESS)),
            )
        out.append((pd.Timestamp(day), aqi, dominant, note))
    return pd.DataFrame(out, columns=["day", "aqi", "dominant", "note"]).set_index("day")


_PERIODS: dict[str, Callable[[pd.Series, str], pd.Series]] = {
    "1h": lambda s, tz: _hourly(s),
    "8h": lambda s, tz: mean_8h(s),
    "24h": lambda s, tz: mean_24h(s, tz=tz),
    "year": lambda s, tz: mean_year(s, tz=tz),
}
_COLUMNS = [
    "station",
    "parameter",
    "period",
    "start",
    "value",
    "limit",
    "unit",
    "regulation",
    "article",
    "effective_from",
    "effective_to",
    "verified",
    "source",
    "message",
]


def air_limits_on(qcvn05: Mapping[str, Any], day: dt.date) -> list[dict[str, Any]]:
    """Every QCVN 05 limit record in force on local date ``day``, provenance filled in.

    A limit's own effective dates override its version's (the PM2.5 24-hour limit of
    QCVN 05:2023 is 50 until 31/12/2025 and 45 from 01/01/2026).
    """
    out = []
    for version in qcvn05["versions"]:
        for limit in version["limits"]:
            record = rules.merged(limit, version)
            if rules.in_force(record, day):
                out.append({**record, "unit": qcvn05.get("unit")})
    return out


def limit_in_force(
    qcvn05: Mapping[str, Any], parameter: str, averaging: str, when: object
) -> dict[str, Any] | None:
    """The QCVN 05 limit of ``parameter`` over ``averaging`` in force at ``when``.

    ``when`` is a date or a time; a time is turned into its local (Asia/Ho_Chi_Minh) date.
    ``None`` when no limit is recorded for that date (the answer is then "unknown").
    """
    day = rules.local_date(when)
    return next(
        (
            lim
            for lim in air_limits_on(qcvn05, day)
            if lim["parameter"] == parameter and lim["averaging"] == averaging
        ),
        None,
    )


def _period_day(period: str, start: object, tz: str) -> tuple[pd.Timestamp, dt.date]:
    """(the period's time as shown, local date that picks the rule) of one averaged value.

    Hours and 8-hour means: the local date of the hour; days: the local day; years: the
    year's last day.
    """
    if period == "year":
        year = int(start)  # type: ignore[call-overload]
        return pd.Timestamp(year=year, month=1, day=1, tz=tz), dt.date(year, 12, 31)
    stamp = pd.Timestamp(start)
    stamp = stamp.tz_convert(tz) if stamp.tzinfo else stamp.tz_localize(tz)
    return stamp, stamp.date()


def exceedances(
    values: pd.DataFrame, qcvn05: Mapping[str, Any], *, tz: str = "Asia/Ho_Chi_Minh"
) -> pd.DataFrame:
    """Every averaged value above its QCVN 05 limit, with the limit in force on its local date.

    ``values``: long frame with ``station``, ``parameter``, ``observed_at`` (tz-aware), ``value``.
    Returns ``station``, ``parameter``, ``period``, ``start`` (local time, tz-aware; for a
    year its 1 January), ``value``, ``limit``, ``unit``, ``regulation``, ``article``,
    ``effective_from``, ``effective_to``, ``verified``, ``source`` (the provenance message)
    and ``message`` (the exceedance as a message).
    """
    return assess_air(values, qcvn05, tz=tz)[0]


def assess_air(
    values: pd.DataFrame, qcvn05: Mapping[str, Any], *, tz: str = "Asia/Ho_Chi_Minh"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Exceedances (see :func:`exceedances`) and how many periods were assessed.

    The second frame has one row per station, parameter and period: ``assessed`` (complete
    periods with a limit in force), ``incomplete`` (periods in the span that the
    completeness rule left without a value), ``no_limit`` (complete periods on dates with
    no limit recorded: "unknown"), ``exceeded`` and ``message``.
    """
    rows: list[tuple[Any, ...]] = []
    counts: list[dict[str, Any]] = []
    for (station, parameter), group in values.groupby(["station", "parameter"]):
        series = group.set_index("observed_at")["value"].astype(float)
        for period, average in _PERIODS.items():
            means = average(series, tz)
            tally = {"assessed": 0, "incomplete": int(means.isna().sum()), "no_limit": 0}
            found = 0
            for start, value in means.dropna().items():
                shown, day = _period_day(period, start, tz)
                limit = limit_in_force(qcvn05, str(parameter), period, day)
                if limit is None or limit.get("value") is None:  # none recorded, or NOT FOUND
                    tally["no_limit"] += 1
                    continue
                tally["assessed"] += 1
                if value > limit["value"]:
                    found += 1
                    rows.append(_row(station, parameter, period, shown, float(value), limit))
            if sum(tally.values()) and (tally["assessed"] or _has_any(qcvn05, parameter, period)):
                counts.append(_count(station, parameter, period, tally, found))
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    return frame, pd.DataFrame(
        counts,
        columns=[
            "station",
            "parameter",
            "period",
            "assessed",
            "incomplete",
            "no_limit",
            "exceeded",
            "message",
        ],
    )


def _has_any(qcvn05: Mapping[str, Any], parameter: object, period: str) -> bool:
    return any(
        lim["parameter"] == parameter and lim["averaging"] == period
        for version in qcvn05["versions"]
        for lim in version["limits"]
    )


def _row(
    station: object,
    parameter: object,
    period: str,
    shown: pd.Timestamp,
    value: float,
    limit: dict[str, Any],
) -> tuple[Any, ...]:
    start, end = rules.effective_dates(limit)
    source = rules.source(limit)
    message = msg(
        "air.exceedance",
        parameter=str(parameter),
        period=msg(f"period.{period}"),
        when=shown.to_pydatetime() if period != "year" else str(shown.year),
        value=round(value, 3),
        limit=limit["value"],
        unit=limit.get("unit") or "",
        source=source,
    )
    return (
        station,
        parameter,
        period,
        shown,
        round(value, 3),
        limit["value"],
        limit.get("unit"),
        limit["document"],
        limit.get("article"),
        start,
        end,
        rules.is_verified(limit),
        source,
        message,
    )


def _count(
    station: object, parameter: object, period: str, tally: dict[str, Any], found: int
) -> dict[str, Any]:
    return {
        "station": station,
        "parameter": parameter,
        "period": period,
        **tally,
        "exceeded": found,
        "message": msg(
            "air.assessed_periods",
            station=str(station),
            parameter=str(parameter),
            period=msg(f"period.{period}"),
            assessed=tally["assessed"],
            incomplete=tally["incomplete"],
            no_limit=tally["no_limit"],
            exceeded=found,
        ),
    }
