"""Decree 32/2024 cluster rules, QCVN 01:2021/BXD green strip and QCVN 01:2025/BTNMT distances.

Pass, fail, unknown and items to confirm, from the regulation files (table-driven).
"""

from __future__ import annotations

import datetime as dt

import pytest

from gis.errors import ValidationError
from gis.settings import get_settings
from layers.regulations import load_document
from planning import rules
from planning.compliance import ClusterFacts, UnitCluster, check_cluster
from webmap.messages import render

FOLDER = get_settings().sample_data / "regulations"
DECREE = load_document(FOLDER, "decree32_clusters")
SAFETY = load_document(FOLDER, "qcvn01_2025_safety_distances")
BUILD = load_document(FOLDER, "qcvn01_2021_bxd_planning")


def _by_rule(facts: ClusterFacts, **options) -> dict[str, dict]:
    return {r.rule: r for r in check_cluster(facts, DECREE, SAFETY, BUILD, options=options)}


# facts, rule id, expected status
AREA = [
    (dict(area_ha=8, kind="general"), "area_general", "fail"),
    (dict(area_ha=12, kind="general"), "area_general", "pass"),
    (dict(area_ha=80, kind="general"), "area_general", "fail"),
    (dict(area_ha=8, mountainous=True), "area_craft_or_mountain", "pass"),
    (dict(area_ha=8, mountainous=None), "area_general", "unknown"),
    (
        dict(area_ha=7, kind="craft_village", craft_land_share_pct=65),
        "area_craft_or_mountain",
        "pass",
    ),
    # a 55%-craft 7 ha cluster: not a craft-village cluster (Art. 2 cl. 2), so 10 ha applies
    (dict(area_ha=7, kind="craft_village", craft_land_share_pct=55), "area_general", "fail"),
    (
        dict(area_ha=7, kind="craft_village", craft_land_share_pct=55),
        "craft_village_cluster",
        "fail",
    ),
    # unknown share: unknown, never a pass
    (dict(area_ha=7, kind="craft_village"), "area_general", "unknown"),
    (dict(area_ha=7, kind="craft_village"), "craft_village_cluster", "unknown"),
    (dict(area_ha=20, kind="craft_village"), "area_general", "pass"),  # >= 10 ha either way
    (
        dict(area_ha=80, kind="craft_village", craft_land_share_pct=70),
        "area_craft_or_mountain",
        "fail",
    ),
]


@pytest.mark.parametrize(("facts", "rule", "status"), AREA)
def test_area_and_craft_village_definition(facts, rule, status):
    found = _by_rule(ClusterFacts(**facts))
    assert found[rule].status == status, render(found[rule].message, "en")


def test_55_percent_craft_7_ha_cluster_says_why_in_both_languages():
    found = _by_rule(ClusterFacts(area_ha=7, kind="craft_village", craft_land_share_pct=55))
    r = found["craft_village_cluster"]
    assert r.article == "Art. 2 cl. 2" and r.verified is False
    assert "not a craft-village cluster" in render(r.message, "en")
    assert "không phải cụm công nghiệp làng nghề" in render(r.message, "vi")
    source = render(r.source, "en")
    assert source == (
        "Decree 32/2024/NĐ-CP, Art. 2 cl. 2, in force from 2024-05-01, "
        "unverified (secondary source)"
    )
    assert "hiệu lực từ 01/05/2024" in render(r.source, "vi")


# unit clusters (ref, area, occupancy %, industrial land ha), expected status, unleased ha
UNIT = [
    # occupancy (32*80 + 16*30) / 48 = 63.3% > 50%: pass
    ((("A", 40, 80, 32), ("B", 20, 30, 16)), "pass", 17.6),  # unleased 6.4 + 11.2
    # occupancy 10%, unleased industrial land 2 x 60 x 0.9 = 108 ha > 100: fail
    ((("C0", 70, 10, 60), ("C1", 70, 10, 60)), "fail", 108.0),
    # unleased from industrial land, not total area: 2 x 50 x 0.9 = 90 ha <= 100 (total area
    # would give 2 x 70 x 0.9 = 126 ha): pass
    ((("D0", 70, 10, 50), ("D1", 70, 10, 50)), "pass", 90.0),
    # industrial land unknown: occupancy 10% fails, unleased unknown: unknown
    ((("E0", 70, 10, None),), "unknown", None),
    # occupancy unknown
    ((("F0", 50, None, 40),), "unknown", None),
]


@pytest.mark.parametrize(("clusters", "status", "unleased"), UNIT)
def test_new_cluster_in_a_unit(clusters, status, unleased):
    unit = tuple(UnitCluster(*c) for c in clusters)
    r = _by_rule(ClusterFacts(area_ha=20, unit="X", unit_level="district", unit_clusters=unit))
    found = r["new_cluster_in_unit"]
    assert found.status == status and found.numbers["unleased_industrial_ha"] == unleased
    assert found.article is None
    assert "article not recorded" in render(found.source, "en")


def test_no_clusters_and_unknown_unit():
    assert _by_rule(ClusterFacts(area_ha=20, unit_clusters=()))["new_cluster_in_unit"].status == (
        "pass"
    )
    r = _by_rule(ClusterFacts(area_ha=20, unit_clusters=None))["new_cluster_in_unit"]
    assert r.status == "unknown"


def test_district_based_tests_carry_a_caveat_on_another_unit_or_after_july_2025():
    unit = (UnitCluster("A", 40, 80, 32),)
    district_2024 = ClusterFacts(
        area_ha=20, unit_level="district", unit_clusters=unit, checked_on=dt.date(2024, 6, 1)
    )
    assert _by_rule(district_2024)["new_cluster_in_unit"].caveats == ()
    commune = ClusterFacts(
        area_ha=20, unit_level="commune", unit_clusters=unit, checked_on=dt.date(2026, 1, 1)
    )
    (caveat,) = _by_rule(commune)["new_cluster_in_unit"].caveats
    assert "districts ended on 2025-07-01" in render(caveat, "en")
    assert _by_rule(commune)["no_residents"].caveats == ()


