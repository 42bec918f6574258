"""Benchmark: our OGC API items and vector tiles against tipg and pygeoapi on the same tables.

Run on purpose (not part of the tests):  .venv/bin/python bench/ogc_peers.py [--seconds 20]

It needs the peers in a separate virtualenv (``.local/bench-peers``: tipg, pygeoapi,
gunicorn, uvicorn) and ``wrk``. The script builds a database ``langnghe_bench`` with
the sample villages plus 200,000 synthetic points in ``craft_villages``, starts the three
servers with the same number of workers, drives each with 8 concurrent connections, and
writes its section of ``docs/benchmarks.md`` (``bench.report.write_section``: median (min-max)
of ``--runs`` rounds, the load beside every figure). A fourth server, ours with the tile cache
on and filled with every tile of the workload before the rounds, gives the warm-tile figure
beside the cold one (target: warm at least 5x cold, as ``bench/tiles_warm.py`` measures on
fewer tiles).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import load_now, machine, quick, ratio, server_ports, spread, write_section  # noqa: E402
from bench.sql_floor import MAX_SCRIPTS, pgbench, record  # noqa: E402
from gis.db import connect, create_database  # noqa: E402
from gis.migrate import apply  # noqa: E402
from gis.settings import get_settings  # noqa: E402
from layers import migrations_folder  # noqa: E402
from layers.sample import load_sample  # noqa: E402

PEERS = ROOT / ".local" / "bench-peers" / "bin"
DB = "langnghe_bench"
AREA = (105.3, 20.4, 106.6, 21.5)  # the Hà Nội - Bắc Ninh - Hưng Yên area
SYNTHETIC = 200_000
#: The tile cache of the server that has one (ours-cache; bench/tiles_warm.py's warm servers).
CACHE_BYTES = 128 * 1024 * 1024


def build_database(settings) -> None:
    """Create langnghe_bench: the sample plus 200,000 deterministic synthetic points."""
    create_database(settings, DB)
    bench = settings.model_copy(update={"pg_database": DB})
    apply(bench.dsn(), migrations_folder())
    conn = connect(bench)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM craft_villages")
        if cur.fetchone()[0] >= SYNTHETIC:
            conn.close()
            return
    load_sample(conn, bench, progress=False)
    with conn.cursor() as cur:
        cur.execute("SELECT setseed(0.42)")
        cur.execute(
            "INSERT INTO craft_villages (ref, name, name_ascii, craft, recognition, "
            "province_name, source, geom) "
            "SELECT 'BENCH-' || g, 'Điểm thử ' || g, 'diem thu ' || g, "
            "(ARRAY['ceramics','silk','wood','rattan_bamboo','metal_recycling',"
            "'food_processing'])[1 + (g %% 6)], "
            "'unknown', 'Hà Nội', 'SYNTHETIC benchmark point', "
            "ST_SetSRID(ST_MakePoint(%s + random() * %s, %s + random() * %s), 4326) FROM "
            "generate_series(1, %s) g",
            (AREA[0], AREA[2] - AREA[0], AREA[1], AREA[3] - AREA[1], SYNTHETIC),
        )
        cur.execute("ANALYZE craft_villages")
    conn.commit()
    conn.close()


def _tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def workloads(seed: int = 7) -> dict[str, list[tuple]]:
    """Random bboxes (limit 100) and random tiles z10-15 inside the area.

    The same for every server.
    """
    rng = random.Random(seed)
    boxes, tiles = [], []
    for _ in range(3000):
        w = rng.uniform(0.02, 0.3)
        x0, y0 = rng.uniform(AREA[0], AREA[2] - w), rng.uniform(AREA[1], AREA[3] - w)
        boxes.append((round(x0, 5), round(y0, 5), round(x0 + w, 5), round(y0 + w, 5)))
    for _ in range(3000):
        z = rng.randint(10, 15)
        x, y = _tile(rng.uniform(*AREA[0::2]), rng.uniform(*AREA[1::2]), z)
        tiles.append((z, x, y))
    return {"items": boxes, "tiles": tiles}


def _bbox(value: tuple) -> str:
    return ",".join(str(v) for v in value)


def _zxy(value: tuple) -> tuple[int, int, int]:
    z, x, y = value
    return int(z), int(x), int(y)


def _ours(base: str, kind: str, value: tuple) -> str:
    if kind == "items":
        return f"/collections/villages/items?limit=100&bbox={_bbox(value)}"
    z, x, y = _zxy(value)
    return f"/tiles/villages/{z}/{x}/{y}.pbf"


def _tipg(base: str, kind: str, value: tuple) -> str:
    if kind == "items":
        return f"/collections/public.craft_villages/items?limit=100&bbox={_bbox(value)}"
    z, x, y = _zxy(value)
    return f"/collections/public.craft_villages/tiles/WebMercatorQuad/{z}/{x}/{y}"


def _pygeoapi(base: str, kind: str, value: tuple) -> str:
    if kind == "items":
        return f"/collections/villages/items?f=json&limit=100&bbox={_bbox(value)}"
    z, x, y = _zxy(value)
    return f"/collections/villages/tiles/WebMercatorQuad/{z}/{y}/{x}?f=mvt"


PYGEOAPI_CONFIG = """
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  languages: [en-US]
  limits: {{default_items: 100, max_items: 10000}}
  map: {{url: 'https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png', attribution: OSM}}
