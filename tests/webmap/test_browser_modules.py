"""The page scripts in a real Chromium: ES modules that add nothing to the global scope, data
shown as text (a hostile name stays characters, never markup), and every page at a phone's
and a desktop's width in both languages. Screenshots go to ``test-artifacts/screenshots``.
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from gis.db import connect
from tests.webmap.conftest import (
    SCREENSHOTS,
    _check_clean,
    _open,
    _sign_in,
    _sign_out,
    bearer,
    page_module,
)

pytestmark = pytest.mark.postgis
HOSTILE = "<img src=x onerror=alert(1)>"
#: Globals of the vendored classic scripts (Leaflet, its plugins, Chart.js) and of Selenium's
#: own helper scripts: nothing else may appear.
ALLOWED_GLOBALS = {"L", "leaflet", "Leaflet", "_leaflet_events", "Chart"} | {
    "se_exportedFunctionSymbol",
    "ret_nodes",
}
PAGES = {"planner": "/", "environment": "/environment", "tour": "/tour", "audit": "/admin/audit"}


def _globals(driver) -> tuple[set[str], set[str]]:
    """The window's own property names, and the names of the global lexical scope (top-level
    ``let``/``const``/``class`` of classic scripts, which are not window properties).
    """
    window = set(driver.execute_script("return Object.getOwnPropertyNames(window)"))
    lexical = set(driver.execute_cdp_cmd("Runtime.globalLexicalScopeNames", {})["names"])
    return window, lexical


def _no_markup(driver) -> None:
    injected = driver.execute_script(
        "return [...document.querySelectorAll('img[src=x], [onerror]')].map((e) => e.outerHTML)"
    )
    assert injected == [], injected


def _wait(driver, css: str, timeout: int = 10):
    return WebDriverWait(driver, timeout).until(lambda d: d.find_element(By.CSS_SELECTOR, css))


def _post(base: str, collection: str, token: str, feature: dict) -> str:
    request = urllib.request.Request(
        f"{base}/collections/{collection}/items",
        data=json.dumps(feature).encode(),
        headers=bearer(token),
        method="POST",
    )
    return urllib.request.urlopen(request).headers["Location"]


def _delete(item: str, token: str) -> None:
    tag = urllib.request.urlopen(item).headers["ETag"]
    urllib.request.urlopen(
        urllib.request.Request(item, method="DELETE", headers={**bearer(token), "If-Match": tag})
    )


def test_page_scripts_define_no_globals(browser, live_server, accounts):
    browser.get(f"{live_server}/static/css/app.css")  # a document of ours without scripts
    blank_window, blank_lexical = _globals(browser)
    _sign_in(browser, live_server, "admin")  # an admin's pages load every module
    try:
        for page, path in PAGES.items():
            _open(browser, f"{live_server}{path}?lang=vi")
            if page == "planner":
                for stage in ("planningReady", "editingReady"):
                    WebDriverWait(browser, 20).until(
                        lambda d, s=stage: d.execute_script(f"return document.body.dataset.{s}")
                    )
            window, lexical = _globals(browser)
            ours = {
                name
                for name in window - blank_window - ALLOWED_GLOBALS
                if not re.match(r"\$?cdc_", name)  # chromedriver's own
            }
            assert ours == set(), f"{page}: window globals {sorted(ours)}"
            assert lexical - blank_lexical == set(), f"{page}: global lexical names {lexical}"
            scripts = browser.execute_script(
                "return [...document.scripts].filter((s) => s.src.includes('/static/js/'))"
                ".map((s) => [s.src, s.type])"
            )
            assert scripts and all(kind == "module" for _src, kind in scripts), scripts
            browser.save_screenshot(str(SCREENSHOTS / f"admin-{page}-vi.png"))
            _check_clean(browser, live_server)
    finally:
        _sign_out(browser, live_server)


def test_dom_helper_keeps_values_as_text(browser, live_server):
    _open(browser, f"{live_server}/tour?lang=en")
    built = page_module(
        browser,
        "dom",
        "const s = m.h('select', null, m.h('option', { value: arguments[0], title: arguments[0] },"
        " arguments[0]));"
        "const o = s.firstChild;"
        "return [o.value, o.title, o.textContent, s.querySelectorAll('img').length];",
        HOSTILE,
    )
    assert built == [HOSTILE, HOSTILE, HOSTILE, 0]


@pytest.fixture
def hostile(live_server, accounts, module_web_settings):
    """A village (with an OCOP product, so the tourist page shows its card), a cluster and a
    zone whose texts are markup; removed afterwards.
    """
    planner, officer = accounts["planner"], accounts["env_officer"]
    village = _post(
        live_server,
        "villages",
        planner,
        {
            "type": "Feature",
            "properties": {
                "ref": "T-HOSTILE",
                "name": HOSTILE,
                "craft": "silk",
                "source": "test",
                "opening_hours": "Mo-Su 08:00-17:00",  # hours are parsed on write (issue 13)
                "visitable": True,  # the tourist page offers only villages that take visitors
                "description_vi": HOSTILE,
                "description_en": HOSTILE,
            },
            "geometry": {"type": "Point", "coordinates": [105.70, 21.30]},
        },
    )
    square = [[105.69, 21.29], [105.71, 21.29], [105.71, 21.31], [105.69, 21.31], [105.69, 21.29]]
    cluster = _post(
        live_server,
        "clusters",
        planner,
        {
            "type": "Feature",
            "properties": {
                "ref": "CCN-T-HOSTILE",
                "name": HOSTILE,
                "kind": "general",
                "status": "planned",
                "source": "test",
            },
            "geometry": {"type": "Polygon", "coordinates": [square]},
        },
    )
    zone = _post(
        live_server,
        "zones",
        officer,
        {
            "type": "Feature",
            "properties": {
                "ref": "T-ZONE-HOSTILE",
                "name": HOSTILE,
                "kind": "observed",
                "parameter": "PM2.5",
                "method": HOSTILE,
                "zone_date": "2026-10-03",
                "severity": "low",
                "source": "test",
            },
            "geometry": {"type": "Polygon", "coordinates": [square]},
        },
    )
    conn = connect(module_web_settings)  # the database behind live_server
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO ocop_products (village_id, name, product_group, stars, source) "
            "SELECT id, %s, 'textiles_garments', 3, 'test' FROM craft_villages WHERE ref = %s",
            (HOSTILE, "T-HOSTILE"),
        )
    conn.commit()
    conn.close()
    try:
        yield
    finally:
        _delete(zone, officer)
        _delete(cluster, planner)
        _delete(village, planner)  # its OCOP product goes with it


def _click_clear(driver, css: str) -> None:
    """Click an element with the pointer once the map's pan has stopped and nothing covers it."""
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script(
            "const e = document.querySelector(arguments[0]); if (!e) return false;"
            "const r = e.getBoundingClientRect();"
            "const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
            "return at !== null && e.contains(at);",
            css,
        )
    )
    driver.find_element(By.CSS_SELECTOR, css).click()


