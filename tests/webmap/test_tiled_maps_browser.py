"""Maps from tiles (issue 18, item 4), in real Chromium: with 200,000 villages and 20,000 zones
(synthetic, made by PostGIS in this module's database) the planner draws both layers from
their vector tiles and never downloads their features, loads within a stated time, keeps the
JS heap under a stated figure, and a click on a tile's village or zone opens its popup with the
feature's attributes fetched by id; the village search still finds and shows a village. The
small layers (clusters, stations, routes) stay GeoJSON. The environment page draws the zones
from tiles too.
"""

from __future__ import annotations

import re
import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from gis.db import connect
from tests.webmap.conftest import SCREENSHOTS, _check_clean, _requests, serve
from tests.webmap.national_layers import add_national_layers

pytestmark = pytest.mark.postgis

VILLAGES = 200_000
ZONES = 20_000
#: Stated limits: the page ready and the villages' tiles in view drawn (cold tile cache) within
#: LOAD_S; the JS heap then under HEAP_MB. Measured on the shared 2-core machine at load 15-29:
#: 12-33 s (static files alone took 3 s each there; the tiles were drawn 5 s after their first
#: request) and 11-15 MB. docs/benchmarks.md ("Planner page with 200,000 villages") has the
#: benchmark's figures beside the old GeoJSON way.
LOAD_S = 60.0
HEAP_MB = 60.0
#: The pollution classes' colours of the legend (villages.js CRAFT_COLORS).
VILLAGE_COLOURS = {"#b42318", "#dc8a1c", "#2e7d32"}


@pytest.fixture(scope="module")
def national_server(module_web_settings, tmp_path_factory):
    conn = connect(module_web_settings)
    try:
        add_national_layers(conn, villages=VILLAGES, zones=ZONES)
        conn.commit()
    finally:
        conn.close()
    proc, base = serve(module_web_settings, tmp_path_factory.mktemp("server") / "server.log")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def _load(browser, url: str, collections: tuple[str, ...], *, timeout_s: float = 90) -> float:
    """Open ``url``; wait until the page is ready and the tiles in view are drawn; seconds."""
    browser.get_log("performance")
    browser.get_log("browser")
    start = time.perf_counter()
    browser.get(url)
    WebDriverWait(browser, timeout_s).until(
        lambda d: d.execute_script(
            "const s = document.body.dataset; return s.ready === '1' && arguments[0]"
            ".every((c) => s['tiles_' + c] === '1')",
            list(collections),
        )
    )
    return time.perf_counter() - start


def _heap_mb(browser) -> float:
    browser.execute_cdp_cmd("Performance.enable", {})
    metrics = browser.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "JSHeapUsedSize") / 1e6


def _clickable_path(browser, pane: str):
    """A drawn path of a tile layer's pane whose centre is not covered by anything else."""
    return browser.execute_script(
        "for (const p of document.querySelectorAll('.leaflet-' + arguments[0] + '-pane path')) {"
        "  const r = p.getBoundingClientRect();"
        "  if (r.width < 4 || r.top < 80 || r.bottom > innerHeight - 40) continue;"
        "  if (document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === p)"
        "    return p;"
        "} return null;",
        pane,
    )


def _popup_title(browser) -> str:
    WebDriverWait(browser, 20).until(
        lambda d: (
            d.find_elements(By.CSS_SELECTOR, ".leaflet-popup-content h3")
            or d.find_elements(By.CSS_SELECTOR, ".leaflet-popup-content .popup-text")
        )
    )
    return browser.find_element(By.CSS_SELECTOR, ".leaflet-popup-content").text


