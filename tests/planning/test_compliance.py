"""Decree 32/2024 rules: pass, fail and unknown, with the numbers used, from the regulation files."""

from __future__ import annotations

import pytest

from gis.errors import ValidationError
from gis.settings import get_settings
from layers.regulations import load_document
from planning.compliance import ClusterFacts, UnitCluster, check_cluster

FOLDER = get_settings().sample_data / "regulations"
DECREE = load_document(FOLDER, "decree32_clusters")
SAFETY = load_document(FOLDER, "qcvn01_2025_safety_distances")


def _by_rule(facts: ClusterFacts) -> dict[str, dict]:
    return {r.rule: r.as_dict() for r in check_cluster(facts, DECREE, SAFETY)}


def test_area_limits_depend_on_kind_and_terrain():
    assert _by_rule(ClusterFacts(area_ha=8, kind="general"))["area_general"]["status"] == "fail"
    craft = _by_rule(ClusterFacts(area_ha=8, kind="craft_village"))["area_craft_or_mountain"]
    assert (
        craft["status"] == "pass"
        and craft["numbers"]["min_ha"] == 5
        and craft["article"] == "Art. 2"
    )
    assert (
        _by_rule(ClusterFacts(area_ha=8, mountainous=True))["area_craft_or_mountain"]["status"]
        == "pass"
    )
    assert (
        _by_rule(ClusterFacts(area_ha=8, mountainous=None))["area_general"]["status"] == "unknown"
    )
    assert (
        _by_rule(ClusterFacts(area_ha=80, kind="craft_village"))["area_craft_or_mountain"]["status"]
        == "fail"
    )


def test_land_shares_residents_and_buffer():
    r = _by_rule(
        ClusterFacts(
            area_ha=20,
            kind="craft_village",
            craft_land_share_pct=55,
            service_land_share_pct=12,
            residential_inside_ha=0.4,
            nearest_sensitive_m=0.0,
        )
    )
    assert [
        r[k]["status"]
        for k in ("craft_land_share", "service_land_share", "no_residents", "green_buffer")
    ] == ["fail", "fail", "fail", "fail"]
    assert (
        r["green_buffer"]["document"] == "QCVN 01:2025/BTNMT"
        and r["green_buffer"]["verified"] is False
    )
    ok = _by_rule(
        ClusterFacts(
            area_ha=20,
            kind="craft_village",
            craft_land_share_pct=60,
            service_land_share_pct=10,
            residential_inside_ha=0.0,
            nearest_sensitive_m=250.0,
        )
    )
    assert all(
        ok[k]["status"] == "pass"
        for k in ("craft_land_share", "service_land_share", "no_residents", "green_buffer")
    )
    assert "craft_land_share" not in _by_rule(
        ClusterFacts(area_ha=20)
    )  # only for craft-village clusters
    unknown = _by_rule(ClusterFacts(area_ha=20, kind="craft_village"))
    assert {
        unknown[k]["status"]
        for k in ("craft_land_share", "service_land_share", "no_residents", "green_buffer")
    } == {"unknown"}


def test_new_cluster_in_a_unit_with_clusters():
    full = (
        UnitCluster("A", 40, 80),
        UnitCluster("B", 20, 30),
    )  # occupancy (3200 + 600) / 60 = 63.3%
    r = _by_rule(ClusterFacts(area_ha=20, unit="X", unit_clusters=full))["new_cluster_in_unit"]
    assert r["status"] == "pass" and r["numbers"]["occupancy_pct"] == pytest.approx(63.3)
    empty = tuple(UnitCluster(f"C{i}", 70, 10) for i in range(2))  # 10% let, 126 ha unleased
    r = _by_rule(ClusterFacts(area_ha=20, unit="X", unit_clusters=empty))["new_cluster_in_unit"]
    assert r["status"] == "fail" and r["numbers"]["unleased_ha"] == pytest.approx(126.0)
    small = (UnitCluster("D", 50, 10),)  # 45 ha unleased <= 100 ha: allowed despite low occupancy
    assert (
        _by_rule(ClusterFacts(area_ha=20, unit_clusters=small))["new_cluster_in_unit"]["status"]
        == "pass"
    )
    assert (
        _by_rule(ClusterFacts(area_ha=20, unit_clusters=()))["new_cluster_in_unit"]["status"]
        == "pass"
    )
    assert (
        _by_rule(ClusterFacts(area_ha=20, unit_clusters=None))["new_cluster_in_unit"]["status"]
        == "unknown"
    )
    gap = (UnitCluster("E", 50, None),)
    assert (
        _by_rule(ClusterFacts(area_ha=20, unit_clusters=gap))["new_cluster_in_unit"]["status"]
        == "unknown"
    )


def test_expansion_rules():
    base = UnitCluster("OLD", 50, 70)
    r = _by_rule(ClusterFacts(area_ha=20, expansion_of=base, infrastructure_done=True))
    assert r["expansion"]["status"] == "pass" and r["area_general"]["numbers"]["area_ha"] == 70
    assert "new_cluster_in_unit" not in r
    too_big = _by_rule(ClusterFacts(area_ha=30, expansion_of=base, infrastructure_done=True))
    assert too_big["expansion"]["status"] == "fail" and too_big["area_general"]["status"] == "fail"
    low = _by_rule(
        ClusterFacts(area_ha=10, expansion_of=UnitCluster("OLD", 50, 55), infrastructure_done=True)
    )
    assert (
        low["expansion"]["status"] == "fail"
        and "occupancy 55% < 60%" in low["expansion"]["message"]
    )
    assert _by_rule(ClusterFacts(area_ha=10, expansion_of=base))["expansion"]["status"] == "unknown"
    assert (
        _by_rule(ClusterFacts(area_ha=10, expansion_of=base, infrastructure_done=False))[
            "expansion"
        ]["status"]
        == "fail"
    )


def test_bad_facts():
    with pytest.raises(ValidationError, match="positive"):
        ClusterFacts(area_ha=0)
    with pytest.raises(ValidationError, match="kind"):
        ClusterFacts(area_ha=10, kind="port")
