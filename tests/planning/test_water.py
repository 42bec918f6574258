"""QCVN 08 classes and health limits, QCVN 40 by sampling date (pure, hand-checked cases)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from planning.water import health_exceedances, river_class, wastewater_check

REGULATIONS = Path(__file__).resolve().parents[2] / "data" / "regulations"


@pytest.fixture(scope="module")
def qcvn08():
    return yaml.safe_load((REGULATIONS / "qcvn08_surface_water.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def qcvn40():
    return yaml.safe_load((REGULATIONS / "qcvn40_wastewater.yaml").read_text(encoding="utf-8"))


def test_river_classes(qcvn08):
    clean = {"pH": 7.2, "BOD5": 3, "COD": 8, "DO": 6.5, "TP": 0.08, "TN": 0.5}
    assert river_class(clean, qcvn08)["class"] == "A"
    assert river_class({**clean, "COD": 14}, qcvn08)["class"] == "B"
    worse = river_class({**clean, "BOD5": 12, "DO": 3}, qcvn08)
    assert worse["class"] == "D" and set(worse["limited_by"]) == {"BOD5", "DO"}
    partial = river_class({"pH": 7.0, "BOD5": 5}, qcvn08)
    assert (
        partial["class"] == "B" and "DO" in partial["not_measured"] and partial["verified"] is False
    )


def test_health_limits(qcvn08):
    found = health_exceedances({"Pb": 0.05, "Cd": 0.001, "NH4-N": 0.9}, qcvn08)
    assert {f["parameter"] for f in found} == {"Pb", "NH4-N"} and all(f["verified"] for f in found)


def test_wastewater_picks_the_regulation_by_date(qcvn40):
    sample = {"COD": 160.0, "TSS": 90.0, "pH": 5.0}
    rows = {
        r["parameter"]: r for r in wastewater_check(sample, dt.date(2024, 5, 1), qcvn40, column="B")
    }
    assert (
        rows["COD"]["result"] == "fail"
        and rows["TSS"]["result"] == "pass"
        and rows["pH"]["result"] == "fail"
    )
    assert rows["COD"]["regulation"] == "QCVN 40:2011/BTNMT"
    relaxed = {
        r["parameter"]: r
        for r in wastewater_check(sample, dt.date(2024, 5, 1), qcvn40, column="B", kq=1.1, kf=1.0)
    }
    assert (
        relaxed["COD"]["limit"] == pytest.approx(165.0) and relaxed["COD"]["result"] == "pass"
    )  # Cmax = C x Kq x Kf
    later = wastewater_check(sample, dt.date(2025, 10, 1), qcvn40)
    assert {r["result"] for r in later} == {"unknown"} and later[0][
        "regulation"
    ] == "QCVN 40:2025/BTNMT"
