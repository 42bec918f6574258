"""The planner's report as a document (issue 16, item 1): readable in both languages, A4 wide
in Chromium's print emulation, a PDF with the expected pages, no 500 on incomplete results.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import time
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from layers.scenarios import save_scenario
from tests.webmap.conftest import SCREENSHOTS, _sign_in
from tests.webmap.test_planners_web import BBOX, _wait, planner_client  # noqa: F401
from webmap.messages import TEXTS

pytestmark = pytest.mark.postgis
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

RAW = (
    "road_distance_m",
    "flood_prone",
    "leader_changed",
    "False",
    "True",
    '"kind"',
    "/work/",
    "/tmp/",
    "straight_line",
    "p_median",
)
ENGLISH = ("Decree 32/2024", "passes", "Distance to", "Candidate sites", "Method and", "area ")


def _siting(c) -> int:
    started = c.post("/api/siting", json={"bbox": BBOX, "cell_m": 90, "name": "Đông Anh"})
    job = _wait(c, started.get_json()["job_url"])
    assert job["status"] == "done", job
    return job["scenario_id"]


def _text(html: str) -> str:
    body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_report_reads_as_a_document_in_both_languages(planner_client):  # noqa: F811
    c = planner_client
    sid = _siting(c)
    vi = c.get(f"/scenarios/{sid}/report?lang=vi")
    assert vi.status_code == 200
    html = vi.get_data(as_text=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report-vi.html").write_text(html, encoding="utf-8")
    text = _text(html)
    for raw in RAW:
        assert raw not in text, raw
    for english in ENGLISH:
        assert english not in text, english
    codes = [code for code in TEXTS if code in text]
    assert codes == [], codes
    assert "Khoảng cách tới đường chính" in text and "Nghị định 32/2024/NĐ-CP" in text
    scores = re.search(r'<table id="landuse-scores">.*?</table>', html, flags=re.S).group(0)
    assert "đất công nghiệp" in scores and "industrial" not in scores and "meadow" not in scores
    month = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%m/%Y")
    assert re.search(rf"\d\d/{month} \d\d:\d\d", text)  # local date, Vietnamese order
    assert "phương pháp" in text.lower() and "ha" in text
    # the map: a legend, a scale bar, a north arrow, a grid, one label per candidate
    svg = re.search(r"<svg.*?</svg>", html, flags=re.S).group(0)
    assert "Mức độ phù hợp" in svg and ("km</text>" in svg or " m</text>" in svg)
    # grid labels in the page's language: Vietnamese decimal comma, Đông / Bắc
    assert re.search(r">\d{3},\d{3}°Đ<", svg) and re.search(r">\d{2},\d{3}°B<", svg), svg[:400]
    assert "°E" not in svg and "°N" not in svg
    n = c.get(f"/api/scenarios/{sid}").get_json()["results"]["candidates"]
    labels = re.findall(r'font-weight="600" text-anchor="middle" fill="#0b3d91">(\d+)<', svg)
    assert sorted(int(x) for x in labels) == list(range(1, n + 1))
    en = _text(c.get(f"/scenarios/{sid}/report?lang=en").get_data(as_text=True))
    assert "Distance to a main road" in en and "Method and limitations" in en
    assert re.search(rf"{month[3:]}-{month[:2]}-\d\d \d\d:\d\d", en)

    pdf = c.get(f"/scenarios/{sid}/report.pdf?lang=vi")
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"
    (ARTIFACTS / "report-vi.pdf").write_bytes(pdf.data)
    reader = PdfReader(io.BytesIO(pdf.data))
    pages = [p.extract_text() for p in reader.pages]
    assert 3 <= len(pages) <= 12, len(pages)
    assert "Đông Anh" in pages[0] and "Phương pháp" in pages[-1] or "Phương pháp" in "".join(pages)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait


def test_report_of_incomplete_siting_results_is_a_page(planner_client, web_settings):  # noqa: F811
    from gis.db import connect

    conn = connect(web_settings)
    try:
        sid = save_scenario(
            conn, "siting", "half", {"bbox": BBOX}, {}, {"candidates": 0}, {}, created_by="planner"
        )
        conn.commit()
    finally:
        conn.close()
    for lang in ("vi", "en"):
        page = planner_client.get(f"/scenarios/{sid}/report?lang={lang}")
        assert page.status_code == 200, page.get_data(as_text=True)[:500]


def _api(base: str, token: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        base + path,
        data=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as answer:
        return json.loads(answer.read())


A4_PRINTABLE_PX = 695  # 210 mm less 2 x 13 mm margins, at 96 px per inch


def test_report_fits_a4_in_chromium_print_emulation(browser, own_server, accounts):
    token = accounts["planner"]
    job = _api(own_server, token, "/api/siting", {"bbox": BBOX, "cell_m": 90, "name": "Đông Anh"})
    for _ in range(600):
        state = _api(own_server, token, job["job_url"])
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert state["status"] == "done", state
    sid = state["scenario_id"]
    _sign_in(browser, own_server, "planner")
    for lang in ("vi", "en"):
        url = f"{own_server}/scenarios/{sid}/report?lang={lang}"
        for width in (360, 1400):
            browser.set_window_size(width, 900)
            browser.get(url)
            WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "limitations"))
            wide = browser.execute_script("return document.documentElement.scrollWidth")
            assert wide <= browser.execute_script("return window.innerWidth") + 1, (lang, width)
            browser.save_screenshot(str(SCREENSHOTS / f"report-{lang}-{width}.png"))
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": A4_PRINTABLE_PX, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
        )
        try:
            browser.get(url)
            WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "limitations"))
            assert browser.execute_script("return matchMedia('print').matches")
            assert not browser.find_element(By.TAG_NAME, "nav").is_displayed()
            wide = browser.execute_script("return document.documentElement.scrollWidth")
            assert wide <= A4_PRINTABLE_PX, (lang, wide)
            browser.save_screenshot(str(SCREENSHOTS / f"report-{lang}-print.png"))
        finally:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors


def test_decree32_dossier_of_a_drawn_polygon(planner_client):  # noqa: F811
    """A drawn polygon's check is saved as a scenario of its own kind, listed, and printed."""
    square = {
        "type": "Polygon",
        "coordinates": [
            [
                [105.93, 21.10],
                [105.935, 21.10],
                [105.935, 21.104],
                [105.93, 21.104],
                [105.93, 21.10],
            ]
        ],
    }
    body = planner_client.post(
        "/api/check-cluster", json={"geometry": square, "save_as": "Kiểm tra 01/12/2026 14:05"}
    ).get_json()
    sid = body["scenario_id"]
    listed = planner_client.get("/api/scenarios?kind=compliance").get_json()["scenarios"]
    assert any(s["id"] == sid and s["name"] == "Kiểm tra 01/12/2026 14:05" for s in listed)
    html = planner_client.get(f"/scenarios/{sid}/report?lang=vi").get_data(as_text=True)
    text = _text(html)
    assert "Kết quả theo Nghị định 32/2024" in text and "Diện tích" in text
    assert "Nghị định 32/2024/NĐ-CP" in text and "Phương pháp và hạn chế" in text
    for raw in RAW + ENGLISH:
        assert raw not in text, raw
    assert [code for code in TEXTS if code in text] == []
    pdf = planner_client.get(f"/scenarios/{sid}/report.pdf?lang=vi")
    assert pdf.status_code == 200 and len(PdfReader(io.BytesIO(pdf.data)).pages) >= 2
