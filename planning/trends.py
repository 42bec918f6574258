"""Monthly means and their trend: Theil-Sen slope with a Mann-Kendall test (scipy). Pure."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from gis.errors import ValidationError
from gis.messages import Message, msg
from planning.pollution import COMPLETENESS, mean_24h

__all__ = ["incomplete_months", "month_completeness", "monthly_means", "trend"]


def month_completeness(series: pd.Series, *, tz: str = "Asia/Ho_Chi_Minh") -> pd.DataFrame:
    """Per calendar month: days with a daily mean, days in the month, days needed, the mean.

    A day has a mean with at least 18 of its 24 hours; a month with at least 75% of its days
    (this project's completeness rule, not a regulation's). Months between the first and the
    last value are all listed, with ``mean`` NaN where the month is incomplete.

    Examples
    --------
    >>> hours = pd.date_range("2026-01-01", "2026-02-28 23:00", freq="h", tz="Asia/Ho_Chi_Minh")
    >>> values = pd.Series(1.0, index=hours)
    >>> values[values.index.day > 15] = np.nan
    >>> month_completeness(values)[["days_with_mean", "days", "needed"]].to_numpy().tolist()
    [[15, 31, 24], [15, 28, 21]]
    """
    daily = mean_24h(series, tz=tz)
    months = daily.groupby(daily.index.to_period("M"))
    days_in = pd.Series({p: p.days_in_month for p in months.groups}, dtype="int64")
    needed = np.ceil(days_in * COMPLETENESS).astype("int64")
    valid = months.count()
    return pd.DataFrame(
        {
            "days_with_mean": valid.astype("int64"),
            "days": days_in,
            "needed": needed,
            "mean": months.mean().where(valid >= needed),
        }
    )


def monthly_means(series: pd.Series, *, tz: str = "Asia/Ho_Chi_Minh") -> pd.Series:
    """Calendar-month means of the valid daily means; NaN with fewer than 75% valid days."""
    return month_completeness(series, tz=tz)["mean"].rename("monthly_mean")


def incomplete_months(table: pd.DataFrame) -> list[Message]:
    """One ``trend.month_incomplete`` message per month left out of the trend.

    ``table`` is :func:`month_completeness`'s result.
    """
    left_out = table[table["mean"].isna()]
    return [
        msg(
            "trend.month_incomplete",
            month=str(month),
            days=int(row.days_with_mean),
            days_in_month=int(row.days),
            needed=int(row.needed),
        )
        for month, row in left_out.iterrows()
    ]


def trend(monthly: pd.Series, *, alpha: float = 0.05) -> dict[str, float | bool | int]:
    """Theil-Sen slope (per year) and the Mann-Kendall test of a monthly series.

    The Mann-Kendall statistic is Kendall's tau between time and value (scipy, tie-corrected;
    no correction for serial correlation or seasonality, so treat p-values as indicative).

    Raises
    ------
    ValidationError
        With fewer than 4 valid monthly means (message ``trend.too_few_months``).
    """
    clean = monthly.dropna()
    if len(clean) < 4:
        raise ValidationError(msg("trend.too_few_months", months=len(clean), minimum=4))
    t = np.array(
        [(p.year - clean.index[0].year) * 12 + p.month - clean.index[0].month for p in clean.index],
        float,
    )
    slope, intercept, low, high = stats.theilslopes(clean.to_numpy(float), t)
    tau, p_value = stats.kendalltau(t, clean.to_numpy(float))
    return {
        "slope_per_year": float(slope * 12),
        "slope_low_per_year": float(low * 12),
        "slope_high_per_year": float(high * 12),
        "tau": float(tau),
        "p_value": float(p_value),
        "significant": bool(p_value < alpha),
        "months": int(len(clean)),
    }
