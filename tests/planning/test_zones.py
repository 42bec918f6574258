"""Source buffers, exceedance polygons and the zone diff on two hand-made dates (pure)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from rasterio.transform import from_origin
from shapely.geometry import Point, box

from gis.errors import CRSError
from planning.zones import diff_zones, exceedance_polygons, source_buffers


def test_buffers_follow_the_craft():
    villages = gpd.GeoDataFrame(
        {
            "ref": ["LEAD", "SILK", "POT"],
            "name": ["a", "b", "c"],
            "craft": ["lead_recycling", "silk", "ceramics"],
        },
        geometry=[Point(0, 0), Point(5000, 0), Point(10000, 0)],
        crs=32648,
    )
    zones = source_buffers(villages, {"lead_recycling": 1000, "ceramics": 400})
    assert list(zones.ref) == ["LEAD", "POT"]  # silk is not a polluting craft here
    assert zones.area.tolist() == pytest.approx([math.pi * 1000**2, math.pi * 400**2], rel=0.01)
    with pytest.raises(CRSError):
        source_buffers(villages.to_crs(4326), {"lead_recycling": 1000})


def test_exceedance_polygons_from_a_surface():
    surface = np.zeros((10, 10))
    surface[2:5, 2:6] = 80.0  # 3 x 4 cells over the limit
    surface[8, 8] = np.nan
    zones = exceedance_polygons(surface, from_origin(0, 1000, 100, 100), 32648, limit=50.0)
    assert len(zones) == 1 and zones.area.iloc[0] == pytest.approx(12 * 100 * 100)


def test_zone_diff_on_two_dates():
    before = gpd.GeoDataFrame(
        {"ref": ["A", "B", "C", "D"]},
        geometry=[box(0, 0, 100, 100), box(0, 0, 100, 100), box(0, 0, 50, 50), box(0, 0, 10, 10)],
        crs=32648,
    )
    after = gpd.GeoDataFrame(
        {"ref": ["A", "B", "C", "E"]},
        geometry=[box(0, 0, 200, 100), box(0, 0, 50, 100), box(0, 0, 50, 50), box(0, 0, 30, 30)],
        crs=32648,
    )
    diff = diff_zones(before, after).set_index("ref")
    assert diff["status"].to_dict() == {
        "A": "grew",
        "B": "shrank",
        "C": "unchanged",
        "D": "gone",
        "E": "new",
    }
    assert (
        diff.loc["A", "change_m2"] == pytest.approx(10_000) and diff.loc["D", "area_after_m2"] == 0
    )
