"""Water rules as code: QCVN 08:2023 river classes and health limits, QCVN 40 industrial
wastewater (2011 values; 2025 picked by date and reported unknown until its values are entered).
Pure: sample values (mg/L, pH) and the parsed regulation documents in, results out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

__all__ = ["health_exceedances", "river_class", "wastewater_check"]

_CLASS_FIELDS = {
    "BOD5": "BOD5_max",
    "COD": "COD_max",
    "DO": "DO_min",
    "TP": "TP_max",
    "TN": "TN_max",
}


def _meets(sample: Mapping[str, float], rule: Mapping) -> list[str]:
    """Parameters of ``sample`` that break the class ``rule``."""
    broken = []
    if "pH" in sample and "pH" in rule:
        low, high = rule["pH"]
        if not low <= sample["pH"] <= high:
            broken.append("pH")
    for parameter, key in _CLASS_FIELDS.items():
        if parameter in sample and key in rule:
            limit = rule[key]
            bad = sample[parameter] < limit if key.endswith("_min") else sample[parameter] > limit
            if bad:
                broken.append(parameter)
    return broken


def river_class(sample: Mapping[str, float], qcvn08: Mapping) -> dict:
    """The best class (A, B, C, else D) the sample meets, what limits it, what was not measured."""
    classes = [c for c in qcvn08["classes"] if c["class"] != "D"]
    measured = {p for p in ("pH", *_CLASS_FIELDS) if p in sample}
    for rule in classes:
        if not _meets(sample, rule):
            return {
                "class": rule["class"],
                "limited_by": [],
                "not_measured": sorted({"pH", *_CLASS_FIELDS} - measured),
                "verified": bool(rule.get("verified", False)),
                "regulation": qcvn08["document"],
            }
    return {
        "class": "D",
        "limited_by": _meets(sample, classes[-1]),
        "not_measured": sorted({"pH", *_CLASS_FIELDS} - measured),
        "verified": False,
        "regulation": qcvn08["document"],
    }


def health_exceedances(sample: Mapping[str, float], qcvn08: Mapping) -> list[dict]:
    """Health-related limits of QCVN 08:2023 that the sample exceeds."""
    return [
        {
            "parameter": rule["parameter"],
            "value": sample[rule["parameter"]],
            "limit": rule["max"],
            "regulation": qcvn08["document"],
            "verified": bool(rule["verified"]),
        }
        for rule in qcvn08["health_limits"]
        if rule["parameter"] in sample and sample[rule["parameter"]] > rule["max"]
    ]


def wastewater_check(
    sample: Mapping[str, float],
    sampled_on: dt.date,
    qcvn40: Mapping,
    *,
    column: str = "B",
    kq: float = 1.0,
    kf: float = 1.0,
) -> list[dict]:
    """Each parameter against Cmax = C x Kq x Kf (pH against its range) of the QCVN 40 in force on the date.

    Returns one row per parameter: ``pass``, ``fail`` or ``unknown`` (no value for it in that version).
    """
    version = next(
        v
        for v in qcvn40["versions"]
        if str(v["effective_from"])
        <= sampled_on.isoformat()
        <= str(v["effective_to"] or "9999-12-31")
    )
    limits = {r["parameter"]: r for r in (version.get("columns") or {}).get(column, [])}
    rows = []
    for parameter, value in sample.items():
        rule = limits.get(parameter)
        if rule is None:
            rows.append(
                {
                    "parameter": parameter,
                    "value": value,
                    "result": "unknown",
                    "limit": None,
                    "regulation": version["document"],
                    "verified": False,
                    "why": f"no column {column} value for {parameter} in {version['document']}",
                }
            )
            continue
        if "range" in rule:
            low, high = rule["range"]
            ok, limit = low <= value <= high, f"{low}-{high}"
        else:
            limit = rule["max"] * (1.0 if parameter == "pH" else kq * kf)
            ok = value <= limit
        rows.append(
            {
                "parameter": parameter,
                "value": value,
                "result": "pass" if ok else "fail",
                "limit": limit,
                "regulation": version["document"],
                "verified": bool(rule.get("verified", False)),
                "why": "",
            }
        )
    return rows
