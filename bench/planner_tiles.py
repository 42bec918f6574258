"""Benchmark: the planner page with 200,000 villages and 20,000 zones in Chromium, drawn from
vector tiles with the villages as counted groups below zoom 12 (today), from vector tiles with
every village a dot (before the groups), and as GeoJSON (the old way: every layer's items, up to
the 10,000-feature page limit), in the same run over the same database and server build.

For each way: first paint (the browser's first-contentful-paint), the map drawn (page ready and,
for the tiles ways, every tile or group in view drawn), a pan by 700 px with the newly shown
area drawn, the JS heap after loading (CDP Performance.getMetrics JSHeapUsedSize) and the bytes
the page downloaded. Runs alternate between the ways (groups, tiles, GeoJSON, then back).

Run on purpose (not part of the tests):
    nice -n 10 .venv/bin/python bench/planner_tiles.py [--runs 3] [--keep]
It makes its own database (langnghe_bench_tiles; --keep reuses it) and writes the section
"Planner page with 200,000 villages" of docs/benchmarks.md.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from bench.report import machine, quick, spread, write_section  # noqa: E402
from gis.db import connect, create_database  # noqa: E402
from gis.migrate import apply  # noqa: E402
from gis.settings import get_settings  # noqa: E402
from layers import migrations_folder  # noqa: E402
from tests.support import database_env, executable, wait_for_http  # noqa: E402
from tests.webmap.conftest import _free_port  # noqa: E402
from tests.webmap.national_layers import add_national_layers  # noqa: E402

DB = "langnghe_bench_tiles"
VILLAGES, ZONES = 200_000, 20_000
#: Today: groups below zoom 12; before them: every village a dot of the tiles; the old way: no
#: layer is large enough for tiles, every page downloads every layer's items.
WAYS = {
    "groups": {},
    "tiles": {"LANGNGHE_PAGE_GROUP_BELOW_ZOOM": "0"},
    "geojson": {"LANGNGHE_PAGE_TILES_ABOVE": str(10**9)},
}
#: What each way's page marks when the villages in view are drawn.
FLAGS = {"groups": ["groups_villages"], "tiles": ["tiles_villages"], "geojson": []}
PAN_PX = 700


def _database():
    settings = get_settings()
    bench = settings.model_copy(update={"pg_database": DB, "statement_timeout_ms": 3_600_000})
    if "--keep" in sys.argv:
        apply(bench.dsn(), migrations_folder())
        return bench
    create_database(settings, DB, replace=True)
    apply(bench.dsn(), migrations_folder())
    conn = connect(bench)
    try:
        add_national_layers(conn, villages=VILLAGES, zones=ZONES)
        conn.commit()
    finally:
        conn.close()
    return bench


def _serve(settings, log: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    full = database_env(settings, LANGNGHE_BASEMAP_URL="", **env)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [executable("langnghe"), "serve", "--port", str(port)],
            env=full,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    wait_for_http(base + "/healthz", proc)
    return proc, base


def _browser(profile: Path) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = executable("chromium")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        f"--user-data-dir={profile}",
        "--window-size=1400,900",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=Service(executable("chromedriver")), options=options)


_DRAWN = (
    "const s = document.body.dataset; return s.ready === '1' && arguments[0]"
    ".every((flag) => s[flag] === '1')"
)
_PAN = """
const done = arguments[arguments.length - 1];
const tiled = arguments[0];
const px = arguments[1];
import('/static/js/planner.js').then((m) => {
  const start = performance.now();
  tiled.forEach((flag) => { delete document.body.dataset[flag]; });
  m.map.panBy([px, 0], { animate: false });
  const check = () => {
    if (tiled.every((flag) => document.body.dataset[flag] === '1')) {
      requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - start)));
    } else setTimeout(check, 10);
  };
  check();
}, (error) => done(String(error)));
"""


def _bytes(driver) -> int:
    total = 0
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.loadingFinished":
            total += int(message["params"].get("encodedDataLength", 0))
    return total


def _one(driver, base: str, way: str) -> dict[str, float]:
    driver.get("about:blank")
    driver.get_log("performance")
    tiled = FLAGS[way]  # the zones are off until turned on
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    start = time.perf_counter()
    driver.get(base + "/?lang=en")
    WebDriverWait(driver, 300).until(lambda d: d.execute_script(_DRAWN, tiled))
    drawn_s = time.perf_counter() - start
    fcp = driver.execute_script(
        "const e = performance.getEntriesByName('first-contentful-paint')[0];"
        "return e ? e.startTime : null"
    )
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    driver.execute_cdp_cmd("Performance.enable", {})
    metrics = driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    heap = next(m["value"] for m in metrics if m["name"] == "JSHeapUsedSize") / 1e6
    downloaded = _bytes(driver) / 1e6
    pan_ms = driver.execute_async_script(_PAN, tiled, PAN_PX)
    if not isinstance(pan_ms, (int, float)):
        raise RuntimeError(f"pan failed: {pan_ms}")
    return {
        "fcp_s": (fcp or 0.0) / 1000,
        "drawn_s": drawn_s,
        "pan_s": pan_ms / 1000,
        "heap_mb": heap,
        "mb": downloaded,
    }


def main() -> None:
    quick()  # make bench BENCH_ARGS=--quick: the same sizes
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
    settings = _database()
    results: dict[str, list[dict[str, float]]] = {way: [] for way in WAYS}
    with tempfile.TemporaryDirectory() as tmp:
        servers = {
            way: _serve(settings, Path(tmp) / f"{way}.log", env) for way, env in WAYS.items()
        }
        driver = _browser(Path(tmp) / "chromium")
        try:
            for run in range(runs):
                order = list(WAYS) if run % 2 == 0 else list(reversed(WAYS))
                for way in order:
                    results[way].append(_one(driver, servers[way][1], way))
                    print(way, results[way][-1], flush=True)
        finally:
            driver.quit()
            for proc, _ in servers.values():
                proc.terminate()
                proc.wait(timeout=30)
    write_section("Planner page with 200,000 villages", _body(results, runs))


def _body(results: dict[str, list[dict[str, float]]], runs: int) -> str:
    def cell(way: str, key: str, fmt: str) -> str:
        return spread([r[key] for r in results[way]], fmt)

    rows = [
        ("first contentful paint (s)", "fcp_s", "{:.2f}"),
        ("map drawn (s)", "drawn_s", "{:.2f}"),
        (f"pan {PAN_PX} px, new area drawn (s)", "pan_s", "{:.2f}"),
        ("JS heap after load (MB)", "heap_mb", "{:.0f}"),
        ("downloaded (MB)", "mb", "{:.1f}"),
    ]
    table = "\n".join(
        f"| {label} | {cell('groups', key, fmt)} | {cell('tiles', key, fmt)} "
        f"| {cell('geojson', key, fmt)} |"
        for label, key, fmt in rows
    )
    ratio = statistics.median(r["drawn_s"] for r in results["geojson"]) / max(
        statistics.median(r["drawn_s"] for r in results["tiles"]), 1e-9
    )
    command = f"nice -n 10 .venv/bin/python bench/planner_tiles.py --runs {runs}"
    return f"""`{command}`: {VILLAGES:,} synthetic villages and {ZONES:,} synthetic
zones over Vietnam's extent (one `generate_series` insert each),
headless Chromium at 1400x900, the planner at its opening view (zoom 10 over Hà Nội), browser
cache off; median (min-max) of {runs} runs per way, alternating. {machine()}.

| planner page | groups below zoom 12 (today) | tiles, every village a dot (before) \
| GeoJSON (old way: all items) |
|---|---|---|---|
{table}

At the opening view the groups way draws one circle per quarter tile with its count
(`/tiles/villages/groups/...json`) instead of the tiles' villages (up to 5,000 dots per tile).
The GeoJSON way downloads at most 10,000 features per layer (the items limit), so it shows
only 5% of the villages and half the zones, and still takes {ratio:.1f}x as long to draw. The
tiles way downloads only the tiles in view; a pan fetches the new tiles (the GeoJSON way has all
its features in memory and only redraws). The first run of each way is its server's first page
(a cold process and tile cache): the spread of the tiles ways is mostly that.
"""


if __name__ == "__main__":
    main()
