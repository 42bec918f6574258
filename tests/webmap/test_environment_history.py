"""The environment page over the real Hà Nội January 2019 file: historical data as historical.

The real file (read by path from ``../shared/data``) is imported into this module's web
database next to the synthetic 2026 sample. By default the map colours stations by their latest
value in the 30 days up to the newest data, so the 2019 stations are grey with "no data in this
period"; choosing 22-29 January 2019 colours them. The chart is drawn in Hà Nội time with the
zone on the axis: the station's first value, 01:00 on 22 January 2019 in Hà Nội (18:00 UTC the
day before), is the first point and its tick reads 01.
"""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from gis.db import connect
from layers.stations import import_measurements
from tests.webmap.conftest import SCREENSHOTS, _check_clean, _open, page_module

pytestmark = pytest.mark.postgis

GREY = "#9e9e9e"
SAMPLE = "Trạm không khí Bát Tràng (tổng hợp)"
WORDS = {
    "vi": {
        "medium": "Trạm quan trắc không khí",
        "no_data": "không có số liệu trong khoảng thời gian này",
        "ago": "năm trước",
        "zone": "giờ Hà Nội, UTC+7",
        "axis": "Giờ địa phương (giờ Hà Nội, UTC+7)",
        "mean": "Trung bình 24 giờ",
        "limit_1h": "Giới hạn trung bình 1 giờ",
        "limit_24h": "Giới hạn trung bình 24 giờ",
    },
    "en": {
        "medium": "Air monitoring station",
        "no_data": "no data in this period",
        "ago": "years ago",
        "zone": "Hà Nội time, UTC+7",
        "axis": "Local time (Hà Nội time, UTC+7)",
        "mean": "24-hour mean",
        "limit_1h": "1-hour limit",
        "limit_24h": "24-hour limit",
    },
}
ENGLISH = ("no data in this period", "Local time", "Hourly", "limit", "verified", "Air", "From")

FIND = (
    "let found = null; m.stationLayer.eachLayer((l) => {"
    " if (l.feature.properties.name === arguments[0]) found = l; }); "
)


@pytest.fixture(scope="module")
def hanoi_2019(module_web_settings, real_data):
    path = real_data / "airquality" / "hanoi_2019-01" / "hanoi_stations_hourly_long.csv"
    conn = connect(module_web_settings)
    try:
        report = import_measurements(conn, path)
        conn.commit()
    finally:
        conn.close()
    assert report.inserted == 7171
    return path


def _fill(browser, name: str) -> str:
    return page_module(
        browser, "environment", FIND + "return found && found.options.fillColor;", name
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_hanoi_2019_shown_as_historical(browser, live_server, hanoi_2019, lang):
    words = WORDS[lang]
    _open(browser, f"{live_server}/environment?lang={lang}")
    # default period: the 30 days up to the newest data (the 2026 sample), 2019 is grey
    assert _fill(browser, "Thành Công") == GREY
    legend = browser.find_element(By.CSS_SELECTOR, ".legend").text
    assert words["no_data"] in legend
    assert _fill(browser, SAMPLE) not in (None, GREY)  # a sample station, coloured
    page_module(browser, "environment", "return m.showPeriod('2019-01-22', '2019-01-29');")
    assert _fill(browser, "Thành Công") not in (None, GREY)
    assert _fill(browser, SAMPLE) == GREY  # no sample data in January 2019
    text = page_module(
        browser,
        "environment",
        FIND + "found.openPopup(); return document.querySelector('.leaflet-popup').textContent;",
        "Thành Công",
    )
    assert words["medium"] in text and "VN_AQI" in text
    assert f"29/01/2019 14:00 ({words['zone']})" in text and words["ago"] in text
    page_module(browser, "environment", FIND + "found.fire('click');", "Thành Công")
    WebDriverWait(browser, 20).until(
        lambda d: (
            d.find_element(By.ID, "station-title").text == "Thành Công"
            and d.find_elements(By.CSS_SELECTOR, "#latest dl")
        )
    )
    latest = browser.find_element(By.ID, "latest").text
    assert "2019" in latest and words["ago"] in latest
    # values in the page's number format: "84,78" in Vietnamese, "84.78" in English
    mark, other = (",", ".") if lang == "vi" else (".", ",")
    assert re.search(rf"\d\{mark}\d+ (µg|mg)", latest), latest
    assert not re.search(rf"\d\{other}\d\d (µg|mg)", latest), latest
    assert not browser.find_elements(By.CSS_SELECTOR, "#latest .warn")  # real data, no warning
    # the station's latest 7 days by default, not today's
    WebDriverWait(browser, 20).until(
        lambda d: d.find_element(By.ID, "series-until").get_attribute("value")
    )
    assert browser.find_element(By.ID, "series-until").get_attribute("value") == "2019-01-29"
    browser.execute_script(
        "document.getElementById('series-since').value = '2019-01-22';"
        "document.getElementById('series-until').value = '2019-01-23';"
        "document.getElementById('series-show').click();"
    )
    WebDriverWait(browser, 20).until(
        lambda d: (
            d.execute_script(
                "const c = Chart.getChart('chart'); return c && c.data.datasets[0].data[0].x"
            )
            == d.execute_script("return Date.parse('2019-01-22T01:00:00+07:00')")
        )
    )
    chart = browser.execute_script(
        "const c = Chart.getChart('chart'); const d = c.data.datasets;"
        "return {tick: c.options.scales.x.ticks.callback(d[0].data[0].x),"
        " x: c.options.scales.x.title.text, y: c.options.scales.y.title.text,"
        " labels: d.map((s) => s.label), gaps: d[0].data.filter((p) => p.y === null).length,"
        " span: c.options.spanGaps};"
    )
    assert chart["tick"].startswith("22/01") and "01h" in chart["tick"]  # 01:00 in Hà Nội
    assert chart["x"] == words["axis"] and chart["y"] == "PM2.5 (µg/m3)"
    assert chart["span"] is False
    assert any(words["mean"] in label for label in chart["labels"])
    # PM2.5: QCVN 05 sets a 24-hour limit and no 1-hour one; hourly values are not held to it
    assert any(words["limit_24h"] in label and "QCVN 05" in label for label in chart["labels"])
    assert not any(words["limit_1h"] in label for label in chart["labels"])
    browser.execute_script(
        "const s = document.getElementById('parameter'); s.value = 'NO2';"
        "s.dispatchEvent(new Event('change'));"
    )
    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script(
            "const c = Chart.getChart('chart'); return c.data.datasets.map((s) => s.label)"
            ".some((l) => l.includes(arguments[0]))",
            words["limit_1h"],
        )
    )
    labels = browser.execute_script(
        "return Chart.getChart('chart').data.datasets.map((s) => s.label)"
    )
    assert any(words["limit_1h"] in label and "QCVN 05" in label for label in labels), labels
    if lang == "vi":
        body = browser.find_element(By.TAG_NAME, "body").text
        assert [w for w in ENGLISH if w in body] == []
    browser.save_screenshot(str(SCREENSHOTS / f"environment-2019-{lang}.png"))
    _check_clean(browser, live_server)
