"""Likely duplicates across sources (issue 14, item 4): the real craft-village list beside the
sample must not make two of Bát Tràng, Đa Hội, Phù Khê, Hương Mạc, Mẫn Xá or Đồng Kỵ.

The real list is read by path from ``../shared/data`` (never copied into the project).
"""

from __future__ import annotations

import pytest

from gis.text import fold
from layers.duplicates import duplicate_key, names_match
from layers.importer import ImportOptions, run_import
from layers.registry import get_spec
from tests.conftest import count
from webmap.messages import render

pytestmark = pytest.mark.postgis

SIX = ("Bát Tràng", "Đa Hội", "Phù Khê", "Hương Mạc", "Mẫn Xá", "Đồng Kỵ")


@pytest.fixture
def cvpms(real_data):
    return real_data / "craftvillages" / "vn_craft_villages_cvpms.csv"


def _sample(conn, settings):
    return run_import(conn, get_spec("villages"), settings.sample_data / "villages.csv", _opts())


def _opts(**kw):
    return ImportOptions(progress=None, **kw)


def _copies(conn, name: str) -> int:
    """Stored villages whose name (without 'Làng nghề ...') ends with ``name``."""
    key = fold(name)
    with conn.cursor() as cur:
        cur.execute("SELECT name FROM craft_villages")
        return sum(names_match(duplicate_key(n), key) for (n,) in cur.fetchall())


def test_the_six_are_not_doubled_by_default(conn, settings, cvpms):
    sample = _sample(conn, settings)
    before = count(conn, "craft_villages")
    assert before == sample.inserted == 50
    assert all(_copies(conn, n) == 1 for n in SIX)
    report = run_import(conn, get_spec("villages"), cvpms, _opts())
    after = count(conn, "craft_villages")
    assert after - before == report.inserted
    assert {n: _copies(conn, n) for n in SIX} == dict.fromkeys(SIX, 1)
    merged = {d["stored_name"]: d for d in report.duplicates}
    assert set(SIX) <= set(merged)
    assert {d["action"] for d in report.duplicates} == {"merge"}
    assert all(d["distance_m"] < 1500 for d in report.duplicates)
    assert report.set_aside == len(report.duplicates)
    assert report.inserted == 708 - len(report.duplicates)  # 708 alone (test_real_data)
    assert report.unchanged == 0
    with conn.cursor() as cur:  # merged: the sample's values stay, its blanks are filled
        cur.execute(
            "SELECT name, commune_code, full_name FROM craft_villages WHERE ref = %s",
            ("HN-BAT-TRANG",),
        )
        name, commune_code, full_name = cur.fetchone()
    assert name == "Bát Tràng" and commune_code == "583" and "Bát Tràng" in full_name
    lines = [render(m, "en") for m in report.messages(max_problems=1000)]
    assert any(line.startswith("likely duplicates of stored features:") for line in lines)
    assert any("'Làng nghề gốm Bát Tràng' is likely 'Bát Tràng'" in line for line in lines)
    vi = [render(m, "vi") for m in report.messages(max_problems=1000)]
    assert any("có lẽ là 'Bát Tràng'" in line for line in vi)
    again = run_import(conn, get_spec("villages"), cvpms, _opts())  # the same file again
    assert again.inserted == again.updated == 0 and count(conn, "craft_villages") == after


def test_skip_leaves_stored_features_and_keys_alone(conn, settings, cvpms):
    _sample(conn, settings)
    before = count(conn, "craft_villages")
    report = run_import(conn, get_spec("villages"), cvpms, _opts(on_duplicate="skip"))
    assert count(conn, "craft_villages") - before == report.inserted
    assert {n: _copies(conn, n) for n in SIX} == dict.fromkeys(SIX, 1)
    with conn.cursor() as cur:
        cur.execute("SELECT full_name FROM craft_villages WHERE ref = 'HN-BAT-TRANG'")
        assert cur.fetchone()[0] is None
        cur.execute("UPDATE craft_villages SET households = 1 WHERE ref = 'HN-BAT-TRANG'")
    again = run_import(
        conn,
        get_spec("villages"),
        settings.sample_data / "villages.csv",
        _opts(on_duplicate="skip"),
    )
    assert again.inserted == again.updated == 0 and again.set_aside == 50
    assert again.count("existing_key_skipped") == 50
    with conn.cursor() as cur:
        cur.execute("SELECT households FROM craft_villages WHERE ref = 'HN-BAT-TRANG'")
        assert cur.fetchone()[0] == 1


def test_keep_adds_both_and_reports_the_pairs(conn, settings, cvpms):
    _sample(conn, settings)
    before = count(conn, "craft_villages")
    report = run_import(conn, get_spec("villages"), cvpms, _opts(on_duplicate="keep"))
    assert report.inserted == 708 and count(conn, "craft_villages") == before + 708
    assert {n: _copies(conn, n) for n in SIX} == dict.fromkeys(SIX, 2)
    assert report.count("likely_duplicate", "warning") == len(report.duplicates) >= 6


def test_province_names_follow_the_loaded_boundaries(conn, settings, admin_loaded, cvpms):
    _sample(conn, settings)
    run_import(conn, get_spec("villages"), cvpms, _opts())
    with conn.cursor() as cur:
        cur.execute(
            "SELECT province_name, count(*) FROM craft_villages WHERE province_code = '27' "
            "GROUP BY 1"
        )
        rows = cur.fetchall()
        cur.execute("SELECT count(*) FROM craft_villages WHERE province_name LIKE 'Tỉnh %'")
        prefixed = cur.fetchone()[0]
    assert [name for name, _ in rows] == ["Bắc Ninh"]  # not also "Tỉnh Bắc Ninh"
    assert prefixed == 0
