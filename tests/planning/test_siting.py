"""Suitability pieces against hand computations.

Transforms, AHP, overlay, distances, candidates, sensitivity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rasterio.transform import from_origin

from gis.errors import ValidationError
from planning.siting import (
    Criterion,
    ParcelRules,
    Transform,
    ahp_weights,
    candidate_regions,
    check_weights,
    distance_to,
    overlay_blocks,
    sensitivity,
    slope_deg,
    weighted_overlay,
)


def test_transforms_score_as_documented():
    v = np.array([0.0, 250.0, 500.0, 1000.0, np.nan])
    assert Transform("linear", low=0, high=500)(v)[:4].tolist() == [0.0, 0.5, 1.0, 1.0]
    assert Transform("linear", low=500, high=0)(v)[:4].tolist() == [1.0, 0.5, 0.0, 0.0]
    assert Transform("threshold", low=500)(v)[:4].tolist() == [0, 0, 1, 1]
    assert Transform("threshold", high=250)(v)[:4].tolist() == [1, 1, 0, 0]
    assert Transform("decay", half=250)(v)[:4] == pytest.approx([1.0, 0.5, 0.25, 0.0625])
    for t in (
        Transform("linear", low=0, high=500),
        Transform("threshold", low=1),
        Transform("decay", half=1),
    ):
        assert np.isnan(t(v)[4])  # unknown stays unknown
    with pytest.raises(
        ValidationError, match=r"siting.transform_needs\(kind='decay', missing=\('half',\)\)"
    ):
        Transform("decay")
    with pytest.raises(ValidationError, match="siting.transform_unknown"):
        Transform("sigmoid")


def test_ahp_textbook_matrix():
    # Saaty's 3 x 3 example: weights 0.637 / 0.258 / 0.105, lambda_max 3.039, CR 0.033.
    result = ahp_weights([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    assert result.weights == pytest.approx([0.6370, 0.2583, 0.1047], abs=5e-4)
    assert result.lambda_max == pytest.approx(3.0385, abs=1e-3)
    assert result.consistency_ratio == pytest.approx(0.0332, abs=1e-3)
    # A perfectly consistent matrix has CR 0 and weights proportional to its columns.
    consistent = ahp_weights([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]])
    assert consistent.weights == pytest.approx(
        [4 / 7, 2 / 7, 1 / 7]
    ) and consistent.consistency_ratio == pytest.approx(0, abs=1e-9)


def test_ahp_refuses_inconsistent_and_malformed_matrices():
    names = ["roads", "villages", "slope"]
    with pytest.raises(
        ValidationError,
        match=r"siting.ahp_inconsistent\(ratio=.*, max_ratio=0.1, first='roads'",
    ):
        ahp_weights([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]], names=names)
    with pytest.raises(
        ValidationError, match=r"siting.ahp_not_reciprocal\(first='roads', second='villages'"
    ):
        ahp_weights([[1, 3, 5], [3, 1, 3], [1 / 5, 1 / 3, 1]], names=names)
    with pytest.raises(ValidationError, match="siting.ahp_not_square"):
        ahp_weights([[1, 2, 3]])
    with pytest.raises(ValidationError, match="siting.ahp_not_positive"):
        ahp_weights([[1, -2], [-0.5, 1]])


def test_weights_must_sum_to_one_and_criteria_be_known():
    with pytest.raises(ValidationError, match=r"siting.weights_sum\(total=0.9,"):
        check_weights(
            [
                Criterion("slope_deg", Transform("identity"), 0.5),
                Criterion("landuse", Transform("identity"), 0.4),
            ]
        )
    with pytest.raises(ValidationError, match=r"siting.criterion_unknown\(name='beauty'"):
        Criterion("beauty", Transform("identity"), 1.0)


def test_overlay_equals_the_plain_expression_and_streams_in_blocks():
    rng = np.random.default_rng(3)
    roads, slope, land = (
        rng.uniform(0, 4000, (300, 200)),
        rng.uniform(0, 15, (300, 200)),
        rng.uniform(0, 1, (300, 200)),
    )
    criteria = [
        Criterion("road_distance_m", Transform("linear", low=3000, high=0), 0.5),
        Criterion("slope_deg", Transform("linear", low=8, high=0), 0.3),
        Criterion("landuse", Transform("identity"), 0.2),
    ]
    plain = 0.5 * np.clip(1 - roads / 3000, 0, 1) + 0.3 * np.clip(1 - slope / 8, 0, 1) + 0.2 * land
    mask = np.zeros(roads.shape, dtype=bool)
    mask[:10] = True
    layers = {"road_distance_m": roads, "slope_deg": slope, "landuse": land}
    whole = weighted_overlay(layers, criteria, mask)
    assert np.isnan(whole[:10]).all()
    np.testing.assert_allclose(whole[10:], plain[10:], atol=1e-5)
    streamed = np.empty_like(whole)
    for r0, block in overlay_blocks(
        lambda a, b: {**{k: v[a:b] for k, v in layers.items()}, "_mask": mask[a:b]},
        300,
        criteria,
        block_rows=64,
    ):
        streamed[r0 : r0 + len(block)] = block
    np.testing.assert_array_equal(np.isnan(streamed), np.isnan(whole))
    np.testing.assert_allclose(streamed[10:], whole[10:], rtol=1e-5)
    with pytest.raises(ValidationError, match="siting.raster_shapes"):
        weighted_overlay({**layers, "landuse": land[:5]}, criteria)


def test_distance_equals_brute_force():
    rng = np.random.default_rng(7)
    present = rng.random((40, 30)) < 0.01
    present[0, 0] = True
    got = distance_to(present, 25.0)
    rows, cols = np.nonzero(present)
    yy, xx = np.mgrid[0:40, 0:30]
    brute = np.min(np.hypot(yy[..., None] - rows, xx[..., None] - cols), axis=-1) * 25.0
    np.testing.assert_allclose(got, brute, rtol=1e-6)
    assert np.isinf(distance_to(np.zeros((3, 3), bool), 10.0)).all()


def test_slope_of_a_plane():
    y, x = np.mgrid[0:20, 0:20] * 30.0
    dem = 0.1 * x + 0.05 * y  # rises 0.1 m/m east and 0.05 m/m south
    expected = np.degrees(np.arctan(np.hypot(0.1, 0.05)))
    assert slope_deg(dem, 30.0)[5:15, 5:15] == pytest.approx(expected, abs=1e-4)


def test_candidates_are_filtered_by_legal_size_and_ranked():
    cell = 50.0  # 0.25 ha cells
    suit = np.full((100, 100), 0.2, dtype="float32")
    suit[5:15, 5:17] = 0.9  # 120 cells = 30 ha: kept
    suit[30:33, 30:34] = 0.95  # 12 cells = 3 ha: too small for a general cluster
    suit[50:70, 50:70] = 0.8  # 400 cells = 100 ha: too large, split by raising the threshold
    suit[55:62, 55:62] = 0.88  # its core, 49 cells = 12.25 ha
    suit[90, 90] = np.nan
    raw = {"slope_deg": np.full(suit.shape, 2.0)}
    gdf = candidate_regions(
        suit,
        from_origin(0, 5000, cell, cell),
        32648,
        threshold=0.7,
        min_ha=10,
        max_ha=75,
        criteria_layers=raw,
    )
    assert gdf["area_ha"].tolist() == pytest.approx([30.0, 12.25])
    assert gdf["rank"].tolist() == [1, 2] and gdf["mean_score"].iloc[0] == pytest.approx(0.9)
    assert gdf.geometry.area.tolist() == pytest.approx([30e4, 12.25e4])
    assert gdf["mean_slope_deg"].tolist() == pytest.approx([2.0, 2.0])
    craft = candidate_regions(
        suit, from_origin(0, 5000, cell, cell), 32648, threshold=0.7, min_ha=2.5, max_ha=75
    )
    assert 3.0 in craft["area_ha"].round(2).tolist()
    with pytest.raises(ValidationError, match="siting.no_suitable_land"):
        candidate_regions(
            np.full((5, 5), np.nan),
            from_origin(0, 0, 10, 10),
            32648,
            threshold=0.5,
            min_ha=1,
            max_ha=2,
        )


def test_sensitivity_reports_a_leader_change():
    criteria = [
        Criterion("road_distance_m", Transform("identity"), 0.5),
        Criterion("slope_deg", Transform("identity"), 0.5),
    ]
    # A leads on roads, B on slope; A is ahead by a hair at equal weights.
    table = pd.DataFrame(
        {"road_distance_m": [1.0, 0.0], "slope_deg": [0.0, 0.98]}, index=["A", "B"]
    )
    out = sensitivity(table, criteria, delta=0.2)
    row = out[(out.criterion == "road_distance_m") & (out.change_pct == -20)].iloc[0]
    assert row["leader"] == "B" and row["leader_changed"]
    assert row["weight"] == pytest.approx(0.4)
    assert not out[(out.criterion == "road_distance_m") & (out.change_pct == 20)].iloc[0][
        "leader_changed"
    ]


def _ha(gdf):
    return [round(v, 2) for v in gdf["area_ha"]]


def test_a_strip_along_a_road_goes_and_a_compact_block_stays():
    """Issue 16 item 4: a 60 m strip is no parcel; a 400 x 400 m block is, corners rounded."""
    cell = 10.0  # 0.01 ha cells
    suit = np.full((200, 300), 0.2, dtype="float32")
    suit[20:26, 10:290] = 0.9  # a 60 m x 2.8 km strip along a road: 16.8 ha
    suit[60:100, 20:60] = 0.9  # a 400 x 400 m block: 16 ha
    suit[120:135, 20:280] = 0.9  # 150 m wide but 2.6 km long: 39 ha, Polsby-Popper 0.16
    box = dict(threshold=0.7, min_ha=10, max_ha=75)
    plain = candidate_regions(suit, from_origin(0, 2000, cell, cell), 32648, **box)
    assert sorted(_ha(plain)) == [16.0, 16.8, 39.0]  # without rules all three pass
    ruled = candidate_regions(
        suit,
        from_origin(0, 2000, cell, cell),
        32648,
        rules=ParcelRules(min_width_m=100, min_compactness=0.25),
        **box,
    )
    assert len(ruled) == 1, ruled
    block = ruled.iloc[0]
    assert 15.5 < block["area_ha"] <= 16.0  # the opening rounds the four corners only
    assert 0.78 <= block["compactness"] <= 0.9  # a square (0.785), corners rounded
    assert not block["touches_edge"] and block["inside_pct"] == 100.0
    # width alone keeps the long 150 m strip; compactness alone keeps the 60 m one
    wide = candidate_regions(
        suit, from_origin(0, 2000, cell, cell), 32648, rules=ParcelRules(min_width_m=100), **box
    )
    assert len(wide) == 2 and (wide["compactness"] < 0.25).sum() == 1
    # a strip attached to a block is cut off and the block stays
    suit[60:66, 60:290] = 0.9
    joined = candidate_regions(
        suit,
        from_origin(0, 2000, cell, cell),
        32648,
        rules=ParcelRules(min_width_m=100, min_compactness=0.25),
        **box,
    )
    assert len(joined) == 1 and joined.iloc[0]["area_ha"] <= 16.0
    with pytest.raises(ValidationError, match="siting.bad_parcel_rules"):
        ParcelRules(min_compactness=1.5)


def test_a_candidate_across_the_study_area_edge_is_flagged_and_not_cut():
    """The grid is padded around the study area: a block across its edge keeps its extent."""
    cell = 10.0
    suit = np.full((200, 200), 0.2, dtype="float32")
    suit[40:80, 80:120] = 0.9  # 16 ha block, half of it east of the study area's edge
    suit[120:160, 20:60] = 0.9  # 16 ha block well inside
    suit[120:160, 150:190] = 0.95  # 16 ha block wholly outside: not a candidate of this area
    inside = np.zeros(suit.shape, dtype=bool)
    inside[20:180, 10:100] = True  # the study area: columns 10-99
    gdf = candidate_regions(
        suit,
        from_origin(0, 2000, cell, cell),
        32648,
        threshold=0.7,
        min_ha=10,
        max_ha=75,
        rules=ParcelRules(min_width_m=100, min_compactness=0.25),
        inside=inside,
    )
    assert len(gdf) == 2
    edge = gdf[gdf["touches_edge"]]
    assert len(edge) == 1 and edge.iloc[0]["inside_pct"] == pytest.approx(50.0, abs=1.5)
    assert edge.iloc[0]["area_ha"] == pytest.approx(gdf[~gdf["touches_edge"]].iloc[0]["area_ha"])
    assert edge.geometry.iloc[0].bounds[2] == pytest.approx(1200.0)  # reaches column 120
    # cut at the study area instead (the grid ends at its edge): the same block is half as big
    cut = candidate_regions(
        suit[:, :100],
        from_origin(0, 2000, cell, cell),
        32648,
        threshold=0.7,
        min_ha=5,
        max_ha=75,
    )
    assert sorted(_ha(cut)) == [8.0, 16.0]
    assert cut.set_index("area_ha").loc[8.0, "touches_edge"]  # at the array border: flagged
