"""Admin imports, the rest of issue 14 item 3: a folder of ward files is one import in one
transaction, areas implausible for the level are refused or flagged, names keep their prefix
as a field. The ward files are written at test time from the real 2025 communes and the real
provinces in ``../shared/data`` (never copied into the project).
"""

from __future__ import annotations

import subprocess

import geopandas as gpd
import pytest

from layers.import_files import run_import_files
from layers.importer import ImportOptions
from layers.registry import get_spec
from tests.conftest import count
from tests.support import executable
from webmap.messages import render

pytestmark = pytest.mark.postgis

COMMUNES = {"level": "commune", "version": "2025-07"}


@pytest.fixture
def ward_folder(real_data, tmp_path):
    """One GeoJSON file per real 2025 commune (174), plus three that are wrong."""
    communes = gpd.read_file(real_data / "admin" / "hanoi_region_communes_2025_osm.geojson")
    folder = tmp_path / "wards"
    folder.mkdir()
    for i in range(len(communes)):
        part = communes.iloc[[i]]
        (folder / f"ward_{i:03d}.geojson").write_text(part.to_json(), encoding="utf-8")
    provinces = gpd.read_file(real_data / "admin" / "rrd_provinces_2024_gischinhphu_dvhcvn.geojson")
    hanoi = provinces[provinces["name"] == "Thành phố Hà Nội"]
    # a whole province under a commune's name: 3,356 km², refused by its area
    big = hanoi.assign(name="Xã Rộng", osm_relation_id=900000001)[
        ["name", "osm_relation_id", "geometry"]
    ]
    (folder / "zz_big.geojson").write_text(big.to_json(), encoding="utf-8")
    # Bắc Ninh (821 km²) as a commune: plausible alone, 32 times the median ward: flagged
    bac_ninh = provinces[provinces["name"] == "Tỉnh Bắc Ninh"]
    odd = bac_ninh.assign(name="Xã Lạ", osm_relation_id=900000002)[
        ["name", "osm_relation_id", "geometry"]
    ]
    (folder / "zz_odd.geojson").write_text(odd.to_json(), encoding="utf-8")
    # one ward a second time, in another file: the key repeats across files
    (folder / "zz_repeat.geojson").write_text(communes.iloc[[0]].to_json(), encoding="utf-8")
    return folder


def test_a_folder_of_ward_files_is_one_import(conn, ward_folder):
    before = count(conn, "admin_units")
    options = ImportOptions(progress=None, extra=COMMUNES)
    report = run_import_files(conn, get_spec("admin"), [ward_folder], options)
    assert report.total == 174 + 3
    assert count(conn, "admin_units") - before == report.inserted == 174 + 1  # Xã Lạ is kept
    assert report.count("area_out_of_range", "error") == 1
    assert report.count("area_outlier", "warning") == 1
    assert report.count("duplicate", "error") == 1
    assert report.rejected == 2
    texts = [render(m, "en") for m in report.messages(max_problems=100)]
    assert any("ward_000.geojson: rows 1–1" in t for t in texts)
    assert any("zz_repeat.geojson: rows 177–177" in t for t in texts)
    assert any("'Xã Rộng' covers 3" in t and "a commune covers 0.05–3,000 km²" in t for t in texts)
    vi = [render(p.message, "vi") for p in report.problems if p.code == "area_outlier"]
    assert "khác xa trung vị" in vi[0]
    with conn.cursor() as cur:
        cur.execute(
            "SELECT name_prefix, base_name FROM admin_units WHERE name = 'Phường Đống Đa' "
            "AND version = '2025-07'"
        )
        assert cur.fetchone() == ("Phường", "Đống Đa")
        cur.execute("SELECT count(*) FROM admin_units WHERE name_prefix IS NULL")
        assert cur.fetchone()[0] == 0


def test_the_cli_takes_a_folder_in_one_transaction(ward_folder, test_env, conn):
    (ward_folder / "zz_zz_broken.geojson").write_text("{not json", encoding="utf-8")
    before = count(conn, "admin_units")
    command = [executable("langnghe"), "--lang", "en", "import", "admin", str(ward_folder)]
    command += ["--level", "commune", "--version", "2025-07"]
    done = subprocess.run(command, capture_output=True, text=True, env=test_env, timeout=300)
    assert done.returncode != 0  # one file cannot be read: nothing of the others is written
    conn.rollback()
    assert count(conn, "admin_units") == before
    (ward_folder / "zz_zz_broken.geojson").unlink()
    wards = sorted(ward_folder.glob("ward_00*.geojson"))  # several files named one by one
    done = subprocess.run(
        [*command[:5], *map(str, wards), *command[6:]],
        capture_output=True,
        text=True,
        env=test_env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "10 rows read" in done.stdout and "10 inserted" in done.stdout, done.stdout
    conn.rollback()
    assert count(conn, "admin_units") == before + 10