logging: {{level: ERROR}}
metadata:
  identification: {{title: bench, description: bench, keywords: [bench], keywords_type: theme,
                    terms_of_service: 'https://example.org', url: 'https://example.org'}}
  license: {{name: CC-BY 4.0, url: 'https://creativecommons.org/licenses/by/4.0/'}}
  provider: {{name: bench, url: 'https://example.org'}}
  contact: {{name: bench, position: bench, address: x, city: x, stateorprovince: x, postalcode: x,
            country: x, phone: x, fax: x, email: x@example.org, url: x, hours: x, instructions: x,
            role: pointOfContact}}
resources:
  villages:
    type: collection
    title: villages
    description: villages
    keywords: [villages]
    extents:
      spatial: {{bbox: [102, 8, 110, 24], crs: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84'}}
    providers:
      - type: feature
        name: PostgreSQL
        data: {{host: 127.0.0.1, port: {pgport}, dbname: {db}, user: langnghe, password: ''}}
        id_field: id
        table: craft_villages
        geom_field: geom
      - type: tile
        name: MVT-postgresql
        data: {{host: 127.0.0.1, port: {pgport}, dbname: {db}, user: langnghe, password: ''}}
        id_field: id
        table: craft_villages
        geom_field: geom
        format: {{name: pbf, mimetype: application/vnd.mapbox-vector-tile}}
"""


def _wait(url: str, proc: subprocess.Popen, log: Path) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"server exited: {log.read_text()[-2000:]}") from None
            time.sleep(0.2)
    raise SystemExit(f"server did not answer {url}: {log.read_text()[-2000:]}")


def setup_step(cmd: list[str], env: dict[str, str], cwd: Path) -> None:
    """Run one setup step of a peer; on failure stop with the step's own output."""
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(
            f"peer setup step failed ({done.returncode}): {' '.join(cmd)}\n"
            f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )


def peer_versions() -> dict[str, str]:
    """Versions installed in the peers' virtualenv (pinned in bench/requirements-peers.txt)."""
    code = (
        "import importlib.metadata as m; "
        "print(' '.join(f'{p}=={m.version(p)}' for p in ('tipg', 'pygeoapi', 'uvicorn', "
        "'gunicorn')))"
    )
    done = subprocess.run(
        [str(PEERS / "python"), "-c", code], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"the peers' virtualenv is not usable ({PEERS}):\n{done.stderr}")
    return dict(item.split("==") for item in done.stdout.split())


def start(name: str, port: int, settings, tmp: Path, *, tile_cache: bool) -> subprocess.Popen:
    """Start one server with 2 workers x 4 threads (or 2 async workers)."""
    log = tmp / f"{name}.log"
    # The embedded cluster asks for a password: libpq reads it from the project's passfile
    # (pygeoapi's configuration has none; without this its `openapi generate` fails to connect).
    env = {**os.environ, "PGPASSFILE": str(settings.pg_passfile)}
    if name == "ours":
        env.update(
            LANGNGHE_PG_DATABASE=DB,
            LANGNGHE_BASEMAP_URL="",
            LANGNGHE_TILE_CACHE_BYTES=str(CACHE_BYTES) if tile_cache else "0",
        )
        cmd = [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            "2",
            "-k",
            "gthread",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "webmap:create_app()",
        ]
        probe = f"http://127.0.0.1:{port}/collections"
    elif name == "tipg":
        env.update(DATABASE_URL=settings.dsn(DB), TIPG_MAX_FEATURES_PER_QUERY="10000")
        cmd = [
            str(PEERS / "uvicorn"),
            "tipg.main:app",
            "--workers",
            "2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
        probe = f"http://127.0.0.1:{port}/collections"
    else:
        config = tmp / "pygeoapi.yml"
        config.write_text(PYGEOAPI_CONFIG.format(port=port, pgport=settings.port, db=DB))
        openapi = tmp / "pygeoapi-openapi.yml"
        env.update(PYGEOAPI_CONFIG=str(config), PYGEOAPI_OPENAPI=str(openapi))
        setup_step(
            [
                str(PEERS / "pygeoapi"),
                "openapi",
                "generate",
                str(config),
                "--output-file",
                str(openapi),
            ],
            env,
            tmp,
        )
        cmd = [
            str(PEERS / "gunicorn"),
            "-w",
            "2",
            "-k",
            "gthread",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "pygeoapi.flask_app:APP",
        ]
        probe = f"http://127.0.0.1:{port}/collections?f=json"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp)
    _wait(probe, proc, log)
    return proc


def run_wrk(base: str, paths: list[str], seconds: int, tmp: Path, label: str) -> dict[str, float]:
    """8 connections on 2 threads for ``seconds``; returns throughput and latency percentiles."""
    listing = tmp / f"{label}.txt"
    listing.write_text("\n".join(paths) + "\n")
    done = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            "8",
            "-d",
            f"{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(ROOT / "bench/wrk_paths.lua"),
            base,
            "--",
            str(listing),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    values = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}
    values["rps"] = values["requests"] / (values["duration_us"] / 1e6)
    return values


def check_answers(base: str, paths: list[str]) -> None:
    """Each server must answer the workload correctly before it is timed."""
    for path in paths[:5]:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            assert response.status == 200, (base, path, response.status)


def fill_cache(base: str, paths: list[str], *, times: int = 8, threads: int = 8) -> int:
    """Request every distinct path ``times`` times, each on a new connection, ``threads`` at once.

    Each of the server's 2 processes has its own tile cache; a new connection goes to either,
    so after 8 requests a tile is in both but with odds of 1 in 128. Returns the bytes of one
    copy of every distinct answer (what each process's cache must hold).
    """

    def get(path: str) -> int:
        with urllib.request.urlopen(base + path, timeout=120) as answer:
            return len(answer.read())

    distinct = list(dict.fromkeys(paths))
    with ThreadPoolExecutor(threads) as pool:
        size = sum(pool.map(get, distinct))
        for _ in range(times - 1):
            list(pool.map(get, distinct))
    return size


def floor_scripts(settings, work: dict[str, list[tuple]]) -> dict[str, list[list[str]]]:
    """The statements our views run for the first requests of each workload."""
    from layers.collections import features, get_collection, tile

    coll = get_collection("villages")
    conn = connect(settings.model_copy(update={"pg_database": DB}))
    max_features = settings.tile_max_features
    scripts = {
        "items": record(
            conn,
            [lambda c, b=b: features(c, coll, limit=100, bbox=b) for b in work["items"]],
        ),
        "tiles": record(
            conn,
            [
                lambda c, t=t: tile(c, coll, *_zxy(t), max_features=max_features)
                for t in work["tiles"]
            ],
        ),
    }
    conn.close()
    return scripts


#: (name, port, tile cache on, path of a request); the ports are given by main (server_ports).
PLANS = [
    ("ours", 0, False, _ours),
    ("tipg", 0, False, _tipg),
    ("pygeoapi", 0, False, _pygeoapi),
    ("ours-cache", 0, True, _ours),
]


def _assign_ports() -> None:
    """Give each server of PLANS its port (bench.report.server_ports)."""
    ports = server_ports(len(PLANS))
    PLANS[:] = [(name, port, c, f) for (name, _, c, f), port in zip(PLANS, ports, strict=True)]


def _kinds(name: str) -> tuple[str, ...]:
    # pygeoapi 0.21's MVT-postgresql provider answered no tile with this table (see the report).
    if name == "ours-cache":
        return ("tiles",)
    return ("items",) if name == "pygeoapi" else ("items", "tiles")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    if quick():  # make bench BENCH_ARGS=--quick
        parser.set_defaults(seconds=10)
    args = parser.parse_args()
    settings = get_settings()
    versions = peer_versions()
    _assign_ports()
    build_database(settings)
    work = workloads()
    scripts = floor_scripts(settings, work)
    dsn = {
        "host": "127.0.0.1",
        "port": str(settings.port),
        "user": "langnghe",
        "dbname": DB,
        "passfile": str(settings.pg_passfile),
    }
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    state = machine()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        procs = []
        try:
            for name, port, cache, _path_of in PLANS:
                server = "ours" if name.startswith("ours") else name
                procs.append(start(server, port, settings, tmp, tile_cache=cache))
            paths = {
                (name, kind): [path_of("", kind, v) for v in work[kind]]
                for name, _port, _cache, path_of in PLANS
                for kind in _kinds(name)
            }
            for name, port, _cache, _p in PLANS:
                for kind in _kinds(name):
                    check_answers(f"http://127.0.0.1:{port}", paths[(name, kind)])
            cache_port = next(port for name, port, _c, _p in PLANS if name == "ours-cache")
            t0 = time.perf_counter()
            filled = fill_cache(f"http://127.0.0.1:{cache_port}", paths[("ours-cache", "tiles")])
            print(
                f"ours-cache filled in {time.perf_counter() - t0:.0f} s with {filled / 1e6:.1f} MB "
                f"of tiles (load {load_now():.1f})",
                flush=True,
            )
            for round_ in range(args.runs):
                # ours, the peers and the SQL floor in turn; who goes first swaps every round
                # (ABBA), so that neither always runs on the load or the caches the other left
                order = PLANS if round_ % 2 == 0 else PLANS[::-1]
                for kind in ("items", "tiles"):
                    for name, port, _cache, _p in order:
                        if kind not in _kinds(name):
                            continue
                        r = run_wrk(
                            f"http://127.0.0.1:{port}",
                            paths[(name, kind)],
                            args.seconds,
                            tmp,
                            f"{name}-{kind}",
                        )
                        r["load"] = load_now()
                        results.setdefault((name, kind), []).append(r)
                        print(name, kind, {k: round(v, 1) for k, v in r.items()}, flush=True)
                    floor = pgbench(
                        scripts[kind],
                        dsn=dsn,
                        clients=8,
                        threads=2,
                        seconds=args.seconds,
                        folder=tmp,
                    )
                    floor["load"] = load_now()
                    results.setdefault(("SQL floor (pgbench)", kind), []).append(floor)
                    print("floor", kind, floor, flush=True)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=30)
    write_report(results, args, versions, state, filled)


