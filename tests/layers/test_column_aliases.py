"""One alias table per layer (issue 14, item 1): any case, with or without Vietnamese
diacritics, English variants, ``--field target=source`` overrides, and an import report that
says which column became which field and which were not read.

The files are written at test time from real names in ``../shared/data`` (never copied).
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from click.testing import CliRunner

from gis.errors import ValidationError
from gis.messages import msg
from layers.importer import ImportOptions, run_import
from layers.layer import column_match, match_columns
from layers.registry import get_spec
from layers.stations import STATIONS, import_measurements
from layers.villages import VILLAGES
from tests.conftest import count

HEADERS = [
    # (layer, source columns, expected {source: field})
    (
        STATIONS,
        ["Mã trạm", "Tên trạm", "Loại", "Nguồn", "Đơn vị quản lý"],
        {
            "Mã trạm": "ref",
            "Tên trạm": "name",
            "Loại": "medium",
            "Nguồn": "source",
            "Đơn vị quản lý": "operator",
        },
    ),
    (STATIONS, ["ma_tram", "ten_tram", "loai", "nguon"], None),  # same, without diacritics
    (STATIONS, ["Id", "Name", "Type", "Source"], None),  # English variants
    (
        VILLAGES,
        ["Mã", "Tên", "Nghề", "Tỉnh", "Huyện", "Xã", "Ngày công nhận", "Quyết định"],
        {
            "Mã": "ref",
            "Tên": "name",
            "Nghề": "craft",
            "Tỉnh": "province_name",
            "Huyện": "district_name",
            "Xã": "commune_name",
            "Ngày công nhận": "recognition_date",
            "Quyết định": "recognition_decision",
        },
    ),
    (VILLAGES, ["MA", "TEN", "LOAI_NGHE", "nguon"], None),
]


@pytest.mark.parametrize(("layer", "columns", "expected"), HEADERS)
def test_headers_in_vietnamese_and_english_find_their_fields(layer, columns, expected):
    found = match_columns(layer, columns)
    if expected is not None:
        assert found == expected
    else:
        assert len(found) == len(columns), found


def test_a_column_named_like_the_field_wins_and_overrides_win_over_both():
    assert match_columns(STATIONS, ["ref", "Mã trạm", "name"]) == {"ref": "ref", "name": "name"}
    found = match_columns(STATIONS, ["ref", "code_2", "name"], {"ref": "code_2"})
    assert found == {"code_2": "ref", "name": "name"}
    with pytest.raises(ValidationError) as unknown:
        match_columns(STATIONS, ["a"], {"no_such_field": "a"})
    assert unknown.value.message.code == "import.field_unknown"
    with pytest.raises(ValidationError) as missing:
        match_columns(STATIONS, ["a"], {"name": "b"})
    assert missing.value.message.code == "import.field_source_missing"


def test_the_report_names_ignored_columns_and_each_layer_shows_its_alias_table():
    found = column_match(
        STATIONS, ["Mã trạm", "Tên trạm", "ghi chú", "Latitude"], also_read=["Latitude"]
    )
    assert found.ignored == ("ghi chú",)
    table = STATIONS.aliases
    assert "ma_tram" in table["ref"] and "Id" not in table["ref"] and "id" in table["ref"]
    assert set(VILLAGES.aliases) >= {"ref", "name", "craft", "recognition_date"}


def test_field_option_format_is_checked_before_anything_runs(tmp_path):
    from webmap.cli.main import cli

    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    run = CliRunner().invoke(
        cli, ["--lang", "en", "import", "stations", str(path), "--field", "ref"]
    )
    assert run.exit_code == 2 and "TARGET=SOURCE" in run.output


def _station_names(real_data) -> list[str]:
    with (real_data / "airquality" / "hanoi_2019-01" / "stations_names.csv").open(
        encoding="utf-8"
    ) as fh:
        return [row["name"] for row in csv.DictReader(fh)][:4]


@pytest.mark.postgis
def test_a_vietnamese_headed_station_file_imports_with_its_report(conn, real_data, tmp_path):
    names = _station_names(real_data)
    path = tmp_path / "tram.csv"
    rows = [
        {
            "Mã trạm": f"VN-T{i}",
            "Tên trạm": name,
            "Loại": "air",
            "Nguồn": "test",
            "Kinh độ": 105.80 + i / 100,
            "Vĩ độ": 21.00 + i / 100,
            "Ghi chú": "x",
        }
        for i, name in enumerate(names)
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    before = count(conn, "monitoring_stations")
    report = run_import(conn, get_spec("stations"), path, ImportOptions(progress=None))
    assert (report.inserted, report.rejected) == (len(names), 0)
    assert count(conn, "monitoring_stations") == before + len(names)
    assert report.mapped["Tên trạm"] == "name" and report.ignored == ["Ghi chú"]
    sections = {title.code: lines for title, lines in report.sections()}
    assert msg("report.field_pair", column="Tên trạm", field="name") in sections["report.fields"]
    assert sections["report.ignored"] == [msg("report.columns", columns=["Ghi chú"])]
    with conn.cursor() as cur:
        cur.execute(
            "SELECT name, round(ST_X(geom)::numeric, 2)::float FROM monitoring_stations "
            "WHERE ref = 'VN-T0'"
        )
        assert cur.fetchone() == (names[0], 105.80)
    data = report.to_dict()
    assert data["fields"]["Mã trạm"] == "ref" and data["ignored_columns"] == ["Ghi chú"]
    # --field: a column no alias knows, read as the field the user names
    other = tmp_path / "other.csv"
    pd.DataFrame(rows).rename(columns={"Tên trạm": "nhan"}).assign(**{"Mã trạm": "VN-X"}).head(
        1
    ).to_csv(other, index=False)
    refused = run_import(
        conn, get_spec("stations"), other, ImportOptions(progress=None, dry_run=True)
    )
    assert refused.rejected == 1  # no name
    taken = run_import(
        conn, get_spec("stations"), other, ImportOptions(progress=None, fields={"name": "nhan"})
    )
    assert taken.inserted == 1 and taken.mapped["nhan"] == "name"


@pytest.mark.postgis
def test_stations_created_by_measurements_read_latitude_longitude(conn, real_data, tmp_path):
    names = _station_names(real_data)
    path = tmp_path / "wide.csv"
    pd.DataFrame(
        {
            "Mã trạm": ["VN-M1", "VN-M1"],
            "Thời gian": ["2026-10-02 01:00", "2026-10-02 02:00"],
            "PM2.5": [30.0, 32.0],
            "Tên trạm": [names[1]] * 2,
            "Latitude": [21.02, 21.02],
            "Longitude": [105.81, 105.81],
        }
    ).to_csv(path, index=False)
    report = import_measurements(conn, path, unit="ug/m3")
    assert report.inserted == 2 and report.mapped == {
        "Mã trạm": "station_ref",
        "Thời gian": "observed_at",
        "PM2.5": "PM2.5",  # a value column and its parameter
    }
    with conn.cursor() as cur:
        cur.execute(
            "SELECT name, round(ST_X(geom)::numeric, 2)::float, "
            "round(ST_Y(geom)::numeric, 2)::float FROM monitoring_stations WHERE ref = 'VN-M1'"
        )
        assert cur.fetchone() == (names[1], 105.81, 21.02)
