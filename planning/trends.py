"""Monthly means and their trend: Theil-Sen slope with a Mann-Kendall test (scipy). Pure."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from gis.errors import ValidationError
from gis.messages import msg
from planning.pollution import COMPLETENESS, mean_24h

__all__ = ["monthly_means", "trend"]


def monthly_means(series: pd.Series, *, tz: str = "Asia/Ho_Chi_Minh") -> pd.Series:
    """Calendar-month means of the valid daily means; NaN with fewer than 75% valid days."""
    daily = mean_24h(series, tz=tz)
    months = daily.groupby(daily.index.to_period("M"))
    days_in = pd.Series({p: p.days_in_month for p in months.groups})
    return (
        months.mean()
        .where(months.count() >= np.ceil(days_in * COMPLETENESS))
        .rename("monthly_mean")
    )


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
