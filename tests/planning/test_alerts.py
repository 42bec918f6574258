"""Alert episodes: duration, gaps, strict and inclusive levels (pure)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.alerts import episodes


def _hours(values):
    return pd.Series(
        values,
        index=pd.date_range("2026-01-01", periods=len(values), freq="h", tz="Asia/Ho_Chi_Minh"),
        dtype=float,
    )


def test_runs_shorter_than_the_duration_do_not_alert():
    found = episodes(_hours([200, 200, 10, 200, 200, 200, 210, 10]), level=150, min_hours=3)
    assert len(found) == 1 and found.iloc[0]["hours"] == 4 and found.iloc[0]["peak"] == 210
    assert found.iloc[0]["start"].hour == 3 and found.iloc[0]["end"].hour == 6


def test_a_missing_hour_breaks_a_run_and_levels_can_be_inclusive():
    assert episodes(_hours([200, 200, np.nan, 200, 200]), level=150, min_hours=3).empty
    assert episodes(_hours([150, 150]), level=150, min_hours=2).empty  # strictly above
    assert (
        len(episodes(_hours([150, 150]), level=150, min_hours=2, strict=False)) == 1
    )  # AQI bands: at least
