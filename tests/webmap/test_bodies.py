"""The JSON body models: what each accepts, and the 400 message when it refuses (no database)."""

from __future__ import annotations

import json

import pytest

from webmap.bodies import AllocationBody, CheckClusterBody, SitingBody, validate_body
from webmap.errors import BadParameter
from webmap.messages import render


def _text(error: BadParameter) -> str:
    """What the user reads (English): the error's message, or its plain text."""
    return render(error.message, "en") if error.message is not None else str(error)


BBOX = [105.80, 21.00, 105.90, 21.10]
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[105.9, 21.0], [105.91, 21.0], [105.91, 21.01], [105.9, 21.01], [105.9, 21.0]]
    ],
}


def test_siting_defaults_and_coercions():
    body = validate_body(SitingBody, {"bbox": BBOX, "cell_m": "50", "name": 7, "extra": 1})
    assert body.bbox == tuple(BBOX) and body.cell_m == 50.0 and body.name == "7"
    assert body.kind == "general" and body.criteria is None and body.weights is None
    assert validate_body(SitingBody, {"bbox": BBOX, "name": ""}).name == "siting"
    assert len(validate_body(SitingBody, {"bbox": BBOX, "name": "x" * 500}).name) == 200
    weighted = validate_body(SitingBody, {"bbox": BBOX, "weights": {"slope_deg": 1}})
    assert weighted.weights == {"slope_deg": 1.0}


def test_allocation_defaults_and_coercions():
    body = validate_body(AllocationBody, {"site_refs": ["A", 2], "bbox": None, "p": 3})
    assert body.site_refs == ("A", "2") and body.bbox is None and body.p == 3
    assert body.model == "p_median" and body.capacity is True and body.mode == "motorbike"
    assert validate_body(AllocationBody, {"site_refs": None}).site_refs == ()


def test_check_cluster_reads_the_polygon():
    body = validate_body(CheckClusterBody, {"geometry": SQUARE, "save_as": "", "kind": "general"})
    assert body.geometry.geom_type == "Polygon" and body.save_as is None
    assert (
        validate_body(CheckClusterBody, {"ref": "CCN-1", "expansion_of": ""}).expansion_of is None
    )


@pytest.mark.parametrize(
    ("model", "document", "message"),
    [
        (SitingBody, [], "the request body must be a JSON object"),
        (SitingBody, None, "the request body must be a JSON object"),
        (SitingBody, {}, "bbox must be [minlon, minlat, maxlon, maxlat]"),
        (SitingBody, {"bbox": [1, 2, 3]}, "bbox must be [minlon, minlat, maxlon, maxlat]"),
        (SitingBody, {"bbox": [1, 2, 3, "x"]}, "bbox must be a number, got 'x'"),
        (SitingBody, {"bbox": BBOX, "cell_m": "big"}, "cell_m must be a number, got 'big'"),
        (SitingBody, {"bbox": BBOX, "criteria": "slope"}, "criteria must be a list of names"),
        (SitingBody, {"bbox": BBOX, "criteria": [1]}, "criteria must be a list of names"),
        (SitingBody, {"bbox": BBOX, "weights": [1]}, "weights must be an object name -> number"),
        (SitingBody, {"bbox": BBOX, "weights": {"a": "b"}}, "weights.a must be a number, got 'b'"),
        (AllocationBody, {"site_refs": "CCN-1"}, "site_refs must be a list"),
        (AllocationBody, {"p": "two"}, "p must be a number, got 'two'"),
        (AllocationBody, {"max_commute_min": "far"}, "max_commute_min must be a number"),
        (CheckClusterBody, {"mountainous": "yes"}, "mountainous must be true, false or null"),
        (CheckClusterBody, {"infrastructure_done": 1}, "infrastructure_done must be true, false"),
        (CheckClusterBody, {"geometry": {"type": "Point"}}, "GeoJSON Polygon or MultiPolygon"),
        (CheckClusterBody, {"craft_land_share_pct": "a"}, "craft_land_share_pct must be a number"),
    ],
)
def test_bad_bodies_are_refused_with_the_field_named(model, document, message):
    with pytest.raises(BadParameter) as refused:
        validate_body(model, document)
    assert message in _text(refused.value)


POINT = {"type": "Point", "coordinates": [105.9, 21.0]}


def _feature_body(text: str):
    from flask import Flask

    from webmap.bodies import parse_feature_body

    with Flask(__name__).test_request_context("/", method="POST", data=text):
        return parse_feature_body()


def test_a_feature_body_is_read_whatever_its_content_type():
    doc = _feature_body('{"type": "Feature", "geometry": null, "properties": null, "id": 3}')
    assert doc == {"type": "Feature", "geometry": None, "properties": {}}
    doc = _feature_body(json.dumps({"type": "Feature", "geometry": POINT, "properties": {"a": 1}}))
    assert doc["geometry"] == POINT and doc["properties"] == {"a": 1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "the body is not JSON: Expecting value at line 1 column 1"),
        ('{"type": "Feature", "geometry": {"coordinates": [NaN, 1]}}', "must be finite"),
        (
            '{"type": "Feature", "properties": {"name": "a\\u0000"}}',
            "properties.name contains a NUL",
        ),
        ("[" * 5000 + "]" * 5000, "nested more than 20 levels"),
        ("1" * 100, "has 100 digits"),
        ("[1]", "the body must be one GeoJSON Feature"),
        ('{"type": "FeatureCollection", "features": []}', "the body must be one GeoJSON Feature"),
        ('{"type": "Feature", "crs": {}, "properties": {}}', "'crs' member is not accepted"),
        ('{"type": "Feature", "geometry": {"crs": {}}}', "'crs' member is not accepted"),
        ('{"type": "Feature", "properties": [1]}', "properties must be an object"),
    ],
)
def test_bad_feature_bodies_are_refused(text, message):
    with pytest.raises(BadParameter) as refused:
        _feature_body(text)
    assert message in _text(refused.value)
