"""Water rules as data: QCVN 08 surface water and QCVN 40 industrial wastewater.

Pure: sample values (mg/L, pH) and the parsed regulation documents in, results out; every
result carries a message with its provenance (document, article, dates, verified flag).

A sample is judged by the version in force on its local date. Where the values of that
version were not found (QCVN 08-MT:2015, QCVN 40:2025, the sector standards) the answer is
"unknown" with the reason, never the values of another version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from gis.messages import Message, msg
from planning import rules

__all__ = [
    "health_exceedances",
    "river_class",
    "surface_water_version",
    "wastewater_check",
    "wastewater_version",
]

_RIVER_LIKE = ("river", "stream", "canal")
_LAKE_LIKE = ("lake", "pond", "reservoir")


def surface_water_version(qcvn08: Mapping[str, Any], day: dt.date) -> dict[str, Any] | None:
    """The QCVN 08 version in force on local date ``day`` (``None``: none recorded)."""
    return next((dict(v) for v in qcvn08["versions"] if rules.in_force(v, day)), None)


def _breaks(sample: Mapping[str, float], rule: Mapping[str, Any], parameter: str) -> bool | None:
    """Whether the sample's value breaks the class rule for ``parameter`` (None: limit unknown)."""
    value = sample[parameter]
    if parameter == "pH":
        low, high = rule["pH"]
        return not low <= value <= high
    if parameter in rule.get("min", {}):
        return bool(value < rule["min"][parameter])
    if parameter in rule.get("max", {}):
        limit = rule["max"][parameter]
        return None if limit is None else value > limit
    return False  # the class sets no limit on it (e.g. TSS in class C)


def _class_outcome(
    sample: Mapping[str, float],
    rule: Mapping[str, Any],
    core: Sequence[str],
    stricter: Mapping[str, Any] | None,
) -> tuple[list[str], list[str], list[str]]:
    """(broken, not measured, limit not found) of one class."""
    names = {"pH", *rule.get("max", {}), *rule.get("min", {})}
    broken, missing, unknown = [], [], []
    for parameter in sorted(names | set(core)):
        if parameter not in sample:
            if parameter in core and parameter not in rule.get("no_limit", ()):
                missing.append(parameter)
            continue
        verdict = _breaks(sample, rule, parameter) if parameter in names else False
        if (
            verdict is None
            and stricter is not None
            and _breaks(sample, stricter, parameter) is False
        ):
            verdict = False  # meets the stricter class's limit, so meets this one
        if verdict is None:
            unknown.append(parameter)
        elif verdict:
            broken.append(parameter)
    return broken, missing, unknown


def river_class(
    sample: Mapping[str, float],
    qcvn08: Mapping[str, Any],
    *,
    sampled_on: dt.date,
    water_body: str | None = None,
) -> dict[str, Any]:
    """The river class (A, B, C or D) the sample meets, or ``None`` (unknown) and why.

    A class is awarded only when every core parameter of it was measured; D (worse than C)
    is awarded as soon as a measured parameter breaks class C. Lakes and ponds are not
    judged by the river table (their table was not found), nor is a station whose water
    body is not recorded.

    Returns ``class``, ``limited_by``, ``not_measured``, ``regulation``, ``verified``,
    ``source`` (message or ``None``) and ``message``.
    """
    version = surface_water_version(qcvn08, sampled_on)
    out: dict[str, Any] = {
        "class": None,
        "limited_by": [],
        "not_measured": [],
        "regulation": version["document"] if version else None,
        "verified": False,
        "source": None,
    }
    if version is None:
        return {**out, "message": msg("water.no_standard", day=sampled_on)}
    source = rules.source(rules.merged(version.get("river_classes") or {}, version))
    out["source"] = source
    if not version.get("values_found"):
        return {**out, "message": msg("water.values_not_found", day=sampled_on, source=source)}
    if water_body is None:
        return {**out, "message": msg("water.body_unknown", source=source)}
    if water_body not in _RIVER_LIKE:
        return {**out, "message": msg("water.lake_table_not_found", source=source)}
    table = version["river_classes"]
    out["verified"] = rules.is_verified(rules.merged(table, version))
    classes = [c for c in table["classes"] if c["class"] != "D"]
    stricter = None
    for rule in classes:
        broken, missing, unknown = _class_outcome(sample, rule, table["core"], stricter)
        stricter = rule
        if broken:
            out["limited_by"] = broken
            continue
        if missing or unknown:
            return {
                **out,
                "not_measured": missing,
                "message": msg(
                    "water.class_unknown",
                    best=rule["class"],
                    missing=missing or msg("word.none"),
                    limits_not_found=unknown or msg("word.none"),
                    source=source,
                ),
            }
        return {
            **out,
            "class": rule["class"],
            "limited_by": [],
            "message": msg("water.class", water_class=rule["class"], source=source),
        }
    return {
        **out,
        "class": "D",
        "message": msg("water.class_d", limited_by=out["limited_by"], source=source),
    }


