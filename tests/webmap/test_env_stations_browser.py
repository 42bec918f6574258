"""The officer's environment page in real Chromium, in both languages, over the real file.

Signed in as an environmental officer: the real Hà Nội January 2019 file goes through the
upload form (Hà Nội time, standard units), whose answer names the 10 stations it created and
the 7 without a position; the station list finds "Kim Liên" from "kim lien" and filters the
stations without a position; Kim Liên is placed by typing its coordinates (an audited edit),
and shows on the map; Thành Công's chart reads in Hà Nội time with a daily VN_AQI strip, and
the shown series downloads as CSV; the synthetic-data warning shows only while sample
stations are coloured; a bad file is refused in the page's language with row and column.
Screenshots at 1400 and 360 px; at 360 px neither the legend nor the list covers the map.
"""

from __future__ import annotations

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.webmap.conftest import SCREENSHOTS, _check_clean, _open, _sign_in, page_module

pytestmark = pytest.mark.postgis

WORDS = {
    "vi": {
        "created": "Đã tạo 10 trạm",
        "unplaced": "7 trạm trong số đó chưa có vị trí",
        "count": "7 trên 20 trạm",
        "axis": "Giờ địa phương",
        "row": "dòng 1, cột PM2.5",
    },
    "en": {
        "created": "10 stations created",
        "unplaced": "7 of them have no position",
        "count": "7 of 20 stations",
        "axis": "Local time",
        "row": "row 1, column PM2.5",
    },
}
ENGLISH = ("Stations", "Search", "without a position", "Upload a file", "File format", "no data")
FIND = (
    "let found = null; m.stationLayer.eachLayer((l) => {"
    " if (l.feature.properties.name === arguments[0]) found = l; }); "
)


def _wait(browser, condition, timeout=30):
    try:
        return WebDriverWait(browser, timeout).until(condition)
    except TimeoutException:  # say what the page said
        logs = [e["message"] for e in browser.get_log("browser")]
        status = browser.execute_script(
            "const r = document.getElementById('upload-result');"
            " return [r && r.textContent.slice(0, 80),"
            " document.body.dataset.uploaded, document.getElementById('station-count').textContent,"
            " document.querySelectorAll('#station-list li').length,"
            " document.getElementById('aqi-strip-note').textContent, document.body.dataset.strip]"
        )
        pytest.fail(f"timed out; upload result {status!r}; console {logs}")


def _item(browser, ref):
    return browser.find_element(By.CSS_SELECTOR, f"#station-list > li[data-ref='{ref}']")


