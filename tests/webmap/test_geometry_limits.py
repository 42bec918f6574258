"""Finding 8 of issue 13: geometry size. Vertex and byte limits per layer (declarations,
overridden by settings), checked before the body is read (bytes, from Content-Length) and
before any geometry is built (vertices), on the edit API, ``/api/within``,
``/api/check-cluster`` and imports; the answer says the limit and the figure."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gis.db import connect
from gis.messages import msg
from layers import editing
from layers.importer import ImportOptions, run_import
from layers.registry import get_spec
from tests.support import database_env
from tests.webmap.conftest import bearer
from webmap.app import create_app
from webmap.messages import render

pytestmark = pytest.mark.postgis

REF = "CCN-T-HUGE"
LANGNGHE = Path(sys.executable).with_name("langnghe")


def _ring(n: int) -> str:
    """A closed ring of ``n`` positions around Hà Nội as GeoJSON text (5 decimals)."""
    step = 2 * math.pi / (n - 1)
    points = [
        f"[{105.85 + 0.05 * math.cos(i * step):.5f},{21.03 + 0.05 * math.sin(i * step):.5f}]"
        for i in range(n - 1)
    ]
    return "[" + ",".join([*points, points[0]]) + "]"


def _cluster(n: int, ref: str = REF) -> str:
    properties = {"ref": ref, "name": "Cụm quá lớn", "kind": "general", "status": "planned"}
    properties["source"] = "test"
    return (
        '{"type":"Feature","properties":' + json.dumps(properties, ensure_ascii=False) + ","
        '"geometry":{"type":"Polygon","coordinates":[' + _ring(n) + "]}}"
    )


@pytest.fixture(scope="module")
def huge() -> str:
    """900,000 vertices: the cluster the attacker stored (about 19 MB)."""
    return _cluster(900_000)


def _stored(settings, ref: str) -> int:
    conn = connect(settings)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM industrial_clusters WHERE ref = %s", (ref,))
        (n,) = cur.fetchone()
    conn.close()
    return n


@pytest.fixture
def no_shapes(monkeypatch):
    """Fails the test if an edit builds a geometry object."""

    def refuse(*args, **kwargs):
        raise AssertionError("a geometry was built before the size was checked")

    monkeypatch.setattr(editing.shapely.geometry, "shape", refuse)


def test_900k_vertex_cluster_edit_is_refused_quickly_and_nothing_stored(
    web_settings, accounts, huge, no_shapes
):
    assert 18_000_000 < len(huge) < web_settings.max_upload_bytes
    h = {**bearer(accounts["planner"]), "Content-Type": "application/geo+json"}
    app = create_app(web_settings)
    try:
        started = time.perf_counter()
        answer = app.test_client().post("/collections/clusters/items", data=huge, headers=h)
        took = time.perf_counter() - started
        body = answer.get_json()
        assert answer.status_code == 413, body
        assert body["code"] == "PayloadTooLarge"
        assert body["message"]["code"] == "request.body_too_large"
        # the figure and the clusters layer's declared limit, in the page's language
        assert body["message"]["params"] == {"size": len(huge.encode()), "limit": 1024 * 1024}
        assert "1.048.576 byte" in body["description"]  # Vietnamese by default
        assert took < 2.0, took
    finally:
        app.extensions["langnghe_db"].close()
    assert _stored(web_settings, REF) == 0


def test_with_a_larger_byte_limit_the_vertices_are_counted_before_any_shape(
    web_settings, accounts, huge, no_shapes
):
    settings = web_settings.model_copy(update={"layer_max_edit_bytes": {"clusters": 32 << 20}})
    h = bearer(accounts["planner"])
    app = create_app(settings)
    try:
        started = time.perf_counter()
        answer = app.test_client().post("/collections/clusters/items", data=huge, headers=h)
        took = time.perf_counter() - started
        body = answer.get_json()
        assert answer.status_code == 400, body
        assert body["message"]["code"] == "geometry.too_many_vertices"
        assert body["message"]["params"] == {"vertices": 900_000, "limit": 20_000}
        assert "900.000" in body["description"] and "20.000" in body["description"]
        assert took < 8.0, took  # decoding 19 MB of JSON (about 2 s); no geometry is built
        en = app.test_client().put(
            "/collections/clusters/items/1",
            data=huge,
            headers={**h, "Accept-Language": "en", "If-Match": '"x"'},
        )
        assert en.status_code == 400, en.get_json()
        assert "900,000 vertices; at most 20,000" in en.get_json()["description"]
    finally:
        app.extensions["langnghe_db"].close()
    assert _stored(web_settings, REF) == 0


def test_a_per_layer_setting_raises_the_vertex_limit(web_settings, accounts):
    settings = web_settings.model_copy(update={"layer_max_vertices": {"clusters": 30_000}})
    app = create_app(web_settings)
    client = app.test_client()
    h = bearer(accounts["planner"])
    try:
        refused = client.post("/collections/clusters/items", data=_cluster(25_000), headers=h)
        assert refused.status_code == 400  # the declared 20,000 applies without the setting
        assert refused.get_json()["message"]["params"] == {"vertices": 25_000, "limit": 20_000}
        app_raised = create_app(settings)
        try:
            body = _cluster(25_000, ref="CCN-T-BIG-OK")
            ok = app_raised.test_client().post("/collections/clusters/items", data=body, headers=h)
            assert ok.status_code == 201, ok.get_json()
        finally:
            app_raised.extensions["langnghe_db"].close()
    finally:
        app.extensions["langnghe_db"].close()
    assert _stored(web_settings, "CCN-T-BIG-OK") == 1


def test_within_and_check_cluster_refuse_oversized_bodies_before_parsing(web_settings, accounts):
    app = create_app(web_settings.model_copy(update={"rate_heavy": "1000 per minute"}))
    client = app.test_client()
    h = {**bearer(accounts["planner"]), "Content-Type": "application/json"}
    junk = "x" * (600 * 1024)  # not JSON: parsed, it would answer 400 "not a polygon"
    try:
        for path in ("/api/within", "/api/check-cluster"):
            answer = client.post(path, data=junk, headers=h)
            assert answer.status_code == 413, (path, answer.get_json())
            assert answer.get_json()["message"]["params"]["limit"] == 512 * 1024
        chunked = client.post(
            "/api/within",
            input_stream=io.BytesIO(junk.encode()),
            headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},  # as gunicorn sets it
        )
        assert chunked.status_code == 413, chunked.get_json()
        assert chunked.get_json()["message"]["code"] == "request.body_over_limit"
    finally:
        app.extensions["langnghe_db"].close()


def test_within_and_check_cluster_count_vertices_before_building(
    web_settings, accounts, monkeypatch
):
    def refuse(*args, **kwargs):
        raise AssertionError("a polygon was built before its vertices were counted")

    from webmap import params

    monkeypatch.setattr(params, "shape", refuse)
    app = create_app(web_settings.model_copy(update={"rate_heavy": "1000 per minute"}))
    client = app.test_client()
    h = {**bearer(accounts["planner"]), "Content-Type": "application/json"}
    polygon = '{"type":"Polygon","coordinates":[' + _ring(6000) + "]}"
    assert len(polygon) < 512 * 1024
    try:
        for path, body in (
            ("/api/within", polygon),
            ("/api/check-cluster", '{"geometry":' + polygon + "}"),
        ):
            answer = client.post(path, data=body, headers=h)
            got = answer.get_json()
            assert answer.status_code == 400, (path, got)
            assert got["message"]["params"] == {"vertices": 6000, "limit": 5000}, got
    finally:
        app.extensions["langnghe_db"].close()


def test_import_refuses_a_feature_over_the_layers_vertex_limit(conn, tmp_path):
    square = shapely.box(105.90, 21.00, 105.91, 21.01)
    detailed = shapely.segmentize(shapely.box(105.92, 21.00, 105.93, 21.01), 0.00002)
    assert shapely.get_num_coordinates(detailed) > 1000
    frame = gpd.GeoDataFrame(
        {
            "ref": ["CCN-T-IMP-1", "CCN-T-IMP-2"],
            "name": ["Cụm nhỏ", "Cụm chi tiết"],
            "kind": ["general", "general"],
            "status": ["planned", "planned"],
            "source": ["test", "test"],
        },
        geometry=[square, detailed],
        crs=4326,
    )
    path = tmp_path / "clusters.geojson"
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    options = ImportOptions(progress=False, max_vertices=1000)  # type: ignore[arg-type]
    report = run_import(conn, get_spec("clusters"), path, options)
    assert report.inserted == 1
    (problem,) = [p for p in report.problems if p.code == "too_many_vertices"]
    assert problem.row == 2 and problem.reason.params["limit"] == 1000
    assert problem.reason.params["vertices"] == shapely.get_num_coordinates(detailed)


def test_the_messages_say_the_limit_and_the_figure_in_both_languages():
    vertices = msg("geometry.too_many_vertices", vertices=900000, limit=20000)
    size = msg("request.body_too_large", size=18600000, limit=1048576)
    assert render(vertices, "en") == (
        "the geometry has 900,000 vertices; at most 20,000 are accepted here"
    )
    assert render(vertices, "vi") == "hình có 900.000 đỉnh; ở đây chỉ nhận tối đa 20.000 đỉnh"
    assert "18.600.000" in render(size, "vi") and "1.048.576" in render(size, "vi")


def test_langnghe_import_takes_the_per_layer_setting(settings, tmp_path):
    frame = gpd.GeoDataFrame(
        {
            "ref": ["CCN-T-CLI-1"],
            "name": ["Cụm dòng lệnh"],
            "kind": ["general"],
            "status": ["planned"],
            "source": ["test"],
        },
        geometry=[shapely.segmentize(shapely.box(105.90, 21.00, 105.91, 21.01), 0.001)],
        crs=4326,
    )
    path, report = tmp_path / "clusters.geojson", tmp_path / "report.json"
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    vertices = int(shapely.get_num_coordinates(frame.geometry.iloc[0]))
    env = database_env(settings, LANGNGHE_LAYER_MAX_VERTICES='{"clusters": 10}')
    done = subprocess.run(
        [str(LANGNGHE), "--lang", "en", "import", "clusters", str(path), "--dry-run"]
        + ["--report", str(report)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    problems = json.loads(report.read_text())["problems"]
    (problem,) = [p for p in problems if p["severity"] == "error"]
    assert problem["code"] == "too_many_vertices"
    assert problem["reason"]["params"] == {"vertices": vertices, "limit": 10}
    assert f"{vertices:,} vertices; at most 10" in done.stdout + done.stderr
