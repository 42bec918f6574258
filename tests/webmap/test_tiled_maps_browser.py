"""Maps from tiles (issue 18, item 4), in real Chromium: with 200,000 villages and 20,000 zones
(synthetic, made by PostGIS in this module's database) the planner draws both layers from
their vector tiles and never downloads their features, loads within a stated time, keeps the
JS heap under a stated figure, and a click on a tile's village or zone opens its popup with the
feature's attributes fetched by id; the village search still finds and shows a village. The
small layers (clusters, stations, routes) stay GeoJSON. The environment page draws the zones
from tiles too.

Below zoom 12 (``page_group_below_zoom``) the villages are counted groups: circles with their
count, which follow the recognition filter; a click zooms in. A signed-in planner edits a tiled
village from its popup (the same Edit form and PATCH as the GeoJSON way, audited) and the tiles
show the change at once (their URL names the version the edit answered). vi and en, 360 and
1400 px, no control covered.
"""

from __future__ import annotations

import re
import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from gis.db import connect
from tests.webmap.conftest import (
    SCREENSHOTS,
    _check_clean,
    _requests,
    _sign_in,
    _sign_out,
    page_module,
    serve,
)
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


def _load(
    browser, url: str, collections: tuple[str, ...], *, timeout_s: float = 90, flag: str = "tiles_"
) -> float:
    """Open ``url``; wait until the page is ready and the tiles (``flag`` ``groups_``: the
    groups) in view are drawn; seconds."""
    browser.get_log("performance")
    browser.get_log("browser")
    start = time.perf_counter()
    browser.get(url)
    WebDriverWait(browser, timeout_s).until(
        lambda d: d.execute_script(
            "const s = document.body.dataset; return s.ready === '1' && arguments[0]"
            ".every((c) => s[arguments[1] + c] === '1')",
            list(collections),
            flag,
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


def _groups(browser) -> list[int]:
    """The counts of the village groups drawn in view (digits of the page's number format)."""
    return browser.execute_script(
        "return [...document.querySelectorAll('.leaflet-tiles-villages-pane button.group')]"
        ".filter((b) => { const r = b.getBoundingClientRect();"
        "  return r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight; })"
        ".map((b) => Number(b.textContent.replace(/[^0-9]/g, '')))"
    )


def _click_group(browser) -> None:
    """Click a village group that nothing covers, with the pointer."""
    group = browser.execute_script(
        "const map = document.getElementById('map').getBoundingClientRect();"
        "for (const b of document.querySelectorAll('.leaflet-tiles-villages-pane button.group')) {"
        "  const r = b.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;"
        "  if (x < map.left + 60 || x > map.right - 60 || y < map.top + 60 || y > map.bottom - 60)"
        "    continue;"
        "  const hit = document.elementFromPoint(x, y);"
        "  if (hit === b || b.contains(hit)) return b;"
        "} return null;"
    )
    assert group is not None, "no village group can be clicked"
    ActionChains(browser).move_to_element(group).click().perform()


#: Every visible control of the page (the map's own included): the element at its centre must
#: be the control or inside it. The groups and features drawn on the map are its content.
COVERED = """
const out = [];
for (const el of document.querySelectorAll('main button, main select, main input, main summary,'
    + ' .leaflet-control a, .leaflet-control-layers-toggle, header a')) {
  if (!el.offsetParent || (el.checkVisibility && !el.checkVisibility())) continue;
  if (el.closest('.group-tile, .leaflet-popup-pane, .leaflet-marker-pane')) continue;
  if (!el.closest('.leaflet-control-container')) el.scrollIntoView({block: 'center'});
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height) continue;
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  const labelled = el.labels && [...el.labels].some((l) => l.contains(hit));
  if (hit && !(hit === el || el.contains(hit) || labelled))
    out.push((el.id || el.className || el.tagName) + ' under '
      + (hit.id || hit.className || hit.tagName));
}
window.scrollTo(0, 0);
return out;
"""


def _covered(browser) -> list[str]:
    return browser.execute_script(COVERED)


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
    seconds = _load(browser, f"{base}/?lang=en", ("villages",), flag="groups_")
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

    # At zoom 10 the villages are counted groups, never single dots: their counts add up to
    # the villages of the tiles in view, the legend says what a group is.
    groups = _groups(browser)
    assert len(groups) > 20, groups
    assert all(n >= 1 for n in groups) and sum(groups) > 5 * len(groups), groups
    assert not browser.find_elements(By.CSS_SELECTOR, ".leaflet-tiles-villages-pane path")
    seen = _requests(browser)
    urls = seen
    assert [u for u in urls if re.search(r"/tiles/villages/groups/10/\d+/\d+\.json\?v=\d+$", u)]
    assert not [u for u in urls if re.search(r"/tiles/villages/\d+/", u)]
    legend = browser.find_element(By.CSS_SELECTOR, ".legend").text
    assert "Villages grouped at this zoom" in legend, legend
    assert _covered(browser) == []
    browser.save_screenshot(str(SCREENSHOTS / "tiled-planner-groups-1400.png"))
    # A click on a group zooms in two levels, to the villages themselves (zoom 12).
    _click_group(browser)
    WebDriverWait(browser, 60).until(
        lambda d: d.execute_script("return document.body.dataset.tiles_villages === '1'")
    )
    assert page_module(browser, "planner", "return m.map.getZoom()") == 12
    assert not browser.find_elements(By.CSS_SELECTOR, ".leaflet-tiles-villages-pane .group")
    assert "Villages grouped" not in browser.find_element(By.CSS_SELECTOR, ".legend").text

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
    urls = seen + _requests(browser)
    for big in ("villages", "zones"):
        assert not [u for u in urls if f"/collections/{big}/items" in u], big
        assert [u for u in urls if re.search(rf"/tiles/{big}/\d+/\d+/\d+\.pbf\?v=\d+$", u)], big
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
    browser.set_window_size(1400, 900)
    _load(browser, f"{national_server}/?lang=en", ("villages",), flag="groups_")
    every = sum(_groups(browser))
    browser.execute_script(
        "const s = document.getElementById('recognition-filter');"
        "s.value = 'traditional_craft_village'; delete document.body.dataset.groups_villages;"
        "s.dispatchEvent(new Event('change'));"
    )
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.body.dataset.groups_villages === '1'")
    )
    # the synthetic villages cycle through the four statuses: a group now counts about a quarter
    assert 0.2 * every < sum(_groups(browser)) < 0.3 * every, (every, _groups(browser))
    browser.execute_script("delete document.body.dataset.tiles_villages")
    page_module(browser, "planner", "m.map.setZoom(12)")
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.body.dataset.tiles_villages === '1'")
    )
    # the tiles are drawn once the zoom's animation ends: wait for a village nothing covers
    village = WebDriverWait(browser, 30).until(lambda d: _clickable_path(d, "tiles-villages"))
    ActionChains(browser).move_to_element(village).click().perform()
    assert "traditional craft village" in _popup_title(browser).lower()