def health_exceedances(
    sample: Mapping[str, float], qcvn08: Mapping[str, Any], *, sampled_on: dt.date
) -> list[dict[str, Any]]:
    """Table 1 (health) limits of the QCVN 08 version in force that the sample exceeds."""
    version = surface_water_version(qcvn08, sampled_on)
    if version is None or not version.get("values_found"):
        return []
    table = version["health_limits"]
    out = []
    for rule in table["limits"]:
        record = rules.merged(rule, table, version)
        value = sample.get(rule["parameter"])
        if value is None or rule.get("max") is None or value <= rule["max"]:
            continue
        source = rules.source(record)
        out.append(
            {
                "parameter": rule["parameter"],
                "value": value,
                "limit": rule["max"],
                "regulation": version["document"],
                "verified": rules.is_verified(record),
                "source": source,
                "message": msg(
                    "water.health_exceedance",
                    parameter=rule["parameter"],
                    value=value,
                    limit=rule["max"],
                    source=source,
                ),
            }
        )
    return out


def wastewater_version(
    qcvn40: Mapping[str, Any],
    sampled_on: dt.date,
    *,
    facility_since: dt.date | None = None,
    craft: str | None = None,
) -> tuple[dict[str, Any] | None, Message | None]:
    """The wastewater standard that applies to a sample, or ``None`` and why not.

    ``facility_since`` is the facility's commissioning or EIA-approval date (the earlier of
    the two). Between 2025-09-01 and 2031-12-31 it decides between QCVN 40:2011 (older
    facilities) and QCVN 40:2025 (new ones); unknown, the answer is unknown. Before
    2025-09-01 a facility of a sector with its own standard (``craft`` in its list) is
    judged by that standard.
    """
    versions = {v["document"]: v for v in qcvn40["versions"]}
    old, new = versions["QCVN 40:2011/BTNMT"], versions["QCVN 40:2025/BTNMT"]
    transition = qcvn40["transition"]
    cutover = rules.local_date(transition["cutover"])
    until = rules.local_date(transition["existing_until"])
    if not rules.in_force(old, sampled_on) and not rules.in_force(new, sampled_on):
        return None, msg("wastewater.no_standard", day=sampled_on)
    if sampled_on < cutover:
        for sector in qcvn40.get("sector_standards", []):
            if craft is not None and craft in sector.get("crafts", []):
                return None, msg(
                    "wastewater.sector_standard", document=sector["document"], day=sampled_on
                )
        return dict(old), None
    if sampled_on > until:
        return dict(new), None
    if facility_since is None:
        return None, msg(
            "wastewater.facility_date_unknown",
            day=sampled_on,
            cutover=cutover,
            until=until,
            source=rules.source(transition),
        )
    return (dict(old) if facility_since < cutover else dict(new)), None


def _kq(qcvn40: Mapping[str, Any], receiving: str | None) -> float | None:
    factors = qcvn40["kq_without_flow"]
    if receiving in qcvn40.get("river_like", _RIVER_LIKE):
        return float(factors["river"])
    if receiving in qcvn40.get("lake_like", _LAKE_LIKE):
        return float(factors["lake"])
    return None


