"""Relocation on the planner page in Chromium (issue 16, item 6), over the real craft-village
file: the villages skipped for want of a household count are shown by name, the map legend
explains the site diamonds and the assignment lines, and at 360 px the layer switch and the
legends fold so that they cover neither each other nor the zoom and draw controls. Vietnamese
and English, 1,400 and 360 px; screenshots in ``test-artifacts/screenshots``."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from gis.db import connect
from layers.importer import ImportOptions, run_import
from layers.registry import get_spec
from tests.webmap.conftest import SCREENSHOTS, _check_clean, _open, _sign_in, serve

pytestmark = pytest.mark.postgis
YEN_THAI = "Làng nghề giấy dó Yên Thái"  # paper (Decree 08 Appendix II), no household count
WORDS = {
    "vi": {"skipped": "làng: không có số hộ", "line": "một làng và địa điểm nó chuyển đến"},
    "en": {"skipped": "villages skipped: no number of households", "line": "a village and"},
}


@pytest.fixture
def server(web_settings, real_data, tmp_path):
    conn = connect(web_settings)
    try:
        path = real_data / "craftvillages" / "vn_craft_villages_cvpms.csv"
        run_import(conn, get_spec("villages"), path, ImportOptions())
        conn.commit()
    finally:
        conn.close()
    proc, base = serve(web_settings, tmp_path / "server.log")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def _planner(browser, base: str, lang: str, width: int) -> None:
    browser.set_window_size(width, 800)
    _open(browser, f"{base}/?lang={lang}")
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.body.dataset.planningReady") == "1"
    )


CONTROLS = (
    "return [...document.querySelectorAll('#map .leaflet-control')]"
    ".filter((e) => e.offsetWidth).map((e) => { const r = e.getBoundingClientRect();"
    " return {name: e.className, l: r.left, t: r.top, r: r.right, b: r.bottom}; });"
)


def _overlaps(a: dict, b: dict) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


def _controls_apart(browser) -> list[dict]:
    rects = browser.execute_script(CONTROLS)
    area = browser.execute_script(
        "const r = document.getElementById('map').getBoundingClientRect();"
        "return {l: r.left, t: r.top, r: r.right, b: r.bottom};"
    )
    for i, a in enumerate(rects):
        assert area["l"] <= a["l"] and a["r"] <= area["r"] + 0.5, (a, area)
        assert area["t"] <= a["t"] and a["b"] <= area["b"] + 0.5, (a, area)
        for b in rects[i + 1 :]:
            assert not _overlaps(a, b), (a["name"], b["name"], rects)
    return rects


def _covered_share(rects: list[dict], browser) -> float:
    """The share of the map's area under its controls."""
    area = browser.execute_script(
        "const r = document.getElementById('map').getBoundingClientRect();"
        "return r.width * r.height;"
    )
    return sum((r["r"] - r["l"]) * (r["b"] - r["t"]) for r in rects) / area


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_relocation_names_skipped_villages_and_explains_the_map(browser, server, accounts, lang):
    words = WORDS[lang]
    _sign_in(browser, server, "planner")
    _planner(browser, server, lang, 1400)
    browser.execute_script(
        "document.getElementById('siting-panel').open = false;"
        "document.getElementById('alloc-panel').open = true;"
        "document.getElementById('alloc-p').value = '3';"
        "document.getElementById('alloc-commute').value = '200';"
    )
    browser.find_element(By.ID, "alloc-run").click()
    WebDriverWait(browser, 120).until(
        lambda d: (
            d.find_elements(By.ID, "reloc-legend")
            or d.find_element(By.ID, "planning-error").is_displayed()
        )
    )
    assert not browser.find_element(By.ID, "planning-error").is_displayed(), browser.find_element(
        By.ID, "planning-error"
    ).text
    skipped = browser.find_element(By.ID, "reloc-skipped")
    assert words["skipped"] in skipped.text, skipped.text
    listed = browser.execute_script("return arguments[0].textContent", skipped)
    assert YEN_THAI in listed, listed
    # the legend: each chosen site by its name (never a code) and the lines' meaning
    legend = browser.find_element(By.ID, "reloc-legend")
    assert legend.get_attribute("open") is not None  # open on a wide screen
    sites = [e.text for e in legend.find_elements(By.CSS_SELECTOR, "li.reloc-site")]
    assert len(sites) == 3 and all(s and not s.startswith("CCN-") for s in sites), sites
    assert words["line"] in legend.find_element(By.CSS_SELECTOR, "li.reloc-lines").text
    assert legend.find_elements(By.CSS_SELECTOR, "li.reloc-widths i.line")
    summary = browser.find_element(By.CSS_SELECTOR, ".reloc-summary").text
    assert all(s in summary for s in sites), (sites, summary)
    assert len(browser.find_elements(By.CSS_SELECTOR, ".reloc-site-icon")) >= 3
    _controls_apart(browser)
    browser.save_screenshot(str(SCREENSHOTS / f"planner-relocation-{lang}-1400.png"))
    scenario = browser.execute_script("return document.body.dataset.scenario")

    # a phone: the layer switch and the legends start folded, apart from each other and from
    # the zoom and draw buttons, and cover little of the map
    _planner(browser, server, lang, 360)
    browser.find_element(
        By.CSS_SELECTOR, f"#scenario-list li[data-id='{scenario}'] .open-scenario"
    ).click()
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "reloc-legend"))
    layers = browser.find_element(By.CSS_SELECTOR, "#map .leaflet-control-layers")
    assert "leaflet-control-layers-expanded" not in layers.get_attribute("class")
    assert browser.find_element(By.ID, "reloc-legend").get_attribute("open") is None
    assert browser.find_element(By.CSS_SELECTOR, "#map details.legend:not(#reloc-legend)")
    assert all(
        d.get_attribute("open") is None
        for d in browser.find_elements(By.CSS_SELECTOR, "#map details.legend")
    )
    rects = _controls_apart(browser)
    assert _covered_share(rects, browser) < 0.25, rects
    browser.find_element(By.ID, "map").location_once_scrolled_into_view  # noqa: B018
    browser.save_screenshot(str(SCREENSHOTS / f"planner-relocation-{lang}-360-folded.png"))
    # opened, each legend scrolls in the room left: it still covers no other control
    for selector in ("#reloc-legend", "#map details.legend:not(#reloc-legend)"):
        browser.find_element(By.CSS_SELECTOR, selector + " > summary").click()
        WebDriverWait(browser, 5).until(
            lambda d, s=selector: (
                d.find_element(By.CSS_SELECTOR, s).get_attribute("open") is not None
            )
        )
        WebDriverWait(browser, 5).until(  # fitted to the room left
            lambda d, s=selector: (
                d.find_element(By.CSS_SELECTOR, s).value_of_css_property("max-height") != "none"
            )
        )
        _controls_apart(browser)
        browser.save_screenshot(
            str(SCREENSHOTS / f"planner-relocation-{lang}-360-{selector[1:4]}-open.png")
        )
        browser.find_element(By.CSS_SELECTOR, selector + " > summary").click()
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360, width
    _check_clean(browser, server)
