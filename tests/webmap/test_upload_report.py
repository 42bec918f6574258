"""A measurements upload takes the CLI's options and answers with the CLI's report.

The file is built at test time from the real Hà Nội hourly file (../shared/data): one
station's first day, wide, headed in Vietnamese, CO in mg/m3, a weather column, saved in
TCVN3 as an old station program would.
"""

from __future__ import annotations

import csv
import io

import pytest

from gis.vncodecs import encode
from tests.webmap.conftest import bearer
from webmap.import_report import report_lines

pytestmark = pytest.mark.postgis


def _file(real_data, encoding: str = "tcvn3") -> bytes:
    path = real_data / "airquality" / "hanoi_2019-01" / "hanoi_stations_hourly_long.csv"
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["station_id"] == "10"][:24]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Trạm", "Giờ đo", "Tên trạm", "PM2.5", "CO", "Nhiệt độ"])
    for r in rows:
        co = f"{float(r['CO']) / 1000:.4f}"
        writer.writerow(["HN-PVD", r["time"], r["station_name"], r["PM2.5"], co, 21])
    return encode(out.getvalue(), encoding)


def _post(client, token, data: bytes, lang: str, **form):
    return client.post(
        f"/api/measurements?lang={lang}",
        data={"file": (io.BytesIO(data), "tram.csv"), **form},
        content_type="multipart/form-data",
        headers=bearer(token),
    )


def test_the_upload_takes_fields_units_and_encoding_and_answers_the_report(
    client, accounts, real_data
):
    data = _file(real_data)
    form = {
        "field": "station_ref=Trạm\nobserved_at=Giờ đo",
        "unit": "CO=mg/m3\nPM2.5=µg/m3",
    }
    response = _post(client, accounts["env_officer"], data, "vi", **form)
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["inserted"] == 48 and body["encoding"]["encoding"] == "tcvn3"
    sections = {s["section"]: s for s in body["report"]}
    assert list(sections) == [
        "counts",
        "encoding",
        "fields",
        "ignored",
        "units",
        "rejected",
        "notes",
    ]
    assert sections["encoding"]["title"] == "Bảng mã"
    assert sections["encoding"]["lines"][0].startswith("TCVN3 (ABC), nhận biết từ các từ")
    assert "Trạm → station_ref" in sections["fields"]["lines"]
    assert sections["ignored"]["lines"] == ["Nhiệt độ"]
    assert "CO: mg/m3 (chỉ định cho cột này)" in sections["units"]["lines"]
    assert [c["name"] for c in body["created"]] == ["Phạm Văn Đồng"]  # from TCVN3, in NFC
    # the same sections as the command line prints (English here)
    again = _post(client, accounts["env_officer"], data, "en", dry_run="1", **form).get_json()
    titles = [s["title"] for s in again["report"]]
    assert titles[:3] == ["Counts", "Encoding", "Fields read (column → field)"]


def _stations(client) -> int:
    """Stations the web's database holds (a refused upload creates none)."""
    stations = client.get("/api/stations").get_json()
    return len(stations["stations"] if isinstance(stations, dict) else stations)


def test_an_undecodable_upload_is_refused_with_the_reason_in_the_pages_language(
    client, accounts, real_data
):
    half = _file(real_data, "tcvn3").split(b"\n")
    vni = _file(real_data, "vni").split(b"\n")
    mixed = b"\n".join(half[:12] + vni[12:])  # two programs' exports pasted together
    before = _stations(client)
    response = _post(client, accounts["env_officer"], mixed, "vi")
    body = response.get_json()
    assert response.status_code == 400, body
    assert body["message"]["code"] == "encoding.none_plausible"
    assert "không bảng mã nào cho ra văn bản tiếng Việt" in body["description"]
    assert "/tmp" not in body["description"]
    assert _stations(client) == before  # nothing of it written
    # an unreadable row: the error names the file as the user sent it, not our temporary copy
    rows = b"station_ref,observed_at,PM2.5\nHN-PVD,2026-01-01 00:00,abc\n"
    unread = _post(client, accounts["env_officer"], rows, "vi").get_json()
    assert "tram.csv" in unread["description"] and "upload.csv" not in unread["description"], unread
    fields = "station_ref=Trạm\nobserved_at=Giờ đo"
    given = _post(client, accounts["env_officer"], mixed, "en", encoding="abc", field=fields)
    assert given.status_code == 200, given.get_json()
    bad = _post(client, accounts["env_officer"], mixed, "en", encoding="latin9")
    assert bad.status_code == 400 and bad.get_json()["message"]["code"] == "encoding.unknown"


def test_report_lines_indent_each_section():
    from layers.import_report import ImportReport

    lines = report_lines(ImportReport("villages", "a.csv", mapped={"ten": "name"}), "en")
    assert lines[1:4] == [
        "  Fields read (column → field):",
        "    ten → name",
        "  Columns not read:",
    ]


def test_the_counts_by_kind_say_the_kind_in_words():
    """The rejected section's counts name each kind of problem in the reader's language, not
    by its code ('lỗi required: 10 dòng' was what a Vietnamese officer read); every kind the
    importers give has its words in both languages."""
    from gis.messages import msg
    from gis.validate import Problem
    from layers.import_report import KINDS, ImportReport
    from webmap.messages import TEXTS, render

    assert {f"problem.kind.{k}" for k in KINDS} <= set(TEXTS)
    report = ImportReport("stations", "a.csv", total=3)
    report.problems = [
        Problem(r, "name", "required", msg("validate.required", field="name")) for r in (1, 2)
    ] + [Problem(3, "lon", "out_of_range", msg("validate.required", field="lon"))]
    rejected = dict(report.sections())
    lines = next(v for k, v in rejected.items() if k.code == "report.rejected")
    vi = [render(m, "vi") for m in lines]
    en = [render(m, "en") for m in lines]
    assert "lỗi thiếu giá trị: 2 dòng" in vi and "error missing value: 2 rows" in en, (vi, en)
    counts = vi[:2] + en[:2]  # a line per kind, then the problems themselves
    assert not any("required" in line or "out_of_range" in line for line in counts), counts
