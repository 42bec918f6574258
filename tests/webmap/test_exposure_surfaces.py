"""Exposure on the real 2025 communes (with population) and real schools/clinics.

Also the surfaces on the page's slider.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from gis.db import connect, transaction
from gis.errors import CRSError, ValidationError
from layers.importer import ImportOptions, run_import
from layers.registry import get_spec
from planning.exposure import rank_units, zone_exposure
from planning.pipeline.exposure import assess_exposure
from planning.pipeline.surfaces import build_surface
from planning.pipeline.zones import make_source_zones
from webmap.app import create_app

DAY = dt.date(2026, 9, 1)


def _zone(settings, real_data) -> None:
    conn = connect(settings)
    try:
        run_import(
            conn,
            get_spec("admin"),
            real_data / "admin" / "hanoi_region_communes_2025_osm.geojson",
            ImportOptions(extra={"level": "commune", "version": "2025-07", "source": "osm"}),
        )
        make_source_zones(conn, settings, DAY)
        conn.commit()
    finally:
        conn.close()


@pytest.fixture(scope="session")
def zoned_template(databases, web_template, real_data):
    """The web template plus the real 2025 communes (population) and source zones on DAY."""
    databases.template("zoned", lambda s: _zone(s, real_data), parent="web")


@pytest.fixture
def web_settings(databases, zoned_template):
    """This test's own copy of the zoned web database (replaces the plain web one here)."""
    own = databases.copy("zoned", basemap_url="")
    yield own
    databases.release(own)


@pytest.fixture
def zoned(web_settings):
    """A connection to this test's zoned database."""
    conn = connect(web_settings)
    yield conn
    conn.rollback()
    conn.close()


@pytest.mark.postgis
def test_exposure_counts_people_villages_and_facilities(zoned, web_settings, real_data):
    with transaction(zoned):
        result = assess_exposure(
            zoned,
            web_settings,
            day=DAY,
            kind="source_buffer",
            facilities=real_data / "landuse" / "rrd_osm2018_geofabrik.gpkg",
            save_as="exposure test",
        )
    assert (
        result["zones"] > 5 and result["villages_inside"] >= result["zones"]
    )  # each buffer holds its village
    assert result["population_inside"] > 0
    ranking = result["ranking"]
    assert ranking and [u["rank"] for u in ranking] == list(range(1, len(ranking) + 1))
    scores = [u["score"] for u in ranking if u["score"] is not None]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < u["percentile"] <= 100 and u["indicator"] > 0 for u in ranking)
    # Bát Tràng's buffer lies in Bát Tràng commune: it must be among the exposed communes.
    assert any("Bát Tràng" in u["name"] for u in ranking)
    with zoned.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM scenario_features WHERE scenario_id = %s AND role = 'unit'",
            (result["scenario_id"],),
        )
        assert cur.fetchone()[0] == len(ranking)
    with pytest.raises(ValidationError, match="exposure.no_zones_on"):
        assess_exposure(zoned, web_settings, day=dt.date(1999, 1, 1))


@pytest.mark.postgis
def test_exposure_is_explained_and_adds_up(zoned, web_settings):
    """The headline's people are the ranked units' people inside (the union of the zones: a
    place under two overlapping buffers counts once); the percentile is among every commune of
    the boundaries; each row has its box for the map; the explanation is in the reader's
    language (vi, en) and says the number of units ranked against."""
    with transaction(zoned):
        result = assess_exposure(zoned, web_settings, day=DAY, kind="source_buffer")
    ranking = result["ranking"]
    with zoned.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM admin_units WHERE version = '2025-07' AND level = 'commune'"
        )
        communes = cur.fetchone()[0]
    assert result["units_ranked"] == communes > len(ranking) == result["units_exposed"]
    inside = sum(u["people_inside"] for u in ranking if u["people_inside"] is not None)
    assert inside == pytest.approx(result["population_inside"], abs=len(ranking))
    per_zone = sum(z["population"] for z in result["per_zone"])
    assert per_zone > result["population_inside"]  # the buffers overlap: counted once here
    for u in ranking:
        assert 0 < u["inside_share"] <= 1 and u["indicator"] <= 3 * u["inside_share"] + 3e-4
        w, s, e, n = u["bbox"]
        assert 105 < w < e < 107 and 20 < s < n < 22
    app = create_app(web_settings)
    client = app.test_client()
    texts = {}
    for lang in ("vi", "en"):
        ex = client.get(f"/api/exposure?date={DAY}&kind=source_buffer&top=3&lang={lang}")
        texts[lang] = [m["text"] for m in ex.get_json()["explanation"]]
    app.extensions["langnghe_db"].close()
    assert texts["en"][0].startswith("Indicator: the share of a commune's area")
    assert f"all {communes} units" in texts["en"][1]
    assert "the rows add up to the headline" in texts["en"][2]
    assert texts["vi"][0].startswith("Chỉ số: tỷ lệ diện tích của xã/phường")
    assert "Bách phân vị" in texts["vi"][1] and "{" not in " ".join(texts["vi"])
    assert [t for t in texts["vi"] if "commune" in t or "units" in t] == []


