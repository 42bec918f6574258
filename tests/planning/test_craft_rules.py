"""Craft-village rules: Decree 52/2018 Art. 5 recognition criteria and Decree 08/2022 Art. 35 /
Appendix II (table-driven, from the regulation files)."""

from __future__ import annotations

import datetime as dt

import pytest

from gis.settings import get_settings
from layers.regulations import load_document
from planning.craft_rules import VillageFacts, appendix2_status, recognition_check
from webmap.messages import render

FOLDER = get_settings().sample_data / "regulations"
DECREE52 = load_document(FOLDER, "decree52_craft_villages")
APPENDIX = load_document(FOLDER, "decree08_appendix2")
ON = dt.date(2026, 3, 1)


# craft, status, items
CRAFTS = [
    ("paper", "listed", ["I.3"]),
    ("dyeing", "listed", ["I.5"]),
    ("glass", "listed", ["I.1 (glass line)"]),
    ("lead_recycling", "listed", ["I.2"]),
    ("metal_recycling", "listed", ["I.2"]),
    ("leather", "if_stage", ["I.6"]),
    ("silk", "if_stage", ["I.5"]),
    ("bronze_casting", "if_stage", ["I.2"]),
    ("ceramics", "unknown", []),  # not in items I.1-I.6; the rest of the list was not found
    ("plastic_recycling", "unknown", []),
    ("rattan_bamboo", "unknown", []),
]


@pytest.mark.parametrize(("craft", "status", "items"), CRAFTS)
def test_appendix2_links_to_the_craft_vocabulary(craft, status, items):
    found = appendix2_status(craft, APPENDIX)
    assert (found["status"], found["items"]) == (status, items)


def test_every_linked_craft_is_in_the_vocabulary():
    from layers.crafts import CRAFT_CODES

    linked = {
        c for i in APPENDIX["items"] for c in i.get("crafts", []) + i.get("crafts_if_stage", [])
    }
    assert linked <= set(CRAFT_CODES)


def test_unknown_is_never_said_as_not_listed():
    text = render(appendix2_status("ceramics", APPENDIX)["message"], "en")
    assert "the rest of the list was not found, so unknown" in text and "I.6" in text
    vi = render(appendix2_status("paper", APPENDIX)["message"], "vi")
    assert "Phụ lục II (mục I.3)" in vi and "Nghị định 08/2022/NĐ-CP, Điều 35, Phụ lục II" in vi


def _by_id(facts: VillageFacts) -> dict:
    return {r.rule: r for r in recognition_check(facts, DECREE52, on=ON)}


# facts, criterion, status
CRITERIA = [
    (dict(households=1000, craft_households=250), "households_share", "pass"),
    (dict(households=1000, craft_households=150), "households_share", "fail"),
    (dict(households=1000), "households_share", "unknown"),
    (dict(production_since_year=2020), "stable_production", "pass"),
    (dict(production_since_year=2025), "stable_production", "fail"),
    (dict(), "stable_production", "unknown"),
    (dict(craft_since_year=1900, still_practised=True), "craft_age", "pass"),
    (dict(craft_since_year=1990, still_practised=True), "craft_age", "fail"),
    (dict(craft_since_year=1900, still_practised=False), "craft_age", "fail"),
    (dict(craft_since_year=1900), "craft_age", "unknown"),
    (dict(), "environmental_conditions", "confirm"),
    (dict(), "cultural_identity", "confirm"),
    (dict(), "artisans_or_name", "confirm"),
    (dict(recognition="traditional_craft_village"), "recognition", "pass"),
    (dict(recognition="village_with_craft"), "recognition", "fail"),
    (dict(), "recognition", "unknown"),
]


@pytest.mark.parametrize(("facts", "criterion", "status"), CRITERIA)
def test_recognition_criteria(facts, criterion, status):
    found = _by_id(VillageFacts(ref="V", craft="ceramics", **facts))[criterion]
    assert found.status == status, render(found.message, "en")
    assert found.document == "Decree 52/2018/NĐ-CP" and found.article == "Art. 5"
    assert found.verified is False


def test_recognition_status_date_and_decision_in_both_languages():
    facts = VillageFacts(
        ref="HN-BAT-TRANG",
        craft="ceramics",
        recognition="traditional_craft_village",
        recognition_date=dt.date(2005, 4, 20),
        recognition_decision="QĐ 1234/QĐ-UBND",
    )
    r = _by_id(facts)["recognition"]
    assert render(r.message, "en") == (
        "Recorded recognition: traditional craft village, on 2005-04-20, decision QĐ 1234/QĐ-UBND"
    )
    assert "làng nghề truyền thống, ngày 20/04/2005" in render(r.message, "vi")
    assert render(r.source, "en") == (
        "Decree 52/2018/NĐ-CP, Art. 5, in force from 2018-06-01, unverified (secondary source)"
    )
