"""A real GIS client, GDAL (ogrinfo), reads the OGC API and the vector tiles."""

from __future__ import annotations

import re
import subprocess
import urllib.request

import pytest

from tests.support import executable

pytestmark = pytest.mark.postgis


def ogrinfo(*args: str) -> str:
    done = subprocess.run(
        [executable("ogrinfo"), "-ro", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_gdal_lists_the_collections(live_server):
    out = ogrinfo("-so", f"OAPIF:{live_server}/")
    layers = re.findall(r"^\d+: (\S+) \(title: ([^)]+)\)", out, flags=re.MULTILINE)
    assert [name for name, _ in layers] == [
        "villages",
        "clusters",
        "stations",
        "zones",
        "pois",
        "routes",
        "admin-units",
    ]
    assert ("villages", "Làng nghề") in layers  # UTF-8 titles survive the round trip


def test_gdal_reads_every_feature_through_paging(live_server):
    out = ogrinfo("-al", "-q", "-oo", "PAGE_SIZE=7", f"OAPIF:{live_server}/", "villages")
    assert out.count("OGRFeature(villages)") == 50
    assert "Bát Tràng" in out and "POINT (105.914 20.976)" in out


def test_gdal_reads_with_a_bbox(live_server):
    out = ogrinfo(
        "-al",
        "-q",
        "-spat",
        "105.85",
        "21.0",
        "106.3",
        "21.25",
        f"OAPIF:{live_server}/",
        "villages",
    )
    names = set(re.findall(r"^\s+name \(String\) = (.+)$", out, flags=re.MULTILINE))
    assert {"Đồng Kỵ", "Phù Lãng", "Mẫn Xá", "Đa Hội"} <= names and "Bát Tràng" not in names
    assert out.count("OGRFeature(villages)") == 13


def test_gdal_mvt_driver_reads_a_tile(live_server, tmp_path):
    folder = tmp_path / "10" / "813"
    folder.mkdir(parents=True)
    path = folder / "450.pbf"
    with urllib.request.urlopen(
        f"{live_server}/tiles/villages/10/813/450.pbf", timeout=10
    ) as response:
        assert response.headers["Content-Type"] == "application/vnd.mapbox-vector-tile"
        path.write_bytes(response.read())
    out = ogrinfo("-al", str(path))
    assert "Layer name: villages" in out
    assert re.search(r"name \(String\) = Bát Tràng", out) and re.search(
        r"craft \(String\) = ceramics", out
    )
    assert "Feature Count: 0" not in out
