"""Averaging with gaps, NowCast, VN_AQI and QCVN 05 exceedances: hand-computed answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from planning.aqi import table_from_document
from planning.pollution import (
    daily_aqi,
    exceedances,
    hourly_aqi,
    mean_8h,
    mean_24h,
    mean_year,
    nowcast,
)

REGULATIONS = Path(__file__).resolve().parents[2] / "data" / "regulations"
TZ = "Asia/Ho_Chi_Minh"


@pytest.fixture(scope="module")
def table():
    return table_from_document(
        yaml.safe_load((REGULATIONS / "vn_aqi_1459.yaml").read_text(encoding="utf-8"))
    )


@pytest.fixture(scope="module")
def qcvn05():
    return yaml.safe_load((REGULATIONS / "qcvn05_air.yaml").read_text(encoding="utf-8"))


def hours(values, start="2026-01-01 00:00"):
    return pd.Series(
        values, index=pd.date_range(start, periods=len(values), freq="h", tz=TZ), dtype=float
    )


def test_8_hour_rolling_mean_needs_6_of_8_hours():
    values = [10, 20, np.nan, 40, 50, 60, 70, 80, 90, np.nan, np.nan]
    means = mean_8h(hours(values))
    assert means.iloc[7] == pytest.approx((10 + 20 + 40 + 50 + 60 + 70 + 80) / 7)  # 7 of 8 present
    assert means.iloc[8] == pytest.approx((20 + 40 + 50 + 60 + 70 + 80 + 90) / 7)
    assert means.iloc[10] == pytest.approx((40 + 50 + 60 + 70 + 80 + 90) / 6)  # exactly 6 of 8
    assert means.iloc[6] == pytest.approx(
        (10 + 20 + 40 + 50 + 60 + 70) / 6
    )  # hours -1 and 2 missing: 6 of 8
    assert np.isnan(means.iloc[5])  # 5 of 8
    gappy = mean_8h(hours([1, np.nan, np.nan, np.nan, 5, 6, 7, 8]))
    assert np.isnan(gappy.iloc[7])  # 5 of 8 hours: not enough


def test_daily_mean_needs_18_hours_and_uses_local_days():
    full = hours([10.0] * 12 + [30.0] * 12)
    assert mean_24h(full).iloc[0] == pytest.approx(20.0)
    short = hours([10.0] * 17 + [np.nan] * 7)
    assert np.isnan(mean_24h(short).iloc[0])
    enough = hours([10.0] * 18 + [np.nan] * 6)
    assert mean_24h(enough).iloc[0] == pytest.approx(10.0)
    utc = pd.Series(
        [5.0] * 24, index=pd.date_range("2026-01-01 17:00", periods=24, freq="h", tz="UTC")
    )
    assert list(mean_24h(utc).index.date) == [
        pd.Timestamp("2026-01-02").date()
    ]  # 00:00-23:00 in Hà Nội


def test_annual_mean_needs_75_percent_of_days():
    year = pd.date_range("2025-01-01", "2025-12-31 23:00", freq="h", tz=TZ)
    series = pd.Series(30.0, index=year)
    assert mean_year(series).loc[2025] == pytest.approx(30.0)
    assert np.isnan(mean_year(series[: 24 * 200]).loc[2025])  # 200 days of 365


def test_nowcast_hand_computed():
    assert nowcast(hours([40.0] * 12)).iloc[-1] == pytest.approx(40.0)
    # w* = 10/30 -> w = 0.5: (10 + 0.5*20 + 0.25*30) / 1.75
    assert nowcast(hours([30.0, 20.0, 10.0])).iloc[-1] == pytest.approx(27.5 / 1.75)
    # w* = 80/100 = 0.8: (100 + 0.8*80) / 1.8
    assert nowcast(hours([80.0, 100.0])).iloc[-1] == pytest.approx((100 + 0.8 * 80) / 1.8)
    assert np.isnan(nowcast(hours([50.0, np.nan, np.nan])).iloc[-1])  # only 1 of the last 3 hours


def test_hourly_aqi_hand_computed(table):
    frame = pd.DataFrame({"PM2.5": hours([40.0] * 12), "NO2": hours([100.0] * 11 + [250.0])})
    result = hourly_aqi(frame, table)
    # PM2.5 NowCast 40 -> 50 + (40 - 25) / 25 * 50 = 80;
    # NO2 250 -> 100 + (250 - 200) / 500 * 50 = 105
    assert result["aqi"].iloc[-1] == 105 and result["dominant"].iloc[-1] == "NO2"
    assert result["aqi"].iloc[-2] == 80 and result["dominant"].iloc[-2] == "PM2.5"
    no_pm = hourly_aqi(pd.DataFrame({"NO2": hours([100.0] * 3)}), table)
    assert no_pm["aqi"].isna().all()  # at least one PM value is required


def test_daily_aqi_hand_computed(table):
    frame = pd.DataFrame({"PM10": hours([100.0] * 24), "CO": hours([5000.0] * 23 + [35000.0])})
    day = daily_aqi(frame, table, eight_hour=table.eight_hour)
    # PM10 24 h 100 -> 50 + 50/100*50 = 75; CO max 35000 -> 100 + 5000/15000*50 = 116.67 -> 117
    assert day["aqi"].iloc[0] == 117 and day["dominant"].iloc[0] == "CO"


def test_exceedances_pick_the_regulation_by_date(qcvn05):
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "station": "S",
                    "parameter": "NO2",
                    "observed_at": hours([100.0] * 23 + [250.0]).index,
                    "value": [100.0] * 23 + [250.0],
                }
            ),
            pd.DataFrame(
                {
                    "station": "S",
                    "parameter": "PM2.5",
                    "observed_at": hours([60.0] * 24).index,
                    "value": 60.0,
                }
            ),
            pd.DataFrame(
                {
                    "station": "OLD",
                    "parameter": "NO2",
                    "observed_at": hours([300.0] * 3, "2022-06-01").index,
                    "value": 300.0,
                }
            ),
        ]
    )
    found = exceedances(long, qcvn05)
    no2 = found[(found.parameter == "NO2") & (found.station == "S")]
    assert (
        list(no2.period) == ["1h", "24h"]
        and no2.iloc[0]["value"] == 250
        and no2.iloc[0]["limit"] == 200
    )
    assert set(no2.regulation) == {"QCVN 05:2023/BTNMT"} and no2.verified.all()
    assert no2.iloc[1]["value"] == pytest.approx((100 * 23 + 250) / 24)  # 106.25 > 100 (24 h)
    pm = found[found.parameter == "PM2.5"]
    assert list(pm.period) == ["24h"] and pm.verified.all()  # verified against the signed text
    old = found[found.station == "OLD"]  # 2022: QCVN 05:2013 gases are checked too (unverified)
    assert list(old.period) == ["1h"] * 3 and set(old.regulation) == {"QCVN 05:2013/BTNMT"}
    assert not old.verified.any() and list(old.limit) == [200] * 3