WORDS = {
    "vi": {"group": "làng ở đây", "legend": "Nhóm làng", "saved": "Đã lưu", "edit": "Sửa"},
    "en": {
        "group": "villages here",
        "legend": "Villages grouped",
        "saved": "Saved",
        "edit": "Edit",
    },
}


@pytest.mark.parametrize(("lang", "width"), [("vi", 360), ("en", 1400)])
def test_the_groups_read_in_the_page_language(browser, national_server, lang, width):
    browser.set_window_size(width, 800)
    _load(browser, f"{national_server}/?lang={lang}", ("villages",), flag="groups_")
    groups = _groups(browser)
    assert groups and sum(groups) > 5 * len(groups), groups
    title = browser.find_element(By.CSS_SELECTOR, "button.group").get_attribute("title")
    assert WORDS[lang]["group"] in title, title
    if lang == "vi" and max(groups) >= 1000:
        assert "." in title or "1000" not in title  # 1.234 in Vietnamese
    assert _covered(browser) == []
    legend = browser.find_element(By.CSS_SELECTOR, ".legend")
    if not legend.get_attribute("open"):
        legend.find_element(By.TAG_NAME, "summary").click()
    assert WORDS[lang]["legend"] in legend.text, legend.text
    browser.save_screenshot(str(SCREENSHOTS / f"tiled-planner-groups-{lang}-{width}.png"))
    legend.find_element(By.TAG_NAME, "summary").click()  # folded again (a phone's map)
    _click_group(browser)
    WebDriverWait(browser, 60).until(
        lambda d: page_module(d, "planner", "return m.map.getZoom()") == 12
    )


