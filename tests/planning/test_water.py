"""QCVN 08 and QCVN 40 by rule and date, table-driven, with the source's values
(../shared/REGULATIONS.md, audit of 2026-12-01)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from planning.water import (
    health_exceedances,
    river_class,
    wastewater_check,
    wastewater_version,
)
from webmap.messages import render

REGULATIONS = Path(__file__).resolve().parents[2] / "data" / "regulations"
QCVN08 = yaml.safe_load((REGULATIONS / "qcvn08_surface_water.yaml").read_text(encoding="utf-8"))
QCVN40 = yaml.safe_load((REGULATIONS / "qcvn40_wastewater.yaml").read_text(encoding="utf-8"))
D2026 = dt.date(2026, 3, 1)
CLEAN = {
    "pH": 7.2,
    "BOD5": 3,
    "COD": 8,
    "TOC": 3,
    "TSS": 20,
    "DO": 6.5,
    "TP": 0.08,
    "TN": 0.5,
    "coliform": 800,
}


# sample change, water body, date, expected class (None = unknown), code of the message
CLASSES = [
    ({}, "river", D2026, "A", "water.class"),
    ({"COD": 14}, "river", D2026, "B", "water.class"),
    ({"COD": 14, "TSS": 20}, "canal", D2026, "B", "water.class"),
    ({"COD": 14, "TSS": 60}, "river", D2026, None, "water.class_unknown"),  # B's TSS NOT FOUND
    ({"BOD5": 8, "TSS": 150}, "river", D2026, "C", "water.class"),  # C sets no TSS ceiling
    ({"BOD5": 12, "DO": 3}, "river", D2026, "D", "water.class_d"),
    ({"TOC": None}, "river", D2026, None, "water.class_unknown"),  # core parameter not measured
    ({}, "lake", D2026, None, "water.lake_table_not_found"),
    ({}, None, D2026, None, "water.body_unknown"),
    ({}, "river", dt.date(2022, 6, 1), None, "water.values_not_found"),  # QCVN 08-MT:2015
    ({}, "river", dt.date(2015, 6, 1), None, "water.no_standard"),
]


@pytest.mark.parametrize(("change", "body", "day", "expected", "code"), CLASSES)
def test_river_class(change, body, day, expected, code):
    sample = {k: v for k, v in {**CLEAN, **change}.items() if v is not None}
    result = river_class(sample, QCVN08, sampled_on=day, water_body=body)
    assert (result["class"], result["message"].code) == (expected, code)


def test_a_2022_sample_is_unknown_not_judged_by_the_2023_rule():
    result = river_class(CLEAN, QCVN08, sampled_on=dt.date(2022, 6, 1), water_body="river")
    assert result["class"] is None and result["regulation"] == "QCVN 08-MT:2015/BTNMT"
    en = render(result["message"], "en")
    assert "QCVN 08-MT:2015/BTNMT, article not recorded, in force 2016-03-01 to 2023-09-11" in en
    assert "chưa tìm thấy các giá trị" in render(result["message"], "vi")
    assert health_exceedances({"Pb": 0.5}, QCVN08, sampled_on=dt.date(2022, 6, 1)) == []


def test_missing_core_parameters_are_named():
    sample = {"pH": 7.2, "BOD5": 3, "COD": 8, "DO": 6.5, "TP": 0.08, "TN": 0.5}
    result = river_class(sample, QCVN08, sampled_on=D2026, water_body="river")
    assert result["class"] is None and result["not_measured"] == ["TOC", "TSS", "coliform"]
    assert "not measured: TOC, TSS, coliform" in render(result["message"], "en")


# parameter, value, limit (mg/L): Table 1 of QCVN 08:2023
HEALTH = [
    ("Pb", 0.05, 0.02),
    ("Cd", 0.01, 0.005),
    ("NH4-N", 0.9, 0.3),
    ("Cu", 0.2, 0.1),
    ("Zn", 0.6, 0.5),
    ("Ni", 0.2, 0.1),
    ("Cr", 0.06, 0.05),
    ("CN", 0.02, 0.01),
    ("phenol", 0.01, 0.005),
    ("surfactants", 0.2, 0.1),
    ("Fe", 0.6, 0.5),
    ("Mn", 0.2, 0.1),
]


@pytest.mark.parametrize(("parameter", "value", "limit"), HEALTH)
def test_health_limits(parameter, value, limit):
    (found,) = health_exceedances({parameter: value}, QCVN08, sampled_on=D2026)
    assert (found["parameter"], found["limit"], found["verified"]) == (parameter, limit, False)
    assert "Table 1" in render(found["message"], "en")
    assert health_exceedances({parameter: limit}, QCVN08, sampled_on=D2026) == []


# date sampled, facility since, expected document (None = unknown), message code when unknown
VERSIONS = [
    (dt.date(2011, 6, 1), None, None, "wastewater.no_standard"),
    (dt.date(2012, 2, 15), None, "QCVN 40:2011/BTNMT", None),
    (dt.date(2025, 8, 31), None, "QCVN 40:2011/BTNMT", None),
    (dt.date(2026, 3, 1), dt.date(2024, 5, 1), "QCVN 40:2011/BTNMT", None),  # commissioned 2024
    (dt.date(2026, 3, 1), dt.date(2025, 9, 1), "QCVN 40:2025/BTNMT", None),  # a new project
    (dt.date(2026, 3, 1), None, None, "wastewater.facility_date_unknown"),
    (dt.date(2032, 1, 1), dt.date(2024, 5, 1), "QCVN 40:2025/BTNMT", None),  # after 2031
]


@pytest.mark.parametrize(("day", "since", "document", "code"), VERSIONS)
def test_wastewater_version(day, since, document, code):
    version, why = wastewater_version(QCVN40, day, facility_since=since)
    assert (version["document"] if version else None) == document
    assert (why.code if why else None) == code


def test_facility_commissioned_2024_sampled_2026_keeps_qcvn40_2011():
    rows = {
        r["parameter"]: r
        for r in wastewater_check(
            {"COD": 160.0, "pH": 7.0, "BOD5": 40.0},
            dt.date(2026, 3, 1),
            QCVN40,
            column="B",
            kf=1.0,
            receiving="river",
            facility_since=dt.date(2024, 5, 1),
        )
    }
    # COD column B 150 x Kq 0.9 (river, no flow data) x Kf 1.0 (from flow data) = 135
    assert rows["COD"]["result"] == "fail" and rows["COD"]["limit"] == pytest.approx(135)
    assert rows["COD"]["regulation"] == "QCVN 40:2011/BTNMT"
    assert rows["pH"]["result"] == "pass"
    assert rows["BOD5"]["result"] == "unknown"  # column B BOD5 NOT FOUND
    assert "no column B value found" in render(rows["BOD5"]["message"], "en")
    assert "Kq 0.9" in render(rows["COD"]["message"], "en")


def test_a_2011_sample_has_no_standard_and_does_not_crash():
    (row,) = wastewater_check({"COD": 100.0}, dt.date(2011, 6, 1), QCVN40)
    assert row["result"] == "unknown"
    assert render(row["message"], "en") == "COD: unknown, no standard recorded for 2011-06-01"


@pytest.mark.parametrize(("receiving", "limit"), [("river", 67.5), ("lake", 45.0), (None, None)])
def test_kq_without_flow_data(receiving, limit):
    (row,) = wastewater_check(
        {"COD": 40.0}, dt.date(2020, 1, 1), QCVN40, column="A", kf=1.0, receiving=receiving
    )
    assert row["limit"] == (pytest.approx(limit) if limit else None)
    assert row["result"] == ("pass" if limit else "unknown")


def test_kf_without_flow_data_is_unknown_unless_assumed_as_a_labelled_option():
    # REGULATIONS.md gives no Kf without flow data: no silent 1.0
    (row,) = wastewater_check({"COD": 40.0}, dt.date(2020, 1, 1), QCVN40, receiving="river")
    assert row["result"] == "unknown" and row["limit"] is None
    assert "Kf unknown" in render(row["message"], "en")
    assert "Chưa rõ Kf" in render(row["message"], "vi")
    (row,) = wastewater_check(
        {"COD": 70.0}, dt.date(2020, 1, 1), QCVN40, receiving="river", assume_kf=True
    )
    # column B COD 150 x Kq 0.9 x Kf 1.0 (assumed) = 135
    assert row["result"] == "pass" and row["limit"] == pytest.approx(135)
    assert "this project's option, not the regulation's" in render(row["message"], "en")
    assert "không phải của quy chuẩn" in render(row["message"], "vi")
    (row,) = wastewater_check(
        {"COD": 70.0}, dt.date(2020, 1, 1), QCVN40, receiving="lake", kf=1.1, assume_kf=True
    )
    assert row["limit"] == pytest.approx(150 * 0.6 * 1.1)  # a given Kf wins over the option
    assert "assumed" not in render(row["message"], "en")


def test_sector_standard_before_2025_is_unknown():
    (row,) = wastewater_check({"COD": 40.0}, dt.date(2020, 1, 1), QCVN40, craft="dyeing")
    assert row["result"] == "unknown" and "QCVN 13-MT:2015/BTNMT" in render(row["message"], "en")


def test_qcvn40_2025_values_not_found_stay_unknown():
    rows = wastewater_check(
        {"COD": 10.0}, dt.date(2026, 3, 1), QCVN40, facility_since=dt.date(2025, 10, 1)
    )
    assert [r["result"] for r in rows] == ["unknown"]
    assert rows[0]["regulation"] == "QCVN 40:2025/BTNMT"
