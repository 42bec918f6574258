"""Load and soak: 8 concurrent clients for 10 minutes (wrk) over a mix of items, tiles, search
and tour plans against the production server (gunicorn, 4 workers) on 127.0.0.1, over the
sample database. Reports throughput, p50/p95/p99, errors, and the server's memory (the sum
of the gunicorn processes' RSS) at the start and the end.

Run on purpose:  .venv/bin/python bench/soak.py [--minutes 10]   (appends to docs/benchmarks.md)
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import machine, quick, server_ports, write_section  # noqa: E402
from bench.sample_db import database_env, sample_database  # noqa: E402
from gis.settings import get_settings  # noqa: E402

#: The run's own database with the sample (the tour paths name sample villages).
DB = "langnghe_soak"


def _rss_mb(pid: int) -> float:
    """RSS of a process and its children (the gunicorn master and workers), MB."""
    out = subprocess.run(
        ["ps", "-o", "rss=", "--ppid", str(pid)], capture_output=True, text=True
    ).stdout.split()
    own = subprocess.run(
        ["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True
    ).stdout.split()
    return sum(int(v) for v in out + own) / 1024


def _free_port() -> int:
    return server_ports(1)[0]


def _paths() -> list[str]:
    paths = []
    for limit in (10, 100):
        paths += [
            f"/collections/villages/items?limit={limit}",
            f"/collections/clusters/items?limit={limit}",
            f"/collections/villages/items?limit={limit}&craft=ceramics",
            "/collections/zones/items?limit=50",
        ]
    for z, x, y in (
        (8, 203, 113),
        (9, 406, 227),
        (10, 813, 454),
        (11, 1626, 909),
        (12, 3253, 1818),
    ):
        paths += [f"/tiles/villages/{z}/{x}/{y}.pbf", f"/tiles/clusters/{z}/{x}/{y}.pbf"]
    paths += [
        f"/search?q={q}" for q in ("bat+trang", "van+phuc", "dong+ky", "gom", "lua", "phu+lang")
    ]
    paths += [
        "/api/tour?villages=HN-BAT-TRANG,HN-KIM-LAN,HN-VAN-PHUC&mode=motorbike",
        "/api/tour?theme=ceramics&budget=480",
        "/api/stations/latest",
        "/collections",
        "/healthz",
    ]
    return paths


def _warm(url: str) -> None:
    """One warm-up request; a refusal stops the run with the path and the server's answer."""
    try:
        urllib.request.urlopen(url, timeout=60).read()
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", errors="replace")[:500]
        raise SystemExit(f"warm-up {url}: HTTP {exc.code}: {body}") from None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    if quick():  # make bench BENCH_ARGS=--quick
        parser.set_defaults(minutes=2.0)
    args = parser.parse_args()
    settings = sample_database(get_settings(), DB)
    port = _free_port()
    env = {
        **os.environ,
        **database_env(settings),
        "LANGNGHE_BASEMAP_URL": "",
        "LANGNGHE_RATE_HEAVY": "100000 per minute",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            "4",
            "--threads",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "webmap:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        for path in _paths():  # warm every worker's caches once, so the start figure is steady
            for _ in range(4):
                _warm(base + path)
        start_mb = _rss_mb(server.pid)
        load_start = machine()
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
            fh.write("\n".join(_paths()) + "\n")
            list_file = fh.name
        seconds = int(args.minutes * 60)
        run = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(args.connections),
                "-d",
                f"{seconds}s",
                "--timeout",
                "30s",
                "-s",
                str(ROOT / "bench" / "wrk_paths.lua"),
                base,
                "--",
                list_file,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        end_mb = _rss_mb(server.pid)
        load_end = machine()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    result = dict(re.findall(r"(\w+)=([\d.]+)", run.stdout.split("RESULT", 1)[1]))
    requests = int(result["requests"])
    rps = requests / (int(result["duration_us"]) / 1e6)
    growth = 100 * (end_mb - start_mb) / start_mb
    text = (
        f"### Soak: {args.connections} clients, {args.minutes:g} minutes, gunicorn 4 workers x 2 "
        f"threads "
        f"({len(_paths())} paths: items, tiles, search, tours, stations)\n\n"
        f"Over the sample in a database of its own ({DB}); {load_start} when wrk started, "
        f"{load_end} when it ended.\n\n"
        "| requests | req/s | p50 ms | p95 ms | p99 ms | non-2xx | socket errors | memory start "
        "MB | memory end MB | growth |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
        f"| {requests:,} | {rps:.0f} | {float(result['p50_ms']):.1f} | "
        f"{float(result['p95_ms']):.1f} | "
        f"{float(result['p99_ms']):.1f} | {result['non2xx']} | {result['sockerr']} | "
        f"{start_mb:.0f} | {end_mb:.0f} | "
        f"{growth:+.1f}% |\n"
    )
    print(text)
    write_section("Load and soak", text)
    sys.exit(0 if result["non2xx"] == "0" and result["sockerr"] == "0" else 1)


if __name__ == "__main__":
    main()