def _kf(
    qcvn40: Mapping[str, Any], kf: float | None, assume: bool
) -> tuple[float | None, float | Message | None]:
    """Kf to compute with, and how results show it (a labelled assumption when assumed)."""
    if kf is not None:
        return float(kf), float(kf)
    record = qcvn40.get("kf_without_flow") or {}
    if record.get("value") is not None:
        return float(record["value"]), float(record["value"])
    if assume and record.get("assumed") is not None:
        value = float(record["assumed"])
        return value, msg("wastewater.kf_assumed", kf=value)
    return None, None


def wastewater_check(
    sample: Mapping[str, float],
    sampled_on: dt.date,
    qcvn40: Mapping[str, Any],
    *,
    column: str = "B",
    kq: float | None = None,
    kf: float | None = None,
    assume_kf: bool = False,
    receiving: str | None = None,
    facility_since: dt.date | None = None,
    craft: str | None = None,
) -> list[dict[str, Any]]:
    """Each parameter against Cmax = C x Kq x Kf (pH against its range).

    ``kf`` is the discharge-flow factor from the flow data. Without it Kf is unknown (no
    value without flow is recorded: ``kf_without_flow``), so the limits that need it are
    unknown; ``assume_kf`` is this project's labelled option that takes the document's
    ``assumed`` value (1.0) instead and says so in every result.

    The standard is the one that applies to the facility on that date
    (:func:`wastewater_version`).

    Without ``kq`` (flow data), Kq comes from the receiving water (river 0.9, lake 0.6);
    with neither, the limits that need Kq are unknown. Returns one row per parameter:
    ``result`` ``pass``, ``fail`` or ``unknown``, with ``limit``, ``regulation``,
    ``verified``, ``source`` and ``message``.
    """
    version, why = wastewater_version(
        qcvn40, sampled_on, facility_since=facility_since, craft=craft
    )
    factor = kq if kq is not None else _kq(qcvn40, receiving)
    flow, kf_shown = _kf(qcvn40, kf, assume_kf)
    rows = []
    for parameter, value in sample.items():
        base = {"parameter": parameter, "value": value, "limit": None, "verified": False}
        if version is None:
            rows.append({**base, **_unknown(None, None, why, parameter)})
            continue
        rule = {r["parameter"]: r for r in (version.get("columns") or {}).get(column, [])}.get(
            parameter
        )
        source = rules.source(rules.merged(rule or {}, version))
        if rule is None or ("range" not in rule and rule.get("max") is None):
            reason = msg("wastewater.not_found", column=column, document=version["document"])
            rows.append({**base, **_unknown(version, source, reason, parameter)})
            continue
        limit: float | str
        if "range" in rule:
            low, high = rule["range"]
            ok, limit = low <= value <= high, f"{low}-{high}"
        elif factor is None:
            reason = msg("wastewater.kq_unknown", source=rules.source(qcvn40["kq_without_flow"]))
            rows.append({**base, **_unknown(version, source, reason, parameter)})
            continue
        elif flow is None:
            reason = msg("wastewater.kf_unknown", source=rules.source(qcvn40["kf_without_flow"]))
            rows.append({**base, **_unknown(version, source, reason, parameter)})
            continue
        else:
            limit = round(float(rule["max"]) * factor * flow, 6)
            ok = value <= limit
        result = "pass" if ok else "fail"
        rows.append(
            {
                **base,
                "result": result,
                "limit": limit,
                "regulation": version["document"],
                "verified": rules.is_verified(rules.merged(rule, version)),
                "source": source,
                "message": msg(
                    f"wastewater.{result}",
                    parameter=parameter,
                    value=value,
                    limit=limit,
                    column=column,
                    kq=factor if "range" not in rule else msg("word.not_applicable"),
                    kf=kf_shown if "range" not in rule else msg("word.not_applicable"),
                    source=source,
                ),
            }
        )
    return rows


def _unknown(
    version: Mapping[str, Any] | None, source: Message | None, why: Message | None, p: str
) -> dict[str, Any]:
    return {
        "result": "unknown",
        "regulation": version["document"] if version else None,
        "source": source,
        "message": msg("wastewater.unknown", parameter=p, why=why),
    }