def write_report(results, args, versions: dict[str, str], state: str, filled: int) -> None:
    tables = [
        ("Items (limit 100, random bbox)", "items"),
        (
            "Tiles z10-15: cache off (cold) for ours and tipg; ours-cache: the cache on and filled "
            "(warm)",
            "tiles",
        ),
    ]
    floor_name = "SQL floor (pgbench)"
    lines = [
        f"Run by `bench/ogc_peers.py --seconds {args.seconds} --runs {args.runs}` on this machine "
        f"({state} at the start; the servers, PostgreSQL and wrk share the cores). Same PostGIS "
        "table (`craft_villages`: 50 sample villages + 200,000 synthetic points), same random "
        "requests for every server, wrk with 8 connections on 2 threads. Each server has 2 "
        "workers (ours and pygeoapi: gunicorn gthread x 4 threads; tipg: uvicorn x 2). Peers: "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
        + " (bench/requirements-peers.txt). Each figure: median (min-max) of the runs; in each "
        "round ours, the peers and the SQL floor ran one after the other, the servers' order "
        "reversed every other round. The SQL floor is "
        f"pgbench with the same 8 clients and 2 threads running the statements our views run "
        f"for the first {MAX_SCRIPTS} requests of the workload (recorded with their values "
        "bound): the database alone, no HTTP, no server; share = server's requests/s over the "
        "floor's.",
    ]
    for title, kind in tables:
        floor = results.get((floor_name, kind), [])
        floor_rps = [r["rps"] for r in floor]
        lines += [
            "",
            f"### {title}",
            "",
            "| server | requests/s | share of the SQL floor | p50 ms | p95 ms | p99 ms | errors | "
            "load (1 min) |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for name in ["ours", "tipg", "pygeoapi", "ours-cache", floor_name]:
            runs = results.get((name, kind))
            if not runs:
                continue
            rps = [r["rps"] for r in runs]
            share = (
                spread([a / b for a, b in zip(rps, floor_rps, strict=True)], "{:.0%}")
                if name != floor_name
                else "100%"
            )
            loads = [r["load"] for r in runs]
            if name == floor_name:
                cells = f"{spread([r['latency_ms'] for r in runs])} (mean) | - | - | -"
            else:
                cells = (
                    " | ".join(
                        spread([r[key] for r in runs]) for key in ("p50_ms", "p95_ms", "p99_ms")
                    )
                    + f" | {int(sum(r['non2xx'] + r['sockerr'] for r in runs))}"
                )
            lines.append(
                f"| {name} | {spread(rps, '{:.0f}')} | {share} | {cells} | "
                f"{min(loads):.1f}-{max(loads):.1f} |"
            )
    for kind in ("items", "tiles"):
        ours = [r["rps"] for r in results[("ours", kind)]]
        tipg = [r["rps"] for r in results[("tipg", kind)]]
        lines.append("")
        lines.append(f"Ours / tipg requests/s, {kind}: {ratio(ours, tipg)} (per round).")
    warm = [r["rps"] for r in results[("ours-cache", "tiles")]]
    cold = [r["rps"] for r in results[("ours", "tiles")]]
    lines += [
        "",
        f"Ours warm (ours-cache) / ours cold requests/s, tiles: {ratio(warm, cold)} (per round; "
        "target at least 5). The warm server's cache was filled before the rounds with every "
        f"tile of the workload ({len(set(workloads()['tiles'])):,} distinct tiles, each asked 8 "
        f"times on new connections, so each of its 2 processes holds it): {filled / 1e6:.1f} MB "
        "of tiles, "
        + ("within" if filled < CACHE_BYTES else "more than (so not all stay warm)")
        + f" the cache's bound of {CACHE_BYTES / 1e6:.0f} MB (128 MiB).",
    ]
    lines += [
        "",
        "pygeoapi tiles are not measured: its MVT-postgresql provider (0.21.0) crashed on "
        "`options` lists (zoom/schemes are passed on to SQLAlchemy as connection arguments) and, "
        "without them, answered 'identifier not found' / 204 for every tile of this table.",
    ]
    text = "\n".join(lines)
    print(text)
    write_section("OGC API items and vector tiles: ours vs tipg vs pygeoapi", text)


if __name__ == "__main__":
    main()
