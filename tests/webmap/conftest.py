"""A real server on a free port, over its own database with the sample and real boundaries."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from gis.db import connect, create_database
from gis.migrate import apply
from gis.settings import Settings
from layers import migrations_folder
from layers.importer import ImportOptions, run_import
from layers.registry import get_spec
from layers.sample import load_sample
from webmap.app import create_app

WEB_DB = "langnghe_test_web"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def web_settings(settings: Settings, real_data: Path) -> Settings:
    """A database of its own, loaded once: the sample plus the real pre-2025 boundaries."""
    create_database(settings, WEB_DB, replace=True)
    web = settings.model_copy(
        update={
            "pg_database": WEB_DB,
            "basemap_url": "",
            "database_url": settings.dsn(WEB_DB) if settings.database_url else None,
        }
    )
    apply(web.dsn(), migrations_folder())
    conn = connect(web)
    load_sample(conn, web, progress=False)
    for name, level in (
        ("rrd_provinces_2024_gischinhphu_dvhcvn.geojson", "province"),
        ("rrd_districts_2024_gischinhphu_dvhcvn.geojson", "district"),
    ):
        run_import(
            conn,
            get_spec("admin"),
            real_data / "admin" / name,
            ImportOptions(
                progress=False, extra={"level": level, "version": "pre-2025", "source": name}
            ),
        )
    conn.close()
    return web


def start_server(
    web_settings: Settings, log: Path, **env_overrides: str
) -> tuple[subprocess.Popen, str]:
    """Run ``langnghe serve`` on a free port over the web database; return it and its base URL."""
    port = _free_port()
    env = {**os.environ, "LANGNGHE_PG_DATABASE": WEB_DB, **env_overrides}
    if web_settings.database_url:
        env["DATABASE_URL"] = web_settings.database_url
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/langnghe"), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    # Importing the stack (geopandas, rasterio, OR-Tools) takes seconds, and much longer on a
    # loaded 2-core machine: wait up to 90 s, but stop at once if the server exited.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            return proc, base
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    pytest.fail(f"server did not start (exit code {proc.poll()}): " + log.read_text())


@pytest.fixture(scope="session")
def live_server(web_settings: Settings, tmp_path_factory):
    """``langnghe serve`` on a free port (basemap off), yielding its base URL."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    real = web_settings.real_data
    proc, base = start_server(
        web_settings,
        log,
        LANGNGHE_BASEMAP_URL="",
        LANGNGHE_ITEMS_DEFAULT_LIMIT="10",
        LANGNGHE_SITING_DEM=str(real / "dem" / "N21E105_srtm3.tif"),
        LANGNGHE_SITING_LANDUSE=str(real / "landuse" / "rrd_osm2018_geofabrik.gpkg"),
        LANGNGHE_SITING_ROADS=str(real / "roads" / "vn_national_roads_legocity.geojson"),
    )
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def client(web_settings: Settings):
    """A Flask test client over the web database."""
    app = create_app(web_settings.model_copy(update={"items_default_limit": 10}))
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["langnghe_db"].close()


PASSWORDS = {
    "admin": "admin-pass-123",
    "planner": "planner-pass-123",
    "env_officer": "officer-pass-123",
}


@pytest.fixture(scope="session")
def accounts(web_settings: Settings) -> dict[str, str]:
    """One user per role in the web database (user name = role, password in PASSWORDS).

    Returns role -> API token.
    """
    from webmap.auth import add_user, create_token

    conn = connect(web_settings)
    tokens = {}
    for role, password in PASSWORDS.items():
        name = role.replace("_", "-")
        with conn.cursor() as cur:
            cur.execute("DELETE FROM users WHERE username = %s", (name,))
        conn.commit()
        add_user(conn, name, password, role)
        tokens[role] = create_token(conn, name, "tests")
    conn.close()
    return tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-quic",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def _open(driver, url: str) -> None:
    driver.get_log("performance")
    driver.get_log("browser")
    driver.get(url)
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.body.dataset.ready") == "1"
    )


def _requests(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _check_clean(driver, base: str) -> None:
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors
    network = [u for u in _requests(driver) if u.startswith(("http:", "https:", "ws:", "wss:"))]
    assert network, "no request was seen: the network log is not working"
    outside = [u for u in network if not u.startswith(base + "/")]
    assert outside == [], outside


def _sign_in(browser, base: str, role: str) -> None:
    browser.get(f"{base}/login?next=/&lang=en")
    browser.find_element(By.ID, "username").send_keys(role.replace("_", "-"))
    browser.find_element(By.ID, "password").send_keys(PASSWORDS[role])
    browser.find_element(By.ID, "sign-in").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "who"))


def _sign_out(browser, base: str) -> None:
    _open(browser, f"{base}/?lang=en")
    browser.find_element(By.ID, "logout").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.ID, "login"))


def page_module(driver, module: str, script: str, *args):
    """Run ``script`` in the page with ``m`` bound to its loaded ES module
    ``/static/js/<module>.js`` and return what it returns. The page keeps its map and layers
    in its modules, not on ``window``; ``import()`` of the same URL gives the same instance.
    ``arguments[i]`` in the script are ``args``.
    """
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"import('/static/js/{module}.js').then((m) => {{ {script} }})"
        ".then((value) => done({value}), (error) => done({error: String(error)}));",
        *args,
    )
    assert "error" not in result, result["error"]
    return result.get("value")
