"""Cancel on the page (issue 18, item 1), in real Chromium: a planner starts a real siting job
(15 m cells, about a minute of work), run by a real ``langnghe worker`` process (the web runs
none itself), and clicks Cancel while it runs. The job stops: its row says cancelled with no
scenario, the queue marks it aborted, no raster is left in the folder nor in the database, and
the worker goes on to the next job. The page says so in Vietnamese and English, at 360 and
1400 px, with no control covered.
"""

from __future__ import annotations

import re
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from gis.db import connect
from tests.webmap.conftest import SCREENSHOTS, _sign_in, _sign_out, page_module, start_server
from tests.webmap.test_tiled_maps_browser import _covered
from tests.webmap.test_worker import HEARTBEAT_S, STALL_S, Workers

pytestmark = pytest.mark.postgis

BBOX = [[21.08, 105.90], [21.16, 105.99]]
WORDS = {
    "vi": {"stopping": "Dừng ở bước tiếp theo", "cancelled": "Đã hủy", "cancel": "Hủy"},
    "en": {"stopping": "Stopping at the next step", "cancelled": "Cancelled", "cancel": "Cancel"},
}


@pytest.fixture(scope="module")
def queue_server(module_web_settings, tmp_path_factory):
    """``langnghe serve`` with no worker of its own, and one ``langnghe worker`` beside it."""
    real = module_web_settings.real_data
    folder = tmp_path_factory.mktemp("queue")
    proc, base = start_server(
        module_web_settings,
        folder / "server.log",
        LANGNGHE_BASEMAP_URL="",
        LANGNGHE_JOBS_IN_PROCESS="false",
        LANGNGHE_JOB_HEARTBEAT_S=str(HEARTBEAT_S),
        LANGNGHE_JOB_STALL_S=str(STALL_S),
        LANGNGHE_SITING_DEM=str(real / "dem" / "N21E105_srtm3.tif"),
        LANGNGHE_SITING_LANDUSE=str(real / "landuse" / "rrd_osm2018_geofabrik.gpkg"),
        LANGNGHE_SITING_ROADS=str(real / "roads" / "vn_national_roads_legocity.geojson"),
    )
    settings = module_web_settings.model_copy(
        update={
            "siting_dem": real / "dem" / "N21E105_srtm3.tif",
            "siting_landuse": real / "landuse" / "rrd_osm2018_geofabrik.gpkg",
            "siting_roads": real / "roads" / "vn_national_roads_legocity.geojson",
        }
    )
    workers = Workers(settings, folder)
    workers.start("w1")
    workers.ready("w1")
    yield base, workers
    workers.stop()
    proc.terminate()
    proc.wait(timeout=10)


def _rasters(settings) -> set[str]:
    folder = settings.home / "rasters"
    return {p.name for p in folder.glob(f"{settings.pg_database}-*")} if folder.exists() else set()


def _job_rows(settings, since) -> list[tuple]:
    conn = connect(settings)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT j.id::text, j.status, j.scenario_id, j.worker, q.status::text,"
                " (SELECT count(*) FROM rasters r WHERE r.scenario_id = j.scenario_id)"
                " FROM jobs j LEFT JOIN procrastinate_jobs q ON q.id = j.queue_job_id"
                " WHERE j.created_at >= %s ORDER BY j.created_at",
                (since,),
            )
            return cur.fetchall()
    finally:
        conn.close()


def _now(settings):
    conn = connect(settings)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT now()")
            return cur.fetchone()[0]
    finally:
        conn.close()


def _message(browser) -> str:
    return browser.find_element(By.ID, "job-message").text


@pytest.mark.parametrize(("lang", "width"), [("vi", 360), ("en", 1400)])
def test_cancel_stops_a_running_job_from_the_page(
    browser, queue_server, module_web_settings, lang, width
):
    base, workers = queue_server
    settings = module_web_settings
    browser.set_window_size(width, 900)
    _sign_in(browser, base, "planner")
    browser.get(f"{base}/?lang={lang}")
    WebDriverWait(browser, 60).until(
        lambda d: d.execute_script("return document.body.dataset.planningReady") == "1"
    )
    since = _now(settings)
    files = _rasters(settings)
    page_module(
        browser,
        "planner",
        "m.map.fitBounds(arguments[0], {animate: false});"
        "document.getElementById('siting-cell').value = 15;",
        BBOX,
    )
    run = browser.find_element(By.ID, "siting-run")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", run)
    run.click()
    # Running on the worker, with progress shown ("5% ..."), the Cancel button beside it.
    WebDriverWait(browser, 120).until(lambda d: "%" in _message(d))
    cancel = browser.find_element(By.ID, "job-cancel")
    assert cancel.is_displayed() and cancel.text == WORDS[lang]["cancel"]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", cancel)
    assert _covered(browser) == []
    browser.save_screenshot(str(SCREENSHOTS / f"job-running-{lang}-{width}.png"))
    cancel.click()
    WebDriverWait(browser, 10).until(
        lambda d: WORDS[lang]["stopping"] in _message(d) or _message(d) == WORDS[lang]["cancelled"]
    )
    WebDriverWait(browser, 60).until(lambda d: _message(d) == WORDS[lang]["cancelled"])
    assert not browser.find_element(By.ID, "job-cancel").is_displayed()
    assert browser.find_element(By.ID, "job-progress").get_attribute("value") != "1"
    browser.save_screenshot(str(SCREENSHOTS / f"job-cancelled-{lang}-{width}.png"))

    ((job_id, status, scenario, worker, queued, rasters),) = _job_rows(settings, since)
    assert (status, scenario, worker, rasters) == ("cancelled", None, "w1", 0), job_id
    assert queued == "aborted"
    assert _rasters(settings) == files  # the folder holds no raster of it

    # The worker moves on: the next job (90 m cells) runs to the end on it.
    page_module(browser, "planner", "document.getElementById('siting-cell').value = 90;")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", run)
    run.click()
    WebDriverWait(browser, 180).until(
        lambda d: d.execute_script("return document.body.dataset.scenario")
    )
    rows = _job_rows(settings, since)
    assert [r[1] for r in rows] == ["cancelled", "done"] and rows[1][3] == "w1", rows
    assert len(_rasters(settings) - files) == 1 and rows[1][5] == 1
    log = workers.log("w1")  # the queue logs the abort (with its traceback), no error
    assert "ended with status: Aborted" in log and "ended with status: Success" in log, log
    assert not re.search(r"^(ERROR|CRITICAL)", log, re.MULTILINE), log
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors
    time.sleep(0.1)
    _sign_out(browser, base)