def test_the_planner_draws_national_layers_from_tiles(browser, national_server):
    base = national_server
    browser.set_window_size(1400, 900)
    seconds = _load(browser, f"{base}/?lang=en", ("villages",))
    heap = _heap_mb(browser)
    print(f"planner with {VILLAGES} villages, {ZONES} zones: {seconds:.1f} s, heap {heap:.1f} MB")
    assert seconds < LOAD_S
    assert heap < HEAP_MB

    layers = {
        entry["id"]: entry
        for entry in browser.execute_script(
            "return JSON.parse(document.getElementById('config').textContent).layers"
        )
    }
    assert layers["villages"]["tiles"] and layers["zones"]["tiles"]
    assert not layers["clusters"]["tiles"] and not layers["stations"]["tiles"]
    # The zones are off until the planner turns them on in the layer switch.
    label = next(
        lb
        for lb in browser.find_elements(By.CSS_SELECTOR, ".leaflet-control-layers-overlays label")
        if lb.text.strip() == layers["zones"]["label"]
    )
    label.find_element(By.TAG_NAME, "input").click()
    WebDriverWait(browser, 60).until(
        lambda d: d.execute_script("return document.body.dataset.tiles_zones === '1'")
    )
    urls = _requests(browser)
    for big in ("villages", "zones"):
        assert not [u for u in urls if f"/collections/{big}/items" in u], big
        assert [u for u in urls if re.search(rf"/tiles/{big}/\d+/\d+/\d+\.pbf$", u)], big
    assert [u for u in urls if "/collections/clusters/items?" in u]  # small: still GeoJSON

    # Drawn in the GeoJSON layers' style: villages by their craft's pollution class, zones red.
    fills = set(
        browser.execute_script(
            "return [...document.querySelectorAll('.leaflet-tiles-villages-pane path')]"
            ".slice(0, 500).map((p) => p.getAttribute('fill'))"
        )
    )
    assert fills and fills <= VILLAGE_COLOURS, fills
    assert len(fills) == 3
    strokes = set(
        browser.execute_script(
            "return [...document.querySelectorAll('.leaflet-tiles-zones-pane path')]"
            ".slice(0, 200).map((p) => p.getAttribute('stroke') + ' ' + p.getAttribute('fill'))"
        )
    )
    assert strokes == {"#c62828 #c62828"}, strokes

    # A village of a tile: its popup shows the attributes fetched by id.
    village = _clickable_path(browser, "tiles-villages")
    assert village is not None, "no village of the tiles can be clicked"
    ActionChains(browser).move_to_element(village).click().perform()
    text = _popup_title(browser)  # a synthetic village or one of the sample's
    assert text.split("\n")[0].strip(), text
    assert "Craft" in text and "Recognition" in text, text
    assert [u for u in _requests(browser) if re.search(r"/collections/villages/items/\d+$", u)]
    browser.save_screenshot(str(SCREENSHOTS / "tiled-planner-village-1400.png"))
    browser.execute_script("document.querySelector('.leaflet-popup-close-button').click()")

    # A zone of a tile.
    zone = _clickable_path(browser, "tiles-zones")
    assert zone is not None, "no zone of the tiles can be clicked"
    ActionChains(browser).move_to_element(zone).click().perform()
    WebDriverWait(browser, 20).until(
        lambda d: "Vùng tổng hợp" in d.find_element(By.CSS_SELECTOR, ".leaflet-popup-content").text
    )
    browser.execute_script("document.querySelector('.leaflet-popup-close-button').click()")

    # The search finds a village anywhere in the country and shows it.
    search = browser.find_element(By.ID, "search")
    search.send_keys("lang tong hop 123457")
    WebDriverWait(browser, 20).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li[data-id]")
    )
    first = browser.find_element(By.CSS_SELECTOR, "#search-results li[data-id]")
    assert first.text.startswith("Làng tổng hợp 123457")
    first.click()
    WebDriverWait(browser, 20).until(
        lambda d: (
            "Làng tổng hợp 123457"
            in d.execute_script(
                "const c = document.querySelector('.leaflet-popup-content');"
                "return c ? c.innerText : ''"
            )
        )
    )
    _check_clean(browser, base)


def test_the_planner_filters_tiled_villages_by_recognition(browser, national_server):
    _load(browser, f"{national_server}/?lang=en", ("villages",))
    browser.execute_script(
        "const s = document.getElementById('recognition-filter');"
        "s.value = 'traditional_craft_village'; delete document.body.dataset.tiles_villages;"
        "s.dispatchEvent(new Event('change'));"
    )
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.body.dataset.tiles_villages === '1'")
    )
    village = _clickable_path(browser, "tiles-villages")
    assert village is not None
    ActionChains(browser).move_to_element(village).click().perform()
    assert "traditional craft village" in _popup_title(browser).lower()


def test_the_environment_page_draws_zones_from_tiles(browser, national_server):
    # the dashboard's own panels (stations, alerts, exposure) take a while on a busy machine
    _load(browser, f"{national_server}/environment?lang=en", ("zones",), timeout_s=180)
    urls = _requests(browser)
    assert not [u for u in urls if "/collections/zones/items" in u]
    assert [u for u in urls if "/tiles/zones/" in u]
    browser.execute_script(
        "const p = document.querySelector('.leaflet-tiles-zones-pane path');"
        "if (!p) throw new Error('no zone drawn');"
    )
