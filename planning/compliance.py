"""Decree 32/2024/NĐ-CP compliance of a drawn or stored industrial cluster.

Pure: the facts about the cluster (measured by the pipeline) and the regulation
documents (``data/regulations``) in, one result per rule out: pass, fail or unknown,
with the document, the article where the data records it, and the numbers used.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from gis.errors import ValidationError

__all__ = ["ClusterFacts", "RuleResult", "area_limits", "check_cluster"]


@dataclass(frozen=True)
class UnitCluster:
    """An existing cluster of the same administrative unit."""

    ref: str
    area_ha: float | None
    occupancy_pct: float | None


@dataclass(frozen=True)
class ClusterFacts:
    """What is known about the cluster being checked (None = not known)."""

    area_ha: float
    kind: str = "general"
    mountainous: bool | None = False
    residential_inside_ha: float | None = None
    craft_land_share_pct: float | None = None
    service_land_share_pct: float | None = None
    nearest_sensitive_m: float | None = None
    unit: str | None = None
    unit_clusters: tuple[UnitCluster, ...] | None = None  # None: the unit's clusters are not known
    expansion_of: UnitCluster | None = None
    infrastructure_done: bool | None = None  # roads, water supply and wastewater treatment

    def __post_init__(self) -> None:
        if not self.area_ha > 0:
            raise ValidationError(f"cluster area must be positive, got {self.area_ha} ha")
        if self.kind not in ("general", "craft_village"):
            raise ValidationError(f"cluster kind {self.kind!r}: use general or craft_village")


@dataclass(frozen=True)
class RuleResult:
    rule: str
    status: str  # pass | fail | unknown
    document: str
    article: str | None
    message: str
    numbers: dict[str, Any] = field(default_factory=dict)
    verified: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rules(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in doc["rules"]}


def area_limits(
    doc: dict[str, Any], kind: str, *, mountainous: bool = False
) -> tuple[float, float]:
    """(min, max) hectares of a cluster of ``kind`` under the decree document.

    >>> doc = {"rules": [{"id": "area_general", "min_ha": 10, "max_ha": 75},
    ...                  {"id": "area_craft_or_mountain", "min_ha": 5, "max_ha": 75}]}
    >>> area_limits(doc, "general"), area_limits(doc, "craft_village"), area_limits(doc, "general", mountainous=True)
    ((10.0, 75.0), (5.0, 75.0), (5.0, 75.0))
    """
    rules = _rules(doc)
    rule = (
        rules["area_craft_or_mountain"]
        if kind == "craft_village" or mountainous
        else rules["area_general"]
    )
    return float(rule["min_ha"]), float(rule["max_ha"])


def _fmt(value: float | None, unit: str) -> str:
    return "not known" if value is None else f"{value:,.2f} {unit}"


def check_cluster(
    facts: ClusterFacts, decree: dict[str, Any], safety: dict[str, Any]
) -> list[RuleResult]:
    """Every rule that applies to the cluster, each pass / fail / unknown."""
    rules = _rules(decree)
    document = decree["document"]
    out: list[RuleResult] = []

    def add(rule_id: str, status: str, message: str, **numbers: Any) -> None:
        rule = rules.get(rule_id, {})
        out.append(
            RuleResult(
                rule_id,
                status,
                document,
                rule.get("article"),
                message,
                numbers,
                bool(rule.get("verified", True)),
            )
        )

    total = facts.area_ha + ((facts.expansion_of.area_ha or 0.0) if facts.expansion_of else 0.0)
    mountainous = bool(facts.mountainous)
    lo, hi = area_limits(decree, facts.kind, mountainous=mountainous)
    rule_id = (
        "area_craft_or_mountain" if facts.kind == "craft_village" or mountainous else "area_general"
    )
    label = "total after expansion" if facts.expansion_of else "area"
    status = "pass" if lo <= total <= hi else "fail"
    add(
        rule_id,
        status,
        f"{label} {total:,.2f} ha; allowed {lo:g}-{hi:g} ha for a "
        f"{'craft-village' if facts.kind == 'craft_village' else 'mountainous' if mountainous else 'general'} cluster",
        area_ha=round(total, 2),
        min_ha=lo,
        max_ha=hi,
    )
    if facts.mountainous is None and facts.kind == "general" and 5 <= total < 10:
        out[-1] = RuleResult(
            rule_id,
            "unknown",
            document,
            rules[rule_id].get("article"),
            f"area {total:,.2f} ha is legal only in a mountainous unit, and that is not known",
            {"area_ha": round(total, 2)},
        )

    if facts.residential_inside_ha is None:
        add("no_residents", "unknown", "no residential land data for this place")
    else:
        add(
            "no_residents",
            "fail" if facts.residential_inside_ha > 0.01 else "pass",
            f"residential land inside the cluster: {facts.residential_inside_ha:,.2f} ha",
            residential_inside_ha=round(facts.residential_inside_ha, 2),
        )

    if facts.kind == "craft_village":
        need = float(rules["craft_land_share"]["min_pct"])
        share = facts.craft_land_share_pct
        add(
            "craft_land_share",
            "unknown" if share is None else "pass" if share >= need else "fail",
            f"industrial land for craft-village producers {_fmt(share, '%')}; at least {need:g}% required",
            share_pct=share,
            min_pct=need,
        )
    limit = float(rules["service_land_share"]["max_pct"])
    share = facts.service_land_share_pct
    add(
        "service_land_share",
        "unknown" if share is None else "pass" if share <= limit else "fail",
        f"service land {_fmt(share, '%')} of the cluster; at most {limit:g}% allowed",
        share_pct=share,
        max_pct=limit,
    )

    if facts.expansion_of is not None:
        rule = rules["expansion"]
        occ = facts.expansion_of.occupancy_pct
        problems = []
        status = "pass"
        if total > float(rule["max_total_ha"]):
            status = "fail"
            problems.append(f"total {total:,.2f} ha > {rule['max_total_ha']} ha")
        if occ is None or facts.infrastructure_done is None:
            status = "unknown" if status == "pass" else status
        if occ is not None and occ < float(rule["min_occupancy_pct"]):
            status = "fail"
            problems.append(f"occupancy {occ:g}% < {rule['min_occupancy_pct']}%")
        if facts.infrastructure_done is False:
            status = "fail"
            problems.append("roads, water supply or wastewater treatment not finished")
        add(
            "expansion",
            status,
            f"expanding {facts.expansion_of.ref}: occupancy {_fmt(occ, '%')}, infrastructure "
            f"{'finished' if facts.infrastructure_done else 'not known' if facts.infrastructure_done is None else 'not finished'}"
            + (f" ({'; '.join(problems)})" if problems else ""),
            existing_ha=facts.expansion_of.area_ha,
            occupancy_pct=occ,
            total_ha=round(total, 2),
            min_occupancy_pct=rule["min_occupancy_pct"],
            max_total_ha=rule["max_total_ha"],
        )
    else:
        rule = rules["new_cluster_in_unit"]
        where = facts.unit or "the unit"
        if facts.unit_clusters is None:
            add(
                "new_cluster_in_unit", "unknown", "the administrative unit of the site is not known"
            )
        elif not facts.unit_clusters:
            add(
                "new_cluster_in_unit",
                "pass",
                f"no existing clusters in {where}",
                unit=facts.unit,
                clusters=0,
            )
        else:
            known = [
                c
                for c in facts.unit_clusters
                if c.area_ha is not None and c.occupancy_pct is not None
            ]
            if len(known) < len(facts.unit_clusters):
                missing = [c.ref for c in facts.unit_clusters if c not in known]
                add(
                    "new_cluster_in_unit",
                    "unknown",
                    f"occupancy or area not known for {', '.join(missing)} in {where}",
                    unit=facts.unit,
                    clusters=len(facts.unit_clusters),
                )
            else:
                area = sum(c.area_ha for c in known)
                occupancy = sum(c.area_ha * c.occupancy_pct for c in known) / area
                unleased = sum(c.area_ha * (100 - c.occupancy_pct) / 100 for c in known)
                ok = occupancy > float(rule["min_occupancy_pct"]) or unleased <= float(
                    rule["max_unleased_ha"]
                )
                add(
                    "new_cluster_in_unit",
                    "pass" if ok else "fail",
                    f"{len(known)} existing clusters in {where}: area-weighted occupancy {occupancy:.1f}% "
                    f"(needs > {rule['min_occupancy_pct']}%) or unleased land {unleased:,.1f} ha "
                    f"(needs <= {rule['max_unleased_ha']} ha)",
                    unit=facts.unit,
                    clusters=len(known),
                    occupancy_pct=round(occupancy, 1),
                    unleased_ha=round(unleased, 1),
                )

    buffer = next(
        (b for b in safety.get("green_buffer", []) if "industrial_cluster" in b["around"]), None
    )
    if buffer is not None:
        need = float(buffer["min_width_m"])
        near = facts.nearest_sensitive_m
        out.append(
            RuleResult(
                "green_buffer",
                "unknown" if near is None else "pass" if near >= need else "fail",
                safety["document"],
                None,
                f"nearest house, school or clinic {_fmt(near, 'm')}; a green buffer of at least "
                f"{need:g} m is asked ({buffer['basis']})",
                {"nearest_m": near, "min_m": need},
                bool(buffer.get("verified", False)),
            )
        )
    return out
