"""The tourist's day in real Chromium (issue 15), on a 360 px phone and a 1400 px screen, in
both languages: only villages that welcome visitors are stops (clustered, craft symbols, a
legend; polluting sites only as a hazard layer), priorities, order, date, start time, lunch,
every note the planner returns, the route in view with numbered stops and the start marked,
a dismissable note that covers no control, no control covered by another element, no English
on the Vietnamese page. Screenshots go to ``test-artifacts/screenshots``.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.webmap.conftest import SCREENSHOTS, _check_clean, _open
from tests.webmap.test_vietnamese import _untranslated

pytestmark = pytest.mark.postgis

POLLUTING = ("BN-DA-HOI", "BN-MAN-XA", "HY-DONG-MAI", "HY-MINH-KHAI")
WORDS = {
    "vi": {"bat_trang": "hằng ngày: 07:30–17:30", "lunch": "Nghỉ ăn trưa", "avoid": "cần có"},
    "en": {"bat_trang": "every day: 07:30–17:30", "lunch": "Lunch break", "avoid": "needs a road"},
}

#: Every visible control of the page scrolled into view: the element at its centre must be the
#: control or inside it (nothing covers it). Returns the controls that are covered.
COVERED = """
const out = [];
const controls = document.querySelectorAll(
  'main button, main select, main input, main a, main summary, #basemap-note button, header a');