def test_exposure_pure_rules():
    zones = gpd.GeoDataFrame(
        {"ref": ["A", "B"], "w": [3.0, 1.0]},
        geometry=[box(0, 0, 100, 100), box(0, 0, 100, 100)],
        crs=32648,
    )
    units = gpd.GeoDataFrame(
        {"code": ["U"], "name": ["u"], "population": [100]},
        geometry=[box(0, 0, 200, 100)],
        crs=32648,
    )
    ranked = rank_units(zones, units, weight="w")
    assert ranked["indicator"].iloc[0] == pytest.approx(
        1.5
    )  # overlapping zones: capped at the strongest weight x area
    facilities = gpd.GeoDataFrame(
        {"kind": ["school", "clinic"], "name": ["s", "c"]},
        geometry=[Point(50, 50), Point(150, 50)],
        crs=32648,
    )
    per_zone = zone_exposure(
        zones.iloc[:1], gpd.GeoDataFrame({"ref": []}, geometry=[], crs=32648), facilities, units
    )
    assert per_zone[["schools", "clinics", "population"]].iloc[0].tolist() == [1, 0, 50.0]
    with pytest.raises(CRSError):
        rank_units(zones.to_crs(4326), units.to_crs(4326))


@pytest.mark.postgis
def test_surfaces_and_exposure_endpoints(zoned, web_settings):
    for day in (dt.datetime(2026, 10, 5), dt.datetime(2026, 10, 6)):
        with transaction(zoned):
            build_surface(
                zoned, web_settings, "PM2.5", start=day, end=day + dt.timedelta(days=1), cell_m=1000
            )
    app = create_app(web_settings)
    client = app.test_client()
    listed = client.get("/api/surfaces?parameter=PM2.5").get_json()["surfaces"]
    starts = [s["start"] for s in listed]
    assert len(listed) >= 2 and starts == sorted(starts)
    last = listed[-1]
    assert (
        last["method"] == "kriging"
        and set(last["loo_rmse"]) == {"idw", "kriging"}
        and last["scale"][1] > 0
    )
    png = client.get(last["url"])
    assert png.status_code == 200 and png.data[:4] == b"\x89PNG"
    assert client.get("/api/surfaces/999999.png").status_code == 404
    assert client.get(f"/api/surfaces/{last['id']}.png?vmax=-1").status_code == 400
    ex = client.get(f"/api/exposure?date={DAY}&kind=source_buffer&top=5").get_json()
    assert ex["zones"] > 5 and len(ex["ranking"]) == 5
    assert client.get("/api/exposure?date=yesterday").status_code == 400
    app.extensions["langnghe_db"].close()


@pytest.mark.postgis
def test_hotspot_zones_from_a_saved_surface(zoned, web_settings):
    import numpy as np
    import rasterio

    from gis.postgis import read_geodataframe
    from planning.pipeline.zones import make_surface_zones

    day = dt.datetime(2026, 10, 7)
    with transaction(zoned):
        built = build_surface(
            zoned, web_settings, "PM2.5", start=day, end=day + dt.timedelta(days=1), cell_m=1000
        )
    with rasterio.open(built["path"]) as src:
        surface = src.read(src.descriptions.index("kriging") + 1, masked=True).filled(np.nan)
    limit = float(np.nanpercentile(surface, 70))  # a threshold some cells pass
    with transaction(zoned):
        result = make_surface_zones(zoned, web_settings, built["scenario_id"], limit=limit)
    zones = read_geodataframe(
        zoned,
        "SELECT kind, parameter, zone_date, ST_AsBinary(geom) AS geom FROM pollution_zones "
        "WHERE ref LIKE %s",
        (f"surf:{built['scenario_id']}:%",),
    )
    assert result["zones"] == len(zones) > 0 and set(zones["kind"]) == {"surface_exceedance"}
    assert str(zones["zone_date"].iloc[0]) == "2026-10-07"
    expected_m2 = float((surface > limit).sum()) * 1000.0**2
    assert zones.to_crs(32648).area.sum() == pytest.approx(expected_m2, rel=0.01)
    default = make_surface_zones(
        zoned, web_settings, built["scenario_id"]
    )  # QCVN 05:2023 24-hour PM2.5: 45 from 01/01/2026 (50 until 31/12/2025)
    assert default["limit"] == 45 and default["document"] == "QCVN 05:2023/BTNMT"
    with pytest.raises(ValidationError, match="scenario.not_surface"):
        make_surface_zones(zoned, web_settings, 999999)


