"""Craft-village rules as data: recognition and the trades not encouraged in craft villages.

Recognition: Decree 52/2018/NĐ-CP Art. 5; trades not encouraged: Decree 08/2022/NĐ-CP Art.
35 and Appendix II.

Pure: a village's recorded facts and the parsed regulation documents in, results out. Each
result is a :class:`planning.compliance.RuleResult` (status ``pass``, ``fail``, ``unknown``
or ``confirm``, a message, its provenance).

Examples
--------
>>> appendix = {"document": "D", "effective_from": "2022-01-10", "items_read_up_to": "I.6",
...             "items": [{"item": "I.3", "crafts": ["paper"]}]}
>>> appendix2_status("paper", appendix)["status"], appendix2_status("wood", appendix)["status"]
('listed', 'unknown')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gis.messages import msg
from planning import rules
from planning.compliance import RuleResult

__all__ = ["VillageFacts", "appendix2_status", "recognition_check"]


@dataclass(frozen=True)
class VillageFacts:
    """What is recorded about a village (None = not recorded)."""

    ref: str
    craft: str
    recognition: str = "unknown"  # traditional_craft_village | craft_village | village_with_craft
    recognition_date: dt.date | None = None
    recognition_decision: str | None = None
    households: int | None = None
    craft_households: int | None = None
    production_since_year: int | None = None
    craft_since_year: int | None = None
    still_practised: bool | None = None


def appendix2_status(craft: str, appendix: Mapping[str, Any]) -> dict[str, Any]:
    """Whether a craft is among the Appendix II types of Decree 08/2022 (Art. 35).

    ``status``: ``listed`` (a type of the appendix: not encouraged in craft villages, the
    legal basis for relocation), ``if_stage`` (listed only with a production stage such as
    dyeing or tanning: to confirm per facility) or ``unknown`` (no item found in the part of
    the appendix that was read). Never "not listed": the rest of the list was not found.
    """
    listed = [i for i in appendix.get("items", []) if craft in (i.get("crafts") or [])]
    staged = [i for i in appendix.get("items", []) if craft in (i.get("crafts_if_stage") or [])]
    status = "listed" if listed else "if_stage" if staged else "unknown"
    items = [str(i["item"]) for i in listed or staged]
    source = rules.source(appendix)
    message = msg(
        f"decree08.appendix2_{status}",
        craft=craft,
        items=items or msg("word.none"),
        read_up_to=str(appendix.get("items_read_up_to") or ""),
        source=source,
    )
    return {"craft": craft, "status": status, "items": items, "source": source, "message": message}


def _criteria(decree: Mapping[str, Any], group: str) -> dict[str, dict[str, Any]]:
    return {c["id"]: rules.merged(c, decree) for c in decree["criteria"][group]}


def recognition_check(
    facts: VillageFacts, decree52: Mapping[str, Any], *, on: dt.date
) -> list[RuleResult]:
    """Which Art. 5 criteria the village's recorded data meets, and which are unknown.

    ``on`` is the local date the criteria are counted to (years of production, age of the
    craft). The first result states the recorded recognition (status, date, decision).
    """
    out = [_status(facts, decree52)]
    village = _criteria(decree52, "craft_village")
    craft = _criteria(decree52, "traditional_craft")

    def add(rule: dict[str, Any], status: str, code: str, **params: Any) -> None:
        out.append(
            RuleResult(
                rule["id"],
                status,
                str(rule["document"]),
                rule.get("article"),
                msg(code, **params),
                {k: v for k, v in params.items() if isinstance(v, int | float) or v is None},
                rules.is_verified(rule),
                rules.source(rule),
            )
        )

    need = float(village["households_share"]["min_pct"])
    if facts.households and facts.craft_households is not None:
        share = round(100 * facts.craft_households / facts.households, 1)
        add(
            village["households_share"],
            "pass" if share >= need else "fail",
            "decree52.households_share",
            share_pct=share,
            craft_households=facts.craft_households,
            households=facts.households,
            min_pct=need,
        )
    else:
        add(village["households_share"], "unknown", "decree52.households_unknown", min_pct=need)
    years_needed = int(village["stable_production"]["min_years"])
    if facts.production_since_year is None:
        add(
            village["stable_production"],
            "unknown",
            "decree52.production_unknown",
            min_years=years_needed,
        )
    else:
        years = on.year - facts.production_since_year
        add(
            village["stable_production"],
            "pass" if years >= years_needed else "fail",
            "decree52.production",
            years=years,
            since=str(facts.production_since_year),
            min_years=years_needed,
        )
    add(village["environmental_conditions"], "confirm", "decree52.environment_confirm")
    age_needed = int(craft["craft_age"]["min_years"])
    if facts.craft_since_year is None or facts.still_practised is None:
        add(craft["craft_age"], "unknown", "decree52.craft_age_unknown", min_years=age_needed)
    else:
        age = on.year - facts.craft_since_year
        ok = age > age_needed and facts.still_practised
        add(
            craft["craft_age"],
            "pass" if ok else "fail",
            "decree52.craft_age",
            years=age,
            since=str(facts.craft_since_year),
            min_years=age_needed,
            practised=facts.still_practised,
        )
    add(craft["cultural_identity"], "confirm", "decree52.cultural_identity_confirm")
    add(craft["artisans_or_name"], "confirm", "decree52.artisans_confirm")
    return out


def _status(facts: VillageFacts, decree52: Mapping[str, Any]) -> RuleResult:
    record = rules.merged({}, decree52)
    recognised = facts.recognition in ("craft_village", "traditional_craft_village")
    status = "pass" if recognised else "unknown" if facts.recognition == "unknown" else "fail"
    return RuleResult(
        "recognition",
        status,
        str(decree52["document"]),
        decree52.get("article"),
        msg(
            "decree52.recognition",
            recognition=msg(f"recognition.{facts.recognition}"),
            date=facts.recognition_date,
            decision=facts.recognition_decision or msg("word.unknown"),
        ),
        {},
        rules.is_verified(record),
        rules.source(record),
    )
