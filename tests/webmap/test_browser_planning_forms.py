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


def _siting_via_api(live_server, token: str, name: str, weights: dict) -> int:
    import json
    import time
    import urllib.request

    from tests.webmap.conftest import bearer

    body = {
        "bbox": [105.90, 21.08, 105.99, 21.16],
        "cell_m": 120,
        "kind": "craft_village",
        "name": name,
        "criteria": list(weights),
        "weights": weights,
        "normalise": True,
    }
    started = urllib.request.urlopen(
        urllib.request.Request(
            f"{live_server}/api/siting",
            data=json.dumps(body).encode(),
            headers={**bearer(token), "Content-Type": "application/json"},
            method="POST",
        )
    )
    job_url = json.loads(started.read())["job_url"]
    for _ in range(600):
        job = json.loads(
            urllib.request.urlopen(
                urllib.request.Request(f"{live_server}{job_url}", headers=bearer(token))
            ).read()
        )
        if job["status"] in ("done", "failed"):
            assert job["status"] == "done", job
            return int(job["scenario_id"])
        time.sleep(0.3)
    raise AssertionError("siting job did not finish")


def test_compare_two_sitings_rename_and_delete(browser, live_server, accounts):
    """Two siting runs side by side (weights differ), then one renamed, annotated, deleted."""
    token = accounts["planner"]
    a = _siting_via_api(live_server, token, "So sánh A", {"road_distance_m": 0.6, "slope_deg": 0.4})
    b = _siting_via_api(live_server, token, "So sánh B", {"road_distance_m": 0.2, "slope_deg": 0.8})
    _sign_in(browser, live_server, "planner")
    for lang, width in (("vi", 1400), ("en", 360)):
        _planner(browser, live_server, lang, width)
        browser.execute_script(
            "const k = document.getElementById('scenario-kind'); k.value = 'siting';"
            "k.dispatchEvent(new Event('change'));"
        )
        WebDriverWait(browser, 10).until(
            lambda d: d.execute_script(
                "const li = [...document.querySelectorAll('#scenario-list li[data-id]')];"
                "return li.length > 1 && li.every((x) => x.dataset.kind === 'siting')"
                " && Boolean(document.querySelector(`.compare-pick[value='${arguments[0]}']`));",
                b,
            )
        )
        for sid in (a, b):
            browser.execute_script(
                "document.querySelector(`.compare-pick[value='${arguments[0]}']`).click();", sid
            )
        browser.find_element(By.ID, "scenario-compare").click()
        WebDriverWait(browser, 20).until(
            lambda d: (
                sorted((d.execute_script("return document.body.dataset.compared") or "").split(","))
                == sorted([str(a), str(b)])
            )
        )
        WebDriverWait(browser, 20).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#compare img.leaflet-image-layer")) == 2
        )
        differing = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#compare tr.differs")]
        road = "Gần đường giao thông" if lang == "vi" else "Near a road"
        assert any(road in r for r in differing), differing
        assert any(("60 %" in r and "20 %" in r) for r in differing), differing
        assert not any(("Cell size" in r or "Kích thước ô" in r) for r in differing)  # same
        # the two maps move together
        browser.execute_script(
            "const maps = [...document.querySelectorAll('#compare .compare-map')];"
            "window.__z = maps.length;"
        )
        browser.save_screenshot(str(SCREENSHOTS / f"planner-compare-{lang}-{width}.png"))
        browser.find_element(By.ID, "compare-close").click()
    # rename and annotate B, then delete A (the owner)
    browser.find_element(
        By.CSS_SELECTOR, f"#scenario-list li[data-id='{b}'] .open-scenario"
    ).click()
    name = WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "scenario-name"))
    name.clear()
    name.send_keys("Phương án B (đường)")
    browser.find_element(By.ID, "scenario-notes").send_keys("Ưu tiên gần đường")
    browser.find_element(By.ID, "scenario-save").click()
    WebDriverWait(browser, 10).until(
        lambda d: "Phương án B (đường)" in d.find_element(By.ID, "scenario-list").text
    )
    assert "Ưu tiên gần đường" in browser.find_element(By.ID, "scenario-list").text
    browser.find_element(
        By.CSS_SELECTOR, f"#scenario-list li[data-id='{a}'] .open-scenario"
    ).click()
    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script("return document.body.dataset.scenario") == str(a)
    )
    browser.find_element(By.ID, "scenario-delete").click()
    browser.find_element(By.ID, "scenario-delete-confirm").click()
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("return document.body.dataset.deleted") == str(a)
    )
    assert not browser.find_elements(By.CSS_SELECTOR, f"#scenario-list li[data-id='{a}']")
    assert not browser.find_elements(By.CSS_SELECTOR, "#map img.leaflet-image-layer")
    browser.save_screenshot(str(SCREENSHOTS / "planner-scenario-deleted-en-360.png"))
    _check_clean(browser, live_server)
