"""Imports of the real, messy shared data (../shared/data), with the counts asserted."""

from __future__ import annotations

import pytest

from layers.importer import ImportOptions, run_import
from layers.registry import get_spec
from layers.stations import import_measurements
from tests.conftest import count
from tests.support import executable
from webmap.messages import render

pytestmark = pytest.mark.postgis


@pytest.fixture
def cvpms(real_data):
    return real_data / "craftvillages" / "vn_craft_villages_cvpms.csv"


def test_admin_boundaries_import_as_dated_versions(conn, admin_loaded):
    with conn.cursor() as cur:
        cur.execute("SELECT version, level, count(*) FROM admin_units GROUP BY 1, 2 ORDER BY 1, 2")
        assert cur.fetchall() == [
            ("2025-07", "commune", 174),
            ("pre-2025", "district", 116),
            ("pre-2025", "province", 10),
        ]
        cur.execute("SELECT valid_to FROM admin_versions WHERE version = 'pre-2025'")
        assert str(cur.fetchone()[0]) == "2025-06-30"
        cur.execute(
            "SELECT name, parent_code FROM admin_units WHERE level = 'district' AND name_key = "
            "'gia lam'"
        )
        assert cur.fetchone() == ("Huyện Gia Lâm", "01")
        cur.execute("SELECT count(*) FROM admin_units WHERE NOT ST_IsValid(geom)")
        assert cur.fetchone()[0] == 0


def test_cvpms_villages_report(conn, admin_loaded, cvpms):
    report = run_import(conn, get_spec("villages"), cvpms, ImportOptions())
    assert report.total == 722
    # ids 10711 and up are the source project's test rows (13 of them, plus 10723 = 14)
    assert report.count("test_row") == 14 and report.rejected == 14
    assert report.count("out_of_range") == 1  # the test row at lat 123, lon 1212
    assert report.inserted == 708 and count(conn, "craft_villages") == 708
    assert report.count("duplicate_coordinates") == 48
    assert report.count("outside_stated_province") == 9
    assert report.count("outside_stated_district") == 30
    with conn.cursor() as cur:
        cur.execute("SELECT craft, count(*) FROM craft_villages GROUP BY 1")
        crafts = dict(cur.fetchall())
        cur.execute(
            "SELECT ref, craft FROM craft_villages WHERE ref IN "
            "('cvpms:10249', 'cvpms:10065', 'cvpms:10071', 'cvpms:10259', 'cvpms:10289', "
            "'cvpms:10246')"
        )
        sample = dict(cur.fetchall())
        cur.execute(
            "SELECT count(*) FROM craft_villages WHERE 'outside_stated_province' = ANY(flags)"
        )
        assert cur.fetchone()[0] == 9
        cur.execute("SELECT province_code FROM craft_villages WHERE ref = 'cvpms:10249'")
        assert cur.fetchone()[0] == "01"
    assert sample == {
        "cvpms:10249": "ceramics",
        "cvpms:10065": "bronze_casting",
        "cvpms:10071": "metal_recycling",
        "cvpms:10259": "silk",
        "cvpms:10289": "lacquer",
        "cvpms:10246": "rattan_bamboo",
    }
    assert crafts["other"] < 0.1 * 708  # the vocabulary covers at least nine names in ten
    again = run_import(conn, get_spec("villages"), cvpms, ImportOptions())
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 708)


def test_cvpms_dry_run_via_the_cli(cvpms, test_env):
    import subprocess

    done = subprocess.run(
        [executable("langnghe"), "--lang", "en", "import", "villages", str(cvpms), "--dry-run"],
        capture_output=True,
        text=True,
        env=test_env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (
        "DRY RUN" in done.stdout and "722 rows read" in done.stdout and "14 rejected" in done.stdout
    )
    assert "row 709, field 'village_id': test row" in done.stdout


def test_hanoi_air_quality_wide_csv(conn, real_data):
    path = real_data / "airquality" / "hanoi_2019-01" / "hanoi_stations_hourly_long.csv"
    report = import_measurements(conn, path)
    assert report.rejected == 0 and report.inserted == 7171
    assert count(conn, "monitoring_stations") == 10
    assert any("7 stations have no coordinates" in render(n, "en") for n in report.notes)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM monitoring_stations WHERE geom IS NULL")
        assert cur.fetchone()[0] == 7
        cur.execute(
            "SELECT min(value), max(value), min(unit) FROM measurements WHERE parameter = 'CO'"
        )
        low, high, unit = cur.fetchone()
        assert unit == "µg/m3" and low > 100 and high < 20000  # CO stayed in µg/m3
        cur.execute("SELECT min(observed_at) FROM measurements")
        assert cur.fetchone()[0].isoformat() == "2019-01-21T18:00:00+00:00"  # 01:00 in Hà Nội
    again = import_measurements(conn, path)
    assert (again.inserted, again.updated) == (0, 0)