def _tile_at(browser, latlng: tuple[float, float]):
    """The element drawn at a place of the map (found from its screen point)."""
    return browser.execute_script(
        "return import('/static/js/planner.js').then((m) => {"
        "  const p = m.map.latLngToContainerPoint(arguments[0]);"
        "  const r = document.getElementById('map').getBoundingClientRect();"
        "  return document.elementFromPoint(r.left + p.x, r.top + p.y); })",
        list(latlng),
    )


@pytest.mark.parametrize(("lang", "width"), [("vi", 360), ("en", 1400)])
def test_a_planner_edits_a_tiled_village(
    browser, national_server, module_web_settings, lang, width
):
    base = national_server
    ref = {"vi": "SYN-V123457", "en": "SYN-V54321"}[lang]
    conn = connect(module_web_settings)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, name, ST_Y(geom), ST_X(geom) FROM craft_villages WHERE ref = %s", (ref,)
        )
        fid, name, lat, lon = cur.fetchone()
    conn.rollback()
    browser.set_window_size(width, 800)
    _sign_in(browser, base, "planner")
    try:
        _load(browser, f"{base}/?lang={lang}", ("villages",), flag="groups_")
        WebDriverWait(browser, 20).until(
            lambda d: d.execute_script("return document.body.dataset.editingReady") == "1"
        )
        version = browser.execute_script(
            "return JSON.parse(document.getElementById('config').textContent).layers"
            ".find((l) => l.id === 'villages').version"
        )
        # The planner searches the village and opens it: the tile's popup offers Edit.
        search = browser.find_element(By.ID, "search")
        search.send_keys(name.replace("Làng tổng hợp", "lang tong hop"))
        WebDriverWait(browser, 20).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, f"#search-results li[data-id='{fid}']")
        )
        browser.find_element(By.CSS_SELECTOR, f"#search-results li[data-id='{fid}']").click()
        edit = WebDriverWait(browser, 20).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, ".leaflet-popup .edit-button")
        )[0]
        assert edit.text == WORDS[lang]["edit"]
        browser.save_screenshot(str(SCREENSHOTS / f"tiled-edit-popup-{lang}-{width}.png"))
        edit.click()
        field = WebDriverWait(browser, 10).until(
            lambda d: d.find_element(By.CSS_SELECTOR, "#edit-panel [data-field=name]")
        )
        assert field.get_attribute("value") == name
        field.clear()
        field.send_keys(f"{name} đã sửa")
        households = browser.find_element(By.CSS_SELECTOR, "#edit-panel [data-field=households]")
        households.clear()
        households.send_keys("321")
        assert _covered(browser) == []
        browser.find_element(By.ID, "edit-save").click()
        WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "edit-result").text)
        assert browser.find_element(By.ID, "edit-result").text == WORDS[lang]["saved"]
        browser.save_screenshot(str(SCREENSHOTS / f"tiled-edit-saved-{lang}-{width}.png"))
        # Through the editing API: stored, audited as the planner's update.
        with conn.cursor() as cur:
            cur.execute("SELECT name, households FROM craft_villages WHERE id = %s", (fid,))
            assert cur.fetchone() == (f"{name} đã sửa", 321)
            cur.execute(
                "SELECT actor, action FROM audit_log WHERE table_name = 'craft_villages'"
                " AND row_ref = %s ORDER BY id DESC LIMIT 1",
                (str(fid),),
            )
            assert cur.fetchone() == ("planner", "update")
            cur.execute("SELECT version FROM layer_versions WHERE layer = 'craft_villages'")
            now = cur.fetchone()[0]
        conn.rollback()
        assert now > version
        # The tiles are asked again with the new version, and the village drawn from them
        # opens with its new name.
        WebDriverWait(browser, 30).until(
            lambda d: (
                d.execute_script("return document.body.dataset.tiles_villages === '1'")
                and [
                    u
                    for u in _requests(d)
                    if re.search(rf"/tiles/villages/\d+/\d+/\d+\.pbf\?v={now}$", u)
                ]
            )
        )
        browser.execute_script("document.getElementById('edit-panel').hidden = true")
        page_module(browser, "planner", "m.map.closePopup()")
        path = WebDriverWait(browser, 30).until(
            lambda d: (lambda el: el if el is not None and el.tag_name == "path" else None)(
                _tile_at(d, (lat, lon))
            )
        )
        ActionChains(browser).move_to_element(path).click().perform()
        WebDriverWait(browser, 20).until(
            lambda d: (
                f"{name} đã sửa" in d.find_element(By.CSS_SELECTOR, ".leaflet-popup-content").text
            )
        )
        _sign_out(browser, base)
    finally:
        with conn.cursor() as cur:
            cur.execute("UPDATE craft_villages SET name = %s WHERE id = %s", (name, fid))
        conn.commit()
        conn.close()