def _text(driver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).get_attribute("textContent")


def test_hostile_names_show_as_text(browser, live_server, accounts, hostile):
    _sign_in(browser, live_server, "admin")
    try:
        # Planner map: search list, village popup, cluster popup and its edit form, drawn area.
        _open(browser, f"{live_server}/?lang=en")
        WebDriverWait(browser, 20).until(
            lambda d: d.execute_script("return document.body.dataset.editingReady") == "1"
        )
        browser.find_element(By.ID, "search").send_keys("onerror")
        hit = _wait(browser, "#search-results li[data-id]")
        assert hit.text.startswith(HOSTILE)
        hit.click()
        WebDriverWait(browser, 10).until(lambda d: HOSTILE in _text(d, ".leaflet-popup-content h3"))
        assert HOSTILE in _text(browser, ".leaflet-popup-content ul")  # the OCOP product
        _no_markup(browser)
        page_module(browser, "planner", "m.map.closePopup();")
        WebDriverWait(browser, 5).until(  # the village's popup fades out first
            lambda d: not d.find_elements(By.CSS_SELECTOR, ".leaflet-popup")
        )
        page_module(
            browser,
            "planner",
            "m.clusters.eachLayer((l) => {"
            " if (l.feature.properties.ref === 'CCN-T-HOSTILE') l.openPopup(); });",
        )
        WebDriverWait(browser, 10).until(lambda d: _text(d, ".leaflet-popup-content h3") == HOSTILE)
        _click_clear(browser, ".leaflet-popup .edit-button")
        name = _wait(browser, "#edit-panel [data-field=name]")
        assert name.get_attribute("value") == HOSTILE
        assert _text(browser, "#edit-panel h3") == "Edit: " + HOSTILE
        page_module(
            browser,
            "planner",
            "m.map.fire(L.Draw.Event.CREATED,"
            " { layer: L.rectangle([[21.28, 105.68], [21.32, 105.72]]) });",
        )
        WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#inside li"))
        inside = [
            li.get_attribute("textContent")
            for li in browser.find_elements(By.CSS_SELECTOR, "#inside li")
        ]
        assert inside.count(HOSTILE) >= 3, inside  # the village, the cluster, the zone
        _no_markup(browser)
        browser.save_screenshot(str(SCREENSHOTS / "hostile-planner-en.png"))
        _check_clean(browser, live_server)

        # Environment map: the zone's popup and its edit form.
        _open(browser, f"{live_server}/environment?lang=en")
        WebDriverWait(browser, 20).until(
            lambda d: d.execute_script("return document.body.dataset.editingReady") == "1"
        )
        page_module(
            browser,
            "environment",
            "m.map.eachLayer((l) => {"
            " if (l.feature && l.feature.properties.ref === 'T-ZONE-HOSTILE') l.openPopup(); });",
        )
        WebDriverWait(browser, 10).until(lambda d: _text(d, ".leaflet-popup-content h3") == HOSTILE)
        assert _text(browser, ".leaflet-popup-content .popup").startswith(HOSTILE + HOSTILE + " · ")
        _click_clear(browser, ".leaflet-popup .edit-button")
        method = _wait(browser, "#edit-panel [data-field=method]")
        assert method.get_attribute("value") == HOSTILE
        assert (
            browser.find_element(By.CSS_SELECTOR, "#edit-panel [data-field=name]").get_attribute(
                "value"
            )
            == HOSTILE
        )
        _no_markup(browser)
        _check_clean(browser, live_server)

        # Tourist page: the village's card and the list of picked villages.
        _open(browser, f"{live_server}/tour?lang=en")
        card = browser.find_element(By.CSS_SELECTOR, ".card[data-ref='T-HOSTILE']")
        assert card.find_element(By.TAG_NAME, "h3").get_attribute("textContent") == HOSTILE
        assert card.get_attribute("textContent").count(HOSTILE) == 3  # name, text, OCOP
        browser.execute_script(
            "arguments[0].click()", card.find_element(By.CSS_SELECTOR, "button.add")
        )
        picked = browser.find_elements(By.CSS_SELECTOR, "#picked li")
        # the picked stop's name (its priority and order controls follow it)
        assert len(picked) == 1 and picked[0].get_attribute("textContent").startswith(HOSTILE)
        _no_markup(browser)
        _check_clean(browser, live_server)
    finally:
        _sign_out(browser, live_server)


@pytest.mark.parametrize("width", [360, 1400])
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("page", ["planner", "environment", "tour"])
def test_pages_at_phone_and_desktop_width(browser, live_server, page, lang, width):
    browser.set_window_size(width, 900)
    try:
        _open(browser, f"{live_server}{PAGES[page]}?lang={lang}")
        assert browser.execute_script("return document.documentElement.lang") == lang
        assert browser.find_elements(By.CSS_SELECTOR, ".leaflet-interactive")
        if width == 360:
            assert browser.execute_script("return document.documentElement.scrollWidth") <= 360
        browser.save_screenshot(str(SCREENSHOTS / f"{page}-{lang}-{width}px.png"))
        _check_clean(browser, live_server)
    finally:
        browser.set_window_size(1280, 900)
