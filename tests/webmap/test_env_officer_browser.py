"""The environmental officer's panels in real Chromium, both languages, over the real Hà Nội
January 2019 file (read by path from ``../shared/data``) next to the synthetic sample.

An officer adds an alert rule through the form (the rules run at once), acknowledges an alert
with a note and sees it on the map; screenshots at 360 px and 1400 px.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from gis.db import connect
from layers.stations import import_measurements
from tests.webmap.conftest import SCREENSHOTS, _check_clean, _open, _sign_in

pytestmark = pytest.mark.postgis

WORDS = {
    "vi": {"acknowledged": "đã tiếp nhận", "rule": "PM2.5 > 50 trong 3 giờ", "note": "Đã báo xã"},
    "en": {
        "acknowledged": "acknowledged",
        "rule": "PM2.5 > 50 for 3 h",
        "note": "Told the commune",
    },
}


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


@pytest.fixture(scope="module")
def officer(browser, live_server, hanoi_2019):
    _sign_in(browser, live_server, "env_officer")
    return browser


def _wait(browser, condition, timeout=60):
    return WebDriverWait(browser, timeout).until(condition)


def _shots(browser, name: str) -> None:
    for width in (360, 1400):
        browser.set_window_size(width, 900)
        browser.save_screenshot(str(SCREENSHOTS / f"{name}-{width}.png"))
    browser.set_window_size(1280, 900)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_officer_adds_a_rule_and_acknowledges_an_alert(officer, live_server, lang):
    words = WORDS[lang]
    browser = officer
    _open(browser, f"{live_server}/environment?lang={lang}")
    _wait(browser, lambda d: d.execute_script("return document.body.dataset.alertsReady") == "1")
    browser.find_element(By.ID, "alert-rules-box").click()
    name = browser.find_element(By.ID, "rule-name")
    name.clear()
    name.send_keys(f"PM2.5 {lang}")
    for field, value in (("rule-threshold", "50"), ("rule-hours", "3")):
        box = browser.find_element(By.ID, field)
        box.clear()
        box.send_keys(value)
    browser.find_element(By.ID, "rule-save").click()
    _wait(browser, lambda d: d.find_element(By.ID, "rule-result").text)
    rules = browser.find_element(By.ID, "alert-rules").text
    assert f"PM2.5 {lang}" in rules and words["rule"] in rules
    _wait(browser, lambda d: int(d.execute_script("return document.body.dataset.alerts")) > 0)
    first = browser.find_element(By.CSS_SELECTOR, "#alerts li[data-status='open']")
    alert_id = first.get_attribute("data-alert")
    first.find_element(By.CSS_SELECTOR, ".alert-note").send_keys(words["note"])
    first.find_element(By.CSS_SELECTOR, ".alert-ack").click()
    # acknowledged alerts leave the "open" list; the status filter shows them
    _wait(
        browser,
        lambda d: not d.find_elements(By.CSS_SELECTOR, f"#alerts li[data-alert='{alert_id}']"),
    )
    browser.execute_script(
        "const s = document.getElementById('alert-status'); s.value = 'acknowledged';"
        "s.dispatchEvent(new Event('change'));"
    )
    item = _wait(
        browser, lambda d: d.find_elements(By.CSS_SELECTOR, f"#alerts li[data-alert='{alert_id}']")
    )[0]
    assert words["acknowledged"] in item.text and words["note"] in item.text
    assert "env-officer" in item.text
    markers = browser.execute_script(
        "return document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive').length"
    )
    assert markers > 0
    browser.execute_script("document.getElementById('alerts-panel').scrollIntoView()")
    _shots(browser, f"env-alerts-{lang}")
    _check_clean(browser, live_server)


PERIODS = {
    "vi": (("2019-01-22", "2019-01-25"), ("2019-01-26", "2019-01-28")),
    "en": (("2019-01-22", "2019-01-23"), ("2019-01-24", "2019-01-29")),
}
SURFACE_WORDS = {
    "vi": {"few": "chỉ có 3 trạm", "loo": "sai số kiểm định chéo", "limit": "giới hạn 50"},
    "en": {"few": "only 3 stations", "loo": "leave-one-out error", "limit": "limit 50"},
}


def _make_surface(browser, since: str, until: str) -> str:
    browser.execute_script(
        "document.getElementById('surface-new-parameter').value = 'PM2.5';"
        "document.getElementById('surface-since').value = arguments[0];"
        "document.getElementById('surface-until').value = arguments[1];"
        "delete document.body.dataset.surfaceJob;"
        "document.getElementById('surface-make').click();",
        since,
        until,
    )
    job = _wait(browser, lambda d: d.execute_script("return document.body.dataset.surfaceJob"))
    assert job != "failed", browser.find_element(By.ID, "surface-error").text
    return job


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_officer_makes_two_surfaces_and_walks_them_on_one_scale(officer, live_server, lang):
    words = SURFACE_WORDS[lang]
    browser = officer
    _open(browser, f"{live_server}/environment?lang={lang}")
    _wait(browser, lambda d: d.execute_script("return document.body.dataset.surfacesReady") == "1")
    made = [_make_surface(browser, *period) for period in PERIODS[lang]]
    assert browser.execute_script("return document.body.dataset.surface") == made[-1]
    assert browser.find_element(By.ID, "surface-progress").get_attribute("value") == "1"
    urls, tops = [], set()
    for position in (None, "0"):
        if position is not None:  # the period before, one step back on the slider
            browser.execute_script(
                "const s = document.getElementById('surface-slider');"
                "s.value = Number(s.value) - 1; s.dispatchEvent(new Event('input'));"
            )
        urls.append(
            browser.find_element(By.CSS_SELECTOR, "img.leaflet-image-layer").get_attribute("src")
        )
        tops.add(browser.find_element(By.ID, "surface-ramp-bar").get_attribute("data-top"))
        assert words["loo"] in browser.find_element(By.ID, "surface-label").text
        assert words["few"] in browser.find_element(By.ID, "surface-warnings").text
        assert words["limit"] in browser.find_element(By.ID, "surface-ramp").text
    assert len(tops) == 1 and urls[0] != urls[1]  # two periods, one colour scale
    assert all(f"vmax={tops.pop()}" in u for u in urls[:1])
    browser.execute_script("document.getElementById('surfaces-panel').scrollIntoView()")
    _shots(browser, f"env-surfaces-{lang}")
    _check_clean(browser, live_server)


TREND_WORDS = {
    "vi": {"none": "không có xu hướng", "left": "01/2019: 5 trên 31 ngày"},
    "en": {"none": "no trend", "left": "01/2019: 5 of 31 days"},
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_trend_of_a_station(officer, live_server, lang):
    from tests.webmap.conftest import page_module

    browser = officer
    _open(browser, f"{live_server}/environment?lang={lang}")
    page_module(
        browser,
        "environment",
        "m.stationLayer.eachLayer((l) => {"
        " if (l.feature.properties.name === arguments[0]) l.fire('click'); });",
        "Thành Công",
    )
    _wait(browser, lambda d: d.find_element(By.ID, "trend-station").text == "Thành Công")
    browser.find_element(By.ID, "trend-open").click()
    _wait(browser, lambda d: d.execute_script("return document.body.dataset.trend"))
    summary = browser.find_element(By.ID, "trend-summary").text
    assert "Thành Công · PM2.5" in summary and TREND_WORDS[lang]["none"] in summary
    assert TREND_WORDS[lang]["left"] in browser.find_element(By.ID, "trend-left-out").text
    assert browser.find_elements(By.CSS_SELECTOR, "#trend-months tr.left-out")
    browser.execute_script("document.getElementById('trends-panel').scrollIntoView()")
    _shots(browser, f"env-trend-{lang}")
    _check_clean(browser, live_server)


ZONE_WORDS = {
    "vi": {
        "made": "Đã tạo",
        "fresh": "khớp với dữ liệu đầu vào",
        "method": "vùng đệm",
        "legend": "không đổi",
    },
    "en": {
        "made": "source zones made",
        "fresh": "up to date",
        "method": "a buffer of",
        "legend": "unchanged",
    },
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_officer_makes_zones_and_compares_two_dates(officer, live_server, lang):
    words = ZONE_WORDS[lang]
    browser = officer
    _open(browser, f"{live_server}/environment?lang={lang}")
    _wait(browser, lambda d: d.execute_script("return document.body.dataset.zonesReady") == "1")
    for day in ("2026-11-01", "2026-11-02"):
        browser.execute_script("document.getElementById('zone-date').value = arguments[0];", day)
        browser.find_element(By.ID, "zone-make-sources").click()
        shown = "/".join(reversed(day.split("-")))  # dd/mm/yyyy on the page
        _wait(browser, lambda d, shown=shown: shown in d.find_element(By.ID, "zone-made").text)
        assert words["made"] in browser.find_element(By.ID, "zone-made").text
    _wait(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, "#zone-status li[data-kind='source_buffer']"),
    )
    assert words["fresh"] in browser.find_element(By.ID, "zone-status").text
    browser.execute_script(
        "document.getElementById('zone-before').value = '2026-11-01';"
        "document.getElementById('zone-after').value = '2026-11-02';"
        "document.getElementById('zone-compare-show').click();"
    )
    count = _wait(browser, lambda d: d.execute_script("return document.body.dataset.zoneChanges"))
    assert int(count) > 5
    assert words["legend"] in browser.find_element(By.ID, "zone-legend").text
    assert words["legend"] in browser.find_element(By.ID, "zone-changes").text
    method = page_module_text(browser)
    assert method.startswith(words["method"]), method
    browser.execute_script("document.getElementById('zones-panel').scrollIntoView()")
    _shots(browser, f"env-zones-{lang}")
    _check_clean(browser, live_server)


def page_module_text(browser) -> str:
    from tests.webmap.conftest import page_module

    return page_module(
        browser,
        "env_zones",
        "return fetch('/api/zones/methods').then((r) => r.json()).then((j) =>"
        " m.methodText(Object.keys(j.methods)[0]));",
    )
