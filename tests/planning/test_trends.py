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


def test_months_left_out_of_a_trend_are_said_with_their_counts():
    from planning.trends import incomplete_months, month_completeness
    from webmap.messages import render

    rng = np.random.default_rng(3)
    values = 40 + rng.normal(0, 5, 6 * 30 * 24)
    values[24 * 40 : 24 * 55] = np.nan  # 15 days of February 2022 missing
    values[24 * 70 + 6 : 24 * 71] = np.nan  # and 11 March, 12 hours left: below 18 of 24
    table = month_completeness(_hourly(values))
    assert table.loc[pd.Period("2022-02", "M"), ["days_with_mean", "days", "needed"]].tolist() == [
        13,
        28,
        21,
    ]
    assert table.loc[pd.Period("2022-03", "M"), "days_with_mean"] == 30  # one day short, kept
    notes = incomplete_months(table)
    months = [n.params["month"] for n in notes]
    assert months == ["2022-02"]  # June ends the series on the 29th: 29 of 30 days, kept
    assert render(notes[0], "en").startswith("2022-02: 13 of 28 days with a daily mean")
    assert "this project" in render(notes[0], "en")
    assert "không đưa vào xu hướng" in render(notes[0], "vi")
    assert monthly_means(_hourly(values)).isna().tolist() == table["mean"].isna().tolist()