def test_conditions_the_system_cannot_check_are_listed_to_confirm():
    r = _by_rule(ClusterFacts(area_ha=20))
    assert {k: v.status for k, v in r.items() if v.status == "confirm"} == {
        "confirm_provincial_plan": "confirm",
        "confirm_land_use_plan": "confirm",
        "confirm_investor": "confirm",
    }
    assert "Cần xác nhận" in render(r["confirm_investor"].message, "vi")


def test_service_land_is_not_law_and_off_by_default():
    assert "service_land_share" not in _by_rule(ClusterFacts(area_ha=20, service_land_share_pct=12))
    r = _by_rule(ClusterFacts(area_ha=20, service_land_share_pct=12), service_land_share=True)
    option = r["service_land_share"]
    assert option.status == "fail" and "not law" in render(option.message, "en")
    assert option.document == "LangNghe planning option (not law)"


def test_green_strip_is_qcvn01_2021_bxd_and_a_width():
    r = _by_rule(ClusterFacts(area_ha=20, green_strip_m=8))["green_strip"]
    assert (r.status, r.document, r.numbers["min_width_m"]) == ("fail", "QCVN 01:2021/BXD", 10)
    assert _by_rule(ClusterFacts(area_ha=20, green_strip_m=12))["green_strip"].status == "pass"
    assert _by_rule(ClusterFacts(area_ha=20))["green_strip"].status == "unknown"


def test_distance_to_housing_is_a_separate_rule_whose_values_were_not_found():
    r = _by_rule(ClusterFacts(area_ha=20, nearest_sensitive_m=250.0))["housing_distance"]
    assert (r.status, r.document, r.numbers["nearest_m"]) == ("unknown", "QCVN 01:2025/BTNMT", 250)
    assert "was not found" in render(r.message, "en")
    assert "in force from unknown" in render(r.source, "en")  # in-force date NOT FOUND


def test_residents():
    assert _by_rule(ClusterFacts(area_ha=20, residential_inside_ha=0.4))["no_residents"].status == (
        "fail"
    )
    assert _by_rule(ClusterFacts(area_ha=20, residential_inside_ha=0.0))["no_residents"].status == (
        "pass"
    )
    assert _by_rule(ClusterFacts(area_ha=20))["no_residents"].status == "unknown"


def test_expansion_rules():
    base = UnitCluster("OLD", 50, 70)
    r = _by_rule(ClusterFacts(area_ha=20, expansion_of=base, infrastructure_done=True))
    assert r["expansion"].status == "pass" and r["area_general"].numbers["area_ha"] == 70
    assert "new_cluster_in_unit" not in r and "confirm_investor" not in r
    too_big = _by_rule(ClusterFacts(area_ha=30, expansion_of=base, infrastructure_done=True))
    assert too_big["expansion"].status == "fail" and too_big["area_general"].status == "fail"
    low = _by_rule(
        ClusterFacts(area_ha=10, expansion_of=UnitCluster("OLD", 50, 55), infrastructure_done=True)
    )
    assert low["expansion"].status == "fail"
    assert "occupancy 55% (at least 60%)" in render(low["expansion"].message, "en")
    assert _by_rule(ClusterFacts(area_ha=10, expansion_of=base))["expansion"].status == "unknown"
    no_infra = ClusterFacts(area_ha=10, expansion_of=base, infrastructure_done=False)
    assert _by_rule(no_infra)["expansion"].status == "fail"


def test_a_rule_without_its_flag_is_unverified():
    assert rules.is_verified({"id": "x"}) is False
    assert rules.is_verified({"id": "x", "verified": True}) is True
    decree = {**DECREE, "rules": [{**r} for r in DECREE["rules"]]}
    for rule in decree["rules"]:
        rule.pop("verified", None)
    results = check_cluster(ClusterFacts(area_ha=20), decree, SAFETY, BUILD)
    assert results and not any(r.verified for r in results)
    assert all("unverified" in render(r.source, "en") for r in results)


def test_results_serialise_and_render_back():
    from gis.messages import Message

    (first, *_rest) = check_cluster(ClusterFacts(area_ha=8), DECREE, SAFETY, BUILD)
    data = first.as_dict()
    assert Message.from_dict(data["message"]) == first.message
    assert "8 ha; 10 to 75 ha allowed" in render(Message.from_dict(data["message"]), "en")


def test_bad_facts():
    with pytest.raises(ValidationError, match="positive"):
        ClusterFacts(area_ha=0)
    with pytest.raises(ValidationError, match="kind"):
        ClusterFacts(area_ha=10, kind="port")


def test_rule_texts_name_clusters_and_levels_in_the_users_language():
    """A cluster without figures is named by its name; the unit level is a word of the page."""
    unit = (UnitCluster("CCN-X", 40, None, None, "Cụm công nghiệp Đông Quang"),)
    facts = ClusterFacts(
        area_ha=20, unit_level="district", unit_clusters=unit, checked_on=dt.date(2026, 1, 1)
    )
    found = _by_rule(facts)["new_cluster_in_unit"]
    vi = render(found.message, "vi")
    assert "Cụm công nghiệp Đông Quang" in vi and "CCN-X" not in vi
    (caveat,) = found.caveats
    assert "cấp huyện" in render(caveat, "vi") and "district" not in render(caveat, "vi")
    assert "district level" in render(caveat, "en")
