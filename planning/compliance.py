"""Decree 32/2024/NĐ-CP checks of a drawn or stored industrial cluster.

Pure: the facts about the cluster (measured by the pipeline) and the regulation documents
(``data/regulations``) in, one result per rule out: ``pass``, ``fail``, ``unknown`` or
``confirm`` (a condition the system cannot check, for the user to confirm). Each result
carries a message (what was found, with the numbers), its provenance (document, article or
"article not recorded", effective dates, verified flag) and caveats.

What the rules say, after the audit of 2026-12-01 (``../shared/REGULATIONS.md``):

- Art. 2 cl. 2 is a definition: a cluster is a craft-village cluster only when at least 60%
  of its industrial land is for craft-village producers; only then does the 5 ha minimum
  apply. An unknown share gives "unknown", not a pass.
- The occupancy test of a new cluster uses the unit's unleased **industrial** land.
- The 10 m green strip is QCVN 01:2021/BXD, a strip width; distances to housing are QCVN
  01:2025/BTNMT, whose values were not found ("unknown").
- "Service land at most 10%" has no source: it is this project's planning option, off by
  default.
- Districts ended on 01/07/2025: district-based tests carry a caveat when computed on
  another unit or after that date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gis.errors import ValidationError
from gis.messages import Message, msg
from planning import rules

__all__ = ["ClusterFacts", "RuleResult", "UnitCluster", "area_limits", "check_cluster"]


@dataclass(frozen=True)
class UnitCluster:
    """An existing cluster of the same administrative unit (None = not known)."""

    ref: str
    area_ha: float | None
    occupancy_pct: float | None
    industrial_land_ha: float | None = None
    name: str | None = None


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
    green_strip_m: float | None = None
    industrial_land_ha: float | None = None
    unit: str | None = None
    unit_level: str | None = None
    unit_clusters: tuple[UnitCluster, ...] | None = None  # None: the unit's clusters not known
    expansion_of: UnitCluster | None = None
    infrastructure_done: bool | None = None  # essential shared infrastructure finished
    checked_on: dt.date | None = None  # local date of the check (default: the decree's rules now)

    def __post_init__(self) -> None:
        if not self.area_ha > 0:
            raise ValidationError(msg("decree32.area_not_positive", area_ha=self.area_ha))
        if self.kind not in ("general", "craft_village"):
            raise ValidationError(msg("siting.bad_kind", kind=self.kind))


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome, its message, provenance and caveats."""

    rule: str
    status: str  # pass | fail | unknown | confirm
    document: str
    article: str | None
    message: Message
    numbers: dict[str, Any] = field(default_factory=dict)
    verified: bool = False
    source: Message | None = None
    caveats: tuple[Message, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: messages as ``{"code", "params"}``."""
        return {
            "rule": self.rule,
            "status": self.status,
            "document": self.document,
            "article": self.article,
            "message": self.message.as_dict(),
            "numbers": dict(self.numbers),
            "verified": self.verified,
            "source": self.source.as_dict() if self.source else None,
            "caveats": [c.as_dict() for c in self.caveats],
        }


def _rules(doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: rules.merged(r, doc) for r in doc["rules"]}


def area_limits(
    doc: Mapping[str, Any], kind: str, *, mountainous: bool = False
) -> tuple[float, float]:
    """(min, max) hectares of a cluster of ``kind`` under the decree document.

    ``craft_village`` means a cluster that meets the Art. 2 cl. 2 definition.

    >>> doc = {"rules": [{"id": "area_general", "min_ha": 10, "max_ha": 75},
    ...                  {"id": "area_craft_or_mountain", "min_ha": 5, "max_ha": 75}]}
    >>> area_limits(doc, "general"), area_limits(doc, "craft_village")
    ((10.0, 75.0), (5.0, 75.0))
    """
    found = _rules(doc)
    rule = (
        found["area_craft_or_mountain"]
        if kind == "craft_village" or mountainous
        else found["area_general"]
    )
    return float(rule["min_ha"]), float(rule["max_ha"])


class _Out:
    """Collects results with their provenance."""

    def __init__(self, decree: Mapping[str, Any], caveat: Message | None) -> None:
        self.rules = _rules(decree)
        self.document = str(decree["document"])
        self.district_based = set(decree.get("district_based", []))
        self.caveat = caveat
        self.items: list[RuleResult] = []

    def add(self, rule_id: str, status: str, message: Message, **numbers: Any) -> None:
        rule = self.rules.get(rule_id, {"document": self.document})
        caveats = (self.caveat,) if self.caveat and rule_id in self.district_based else ()
        self.items.append(
            RuleResult(
                rule_id,
                status,
                str(rule.get("document") or self.document),
                rule.get("article"),
                message,
                numbers,
                rules.is_verified(rule),
                rules.source(rule),
                caveats,
            )
        )

    def add_other(
        self, rule_id: str, status: str, record: Mapping[str, Any], message: Message, **n: Any
    ) -> None:
        self.items.append(
            RuleResult(
                rule_id,
                status,
                str(record.get("document")),
                record.get("article"),
                message,
                n,
                rules.is_verified(record),
                rules.source(record),
            )
        )


def _unit_caveat(decree: Mapping[str, Any], facts: ClusterFacts) -> Message | None:
    ended = rules.local_date(decree.get("districts_ended", "2025-07-01"))
    on = facts.checked_on
    if facts.unit_level == "district" and (on is None or on < ended):
        return None
    return msg(
        "decree32.unit_caveat",
        unit_level=(
            msg(f"admin.level_{facts.unit_level}")
            if facts.unit_level in ("commune", "district", "province")
            else facts.unit_level or msg("word.unknown")
        ),
        ended=ended,
    )


def check_cluster(
    facts: ClusterFacts,
    decree: Mapping[str, Any],
    safety: Mapping[str, Any],
    construction: Mapping[str, Any] | None = None,
    *,
    options: Mapping[str, bool] | None = None,
) -> list[RuleResult]:
    """Every rule that applies to the cluster.

    ``decree``: ``decree32_clusters.yaml``; ``safety``: ``qcvn01_2025_safety_distances.yaml``;
    ``construction``: ``qcvn01_2021_bxd_planning.yaml`` (green strip); ``options``: this
    project's planning options to turn on (``{"service_land_share": True}``).
    """
    out = _Out(decree, _unit_caveat(decree, facts))
    total = facts.area_ha + ((facts.expansion_of.area_ha or 0.0) if facts.expansion_of else 0.0)
    _craft_and_area(out, facts, decree, total)
    _residents(out, facts)
    if facts.expansion_of is not None:
        _expansion(out, facts, total)
    else:
        _new_in_unit(out, facts)
        for rule_id in ("confirm_provincial_plan", "confirm_land_use_plan", "confirm_investor"):
            out.add(rule_id, "confirm", msg(f"decree32.{rule_id}"))
    _service_land(out, facts, decree, options or {})
    if construction is not None:
        _green_strip(out, facts, construction)
    _distances(out, facts, safety)
    return out.items


def _craft_and_area(
    out: _Out, facts: ClusterFacts, decree: Mapping[str, Any], total: float
) -> None:
    craft = None  # whether it is a craft-village cluster (Art. 2 cl. 2); None = unknown
    if facts.kind == "craft_village":
        need = float(out.rules["craft_village_cluster"]["min_craft_share_pct"])
        share = facts.craft_land_share_pct
        craft = None if share is None else share >= need
        status = "unknown" if craft is None else "pass" if craft else "fail"
        out.add(
            "craft_village_cluster",
            status,
            msg(f"decree32.craft_village_cluster_{status}", share_pct=share, min_pct=need),
            share_pct=share,
            min_pct=need,
        )
    mountainous = facts.mountainous
    small_ok = craft is True or mountainous is True
    small_maybe = (facts.kind == "craft_village" and craft is None) or mountainous is None
    lo, hi = area_limits(decree, "craft_village" if small_ok else "general")
    small_lo = area_limits(decree, "craft_village")[0]
    rule_id = "area_craft_or_mountain" if small_ok else "area_general"
    label = msg("decree32.total_after_expansion" if facts.expansion_of else "decree32.area")
    numbers = {"area_ha": round(total, 2), "min_ha": lo, "max_ha": hi}
    if not small_ok and small_maybe and small_lo <= total < lo:
        why = "craft_share" if facts.kind == "craft_village" and craft is None else "mountainous"
        out.add(
            rule_id,
            "unknown",
            msg(f"decree32.area_unknown_{why}", label=label, **numbers),
            **numbers,
        )
        return
    status = "pass" if lo <= total <= hi else "fail"
    basis = "craft" if craft else "mountainous" if mountainous else "general"
    out.add(rule_id, status, msg(f"decree32.area_{basis}", label=label, **numbers), **numbers)


def _residents(out: _Out, facts: ClusterFacts) -> None:
    inside = facts.residential_inside_ha
    if inside is None:
        out.add("no_residents", "unknown", msg("decree32.residents_unknown"))
        return
    out.add(
        "no_residents",
        "fail" if inside > 0.01 else "pass",
        msg("decree32.residents", residential_inside_ha=round(inside, 2)),
        residential_inside_ha=round(inside, 2),
    )


def _expansion(out: _Out, facts: ClusterFacts, total: float) -> None:
    rule = out.rules["expansion"]
    base = facts.expansion_of
    assert base is not None
    occ = base.occupancy_pct
    limit_ha, need_occ = float(rule["max_total_ha"]), float(rule["min_occupancy_pct"])
    fails = [
        total > limit_ha,
        occ is not None and occ < need_occ,
        facts.infrastructure_done is False,
    ]
    unknown = occ is None or facts.infrastructure_done is None
    status = "fail" if any(fails) else "unknown" if unknown else "pass"
    infrastructure = {True: "word.yes", False: "word.no", None: "word.unknown"}
    out.add(
        "expansion",
        status,
        msg(
            "decree32.expansion",
            ref=base.name or base.ref,
            total_ha=round(total, 2),
            max_total_ha=limit_ha,
            occupancy_pct=occ,
            min_occupancy_pct=need_occ,
            infrastructure=msg(infrastructure[facts.infrastructure_done]),
        ),
        existing_ha=base.area_ha,
        occupancy_pct=occ,
        total_ha=round(total, 2),
        min_occupancy_pct=need_occ,
        max_total_ha=limit_ha,
    )


def _new_in_unit(out: _Out, facts: ClusterFacts) -> None:
    rule = out.rules["new_cluster_in_unit"]
    need_occ, max_free = float(rule["min_occupancy_pct"]), float(rule["max_unleased_industrial_ha"])
    where = facts.unit or msg("word.unknown")
    clusters = facts.unit_clusters
    if clusters is None:
        out.add("new_cluster_in_unit", "unknown", msg("decree32.unit_unknown"))
        return
    if not clusters:
        out.add(
            "new_cluster_in_unit",
            "pass",
            msg("decree32.unit_no_clusters", unit=where),
            unit=facts.unit,
            clusters=0,
        )
        return
    occ_known = [c.occupancy_pct for c in clusters if c.occupancy_pct is not None]
    land_known = [
        (c.industrial_land_ha, c.occupancy_pct)
        for c in clusters
        if c.industrial_land_ha is not None and c.occupancy_pct is not None
    ]
    occupancy = None
    if len(occ_known) == len(clusters):
        if len(land_known) == len(clusters):
            land = sum(ha for ha, _pct in land_known)
            occupancy = sum(ha * pct for ha, pct in land_known) / land if land else 0.0
        else:
            occupancy = sum(occ_known) / len(occ_known)
    unleased = None
    if len(land_known) == len(clusters):
        unleased = sum(ha * (100 - pct) / 100 for ha, pct in land_known)
    ok_occ = None if occupancy is None else occupancy > need_occ
    ok_free = None if unleased is None else unleased <= max_free
    if ok_occ or ok_free:
        status = "pass"
    elif ok_occ is False and ok_free is False:
        status = "fail"
    else:
        status = "unknown"
    missing = [
        c.name or c.ref for c in clusters if c.occupancy_pct is None or c.industrial_land_ha is None
    ]
    numbers = {
        "unit": facts.unit,
        "clusters": len(clusters),
        "occupancy_pct": None if occupancy is None else round(occupancy, 1),
        "unleased_industrial_ha": None if unleased is None else round(unleased, 1),
    }
    out.add(
        "new_cluster_in_unit",
        status,
        msg(
            "decree32.unit_clusters",
            unit=where,
            clusters=len(clusters),
            occupancy_pct=numbers["occupancy_pct"],
            min_occupancy_pct=need_occ,
            unleased_ha=numbers["unleased_industrial_ha"],
            max_unleased_ha=max_free,
            missing=missing or msg("word.none"),
        ),
        **numbers,
    )


def _service_land(
    out: _Out, facts: ClusterFacts, decree: Mapping[str, Any], options: Mapping[str, Any]
) -> None:
    option = next(
        (o for o in decree.get("planning_options", []) if o["id"] == "service_land_share"), None
    )
    if option is None or not options.get("service_land_share", option.get("enabled", False)):
        return
    limit, share = float(option["max_pct"]), facts.service_land_share_pct
    status = "unknown" if share is None else "pass" if share <= limit else "fail"
    out.add_other(
        "service_land_share",
        status,
        {**option, "article": None},
        msg("decree32.service_land_option", share_pct=share, max_pct=limit),
        share_pct=share,
        max_pct=limit,
    )


def _green_strip(out: _Out, facts: ClusterFacts, construction: Mapping[str, Any]) -> None:
    strip = next(
        (s for s in construction.get("green_strip", []) if "industrial_cluster" in s["around"]),
        None,
    )
    if strip is None:
        return
    need, width = float(strip["min_width_m"]), facts.green_strip_m
    status = "unknown" if width is None else "pass" if width >= need else "fail"
    out.add_other(
        "green_strip",
        status,
        rules.merged(strip, construction),
        msg("decree32.green_strip", width_m=width, min_width_m=need)
        if width is not None
        else msg("decree32.green_strip_unknown", min_width_m=need),
        width_m=width,
        min_width_m=need,
    )


def _distances(out: _Out, facts: ClusterFacts, safety: Mapping[str, Any]) -> None:
    record: Mapping[str, Any] = next(
        (d for d in safety.get("distances_m", []) if d.get("source_kind") == "industrial_cluster"),
        {},
    )
    need = record.get("distance_m")
    near = facts.nearest_sensitive_m
    status = "unknown" if need is None or near is None else "pass" if near >= need else "fail"
    out.add_other(
        "housing_distance",
        status,
        rules.merged(record, safety),
        msg(
            "decree32.housing_distance" if need is not None else "decree32.housing_distance_nf",
            nearest_m=None if near is None else round(near, 1),
            min_m=need,
        ),
        nearest_m=None if near is None else round(near, 1),
        min_m=need,
    )
