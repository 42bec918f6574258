"""The pages receive their layer list and edit forms from the layer declarations."""

from __future__ import annotations

import json
import re

import pytest

from gis.db import connect
from webmap.app import create_app

pytestmark = pytest.mark.postgis


def _config(client, path: str) -> dict:
    html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="config">(.*?)</script>', html, re.S)
    assert found, "no page configuration"
    return json.loads(found.group(1))


@pytest.mark.parametrize("path", ["/?lang=en", "/environment?lang=en", "/tour?lang=en"])
def test_pages_get_the_declared_layers(client, path: str) -> None:
    layers = {entry["id"]: entry for entry in _config(client, path)["layers"]}
    assert list(layers) == [
        "villages",
        "clusters",
        "stations",
        "zones",
        "pois",
        "routes",
        "admin-units",
    ]
    assert layers["villages"]["title"] == "Craft villages"
    assert layers["villages"]["geometry"] == "Point"
    assert layers["clusters"]["edit_roles"] == ["planner"]
    assert layers["stations"]["edit_roles"] == ["env_officer"]
    assert layers["admin-units"]["edit_roles"] == []
    # The planner loads the features of these (planner.js reads the list here, not its own).
    assert [i for i, entry in layers.items() if entry["items"]] == [
        "villages",
        "clusters",
        "stations",
        "zones",
        "pois",
        "routes",
    ]
    assert layers["clusters"]["fields"] == [
        ["name", "text", "Name"],
        ["status", ["planned", "operating", "expanding"], "Status"],
        ["area_ha", "measured", "Area (ha)"],  # derived from the polygon (0019)
        ["occupancy_pct", "number", "Occupancy (%)"],
        ["green_strip_m", "number", "Green strip width (m)"],
    ]
    assert layers["zones"]["fields"] == [
        ["name", "text", "Name"],
        ["severity", ["high", "medium", "low"], "Severity"],
        ["zone_date", "date", "Date"],
        ["method", "text", "Method"],
    ]


def test_layer_titles_follow_the_language(client) -> None:
    config = _config(client, "/?lang=vi")
    layers = {entry["id"]: entry for entry in config["layers"]}
    # The scripts read the layers' labels here (config.layers), not among their strings.
    assert layers["routes"]["label"] == "Tuyến du lịch"
    assert layers["villages"]["label"] == "Làng nghề"
    assert "routes" not in config["strings"]
    en = {entry["id"]: entry for entry in _config(client, "/environment?lang=en")["layers"]}
    assert (en["routes"]["label"], en["stations"]["label"]) == (
        "Tourism routes",
        "Monitoring stations",
    )
    assert layers["villages"]["title"] == "Làng nghề"
    assert layers["routes"]["title"] == "Tuyến du lịch làng nghề"
    assert layers["villages"]["fields"][1] == ["households", "number", "Số hộ"]
    doc = client.get("/collections/admin-units?lang=vi").get_json()
    assert doc["title"] == "Đơn vị hành chính"
    doc = client.get("/collections/admin-units?lang=en").get_json()
    assert doc["title"] == "Administrative units"


def test_pages_learn_which_layers_come_from_tiles(client, web_settings) -> None:
    """A layer with more features than ``page_tiles_above`` is drawn from its vector tiles."""
    layers = {entry["id"]: entry for entry in _config(client, "/?lang=en")["layers"]}
    assert [i for i, entry in layers.items() if entry["tiles"]] == []  # the sample is small
    assert layers["villages"]["min_zoom"] == 0
    conn = connect(web_settings)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT (SELECT count(*) FROM craft_villages), greatest("
                "(SELECT count(*) FROM industrial_clusters), (SELECT count(*) FROM pois), "
                "(SELECT count(*) FROM monitoring_stations), "
                "(SELECT count(*) FROM pollution_zones), (SELECT count(*) FROM tourism_routes))"
            )
            villages, others = cur.fetchone()
    finally:
        conn.close()
    assert others < villages - 1
    app = create_app(web_settings.model_copy(update={"page_tiles_above": villages - 1}))
    try:
        config = _config(app.test_client(), "/?lang=en")
    finally:
        app.extensions["langnghe_db"].close()
    assert config["tiles_above"] == villages - 1
    tiled = [entry["id"] for entry in config["layers"] if entry["tiles"]]
    assert tiled == ["villages"]  # exactly one over the line; the units are not a page layer