def _no_overlap(a, b) -> bool:
    return (
        a["y"] + a["height"] <= b["y"] + 1
        or b["y"] + b["height"] <= a["y"] + 1
        or a["x"] + a["width"] <= b["x"] + 1
        or b["x"] + b["width"] <= a["x"] + 1
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_officer_uploads_places_and_reads_the_real_file(
    browser, own_server, real_data, tmp_path, lang
):
    words = WORDS[lang]
    browser.set_window_size(1400, 900)
    _sign_in(browser, own_server, "env_officer")
    _open(browser, f"{own_server}/environment?lang={lang}")
    assert not browser.find_element(By.ID, "synthetic-warning").get_attribute("hidden")
    # the real file through the form
    path = real_data / "airquality" / "hanoi_2019-01" / "hanoi_stations_hourly_long.csv"
    browser.find_element(By.ID, "upload-file").send_keys(str(path))
    assert (
        Select(browser.find_element(By.ID, "upload-tz")).first_selected_option.get_attribute(
            "value"
        )
        == "Asia/Ho_Chi_Minh"
    )
    browser.find_element(By.ID, "upload-submit").click()
    _wait(browser, lambda d: d.execute_script("return document.body.dataset.uploaded"), 60)
    assert words["created"] in browser.find_element(By.ID, "upload-created").text
    unplaced = browser.find_element(By.ID, "upload-unplaced").text
    assert words["unplaced"] in unplaced and "Kim Liên (9)" in unplaced
    # the list: accent-insensitive search, the stations without a position
    search = browser.find_element(By.ID, "station-search")
    search.send_keys("kim lien")
    _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#station-list > li")) == 1)
    assert "Kim Liên" in _item(browser, "9").text
    search.clear()
    search.send_keys(" ")
    Select(browser.find_element(By.ID, "filter-position")).select_by_value("unplaced")
    browser.execute_script(
        "document.getElementById('filter-position').dispatchEvent(new Event('input'))"
    )
    _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#station-list > li")) == 7)
    assert words["count"] in browser.find_element(By.ID, "station-count").text
    assert "01/2019" in _item(browser, "9").text  # its data range
    # place Kim Liên by typing its coordinates
    _item(browser, "9").find_element(By.CSS_SELECTOR, ".place-button").click()
    for field, value in (("place-lon", "105.8410"), ("place-lat", "21.0085")):
        box = browser.find_element(By.ID, field)
        box.clear()
        box.send_keys(value)
    browser.find_element(By.ID, "place-save").click()
    _wait(browser, lambda d: d.execute_script("return document.body.dataset.placed") == "9")
    _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#station-list > li")) == 6)
    where = page_module(
        browser,
        "environment",
        FIND + "return found && [found.getLatLng().lng, found.getLatLng().lat];",
        "Kim Liên",
    )
    assert where == pytest.approx([105.841, 21.0085])
    # Thành Công's chart in Hà Nội time, its daily VN_AQI, the CSV of what is shown
    Select(browser.find_element(By.ID, "filter-position")).select_by_value("")
    browser.execute_script(
        "document.getElementById('filter-position').dispatchEvent(new Event('input'))"
    )
    _item(browser, "7").find_element(By.CSS_SELECTOR, ".station-name").click()
    _wait(browser, lambda d: d.find_element(By.ID, "station-title").text == "Thành Công")
    _wait(browser, lambda d: d.find_element(By.ID, "series-until").get_attribute("value"))
    browser.execute_script(
        "document.getElementById('series-since').value = '2019-01-22';"
        "document.getElementById('series-until').value = '2019-01-25';"
        "document.getElementById('series-show').click();"
    )
    _wait(
        browser,
        lambda d: (
            d.execute_script(
                "const c = Chart.getChart('chart'); return c && c.data.datasets[0].data[0].x"
            )
            == d.execute_script("return Date.parse('2019-01-22T01:00:00+07:00')")
        ),
    )
    chart = browser.execute_script(
        "const c = Chart.getChart('chart'); const d = c.data.datasets;"
        "return {tick: c.options.scales.x.ticks.callback(d[0].data[0].x),"
        " x: c.options.scales.x.title.text};"
    )
    assert chart["tick"].startswith("22/01 01") and chart["x"].startswith(words["axis"])
    _wait(browser, lambda d: int(d.execute_script("return document.body.dataset.strip || 0")) >= 1)
    bars = _wait(
        browser,
        lambda d: d.execute_script(
            "const c = Chart.getChart('aqi-strip'); return c && c.data.datasets[0].backgroundColor"
        ),
    )
    assert bars and all(c.startswith("#") for c in bars)
    href = browser.find_element(By.ID, "series-csv").get_attribute("href")
    assert "since=2019-01-22" in href and "parameter=PM2.5" in href
    text = browser.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then((r) => r.text()).then(done);", href
    )
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "station,parameter,averaging,start,value,unit,quality"
    assert lines[1].startswith("7,PM2.5,1h,2019-01-22T01:00:00+07:00,")
    assert any(",24h,2019-01-23T00:00:00+07:00," in line for line in lines)
    # the warning: on while sample stations are coloured, off over 2019 only
    page_module(browser, "environment", "return m.showPeriod('2019-01-22', '2019-01-29');")
    assert browser.find_element(By.ID, "synthetic-warning").get_attribute("hidden")
    if lang == "vi":
        panel = browser.find_element(By.CSS_SELECTOR, ".panel").text
        assert [w for w in ENGLISH if w in panel] == []
    browser.save_screenshot(str(SCREENSHOTS / f"environment-stations-1400-{lang}.png"))
    _check_clean(browser, own_server)
    # a bad file: refused in the page's language, with row and column
    bad = tmp_path / "bad.csv"
    bad.write_text("station_id,time,PM2.5\n7,2019-01-30 01:00,lots\n", encoding="utf-8")
    browser.find_element(By.ID, "upload-file").send_keys(str(bad))
    browser.find_element(By.ID, "upload-submit").click()
    _wait(
        browser, lambda d: "error" in d.find_element(By.ID, "upload-result").get_attribute("class")
    )
    assert words["row"] in browser.find_element(By.ID, "upload-result").text
    # 360 px: the legend folds, and neither it nor the list covers the map
    browser.set_window_size(360, 740)
    _open(browser, f"{own_server}/environment?lang={lang}")
    legend = browser.find_element(By.CSS_SELECTOR, ".legend")
    assert legend.get_attribute("open") is None
    map_box = browser.find_element(By.ID, "map").rect
    assert legend.rect["height"] < 0.15 * map_box["height"]
    assert _no_overlap(browser.find_element(By.ID, "station-list").rect, map_box)
    browser.execute_script("document.getElementById('stations-box').scrollIntoView()")
    browser.save_screenshot(str(SCREENSHOTS / f"environment-stations-360-{lang}.png"))
    browser.set_window_size(1280, 900)
