"""QCVN 05 limits by rule and local date, table-driven: one row per rule and date, with the
source's value (../shared/REGULATIONS.md, audit of 2026-12-01)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import yaml

from planning import rules
from planning.pollution import assess_air, exceedances, limit_in_force
from webmap.messages import render

REGULATIONS = Path(__file__).resolve().parents[2] / "data" / "regulations"
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
QCVN05 = yaml.safe_load((REGULATIONS / "qcvn05_air.yaml").read_text(encoding="utf-8"))


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LOCAL)


# parameter, averaging, when (local time or date), document, value, verified
LIMITS = [
    ("PM2.5", "24h", local(2025, 12, 31, 23, 30), "QCVN 05:2023/BTNMT", 50, True),
    ("PM2.5", "24h", local(2026, 1, 1, 0, 30), "QCVN 05:2023/BTNMT", 45, True),
    ("PM2.5", "year", dt.date(2026, 6, 1), "QCVN 05:2023/BTNMT", 25, True),
    ("PM10", "24h", dt.date(2024, 3, 1), "QCVN 05:2023/BTNMT", 100, True),
    ("PM10", "year", dt.date(2024, 3, 1), "QCVN 05:2023/BTNMT", 50, True),
    ("PM10", "24h", dt.date(2023, 9, 11), "QCVN 05:2013/BTNMT", 150, False),
    ("PM10", "24h", dt.date(2023, 9, 12), "QCVN 05:2023/BTNMT", 100, True),
    ("PM2.5", "24h", dt.date(2020, 5, 1), "QCVN 05:2013/BTNMT", 50, False),
    ("NO2", "1h", local(2025, 5, 1, 12, 0), "QCVN 05:2023/BTNMT", 200, True),
    ("SO2", "24h", dt.date(2025, 5, 1), "QCVN 05:2023/BTNMT", 125, True),
    ("CO", "8h", dt.date(2025, 5, 1), "QCVN 05:2023/BTNMT", 10000, True),
    ("O3", "8h", dt.date(2025, 5, 1), "QCVN 05:2023/BTNMT", 120, True),
]


@pytest.mark.parametrize(
    ("parameter", "averaging", "when", "document", "value", "verified"), LIMITS
)
def test_limit_in_force(parameter, averaging, when, document, value, verified):
    limit = limit_in_force(QCVN05, parameter, averaging, when)
    assert limit is not None, f"no {parameter} {averaging} limit on {when}"
    assert (limit["document"], limit["value"], rules.is_verified(limit)) == (
        document,
        value,
        verified,
    )


def test_the_local_date_chooses_the_rule_not_the_utc_date():
    # 2026-01-01 00:30 in Hà Nội is still 2025-12-31 in UTC: the 2026 value applies.
    utc = dt.datetime(2025, 12, 31, 17, 30, tzinfo=dt.UTC)
    assert limit_in_force(QCVN05, "PM2.5", "24h", utc)["value"] == 45
    assert limit_in_force(QCVN05, "PM2.5", "24h", pd.Timestamp(utc))["value"] == 45


def test_no_limit_recorded_before_qcvn05_2013():
    assert limit_in_force(QCVN05, "PM10", "24h", dt.date(2013, 6, 1)) is None


def _day(parameter: str, day: str, value: float) -> pd.DataFrame:
    idx = pd.date_range(day, periods=24, freq="h", tz=LOCAL)
    return pd.DataFrame(
        {"station": "S", "parameter": parameter, "observed_at": idx, "value": value}
    )


def test_pm25_daily_mean_of_48_exceeds_only_from_2026():
    values = pd.concat([_day("PM2.5", "2025-12-31", 48.0), _day("PM2.5", "2026-01-01", 48.0)])
    found = exceedances(values, QCVN05)
    daily = found[found.period == "24h"]
    assert list(daily.start) == [pd.Timestamp("2026-01-01", tz=LOCAL)]
    row = daily.iloc[0]
    assert (row.limit, row.regulation, row.article, row.verified) == (
        45,
        "QCVN 05:2023/BTNMT",
        "Table 1",
        True,
    )
    assert row.effective_from == dt.date(2026, 1, 1) and row.effective_to is None


def test_pm10_of_120_exceeds_the_2024_limit():
    found = exceedances(_day("PM10", "2024-06-01", 120.0), QCVN05)
    assert list(found.limit) == [100]


def test_exceedance_messages_name_document_article_dates_and_flag_in_both_languages():
    found = exceedances(_day("PM2.5", "2026-01-01", 48.0), QCVN05)
    message = found.iloc[0]["message"]
    en, vi = render(message, "en"), render(message, "vi")
    assert "QCVN 05:2023/BTNMT, Table 1, in force from 2026-01-01" in en
    assert "verified against the primary text" in en and "2026-01-01 00:00 (UTC+7)" in en
    assert "hiệu lực từ 01/01/2026" in vi and "01/01/2026 00:00 (UTC+7)" in vi
    assert "đã đối chiếu với văn bản gốc" in vi


def test_source_without_article_says_so():
    text = render(rules.source({"document": "X", "effective_from": "2020-01-01"}), "en")
    assert (
        text == "X, article not recorded, in force from 2020-01-01, unverified (secondary source)"
    )


def test_assessed_periods_are_counted():
    values = _day("PM2.5", "2026-01-01", 48.0)
    values = values[values.observed_at.dt.hour < 12]  # 12 of 24 hours: no daily mean
    _found, counts = assess_air(values, QCVN05)
    daily = counts[counts.period == "24h"].iloc[0]
    assert (daily.assessed, daily.incomplete, daily.exceeded) == (0, 1, 0)
    assert "1 incomplete and not assessed" in render(daily.message, "en")
