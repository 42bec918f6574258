"""Leaflet's and Leaflet.draw's own words (zoom and layers buttons, the draw toolbar, its
actions and tooltips) in the page's language, in real Chromium: their defaults are English,
which a Vietnamese planner saw on the map (found by a user trial)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.webmap.conftest import SCREENSHOTS, _check_clean, _open

pytestmark = pytest.mark.postgis

#: Leaflet's and Leaflet.draw's English defaults that the planner's map showed.
DEFAULTS = {
    "Zoom in",
    "Zoom out",
    "Layers",
    "Draw a polygon",
    "Draw a rectangle",
    "Edit layers",
    "No layers to edit",
    "Delete layers",
    "No layers to delete",
    "Finish",
    "Delete last point",
    "Cancel",
    "Click to start drawing shape.",
    "A JavaScript library for interactive maps",
}
WORDS = {
    "vi": {
        "zoom": "Phóng to",
        "polygon": "Vẽ một đa giác",
        "finish": "Xong",
        "start": "Nhấp để bắt đầu vẽ vùng.",
        "edit": "Chưa vẽ gì để sửa",
    },
    "en": {
        "zoom": "Zoom in",
        "polygon": "Draw a polygon",
        "finish": "Finish",
        "start": "Click to start drawing the area.",
        "edit": "Nothing drawn to edit",
    },
}

SEEN = """
const out = [];
const controls = '#map .leaflet-control [title], #map .leaflet-control a';
for (const el of document.querySelectorAll(controls)) {
  out.push(el.getAttribute('title') || '', el.textContent.trim());
}
for (const el of document.querySelectorAll('#map .leaflet-draw-actions a, .leaflet-draw-tooltip')) {
  out.push(el.getAttribute('title') || '', el.textContent.trim());
}
const prefix = document.querySelector('#map .leaflet-control-attribution');
if (prefix) out.push(prefix.innerHTML);
return out.filter(Boolean);
"""


@pytest.mark.parametrize(("lang", "width"), [("vi", 360), ("en", 1400)])
def test_the_map_controls_speak_the_page_language(browser, live_server, lang, width):
    browser.set_window_size(width, 800)
    _open(browser, f"{live_server}/?lang={lang}")
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.body.dataset.ready === '1'")
    )
    words = WORDS[lang]
    zoom = browser.find_element(By.CSS_SELECTOR, "#map .leaflet-control-zoom-in")
    assert zoom.get_attribute("title") == words["zoom"]
    polygon = browser.find_element(By.CSS_SELECTOR, "#map .leaflet-draw-draw-polygon")
    assert polygon.get_attribute("title") == words["polygon"]
    edit = browser.find_element(By.CSS_SELECTOR, "#map .leaflet-draw-edit-edit")
    assert edit.get_attribute("title") == words["edit"]  # nothing drawn yet
    browser.execute_script("arguments[0].click()", polygon)  # start drawing: actions, tooltip
    WebDriverWait(browser, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#map .leaflet-draw-actions a")
    )
    seen = browser.execute_script(SEEN)
    assert words["finish"] in seen and words["start"] in seen, seen
    browser.save_screenshot(str(SCREENSHOTS / f"leaflet-words-{lang}-{width}.png"))
    if lang == "vi":
        english = [s for s in seen if s in DEFAULTS or any(d in s for d in DEFAULTS if len(d) > 12)]
        assert english == [], english
    _check_clean(browser, live_server)