def _drawn_at(browser, module: str, latlng: tuple[float, float]):
    """The element drawn at a place of ``module``'s map (found from its screen point)."""
    return page_module(
        browser,
        module,
        "const p = m.map.latLngToContainerPoint(arguments[0]);"
        "const r = document.getElementById('map').getBoundingClientRect();"
        "return document.elementFromPoint(r.left + p.x, r.top + p.y);",
        list(latlng),
    )


def _click(browser, css: str) -> None:
    element = browser.find_element(By.CSS_SELECTOR, css)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def _hazard_groups(browser) -> list[int]:
    return browser.execute_script(
        "return [...document.querySelectorAll('.leaflet-tiles-villages-pane button.group')]"
        ".filter((b) => { const r = b.getBoundingClientRect();"
        "  return r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight; })"
        ".map((b) => [b.classList.contains('group-hazard'),"
        "  Number(b.textContent.replace(/[^0-9]/g, ''))])"
    )


def test_the_tour_page_groups_the_tiled_hazards(browser, national_server, module_web_settings):
    """With 200,000 villages the tourist page's hazards (polluting villages that do not welcome
    visitors) are drawn from the villages' tiles; below zoom 12 as counted groups of hazards
    (their count asked by craft and visitable), from zoom 12 the hazards themselves."""
    conn = connect(module_web_settings)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FILTER (WHERE c.pollution_class = 'high' AND v.visitable IS NOT TRUE),"
            " count(*) FROM craft_villages v JOIN craft_types c ON c.code = v.craft"
        )
        hazards, total = cur.fetchone()
        cur.execute("SELECT code FROM craft_types WHERE pollution_class = 'high'")
        high = {r[0] for r in cur.fetchall()}
    conn.rollback()
    conn.close()
    browser.set_window_size(1400, 900)
    browser.get_log("performance")
    browser.get(f"{national_server}/tour?lang=en")
    WebDriverWait(browser, 90).until(
        lambda d: d.execute_script("return document.body.dataset.ready === '1'")
    )
    page_module(browser, "tour", "m.map.setView([21.0, 105.85], 10)")
    assert not browser.find_elements(By.CSS_SELECTOR, ".leaflet-tiles-villages-pane *")
    _click(browser, "#hazards")
    WebDriverWait(browser, 60).until(
        lambda d: d.execute_script("return document.body.dataset.groups_villages === '1'")
    )
    groups = _hazard_groups(browser)
    assert len(groups) > 10 and all(hazard and n >= 1 for hazard, n in groups), groups
    # The groups count the hazards only: drawn, they add up to the hazards of the tiles asked
    # (from their counts by craft and visitable), about the table's share of all villages.
    urls = _requests(browser)
    asked = [u for u in urls if re.search(r"/tiles/villages/groups/10/\d+/\d+\.json\?v=\d+", u)]
    assert asked and all(u.endswith("&by=craft%2Cvisitable") for u in asked), asked
    assert not [u for u in urls if re.search(r"/tiles/villages/\d+/\d+/\d+\.pbf", u)]
    answers = [_fetch_groups(browser, u) for u in asked]
    expected = sum(
        n
        for groups_ in answers
        for g in groups_
        for craft, visits in g["by"].items()
        if craft in high
        for visitable, n in visits.items()
        if visitable != "true"
    )
    drawn = browser.execute_script(
        "const pane = '.leaflet-tiles-villages-pane ';"
        "return [...document.querySelectorAll(pane + 'button.group')]"
        ".reduce((n, b) => n + Number(b.textContent.replace(/[^0-9]/g, '')), 0)"
        " + document.querySelectorAll(pane + 'button.group-one').length"
    )
    assert drawn == expected > 0, (drawn, expected)
    every = sum(g["n"] for groups_ in answers for g in groups_)
    assert 0.5 * hazards / total < expected / every < 1.5 * hazards / total, (expected, every)
    legend = browser.find_element(By.ID, "legend")
    if not legend.get_attribute("open"):
        legend.find_element(By.TAG_NAME, "summary").click()
    entry = browser.find_element(By.ID, "hazard-group-entry")
    assert entry.is_displayed() and "Polluting sites grouped" in entry.text, entry.text
    title = browser.find_element(By.CSS_SELECTOR, "button.group-hazard").get_attribute("title")
    assert "polluting sites here" in title, title
    assert _covered(browser) == []
    browser.save_screenshot(str(SCREENSHOTS / "tiled-tour-hazard-groups-1400.png"))

    # From zoom 12: the hazards themselves, red, each opening its popup with the warning.
    browser.execute_script("delete document.body.dataset.tiles_villages")
    page_module(browser, "tour", "m.map.setView([21.0, 105.85], 12)")
    WebDriverWait(browser, 60).until(
        lambda d: d.execute_script("return document.body.dataset.tiles_villages === '1'")
    )
    assert not entry.is_displayed()
    village = WebDriverWait(browser, 30).until(lambda d: _clickable_path(d, "tiles-villages"))
    fills = set(
        browser.execute_script(
            "return [...document.querySelectorAll('.leaflet-tiles-villages-pane path')]"
            ".map((p) => p.getAttribute('fill'))"
        )
    )
    assert fills == {"#b42318"}, fills
    ActionChains(browser).move_to_element(village).click().perform()
    assert "not proposed as a stop" in _popup_title(browser)
    assert not browser.find_elements(By.CSS_SELECTOR, ".start-icon")  # a hazard is no start
    browser.save_screenshot(str(SCREENSHOTS / "tiled-tour-hazard-1400.png"))
    _check_clean(browser, national_server)


