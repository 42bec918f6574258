"""Admin imports check the level (issue 14, item 3): a country, a province or a city named
at commune level, or an OSM admin_level of another level, is refused with the reason.

The file is built at test time from the real 2025 communes and the real provinces in
``../shared/data`` (never copied into the project).
"""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest

from layers.importer import ImportOptions, run_import
from layers.registry import get_spec
from tests.conftest import count
from webmap.messages import render

pytestmark = pytest.mark.postgis


def test_country_provinces_and_a_city_at_commune_level_are_refused(conn, real_data, tmp_path):
    communes = gpd.read_file(real_data / "admin" / "hanoi_region_communes_2025_osm.geojson")
    communes = communes.head(20)
    provinces = gpd.read_file(real_data / "admin" / "rrd_provinces_2024_gischinhphu_dvhcvn.geojson")
    wrong = provinces.head(5).assign(osm_relation_id=[900000001 + i for i in range(5)])
    country = wrong.head(1).assign(name="Việt Nam", osm_relation_id=900000099)
    osm_level = communes.head(1).assign(
        osm_relation_id=900000100, name="Xã Thử Nghiệm", admin_level="4"
    )
    mixed = pd.concat([communes, wrong, country, osm_level], ignore_index=True)
    path = tmp_path / "mixed.geojson"
    path.write_text(mixed.to_json(), encoding="utf-8")
    assert "Thành phố Hà Nội" in set(wrong["name"])
    before = count(conn, "admin_units")
    report = run_import(
        conn,
        get_spec("admin"),
        path,
        ImportOptions(progress=None, extra={"level": "commune", "version": "2025-07"}),
    )
    assert report.rejected == 5 + 1 + 1
    assert report.inserted + report.unchanged + report.updated == len(communes)
    assert count(conn, "admin_units") - before == report.inserted
    texts = [render(p.message, "en") for p in report.problems if p.code == "wrong_level"]
    assert any("'Việt Nam' is not a commune" in t for t in texts)
    assert any("'Thành phố Hà Nội' is not a commune" in t for t in texts)
    assert any("OSM admin_level 4" in t for t in texts)
    vi = [render(p.message, "vi") for p in report.problems if p.code == "wrong_level"]
    assert any("không phải là xã/phường" in t or "không phải là" in t for t in vi)
    assert json.dumps(report.to_dict(), default=str)  # the report stays JSON-ready
