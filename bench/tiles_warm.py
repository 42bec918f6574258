"""Benchmark: warm tiles against cold ones on our server, side by side in one run.

Run on purpose (not part of the tests), under ``nice -n 10``:

    .venv/bin/python bench/tiles_warm.py [--seconds 10] [--runs 3] [--tiles 300]

Three servers as ``bench/ogc_peers.py`` starts ours (gunicorn, 2 workers x 4 threads, the
``langnghe_bench`` database: 200,000 synthetic villages), driven by wrk (8 connections, 2
threads) over the same random tiles z10-15: the tile cache off (cold: every tile drawn by
PostGIS), on and filled (warm: answered from memory, the layer's counter read at most once a
second), and on and filled with ``LANGNGHE_TILE_VERSION_TTL_S=0`` (warm, but the counter read
from the database on every request, as before the warm path skipped it). The caches are
filled first: every tile requested 8 times on new connections, so each of the two processes
holds it. In each round the three run one after the other.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ogc_peers import _ours, build_database, run_wrk, start, workloads  # noqa: E402
from bench.report import load_now, machine, quick, ratio, server_ports, spread, write_section  # noqa: E402
from gis.settings import get_settings  # noqa: E402

#: (name, cache on, version TTL s); each server's port is given by bench.report.server_ports.
KINDS = (
    ("cold (cache off)", False, "1"),
    ("warm", True, "1"),
    ("warm, counter read every request", True, "0"),
)


def _fill(base: str, paths: list[str]) -> None:
    for path in paths:
        for _ in range(8):  # a new connection each time: both processes get the tile
            with urllib.request.urlopen(base + path, timeout=120) as answer:
                answer.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tiles", type=int, default=300)
    if quick():  # make bench BENCH_ARGS=--quick
        parser.set_defaults(tiles=100)
    args = parser.parse_args()
    settings = get_settings()
    servers = [
        (name, port, cache, ttl)
        for (name, cache, ttl), port in zip(KINDS, server_ports(len(KINDS)), strict=True)
    ]
    build_database(settings)
    paths = [_ours("", "tiles", t) for t in workloads()["tiles"][: args.tiles]]
    state = machine()
    results: dict[str, list[dict[str, float]]] = {name: [] for name, *_ in KINDS}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        procs = []
        try:
            for _name, port, cache, ttl in servers:
                os.environ["LANGNGHE_TILE_VERSION_TTL_S"] = ttl
                procs.append(start("ours", port, settings, tmp, tile_cache=cache))
                if cache:
                    _fill(f"http://127.0.0.1:{port}", paths)
            for _ in range(args.runs):
                for name, port, _cache, _ttl in servers:
                    r = run_wrk(f"http://127.0.0.1:{port}", paths, args.seconds, tmp, "tiles")
                    r["load"] = load_now()
                    results[name].append(r)
                    print(name, {k: round(v, 1) for k, v in r.items()}, flush=True)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=30)
    text = report(results, args, state)
    print(text)
    write_section("Tiles: warm against cold", text)


def report(results, args, state: str) -> str:
    lines = [
        f"Run by `bench/tiles_warm.py --seconds {args.seconds} --runs {args.runs} --tiles "
        f"{args.tiles}` ({state} at the start): {args.tiles} random tiles z10-15 of "
        "`craft_villages` (200,050 points), gunicorn 2 workers x 4 threads, wrk 8 connections "
        "on 2 threads; median (min-max) of the runs, the three servers in turn in each round.",
        "",
        "| server | requests/s | p50 ms | p95 ms | p99 ms | errors | load (1 min) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, runs in results.items():
        cells = " | ".join(spread([r[k] for r in runs]) for k in ("p50_ms", "p95_ms", "p99_ms"))
        errors = int(sum(r["non2xx"] + r["sockerr"] for r in runs))
        loads = [r["load"] for r in runs]
        lines.append(
            f"| {name} | {spread([r['rps'] for r in runs], '{:.0f}')} | {cells} | {errors} | "
            f"{min(loads):.1f}-{max(loads):.1f} |"
        )
    rps = {name: [r["rps"] for r in runs] for name, runs in results.items()}
    cold, warm, every = (rps[name] for name, *_ in KINDS)
    lines += [
        "",
        f"Warm / cold requests/s: {ratio(warm, cold)} (per round); warm with the counter read "
        f"on every request / cold: {ratio(every, cold)}.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