def _fetch_groups(browser, url: str) -> list[dict]:
    """The groups a group tile's URL answers, fetched by the page."""
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then((r) => r.json()).then((d) => done(d.groups));",
        url,
    )


ZONE_WORDS = {
    "vi": {"edit": "Sửa", "saved": "Đã lưu", "severity": "Mức độ"},
    "en": {"edit": "Edit", "saved": "Saved", "severity": "Severity"},
}


@pytest.mark.parametrize(("lang", "width"), [("vi", 360), ("en", 1400)])
def test_an_officer_edits_a_tiled_zone(browser, national_server, module_web_settings, lang, width):
    """An environmental officer opens a zone from its tile popup, edits it with the same form
    and PATCH as the GeoJSON way (audited), and the tiles show the change at once."""
    base = national_server
    ref = {"vi": "SYN-Z12345", "en": "SYN-Z5432"}[lang]
    conn = connect(module_web_settings)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, name, severity, ST_Y(ST_Centroid(geom)), ST_X(ST_Centroid(geom))"
            " FROM pollution_zones WHERE ref = %s",
            (ref,),
        )
        fid, name, severity, lat, lon = cur.fetchone()
    conn.rollback()
    changed = {"high": "low", "medium": "high", "low": "medium"}[severity]
    browser.set_window_size(width, 800)
    _sign_in(browser, base, "env_officer")
    try:
        _load(browser, f"{base}/environment?lang={lang}", ("zones",), timeout_s=180)
        WebDriverWait(browser, 30).until(
            lambda d: d.execute_script("return document.body.dataset.editingReady") == "1"
        )
        version = browser.execute_script(
            "return JSON.parse(document.getElementById('config').textContent).layers"
            ".find((l) => l.id === 'zones').version"
        )
        browser.execute_script("delete document.body.dataset.tiles_zones")
        page_module(browser, "environment", "m.map.setView(arguments[0], 14)", [lat, lon])
        WebDriverWait(browser, 60).until(
            lambda d: d.execute_script("return document.body.dataset.tiles_zones === '1'")
        )
        # The officer clicks the zone drawn from the tiles: its popup offers Edit.
        path = WebDriverWait(browser, 30).until(
            lambda d: (lambda el: el if el is not None and el.tag_name == "path" else None)(
                _drawn_at(d, "environment", (lat, lon))
            )
        )
        ActionChains(browser).move_to_element(path).click().perform()
        assert name in _popup_title(browser)
        edit = WebDriverWait(browser, 20).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, ".leaflet-popup .edit-button")
        )[0]
        assert edit.text == ZONE_WORDS[lang]["edit"]
        browser.save_screenshot(str(SCREENSHOTS / f"tiled-zone-popup-{lang}-{width}.png"))
        edit.click()
        field = WebDriverWait(browser, 10).until(
            lambda d: d.find_element(By.CSS_SELECTOR, "#edit-panel [data-field=name]")
        )
        assert field.get_attribute("value") == name
        field.clear()
        field.send_keys(f"{name} đã sửa")
        level = browser.find_element(By.CSS_SELECTOR, "#edit-panel [data-field=severity]")
        assert ZONE_WORDS[lang]["severity"] in level.find_element(By.XPATH, "..").text
        browser.execute_script(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'))",
            level,
            changed,
        )
        assert _covered(browser) == []
        browser.find_element(By.ID, "edit-save").click()
        WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "edit-result").text)
        assert browser.find_element(By.ID, "edit-result").text == ZONE_WORDS[lang]["saved"]
        browser.save_screenshot(str(SCREENSHOTS / f"tiled-zone-saved-{lang}-{width}.png"))
        # Through the editing API: stored, audited as the officer's update.
        with conn.cursor() as cur:
            cur.execute("SELECT name, severity FROM pollution_zones WHERE id = %s", (fid,))
            assert cur.fetchone() == (f"{name} đã sửa", changed)
            cur.execute(
                "SELECT actor, action FROM audit_log WHERE table_name = 'pollution_zones'"
                " AND row_ref = %s ORDER BY id DESC LIMIT 1",
                (str(fid),),
            )
            assert cur.fetchone() == ("env-officer", "update")
            cur.execute("SELECT version FROM layer_versions WHERE layer = 'pollution_zones'")
            now = cur.fetchone()[0]
        conn.rollback()
        assert now > version
        # The tiles are asked again with the new version; the zone drawn from them opens
        # with its new name.
        WebDriverWait(browser, 30).until(
            lambda d: (
                d.execute_script("return document.body.dataset.tiles_zones === '1'")
                and [
                    u
                    for u in _requests(d)
                    if re.search(rf"/tiles/zones/\d+/\d+/\d+\.pbf\?v={now}$", u)
                ]
            )
        )
        # The edit's session stays open, its filled outline drawn above the tiles (the
        # markers' pane): out of the pointer's way, a click reaches the zone of the tiles.
        browser.execute_script(
            "document.getElementById('edit-panel').hidden = true;"
            "document.querySelectorAll('.leaflet-marker-pane svg, .leaflet-marker-pane path')"
            ".forEach((el) => { el.style.pointerEvents = 'none'; });"
        )
        page_module(browser, "environment", "m.map.closePopup()")
        path = WebDriverWait(browser, 30).until(
            lambda d: (lambda el: el if el is not None and el.tag_name == "path" else None)(
                _drawn_at(d, "environment", (lat, lon))
            )
        )
        ActionChains(browser).move_to_element(path).click().perform()
        WebDriverWait(browser, 20).until(
            lambda d: (
                f"{name} đã sửa" in d.find_element(By.CSS_SELECTOR, ".leaflet-popup-content").text
            )
        )
        browser.save_screenshot(str(SCREENSHOTS / f"tiled-zone-after-{lang}-{width}.png"))
        _sign_out(browser, base)
    finally:
        with conn.cursor() as cur:
            cur.execute(
                "UPDATE pollution_zones SET name = %s, severity = %s WHERE id = %s",
                (name, severity, fid),
            )
        conn.commit()
        conn.close()


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
