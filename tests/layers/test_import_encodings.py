"""Shapefiles and CSVs in UTF-8, Windows-1258, TCVN3 and VNI, with no stated encoding.

Fixtures are built at test time in ``tmp_path`` from the real craft-village file
(../shared/data): its Hà Nội, Bắc Ninh and Hà Nam villages, encoded in each encoding,
written as a Shapefile whose DBF has no ``.cpg`` and no code page (what Vietnamese
agencies often send), or as a CSV saved by an old program. Row counts are checked before
and after every refused import.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gis.errors import ValidationError
from gis.vncodecs import encode
from layers.importer import ImportOptions, run_import
from layers.registry import get_spec
from tests.conftest import count
from tests.support import executable

pytestmark = pytest.mark.postgis
PROVINCES = ("Thành phố Hà Nội", "Tỉnh Bắc Ninh", "Tỉnh Hà Nam")


def _villages(real_data: Path) -> list[dict[str, str]]:
    path = real_data / "craftvillages" / "vn_craft_villages_cvpms.csv"
    with path.open(encoding="utf-8") as fh:
        rows = [
            r
            for r in csv.DictReader(fh)
            if r["province_name"] in PROVINCES and int(r["village_id"]) < 10711
        ]
    assert len(rows) == 101
    return rows


def _shapefile(
    rows: list[dict[str, str]], folder: Path, encoding: str | list[str], cpg: str | None = None
) -> Path:
    """The villages as a Shapefile whose DBF text is in ``encoding`` (one per row if a list).

    Column names are Vietnamese too (``Tên làng``: ten_lang), in the same encoding as
    the first row. GDAL writes the bytes as they are when told the DBF is Latin-1; its
    ``.cpg`` is then removed (or replaced by ``cpg``) and the DBF's code page byte zeroed.
    """
    per_row = encoding if isinstance(encoding, list) else [encoding] * len(rows)

    def raw(text: str, enc: str) -> str:
        return encode(text, enc).decode("latin-1")

    name_col = raw("Tên làng", per_row[0])
    frame = gpd.GeoDataFrame(
        {
            "ma": [f"T-{r['village_id']}" for r in rows],
            name_col: [raw(r["village_name"], e) for r, e in zip(rows, per_row, strict=True)],
            "xa": [raw(r["ward_name"], e) for r, e in zip(rows, per_row, strict=True)],
            "huyen": [raw(r["district_name"], e) for r, e in zip(rows, per_row, strict=True)],
            "tinh": [raw(r["province_name"], e) for r, e in zip(rows, per_row, strict=True)],
            "nguon": ["cvpms"] * len(rows),
        },
        geometry=[shapely.Point(float(r["lon"]), float(r["lat"])) for r in rows],
        crs="EPSG:4326",
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "lang_nghe.shp"
    frame.to_file(path, engine="pyogrio", encoding="ISO-8859-1")
    path.with_suffix(".cpg").unlink()
    if cpg is not None:
        path.with_suffix(".cpg").write_text(cpg)
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0  # language driver: none
    dbf.write_bytes(bytes(data))
    return path


def _stored_names(conn) -> dict[str, str]:
    with conn.cursor() as cur:
        cur.execute("SELECT ref, name FROM craft_villages")
        return dict(cur.fetchall())


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


@pytest.mark.parametrize("encoding", ["utf-8", "cp1258", "tcvn3", "vni"])
def test_a_shapefile_without_cpg_is_read_in_its_encoding(conn, real_data, tmp_path, encoding):
    rows = _villages(real_data)
    path = _shapefile(rows, tmp_path / encoding, encoding)
    report = run_import(conn, get_spec("villages"), path, ImportOptions())
    assert (report.inserted, report.rejected) == (101, 0)
    assert report.encoding is not None and report.encoding.encoding == encoding
    assert report.encoding.method == ("utf8" if encoding == "utf-8" else "detected")
    assert report.encoding.confidence > 0.95
    assert report.mapped["Tên làng"] == "name"  # the DBF's field name is decoded too
    stored = _stored_names(conn)
    for r in rows:
        want, got = _nfc(r["village_name"]), stored[f"T-{r['village_id']}"]
        # TCVN3 has no toned capitals (its fonts draw them): Ước Lễ is stored as ước Lễ
        assert got == want if encoding != "tcvn3" else got.lower() == want.lower(), (got, want)
    assert "Làng nghề gốm Bát Tràng" in stored.values()
    sections = {title.code: lines for title, lines in report.sections()}
    assert sections["report.encoding"] == [report.encoding.message()]


def test_a_shapefile_merged_from_two_encodings_is_refused_and_nothing_written(
    conn, real_data, tmp_path
):
    rows = _villages(real_data)
    mixed = ["vni" if i % 2 else "tcvn3" for i in range(len(rows))]
    path = _shapefile(rows, tmp_path, mixed)
    before = count(conn, "craft_villages")
    with pytest.raises(ValidationError) as caught:
        run_import(conn, get_spec("villages"), path, ImportOptions())
    assert caught.value.message.code == "encoding.none_plausible"
    assert count(conn, "craft_villages") == before == 0
    # the user says which: the import goes ahead, and reports how badly half of it reads
    report = run_import(conn, get_spec("villages"), path, ImportOptions(encoding="TCVN3"))
    assert report.inserted == 101 and count(conn, "craft_villages") == 101
    assert report.encoding.method == "given" and report.encoding.confidence < 0.8


def test_a_cpg_of_a_western_code_page_says_nothing_about_vietnamese(conn, real_data, tmp_path):
    rows = _villages(real_data)
    path = _shapefile(rows, tmp_path, "tcvn3", cpg="1252")
    report = run_import(conn, get_spec("villages"), path, ImportOptions(dry_run=True))
    assert (report.encoding.encoding, report.encoding.stated) == ("tcvn3", "1252")


def test_a_cpg_stating_utf8_over_windows_1258_bytes_is_refused(conn, real_data, tmp_path):
    rows = _villages(real_data)
    path = _shapefile(rows, tmp_path, "cp1258", cpg="UTF-8")
    with pytest.raises(ValidationError, match="encoding.invalid_bytes"):
        run_import(conn, get_spec("villages"), path, ImportOptions())
    assert count(conn, "craft_villages") == 0
    stated = _shapefile(rows, tmp_path / "stated", "cp1258", cpg="1258")
    report = run_import(conn, get_spec("villages"), stated, ImportOptions())
    assert report.encoding.method == "stated" and report.inserted == 101


@pytest.mark.parametrize("encoding", ["cp1258", "vni"])
def test_a_legacy_csv_is_detected_and_an_encoding_can_be_given(conn, real_data, tmp_path, encoding):
    rows = _villages(real_data)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Mã", "Tên", "Tỉnh", "Nguồn", "Kinh độ", "Vĩ độ"])
    for r in rows:
        ref, name, province = f"T-{r['village_id']}", r["village_name"], r["province_name"]
        writer.writerow([ref, name, province, "cvpms", r["lon"], r["lat"]])
    path = tmp_path / "lang_nghe.csv"
    path.write_bytes(encode(out.getvalue(), encoding))
    report = run_import(conn, get_spec("villages"), path, ImportOptions(dry_run=True))
    assert (report.encoding.encoding, report.inserted) == (encoding, 101)
    given = run_import(conn, get_spec("villages"), path, ImportOptions(encoding=encoding))
    assert given.encoding.method == "given" and given.inserted == 101
    before = count(conn, "craft_villages")
    with pytest.raises(ValidationError, match="io.no_geometry_columns"):  # Kinh độ unreadable
        run_import(conn, get_spec("villages"), path, ImportOptions(encoding="tcvn3"))
    assert count(conn, "craft_villages") == before == 101


def _cli(test_env, *args: str):
    import subprocess

    return subprocess.run(
        [executable("langnghe"), *args],
        capture_output=True,
        text=True,
        env=test_env,
        timeout=120,
    )


def test_the_cli_states_the_encoding_and_refuses_with_the_reason(real_data, tmp_path, test_env):
    rows = _villages(real_data)
    good = _shapefile(rows, tmp_path / "good", "vni")
    bad = _shapefile(rows, tmp_path / "bad", ["tcvn3", "vni"] * 50 + ["vni"])
    done = _cli(test_env, "--lang", "en", "import", "villages", str(good), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert (
        "  Encoding:\n    VNI, detected from the words: Vietnamese syllables 100% (" in done.stdout
    )
    assert "  Fields read (column → field):\n    ma → ref\n    Tên làng → name" in done.stdout
    refused = _cli(test_env, "--lang", "vi", "import", "villages", str(bad), "--dry-run")
    assert refused.returncode != 0
    assert "không bảng mã nào cho ra văn bản tiếng Việt" in refused.stderr + refused.stdout
    given = _cli(
        test_env, "--lang", "en", "import", "villages", str(bad), "--dry-run", "--encoding", "vni"
    )
    assert given.returncode == 0, given.stderr
    assert "VNI, as given: " in given.stdout
    unknown = _cli(test_env, "import", "villages", str(good), "--encoding", "latin9")
    assert unknown.returncode != 0 and "latin9" in unknown.stderr + unknown.stdout
