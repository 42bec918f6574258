"""Points of interest on the maps (issue 14, item 5), in real Chromium at 360 and 1400 px in
both languages: the planner's layer switch and legend, and the car parks and bus stops near
the stops of a planned tour. The points are the real OSM 2018 extract's (``../shared/data``),
imported into this module's database before the server starts. Screenshots go to
``test-artifacts/screenshots``.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from gis.db import connect
from layers.importer import ImportOptions, run_import
from layers.registry import get_spec
from tests.webmap.conftest import SCREENSHOTS, _check_clean, _open, serve
from tests.webmap.test_vietnamese import _untranslated

pytestmark = pytest.mark.postgis

WORDS = {
    "vi": {
        "layer": "Điểm tiện ích",
        "legend": "Trường học, trạm y tế",
        "near": "Gần đó",
        "parking": "Bãi đỗ xe gần điểm dừng",
        "bus": "Điểm dừng xe buýt gần",
    },
    "en": {
        "layer": "Points of interest",
        "legend": "School, clinic",
        "near": "Nearby",
        "parking": "Car park near a stop",
        "bus": "Bus stop near a stop",
    },
}


@pytest.fixture(scope="module")
def poi_server(module_web_settings, tmp_path_factory):
    conn = connect(module_web_settings)
    try:
        osm = module_web_settings.real_data / "landuse" / "rrd_osm2018_geofabrik.gpkg"
        for layer in ("pois", "transport", "traffic", "pofw"):
            run_import(conn, get_spec("pois"), osm, ImportOptions(progress=None, layer=layer))
        conn.commit()
    finally:
        conn.close()
    proc, base = serve(module_web_settings, tmp_path_factory.mktemp("server") / "server.log")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.parametrize("width", [360, 1400])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_planner_map_shows_points_of_interest(browser, poi_server, lang, width):
    browser.set_window_size(width, 900)
    try:
        _open(browser, f"{poi_server}/?lang={lang}")
        legend = browser.find_element(By.CSS_SELECTOR, ".legend")
        assert WORDS[lang]["legend"] not in legend.text  # listed while the layer is shown
        if width <= 700:  # folded on a phone: the planner opens the layer switch first
            browser.find_element(By.CSS_SELECTOR, "#map .leaflet-control-layers-toggle").click()
            WebDriverWait(browser, 10).until(
                lambda d: (
                    "leaflet-control-layers-expanded"
                    in d.find_element(
                        By.CSS_SELECTOR, "#map .leaflet-control-layers"
                    ).get_attribute("class")
                )
            )
        labels = browser.find_elements(By.CSS_SELECTOR, ".leaflet-control-layers-overlays label")
        switch = next(lb for lb in labels if WORDS[lang]["layer"] in lb.text)
        box = switch.find_element(By.TAG_NAME, "input")
        assert not box.is_selected()  # off until the planner turns it on
        hit = browser.execute_script(
            "const r = arguments[0].getBoundingClientRect();"
            "return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);",
            box,
        )
        assert hit == box, "the layer switch is covered"
        box.click()
        assert legend.get_attribute("open") == (None if width < 600 else "true")
        if width < 600:  # folded on a phone: the visitor opens it
            legend.find_element(By.TAG_NAME, "summary").click()
        assert WORDS[lang]["legend"] in legend.text
        browser.execute_script(
            "document.querySelector('#map').scrollIntoView();window.scrollBy(0, -10)"
        )
        WebDriverWait(browser, 10).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane canvas")
        )
        browser.save_screenshot(str(SCREENSHOTS / f"pois-planner-{lang}-{width}px.png"))
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        _check_clean(browser, poi_server)
    finally:
        browser.set_window_size(1280, 900)


def _click(browser, css: str) -> None:
    element = browser.find_element(By.CSS_SELECTOR, css)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


@pytest.mark.parametrize("width", [360, 1400])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_tour_shows_parking_and_stops_near_its_villages(browser, poi_server, lang, width):
    browser.set_window_size(width, 800)
    try:
        _open(browser, f"{poi_server}/tour?lang={lang}")
        legend = browser.find_element(By.ID, "legend-items").get_attribute("textContent")
        assert {"P", "B"} <= {
            s.get_attribute("textContent")
            for s in browser.find_elements(By.CSS_SELECTOR, "#legend-items .poi-icon")
        }
        assert WORDS[lang]["parking"] in legend and WORDS[lang]["bus"] in legend
        for ref in ("HN-TRIEU-KHUC", "HN-BAT-TRANG"):
            _click(browser, f".card button.add[data-ref='{ref}']")
        browser.execute_script("delete document.body.dataset.planned")
        _click(browser, "#plan-button")
        WebDriverWait(browser, 30).until(
            lambda d: d.execute_script("return document.body.dataset.planned") == "1"
        )
        lines = browser.find_elements(By.CSS_SELECTOR, "#plan-result li.stop .nearby")
        assert len(lines) == 2, "each stop lists its car parks and bus stops"
        assert all(line.text.startswith(WORDS[lang]["near"]) for line in lines)
        assert all(" m" in line.text for line in lines)
        markers = browser.find_elements(By.CSS_SELECTOR, ".leaflet-marker-pane .poi-marker")
        assert markers
        browser.execute_script("document.getElementById('map').scrollIntoView()")
        browser.save_screenshot(str(SCREENSHOTS / f"pois-tour-{lang}-{width}px-map.png"))
        result = browser.find_element(By.ID, "plan-result")
        browser.execute_script("arguments[0].scrollIntoView()", result)
        browser.save_screenshot(str(SCREENSHOTS / f"pois-tour-{lang}-{width}px-plan.png"))
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        if lang == "vi":
            assert _untranslated(result.text) == []
            assert "Bus stop" not in result.text and "Car park" not in result.text
        _check_clean(browser, poi_server)
    finally:
        browser.set_window_size(1280, 900)