for (const el of controls) {
  if (!el.offsetParent || el.closest('.leaflet-marker-pane, .leaflet-popup-pane')) continue;
  el.scrollIntoView({block: 'center', inline: 'center'});
  const r = el.getClientRects()[0] || el.getBoundingClientRect();  // a wrapped link: its first line
  if (!r.width || !r.height) continue;
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  if (!(hit === el || el.contains(hit) || (el.labels && [...el.labels].some(l => l.contains(hit)))))
    out.push((el.id || el.className || el.tagName) + ' under '
      + (hit ? hit.id || hit.className || hit.tagName : 'nothing'));
}
return out;
"""


def _covered(browser) -> list[str]:
    return browser.execute_script(COVERED)


def _click(browser, css: str) -> None:
    element = browser.find_element(By.CSS_SELECTOR, css)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def _picked(browser) -> list[str]:
    return [
        li.get_attribute("data-ref") for li in browser.find_elements(By.CSS_SELECTOR, "#picked li")
    ]


def _plan(browser) -> dict:
    browser.execute_script("delete document.body.dataset.planned")
    _click(browser, "#plan-button")
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.body.dataset.planned") == "1"
    )
    return {
        "stops": [
            li.get_attribute("data-ref")
            for li in browser.find_elements(By.CSS_SELECTOR, "#plan-result li.stop")
        ],
        "text": browser.find_element(By.ID, "plan-result").text,
    }


@pytest.mark.parametrize("width", [360, 1400])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_tourists_day(browser, live_server, lang, width):
    browser.set_window_size(width, 800)
    try:
        _open(browser, f"{live_server}/tour?lang={lang}")
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        # the basemap note is in the flow: it covers nothing, and it can be dismissed
        note = browser.find_element(By.ID, "basemap-note")
        assert note.is_displayed()
        assert _covered(browser) == []
        _click(browser, "#basemap-note .note-close")
        assert not note.is_displayed()

        # stops: only the villages that welcome visitors, clustered, by craft symbol, a legend
        cards = [
            c.get_attribute("data-ref") for c in browser.find_elements(By.CSS_SELECTOR, ".card")
        ]
        assert "HN-BAT-TRANG" in cards and len(cards) >= 30
        assert not set(POLLUTING) & set(cards)
        bat_trang = browser.find_element(By.CSS_SELECTOR, ".card[data-ref='HN-BAT-TRANG'] .hours")
        assert WORDS[lang]["bat_trang"] in bat_trang.get_attribute("textContent")
        assert browser.find_elements(By.CSS_SELECTOR, ".marker-cluster")
        assert len(browser.find_elements(By.CSS_SELECTOR, "#legend-items li")) >= 6
        hazard = ".leaflet-marker-pane .craft-hazard"
        assert browser.find_elements(By.CSS_SELECTOR, hazard) == []
        _click(browser, "#hazards")  # the hazard layer, off until the visitor turns it on
        assert len(browser.find_elements(By.CSS_SELECTOR, hazard)) >= len(POLLUTING)

        # the day: picked in an order where the famous villages come last, priorities set
        for ref in ("HN-KIEU-KY", "HN-BAT-TRANG", "HN-VAN-PHUC"):
            _click(browser, f".card button.add[data-ref='{ref}']")
        assert _picked(browser) == ["HN-KIEU-KY", "HN-BAT-TRANG", "HN-VAN-PHUC"]
        for i in (2, 3):
            select = browser.find_element(By.CSS_SELECTOR, f"#picked li:nth-child({i}) select")
            browser.execute_script(
                "arguments[0].value = 'must'; arguments[0].dispatchEvent(new Event('change'))",
                select,
            )
        browser.execute_script("document.getElementById('date').value = '2026-12-02'")  # Wed
        browser.execute_script("document.getElementById('start-time').value = '08:00'")
        _click(browser, "#avoid")
        first = _plan(browser)
        assert sorted(first["stops"]) == ["HN-BAT-TRANG", "HN-VAN-PHUC"]  # must-see kept
        assert WORDS[lang]["lunch"] in first["text"]
        notes = browser.find_element(By.ID, "plan-notes").text
        assert "Kiêu Kỵ" in notes and WORDS[lang]["avoid"] in notes  # every note shown
        assert browser.find_element(By.ID, "zone-metres").text
        # the list shows the visiting order, the dropped stop last
        assert _picked(browser) == [*first["stops"], "HN-KIEU-KY"]

        # on the map: numbered stops, the start marked, all in view
        in_view = browser.execute_script(
            "const m = document.getElementById('map').getBoundingClientRect();"
            "return [...document.querySelectorAll('.stop-icon, .start-icon span')].map(e => {"
            "const r = e.getBoundingClientRect(); return r.left >= m.left && r.right <= m.right"
            " && r.top >= m.top && r.bottom <= m.bottom; });"
        )
        browser.execute_script("document.getElementById('map').scrollIntoView()")
        assert len(in_view) == 3 and all(in_view), in_view
        numbers = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".stop-icon span")]
        assert numbers == ["1", "2"]
        browser.save_screenshot(str(SCREENSHOTS / f"tour-day-{lang}-{width}px-map.png"))

        # the visitor removes the dropped stop and puts the second first: that order is kept
        _click(browser, "#picked li:nth-child(3) button.remove")
        _click(browser, "#picked li:nth-child(2) button.up")
        assert browser.find_element(By.ID, "keep-order").is_selected()
        wanted = _picked(browser)
        assert wanted == first["stops"][::-1]
        second = _plan(browser)
        assert second["stops"] == wanted
        assert _covered(browser) == []
        result = browser.find_element(By.ID, "plan-result")
        browser.execute_script("arguments[0].scrollIntoView()", result)
        browser.save_screenshot(str(SCREENSHOTS / f"tour-day-{lang}-{width}px-plan.png"))
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        if lang == "vi":
            text = browser.execute_script("return document.body.innerText")
            assert _untranslated(text) == []
            assert "Mo-S" not in text and "Start" not in text and "Lunch" not in text
        _check_clean(browser, live_server)
    finally:
        browser.set_window_size(1280, 900)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_printable_day_fits_a_phone(browser, live_server, lang):
    browser.set_window_size(360, 740)
    try:
        browser.get(
            f"{live_server}/tour/print?villages=HN-KIEU-KY,HN-BAT-TRANG&date=2026-12-02&lang={lang}"
        )
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 360
        heads = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "thead th")]
        assert heads == (
            ["#", "Đến – rời đi", "Làng nghề", "Giờ mở cửa"]
            if lang == "vi"
            else ["#", "Arrival – departure", "Craft village", "Opening hours"]
        )
        body = browser.find_element(By.TAG_NAME, "body").text
        assert WORDS[lang]["bat_trang"] in body and WORDS[lang]["lunch"] in body
        assert "Mo-S" not in body
        if lang == "vi":
            assert _untranslated(body) == []
        browser.save_screenshot(str(SCREENSHOTS / f"tour-print-{lang}-360px.png"))
    finally:
        browser.set_window_size(1280, 900)