@pytest.mark.postgis
def test_a_surface_leaves_out_incomplete_stations_and_says_so(zoned, web_settings):
    """This project's 75% rule: a station with values in 12 of 24 hours is left out, named."""
    start = dt.datetime(2026, 10, 8, tzinfo=dt.UTC)
    with zoned.cursor() as cur:
        cur.execute(
            "SELECT s.ref, s.id FROM monitoring_stations s JOIN measurements m "
            "ON m.station_id = s.id WHERE m.parameter = 'PM2.5' AND s.geom IS NOT NULL "
            "GROUP BY s.ref, s.id ORDER BY s.ref LIMIT 1"
        )
        ref, station_id = cur.fetchone()
        cur.execute(
            "DELETE FROM measurements WHERE station_id = %s AND parameter = 'PM2.5' "
            "AND observed_at >= %s AND observed_at < %s",
            (station_id, start, start + dt.timedelta(hours=12)),
        )
    with transaction(zoned):
        built = build_surface(
            zoned, web_settings, "PM2.5", start=start, end=start + dt.timedelta(days=1), cell_m=1000
        )
    assert built["left_out"] == [ref] and ref not in built["stations"]
    codes = [n.code for n in built["notes"]]
    assert codes[:2] == ["surface.completeness", "surface.station_incomplete"]
    assert dict(built["notes"][1].params) == {
        "station": ref,
        "hours": 12,
        "period_hours": 24,
        "needed": 18,
    }
    app = create_app(web_settings)
    client = app.test_client()
    for lang, words in (("en", "left out of the surface"), ("vi", "không đưa vào bề mặt")):
        listed = client.get(f"/api/surfaces?parameter=PM2.5&lang={lang}").get_json()["surfaces"]
        (mine,) = [s for s in listed if s["id"] == built["scenario_id"]]
        texts = [n["text"] for n in mine["notes"]]
        assert mine["left_out"] == [ref] and any(ref in t and words in t for t in texts), texts
    # too few complete stations: refused with a message that counts the ones left out
    with zoned.cursor() as cur:
        cur.execute(
            "DELETE FROM measurements WHERE parameter = 'PM2.5' AND observed_at >= %s "
            "AND observed_at < %s AND station_id <> %s",
            (start, start + dt.timedelta(hours=12), station_id),
        )
    with pytest.raises(ValidationError) as refused:
        build_surface(zoned, web_settings, "PM2.5", start=start, end=start + dt.timedelta(days=1))
    assert refused.value.message.code == "surface.too_few_stations"
    assert refused.value.message.params["stations"] == 0
    app.extensions["langnghe_db"].close()


@pytest.mark.postgis
def test_exposure_counts_schools_and_clinics_of_the_pois_layer(zoned, web_settings, real_data):
    """Issue 14, item 5: without points of interest (or a file) schools and clinics are "not
    loaded" (None), not 0; once the real OSM points are imported, exposure counts them."""
    with transaction(zoned):
        empty = assess_exposure(zoned, web_settings, day=DAY, kind="source_buffer")
    assert empty["schools_inside"] is None and empty["clinics_inside"] is None
    assert "exposure.pois_not_loaded" in [n.code for n in empty["notes"]]
    osm = real_data / "landuse" / "rrd_osm2018_geofabrik.gpkg"
    with transaction(zoned):
        run_import(zoned, get_spec("pois"), osm, ImportOptions(progress=None, layer="pois"))
        result = assess_exposure(zoned, web_settings, day=DAY, kind="source_buffer")
    assert result["schools_inside"] >= 0 and result["clinics_inside"] >= 0
    assert "exposure.facilities_from_pois" in [n.code for n in result["notes"]]
    with transaction(zoned), zoned.cursor() as cur:  # a clinic inside the first buffer
        cur.execute(
            "INSERT INTO pois (ref, name, category, source, geom) SELECT 'test:clinic', "
            "'Trạm y tế thử', 'clinic', 'test', ST_PointOnSurface(geom) FROM pollution_zones "
            "WHERE zone_date = %s AND kind = 'source_buffer' ORDER BY id LIMIT 1",
            (DAY,),
        )
        cur.execute(
            "SELECT count(*) FROM pollution_zones z JOIN pois p ON ST_Covers(z.geom, p.geom) "
            "WHERE p.ref = 'test:clinic' AND z.zone_date = %s AND z.kind = 'source_buffer'",
            (DAY,),
        )
        covering = cur.fetchone()[0]
        more = assess_exposure(zoned, web_settings, day=DAY, kind="source_buffer")
    assert covering >= 1 and more["clinics_inside"] == result["clinics_inside"] + covering
    assert more["schools_inside"] == result["schools_inside"]
    result = more
    app = create_app(web_settings)
    ex = app.test_client().get(f"/api/exposure?date={DAY}&kind=source_buffer").get_json()
    assert ex["schools_inside"] == result["schools_inside"]
    app.extensions["langnghe_db"].close()
