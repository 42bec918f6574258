"""Averaging periods, NowCast, VN_AQI and QCVN exceedances. Pure: pandas in, pandas out.

Completeness rule (stated here, applied everywhere): a mean is computed only when at
least 75% of its hours are present: 6 of 8 for the 8-hour rolling mean, 18 of 24 for
the daily mean, and 75% of the days of a year for the annual mean (of daily means).
This is the usual rule of air-quality reporting; the Vietnamese technical circular on
monitoring data should be checked against it (VERIFY).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from planning.aqi import AqiTable, sub_index

__all__ = [
    "COMPLETENESS",
    "daily_aqi",
    "exceedances",
    "hourly_aqi",
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
        raise TypeError("values need a DatetimeIndex of hours")
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


def _index_of(
    values: Mapping[str, float], table: AqiTable, breakpoints: Mapping[str, Sequence[float]]
) -> tuple[float, str | None]:
    subs = {
        p: sub_index(v, breakpoints[p], table.index)
        for p, v in values.items()
        if p in breakpoints and v is not None and np.isfinite(v) and v >= 0
    }
    if not subs or not any(p in subs for p in table.requires_one_of):
        return np.nan, None
    dominant = max(subs, key=lambda p: subs[p])
    return float(np.ceil(subs[dominant])), dominant


def hourly_aqi(frame: pd.DataFrame, table: AqiTable) -> pd.DataFrame:
    """Hourly VN_AQI from a wide frame (hourly index, one column per parameter, µg/m3).

    PM columns go through NowCast; gases use their 1-hour value. Returns columns
    ``aqi`` and ``dominant``; hours without a PM value have no index.
    """
    hourly = frame.apply(_hourly)
    for pm in _PM:
        if pm in hourly:
            hourly[pm] = nowcast(hourly[pm]).to_numpy()
    rows = [_index_of(row.to_dict(), table, table.concentrations) for _, row in hourly.iterrows()]
    return pd.DataFrame(rows, index=hourly.index, columns=["aqi", "dominant"])


def daily_aqi(
    frame: pd.DataFrame,
    table: AqiTable,
    *,
    eight_hour: Mapping[str, Sequence[float]],
    tz: str = "Asia/Ho_Chi_Minh",
) -> pd.DataFrame:
    """Daily VN_AQI: PM 24-hour means; O3 the larger sub-index of its highest 1-hour and
    8-hour values; CO, NO2, SO2 their highest 1-hour value of the day.
    """
    local = frame.apply(_hourly)
    local.index = local.index.tz_convert(tz) if local.index.tz is not None else local.index
    days = sorted(set(local.index.date))
    out = []
    for day in days:
        today = local[local.index.date == day]
        values: dict[str, float] = {}
        for column in today:
            if column in _PM:
                daily = mean_24h(frame[column], tz=tz)
                values[column] = float(daily.get(pd.Timestamp(day), np.nan))
            elif column in ("CO", "NO2", "SO2", "O3"):
                values[column] = float(today[column].max())
        aqi, dominant = _index_of(values, table, table.concentrations)
        if "O3" in frame and "O3" in eight_hour:
            o3_8h = mean_8h(frame["O3"])
            o3_8h.index = o3_8h.index.tz_convert(tz) if o3_8h.index.tz is not None else o3_8h.index
            peak = o3_8h[o3_8h.index.date == day].max()
            if np.isfinite(peak) and np.isfinite(aqi):
                sub8 = float(
                    np.ceil(
                        sub_index(
                            min(peak, eight_hour["O3"][-1]),
                            eight_hour["O3"],
                            table.index[: len(eight_hour["O3"])],
                        )
                    )
                )
                if sub8 > aqi:
                    aqi, dominant = sub8, "O3"
        out.append((pd.Timestamp(day), aqi, dominant))
    return pd.DataFrame(out, columns=["day", "aqi", "dominant"]).set_index("day")


_PERIODS = {
    "1h": lambda s, tz: _hourly(s),
    "8h": lambda s, tz: mean_8h(s),
    "24h": lambda s, tz: mean_24h(s, tz=tz),
    "year": lambda s, tz: mean_year(s, tz=tz),
}


def _limits_on(doc: Mapping, day: pd.Timestamp) -> tuple[str | None, list[Mapping]]:
    for version in doc["versions"]:
        start = pd.Timestamp(str(version["effective_from"]))
        end = (
            pd.Timestamp(str(version["effective_to"]))
            if version["effective_to"]
            else pd.Timestamp.max
        )
        if start <= day <= end:
            return version["document"], version["limits"]
    return None, []


def exceedances(
    values: pd.DataFrame, qcvn05: Mapping, *, tz: str = "Asia/Ho_Chi_Minh"
) -> pd.DataFrame:
    """Every averaged value above its QCVN 05 limit, with the regulation in force on its date.

    ``values``: long frame with ``station``, ``parameter``, ``observed_at`` (tz-aware), ``value``.
    Returns ``station``, ``parameter``, ``period``, ``start``, ``value``, ``limit``, ``regulation``,
    ``verified``.
    """
    rows = []
    for (station, parameter), group in values.groupby(["station", "parameter"]):
        series = group.set_index("observed_at")["value"].astype(float)
        for period, average in _PERIODS.items():
            means = average(series, tz).dropna()
            for start, value in means.items():
                day = (
                    pd.Timestamp(start).tz_localize(None)
                    if getattr(start, "tzinfo", None)
                    else pd.Timestamp(start)
                )
                if period == "year":
                    day = pd.Timestamp(year=int(start), month=7, day=1)
                regulation, limits = _limits_on(qcvn05, day)
                for limit in (
                    lim
                    for lim in limits
                    if lim["parameter"] == parameter and lim["averaging"] == period
                ):
                    if value > limit["value"]:
                        rows.append(
                            (
                                station,
                                parameter,
                                period,
                                start,
                                round(float(value), 3),
                                limit["value"],
                                regulation,
                                bool(limit["verified"]),
                            )
                        )
    return pd.DataFrame(
        rows,
        columns=[
            "station",
            "parameter",
            "period",
            "start",
            "value",
            "limit",
            "regulation",
            "verified",
        ],
    )
