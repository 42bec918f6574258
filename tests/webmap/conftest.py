"""A real server on a free port, over a database of its own with the sample and real boundaries.

The ``web`` template (migrated, the sample, the real pre-2025 provinces and districts, one
account per role) is built once; ``web_settings``/``client`` give each test a copy of it, and
``live_server`` runs ``langnghe serve`` over one copy per module (for the read-only browser and
GIS-client tests).
"""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from gis.db import connect
from gis.settings import Settings
from tests.support import TemplateDatabases, database_env, executable, wait_for_http
from webmap.app import create_app

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _build_web(web: Settings, real_data: Path) -> dict[str, str]:
    """The sample, the real boundaries and one account per role; role -> API token."""
    from layers.importer import ImportOptions, run_import
    from layers.registry import get_spec
    from layers.sample import load_sample
    from webmap.auth import add_user, create_token

    conn = connect(web)
    try:
        load_sample(conn, web)
        for name, level in (
            ("rrd_provinces_2024_gischinhphu_dvhcvn.geojson", "province"),
            ("rrd_districts_2024_gischinhphu_dvhcvn.geojson", "district"),
        ):
            options = ImportOptions(extra={"level": level, "version": "pre-2025", "source": name})
            run_import(conn, get_spec("admin"), real_data / "admin" / name, options)
        tokens = {}
        for role, password in PASSWORDS.items():
            name = role.replace("_", "-")
            add_user(conn, name, password, role)
            tokens[role] = create_token(conn, name, "tests")
        conn.commit()
    finally:
        conn.close()
    return tokens


@pytest.fixture(scope="session")
def web_template(databases: TemplateDatabases, real_data: Path) -> dict[str, str]:
    """Build the ``web`` template once; return role -> API token (valid in every copy)."""
    tokens: dict[str, str] = {}
    databases.template("web", lambda s: tokens.update(_build_web(s, real_data)), parent="base")
    return tokens


@pytest.fixture(scope="session")
def accounts(web_template: dict[str, str]) -> dict[str, str]:
    """One user per role in the web databases (user name = role, password in PASSWORDS);
    role -> API token.
    """
    return web_template


@pytest.fixture
def web_settings(databases: TemplateDatabases, web_template: dict[str, str]) -> Iterator[Settings]:
    """Settings of this test's own copy of the web database (basemap off)."""
    own = databases.copy("web", basemap_url="")
    yield own
    databases.release(own)


@pytest.fixture(scope="module")
def module_web_settings(
    databases: TemplateDatabases, web_template: dict[str, str]
) -> Iterator[Settings]:
    """A copy of the web database shared by one module's tests (behind ``live_server``)."""
    own = databases.copy("web", basemap_url="")
    yield own
    databases.release(own)


@pytest.fixture
def web_env(web_settings: Settings) -> dict[str, str]:
    """Environment for subprocesses that must use this test's web database."""
    return database_env(web_settings)


def start_server(
    web_settings: Settings, log: Path, **env_overrides: str
) -> tuple[subprocess.Popen[bytes], str]:
    """Run ``langnghe serve`` on a free port over ``web_settings``' database; return it and its
    base URL.
    """
    port = _free_port()
    env = database_env(web_settings, **env_overrides)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [executable("langnghe"), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/healthz", proc)
    except (TimeoutError, RuntimeError) as exc:
        proc.terminate()
        proc.wait(timeout=10)
        pytest.fail(f"server did not start ({exc}): " + log.read_text())
    return proc, base


def serve(web_settings: Settings, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``langnghe serve`` as the pages' tests want it: basemap off, real siting inputs."""
    real = web_settings.real_data
    return start_server(
        web_settings,
        log,
        LANGNGHE_BASEMAP_URL="",
        LANGNGHE_ITEMS_DEFAULT_LIMIT="10",
        LANGNGHE_SITING_DEM=str(real / "dem" / "N21E105_srtm3.tif"),
        LANGNGHE_SITING_LANDUSE=str(real / "landuse" / "rrd_osm2018_geofabrik.gpkg"),
        LANGNGHE_SITING_ROADS=str(real / "roads" / "vn_national_roads_legocity.geojson"),
    )


@pytest.fixture(scope="module")
def live_server(module_web_settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    """``langnghe serve`` on a free port over this module's web database, yielding its base URL."""
    proc, base = serve(module_web_settings, tmp_path_factory.mktemp("server") / "server.log")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def own_server(web_settings: Settings, tmp_path: Path):
    """``langnghe serve`` over this test's own web database (for tests that write through it)."""
    proc, base = serve(web_settings, tmp_path / "server.log")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def client(web_settings: Settings):
    """A Flask test client over this test's web database."""
    app = create_app(web_settings.model_copy(update={"items_default_limit": 10}))
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["langnghe_db"].close()


PASSWORDS = {
    "admin": "admin-pass-123",
    "planner": "planner-pass-123",
    "env_officer": "officer-pass-123",
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        try:
            return executable(name)
        except FileNotFoundError:
            continue
    raise FileNotFoundError("no Chromium on PATH (chromium, chromium-browser or google-chrome)")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = _chromium()
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
    driver = webdriver.Chrome(service=Service(executable("chromedriver")), options=options)
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
