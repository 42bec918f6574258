"""Issue 16 item 4 on the planner page in Chromium (vi and en, 360 and 1400 px): a candidate's
popup gives each criterion's value with its unit, the Decree 32 verdict and why it ranks where
it does; the suitability layer is in the layer switcher with its legend and opacity; one rank
label per candidate. Screenshots in ``test-artifacts/screenshots``."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.webmap.conftest import SCREENSHOTS, _check_clean, _sign_in
from tests.webmap.test_browser_planning_forms import _planner, _siting_via_api

pytestmark = pytest.mark.postgis
WORDS = {
    "vi": {
        "road": "Khoảng cách tới đường chính",
        "why": "Vì sao xếp hạng này",
        "decree": "Nghị định 32/2024",
        "suit": "Mức độ phù hợp",
        "opacity": "Độ đậm",
        "low": "thấp",
        "high": "cao",
        "rank": "hạng 1 trên",
    },
    "en": {
        "road": "Distance to a main road",
        "why": "Why this rank",
        "decree": "Decree 32/2024",
        "suit": "Suitability",
        "opacity": "Opacity",
        "low": "low",
        "high": "high",
        "rank": "rank 1 of",
    },
}
CLICK = (
    "const p = document.querySelector(\"#map path.leaflet-interactive[fill='#1a9850']\");"
    "const b = p.getBoundingClientRect();"
    "p.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: b.x + b.width / 2,"
    " clientY: b.y + b.height / 2}));"
)


def test_candidate_popup_and_suitability_layer(browser, live_server, accounts):
    sid = _siting_via_api(
        live_server, accounts["planner"], "Vị trí", {"road_distance_m": 0.6, "slope_deg": 0.4}
    )
    _sign_in(browser, live_server, "planner")
    for lang in ("vi", "en"):
        words = WORDS[lang]
        for width in (1400, 360):
            _planner(browser, live_server, lang, width)
            browser.execute_script(
                "document.querySelector(`#scenario-list li[data-id='${arguments[0]}']"
                " .open-scenario`).click();",
                sid,
            )
            WebDriverWait(browser, 20).until(
                lambda d: d.execute_script("return document.body.dataset.suitabilityShown") == "1"
            )
            count = browser.execute_script(
                "return document.querySelectorAll(\"#map path[fill='#1a9850']\").length"
            )
            labels = browser.find_elements(By.CSS_SELECTOR, "#map .rank-label")
            assert count >= 1 and len(labels) == count, (count, len(labels))
            assert sorted(int(x.text) for x in labels) == list(range(1, count + 1))
            # the switcher lists the suitability layer; the legend has the ramp and opacity
            switcher = browser.execute_script(
                "return document.querySelector('#map .leaflet-control-layers').textContent"
            )
            assert words["suit"] in switcher, switcher
            legend = browser.find_element(By.ID, "suitability-legend")
            assert legend.is_displayed() and words["suit"] in legend.text
            if width < 600:  # folded to its title on a phone; open it
                legend.find_element(By.TAG_NAME, "summary").click()
            assert words["opacity"] in legend.text
            assert words["low"] in legend.text and words["high"] in legend.text
            assert "gradient" in browser.find_element(By.ID, "suitability-ramp").get_attribute(
                "style"
            )
            browser.execute_script(
                "const s = document.getElementById('suitability-opacity'); s.value = '30';"
                "s.dispatchEvent(new Event('input'));"
            )
            opacity = browser.execute_script(
                "return getComputedStyle(document.querySelector('#map img.suitability-image'))"
                ".opacity"
            )
            assert float(opacity) == pytest.approx(0.3), opacity
            # the candidate's popup: criterion values with units, Decree 32, why its rank
            browser.execute_script("window.scrollTo(0, 0);")
            browser.execute_script(CLICK)
            popup = WebDriverWait(browser, 30).until(  # present and laid out (text shown)
                lambda d: next(
                    (p for p in d.find_elements(By.CSS_SELECTOR, ".candidate-popup") if p.text),
                    None,
                )
            )
            text = popup.text
            assert words["road"] in text and " m" in text, text
            assert "°" in text and words["decree"] in text and words["why"] in text, text
            rows = popup.find_elements(By.CSS_SELECTOR, "tr[data-criterion]")
            assert {r.get_attribute("data-criterion") for r in rows} == {
                "road_distance_m",
                "slope_deg",
            }
            rank = popup.get_attribute("data-rank")
            if rank == "1":
                assert words["rank"] in text
            browser.save_screenshot(str(SCREENSHOTS / f"planner-candidate-{lang}-{width}.png"))
            # switching the layer off hides its legend
            browser.execute_script(
                "const l = [...document.querySelectorAll('.leaflet-control-layers label')]"
                ".find((x) => x.textContent.includes(arguments[0]));"
                "l.querySelector('input').click();",
                words["suit"],
            )
            WebDriverWait(browser, 5).until(
                lambda d: not d.find_element(By.ID, "suitability-legend").is_displayed()
            )
            width_px = browser.execute_script("return document.documentElement.scrollWidth")
            assert width_px <= width, width_px
    _check_clean(browser, live_server)
