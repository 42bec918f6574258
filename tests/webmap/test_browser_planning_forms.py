"""Issue 16 on the planner page in Chromium: weights and AHP (item 5), input coverage, the
scenario list (rename, notes, filter, compare, delete: item 3). Screenshots at 360 and 1400 px,
both languages, in ``test-artifacts/screenshots``."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.webmap.conftest import SCREENSHOTS, _check_clean, _open, _sign_in, page_module

pytestmark = pytest.mark.postgis

WORDS = {
    "vi": {
        "zero": "Mọi trọng số đều bằng 0",
        "cr": "Tỷ số nhất quán CR",
        "dem": "mô hình số độ cao",
    },
    "en": {"zero": "All weights are zero", "cr": "Consistency ratio CR", "dem": "elevation model"},
}


def _planner(browser, live_server, lang: str, width: int) -> None:
    browser.set_window_size(width, 900)
    _open(browser, f"{live_server}/?lang={lang}")
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.body.dataset.planningReady") == "1"
    )


def _set_weight(browser, name: str, value: str) -> None:
    browser.execute_script(
        "const el = document.querySelector('#weights-table input[data-criterion=' + arguments[0] "
        "+ ']'); el.value = arguments[1]; el.dispatchEvent(new Event('input'));",
        name,
        value,
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_weights_ahp_and_coverage_on_the_page(browser, live_server, accounts, lang):
    words = WORDS[lang]
    _sign_in(browser, live_server, "planner")
    _planner(browser, live_server, lang, 1400)
    # where the inputs cover: named, with their extent, and drawn on the map
    inputs = browser.find_element(By.ID, "siting-inputs").text
    assert words["dem"] in inputs and "N21E105_srtm3.tif" in inputs, inputs
    assert browser.find_elements(By.CSS_SELECTOR, "path[stroke-dasharray='6 4']")
    # effective weights beside the given ones: 1 of the sum 1.75 (the others 0.75) is 57.1 %
    _set_weight(browser, "road_distance_m", "1")
    effective = browser.find_element(By.CSS_SELECTOR, "output[data-effective=road_distance_m]").text
    assert effective == ("57,1 %" if lang == "vi" else "57.1 %"), effective
    for name in (
        "road_distance_m",
        "village_distance_m",
        "residential_distance_m",
        "facility_distance_m",
        "slope_deg",
        "elevation_m",
        "landuse",
    ):
        _set_weight(browser, name, "0")
    assert words["zero"] in browser.find_element(By.ID, "weights-note").text
    browser.find_element(By.ID, "siting-run").click()
    WebDriverWait(browser, 10).until(
        lambda d: d.find_element(By.ID, "planning-error").is_displayed()
    )
    assert words["zero"] in browser.find_element(By.ID, "planning-error").text
    # AHP over three weighted criteria: CR shown; an inconsistent matrix names the pair
    for name in ("road_distance_m", "village_distance_m", "slope_deg"):
        _set_weight(browser, name, "0.3")
    browser.find_element(By.ID, "weight-mode-ahp").click()
    WebDriverWait(browser, 10).until(lambda d: words["cr"] in d.find_element(By.ID, "ahp-cr").text)
    browser.execute_script(
        "const s = [...document.querySelectorAll('#ahp-pairs select')];"
        "s[0].value = '9'; s[1].value = String(1/9); s[2].value = '9';"
        "s[2].dispatchEvent(new Event('change'));"
    )
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return document.body.dataset.weightsState") == "refused"
    )
    note = browser.find_element(By.ID, "weights-note").text
    assert "0,1" in note if lang == "vi" else "0.1" in note, note
    browser.save_screenshot(str(SCREENSHOTS / f"planner-ahp-{lang}-1400.png"))
    browser.set_window_size(360, 800)
    browser.find_element(By.ID, "siting-weights").location_once_scrolled_into_view  # noqa: B018
    browser.save_screenshot(str(SCREENSHOTS / f"planner-ahp-{lang}-360.png"))
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360, width  # nothing wider than the phone
    page_module(browser, "planner", "return 1;")
    _check_clean(browser, live_server)
