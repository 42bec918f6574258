"""A cluster's area_ha follows its polygon on every write (migration 0019's trigger)."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from layers.clusters import CLUSTERS, polygon_area_ha
from layers.editing import etag, revert, update_feature
from layers.importer import ImportOptions, import_frame
from layers.registry import get_spec

pytestmark = pytest.mark.postgis

# about 11.05 ha at 21.2°N: 0.0032° x 0.003° (the reshaped cluster measured 11.05 ha)
SMALL = shapely.box(105.800, 21.200, 105.8032, 21.203)
LARGE = shapely.box(105.800, 21.200, 105.8050, 21.203)


def _measured(geom: shapely.Geometry) -> float:
    series = polygon_area_ha(gpd.GeoSeries([geom], crs=4326), crs=CLUSTERS.metric_crs)
    return round(float(series.iloc[0]), 2)


def _stored(conn, ref: str) -> tuple[int, float]:
    with conn.cursor() as cur:
        cur.execute("SELECT id, area_ha FROM industrial_clusters WHERE ref = %s", (ref,))
        fid, area = cur.fetchone()
    return fid, float(area)


def test_area_is_measured_on_import_edit_and_revert(conn):
    frame = gpd.GeoDataFrame(
        {
            "ref": ["CCN-AREA-T"],
            "name": ["Cụm diện tích"],
            "kind": ["general"],
            "status": ["planned"],
            "area_ha": [14.0],  # a stated area that the polygon does not have
            "source": ["test"],
        },
        geometry=[shapely.MultiPolygon([LARGE])],
        crs=4326,
    )
    report = import_frame(conn, get_spec("clusters"), frame, ImportOptions(progress=None))
    assert report.inserted == 1
    fid, area = _stored(conn, "CCN-AREA-T")
    assert area == _measured(LARGE) == pytest.approx(17.23, abs=0.05)
    with conn.cursor() as cur:
        cur.execute("SELECT flags FROM industrial_clusters WHERE id = %s", (fid,))
        assert cur.fetchone()[0] == ["area_mismatch"]  # the stated 14 ha is still compared

    # reshaped through the editing path (what the map's PATCH calls): the area follows
    body = {
        "type": "Feature",
        "properties": {"area_ha": 14.0},  # a client's stale value is not kept either
        "geometry": json.loads(shapely.to_geojson(SMALL)),
    }
    tag = etag(conn, "industrial_clusters", fid)
    update_feature(conn, "clusters", fid, body, f'"{tag}"', "tester", partial=True)
    assert _stored(conn, "CCN-AREA-T")[1] == _measured(SMALL) == pytest.approx(11.03, abs=0.05)

    # plain SQL writes too (any writer, not only this code)
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE industrial_clusters SET geom = ST_Multi(ST_GeomFromText(%s, 4326)), "
            "area_ha = 1 WHERE id = %s",
            (LARGE.wkt, fid),
        )
    assert _stored(conn, "CCN-AREA-T")[1] == _measured(LARGE)

    # undoing the map edit restores the shape and, with it, its area
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE industrial_clusters SET geom = ST_Multi(ST_GeomFromText(%s, 4326)) "
            "WHERE id = %s",
            (SMALL.wkt, fid),
        )
        cur.execute(
            "SELECT max(id) FROM audit_log WHERE table_name = 'industrial_clusters' "
            "AND action = 'update'"
        )
        (audit_id,) = cur.fetchone()
        # the audited row is the edit's result (SMALL); make the row match it before reverting
    revert(conn, audit_id, "tester")
    assert _stored(conn, "CCN-AREA-T")[1] == _measured(LARGE)


def test_the_trigger_measures_in_the_declared_metric_crs(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT prosrc FROM pg_proc WHERE proname = 'industrial_clusters_area'")
        (source,) = cur.fetchone()
    assert CLUSTERS.metric_crs == "EPSG:32648" and "32648" in source
