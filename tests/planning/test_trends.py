"""Monthly means and trends on synthetic series with a known slope (pure)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gis.errors import ValidationError
from planning.trends import monthly_means, trend


def _hourly(values_per_hour, start="2022-01-01"):
    index = pd.date_range(start, periods=len(values_per_hour), freq="h", tz="Asia/Ho_Chi_Minh")
    return pd.Series(values_per_hour, index=index)


def test_rising_series_has_a_significant_theil_sen_slope():
    hours = np.arange(3 * 365 * 24)
    rng = np.random.default_rng(5)
    values = 40 + 6.0 * hours / (365 * 24) + rng.normal(0, 5, len(hours))  # +6 µg/m3 a year
    monthly = monthly_means(_hourly(values))
    assert len(monthly.dropna()) == 36
    result = trend(monthly)
    assert result["significant"] and result["slope_per_year"] == pytest.approx(6.0, rel=0.1)
    assert result["slope_low_per_year"] < 6.0 < result["slope_high_per_year"]


def test_flat_noise_is_not_significant_and_gaps_drop_months():
    rng = np.random.default_rng(9)
    values = 40 + rng.normal(0, 5, 3 * 365 * 24)
    values[24 * 40 : 24 * 55] = np.nan  # half of February 2022 missing
    monthly = monthly_means(_hourly(values))
    assert np.isnan(monthly.iloc[1]) and not np.isnan(
        monthly.iloc[0]
    )  # under 75% of February's days
    result = trend(monthly)
    assert not result["significant"] and abs(result["slope_per_year"]) < 1.0
    with pytest.raises(ValidationError, match="trend.too_few_months"):
        trend(monthly.iloc[:3])
