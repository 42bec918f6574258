"""Scale test on one machine (issue 18, item 5): two web processes behind one port, two
``langnghe worker`` processes, the primary and a streaming replica, under 8 clients.

Run on purpose (not part of the tests), under ``nice -n 10``:

    .venv/bin/python bench/scale_test.py [--seconds 300] [--clients 8]

The web is gunicorn with 2 worker processes (gthread, 4 threads each) on one port, reading
public data from a replica made by :func:`gis.replica.start_replica`; the analysis jobs run in
two ``langnghe worker`` processes. The clients (threads) mix OGC items, tiles (sending the
ETag they were given, as a browser does), the pages' data, sign-ins, and two of them sign in
as a planner and submit siting jobs, following each to its end. During the run one web
process, one worker (the one busy with a job) and the replica are killed (SIGKILL) in turn;
gunicorn starts a new web process, the killed worker is started again 30 s later (as a
service manager would) and the replica is started again 40 s later. A request that fails on a
broken connection is retried by its client (at most 3 times) and counted. The report (in
docs/benchmarks.md): requests, errors, retries, p50/p95/p99 by kind, jobs submitted and
completed, and the memory of every process.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import machine, quick, server_ports, write_section  # noqa: E402
from bench.sample_db import database_env, sample_database  # noqa: E402
from gis import replica  # noqa: E402
from gis.db import connect, transaction  # noqa: E402
from gis.settings import get_settings  # noqa: E402
from webmap import worker as worker_module  # noqa: E402

USER, PASSWORD = "scale_planner", "scale-test-password-1"
#: The run's own database (the sample loaded once): see bench/sample_db.py.
DB = "langnghe_scale"
BBOX = [105.90, 21.08, 105.99, 21.16]
TILES = [
    (z, x, y)
    for z, (x0, y0) in ((10, (813, 450)), (11, (1626, 900)), (12, (3252, 1801)))
    for x in range(x0, x0 + 4)
    for y in range(y0, y0 + 4)
]
PAGES = [
    "/tour",
    "/api/crafts",
    "/api/stations/latest",
    "/search?q=bat+trang",
    "/search?q=van+phuc",
    "/collections/clusters/items?limit=1000",
    "/collections/villages/items?limit=1000",
    "/collections",
]
CSRF = re.compile(r'name="csrf[-_]token"[^>]*(?:content|value)="([^"]+)"')


def _free_port() -> int:
    return server_ports(1)[0]


# --- the clients ---------------------------------------------------------------------------


class Tally:
    """Every request's kind, seconds, outcome and retries, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.retries: list[tuple[float, str, str]] = []
        self.jobs: list[str] = []
        self.t0 = time.monotonic()

    def add(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.seconds[kind].append(seconds)
            if error:
                self.errors[f"{kind}: {error}"] += 1


class Client(threading.Thread):
    """One user: reads, signs in now and then; a planner also submits siting jobs."""

    def __init__(self, n: int, base: str, tally: Tally, stop: threading.Event, planner: bool):
        super().__init__(daemon=True)
        self.base, self.tally, self.stop, self.planner = base, tally, stop, planner
        self.rng = random.Random(n)
        self.http = requests.Session()
        self.etags: dict[str, str] = {}
        self.csrf = ""

    def call(self, kind: str, method: str, path: str, ok=(200,), **kw) -> requests.Response | None:
        """One request, retried on a broken connection; its time and outcome tallied."""
        t = time.monotonic()
        answer, error = None, None
        for attempt in range(4):
            try:
                answer = self.http.request(method, self.base + path, timeout=120, **kw)
                break
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                with self.tally.lock:
                    self.tally.retries.append((t - self.tally.t0, kind, type(exc).__name__))
                if attempt == 3:
                    error = type(exc).__name__
                time.sleep(0.2 * (attempt + 1))
        if answer is not None and answer.status_code not in ok:
            error = f"HTTP {answer.status_code}"
        self.tally.add(kind, time.monotonic() - t, error)
        return answer if error is None else None

    def sign_in(self) -> None:
        page = self.call("sign-in", "GET", "/login")
        token = CSRF.search(page.text).group(1) if page is not None else ""
        form = {"username": USER, "password": PASSWORD, "csrf_token": token}
        self.call("sign-in", "POST", "/login", ok=(302, 303), data=form, allow_redirects=False)
        home = self.call("sign-in", "GET", "/")
        found = CSRF.search(home.text) if home is not None else None
        self.csrf = found.group(1) if found else ""

    def read(self) -> None:
        pick = self.rng.random()
        if pick < 0.35:
            w = self.rng.uniform(0.02, 0.2)
            x0, y0 = self.rng.uniform(105.5, 106.2), self.rng.uniform(20.8, 21.3)
            box = f"{x0:.4f},{y0:.4f},{x0 + w:.4f},{y0 + w:.4f}"
            layer = self.rng.choice(("villages", "villages", "clusters", "zones"))
            self.call("items", "GET", f"/collections/{layer}/items?limit=100&bbox={box}")
        elif pick < 0.75:
            z, x, y = self.rng.choice(TILES)
            path = f"/tiles/{self.rng.choice(('villages', 'clusters'))}/{z}/{x}/{y}.pbf"
            headers = {"If-None-Match": self.etags[path]} if path in self.etags else {}
            answer = self.call("tiles", "GET", path, ok=(200, 304), headers=headers)
            if answer is not None and "ETag" in answer.headers:
                self.etags[path] = answer.headers["ETag"]
        elif pick < 0.97:
            self.call("pages' data", "GET", self.rng.choice(PAGES))
        else:
            self.sign_in()

    def job(self) -> None:
        body = {"bbox": BBOX, "cell_m": self.rng.choice((90, 120)), "name": "scale test"}
        headers = {"X-CSRFToken": self.csrf}
        answer = self.call("jobs", "POST", "/api/siting", ok=(202,), json=body, headers=headers)
        if answer is None:
            return
        url = answer.json()["job_url"]
        with self.tally.lock:
            self.tally.jobs.append(url.rsplit("/", 1)[1])
        while not self.stop.is_set():
            for _ in range(3):
                self.read()
            status = self.call("jobs", "GET", url)
            if status is not None and status.json()["status"] in ("done", "failed", "cancelled"):
                return
            time.sleep(1.0)

    def run(self) -> None:
        if self.planner:
            self.sign_in()
        while not self.stop.is_set():
            if self.planner:
                self.job()
            else:
                self.read()


# --- the processes -------------------------------------------------------------------------


def _rss_mb(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(found.group(1)) / 1024 if found else 0.0


def _pss_tree_mb(pgdata: Path) -> float:
    """Proportional memory of a PostgreSQL server: its postmaster and every child (PSS)."""
    try:
        postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    pids = [postmaster] + [
        int(p)
        for p in subprocess.run(
            ["pgrep", "-P", str(postmaster)], capture_output=True, text=True
        ).stdout.split()
    ]
    total = 0
    for pid in pids:
        try:
            found = re.search(r"Pss:\s+(\d+) kB", Path(f"/proc/{pid}/smaps_rollup").read_text())
        except OSError:
            continue
        total += int(found.group(1)) if found else 0
    return total / 1024


class Memory(threading.Thread):
    """Samples every process's memory every 5 s: first, peak and last figure per name."""

    def __init__(self, sources, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.sources, self.stop = sources, stop
        self.seen: dict[str, list[float]] = {}

    def run(self) -> None:
        while not self.stop.is_set():
            for name, value in self.sources().items():
                if value > 0:
                    self.seen.setdefault(name, []).append(value)
            self.stop.wait(5)


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return sorted(int(p) for p in out.split())


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _busiest(procs: dict[str, subprocess.Popen]) -> str:
    """The worker that used the most CPU in the last second (the one running a job)."""
    before = {name: _cpu_ticks(p.pid) for name, p in procs.items()}
    time.sleep(1.0)
    return max(procs, key=lambda name: _cpu_ticks(procs[name].pid) - before[name])


def _prepare(settings) -> None:
    from webmap.auth import add_user

    conn = connect(settings)
    with transaction(conn), conn.cursor() as cur:
        cur.execute("SELECT 1 FROM users WHERE username = %s", (USER,))
        if cur.fetchone() is None:
            add_user(conn, USER, PASSWORD, "planner")
    conn.close()


def _env(settings, made) -> dict[str, str]:
    real = settings.real_data
    return {
        **os.environ,
        **database_env(settings),
        "DATABASE_REPLICA_URL": made.url(settings),
        "LANGNGHE_BASEMAP_URL": "",
        "LANGNGHE_COOKIE_SECURE": "false",
        "LANGNGHE_RATE_LOGIN": "100000 per minute",
        "LANGNGHE_RATE_HEAVY": "100000 per minute",
        "LANGNGHE_JOBS_IN_PROCESS": "false",
        "LANGNGHE_JOB_HEARTBEAT_S": "2",
        "LANGNGHE_JOB_STALL_S": "10",
        "LANGNGHE_WORKER_MEMORY_MB": "1024",
        "LANGNGHE_SITING_DEM": str(real / "dem" / "N21E105_srtm3.tif"),
        "LANGNGHE_SITING_LANDUSE": str(real / "landuse" / "rrd_osm2018_geofabrik.gpkg"),
        "LANGNGHE_SITING_ROADS": str(real / "roads" / "vn_national_roads_legocity.geojson"),
    }


def _worker(name: str, env: dict[str, str], folder: Path) -> subprocess.Popen:
    log = (folder / f"{name}.log").open("ab")
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/langnghe"), "-v", "worker", "--name", name],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_http(url: str, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=30).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"no answer from {url}")


# --- the run -------------------------------------------------------------------------------


def run(args) -> dict:
    settings = sample_database(get_settings(), DB)
    _prepare(settings)
    made = replica.start_replica(settings, port=args.replica_port)
    env = _env(settings, made)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp(prefix="scale-"))
    events: list[tuple[float, str]] = []
    web = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-k", "gthread", "--threads", "4"]
        + ["-b", f"127.0.0.1:{port}", "--log-level", "warning", "webmap:create_app()"],
        env=env,
        cwd=ROOT,
        stdout=(folder / "web.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    workers = {name: _worker(name, env, folder) for name in ("w1", "w2")}
    stop, mem_stop = threading.Event(), threading.Event()
    tally = Tally()

    def sources() -> dict[str, float]:
        out = {"web master (gunicorn)": _rss_mb(web.pid)}
        for pid in _children(web.pid):
            out[f"web process {pid}"] = _rss_mb(pid)
        for name, proc in workers.items():
            out[f"worker {name} (pid {proc.pid})"] = _rss_mb(proc.pid)
        out["PostgreSQL primary (PSS, all backends)"] = _pss_tree_mb(settings.pgdata)
        out["PostgreSQL replica (PSS, all backends)"] = _pss_tree_mb(made.pgdata)
        return out

    memory = Memory(sources, mem_stop)
    try:
        _wait_http(base + "/healthz")
        memory.start()
        clients = [
            Client(n, base, tally, stop, planner=n >= args.clients - 2) for n in range(args.clients)
        ]
        tally.t0 = time.monotonic()
        for client in clients:
            client.start()
        now = lambda: time.monotonic() - tally.t0  # noqa: E731
        plan = args.seconds / 5

        def at(when: float) -> None:
            time.sleep(max(0.0, when - now()))

        at(plan)
        victim = _children(web.pid)[0]
        os.kill(victim, signal.SIGKILL)
        events.append((now(), f"web process {victim} killed (SIGKILL); gunicorn starts another"))
        at(2 * plan)
        name = _busiest(workers)
        workers[name].kill()
        events.append((now(), f"worker {name} killed (SIGKILL), the busier of the two"))
        at(2 * plan + 30)
        workers[name].wait()
        workers[name] = _worker(name, env, folder)
        events.append((now(), f"worker {name} started again"))
        at(3 * plan)
        replica.stop_replica(settings, made, mode="immediate")
        events.append((now(), "replica stopped (immediate: a crash)"))
        at(3 * plan + 40)
        replica.resume_replica(settings, made)
        events.append((now(), "replica started again, streaming"))
        at(args.seconds)
        stop.set()
        for client in clients:
            client.join(timeout=180)
        events.append((now(), "clients stopped"))
        jobs = _wait_jobs(settings, tally.jobs, timeout_s=300)
        events.append((now(), "every submitted job ended" if jobs["open"] == 0 else "gave up"))
        health = requests.get(base + "/healthz", timeout=10).json()
        load_end = machine().split(", ", 1)[-1]  # "load 1 / 5 / 15 min"
    finally:
        mem_stop.set()
        web.send_signal(signal.SIGTERM)
        for proc in workers.values():
            proc.send_signal(signal.SIGTERM)
        for proc in [web, *workers.values()]:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        replica.remove_replica(settings, made)
    return {
        "tally": tally,
        "events": events,
        "jobs": jobs,
        "memory": memory.seen,
        "health": health,
        "folder": folder,
        "load_end": load_end,
    }


def _wait_jobs(settings, ids: list[str], *, timeout_s: float) -> dict:
    """Wait until every submitted job has ended; counts by status and by attempts."""
    conn = connect(settings)
    deadline = time.monotonic() + timeout_s
    while True:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT status, attempts, worker, error FROM jobs WHERE id::text = ANY(%s)",
                ([*ids],),
            )
            rows = cur.fetchall()
        conn.rollback()
        open_ = sum(1 for status, *_ in rows if status in ("queued", "running"))
        if open_ == 0 or time.monotonic() > deadline:
            break
        time.sleep(2)
    conn.close()
    return {
        "submitted": len(ids),
        "status": Counter(status for status, *_ in rows),
        "run twice": sum(1 for _s, attempts, *_ in rows if attempts > 1),
        "open": open_,
        # why the failed ones failed (the message code stored in the row) and who ran them
        "reasons": Counter(
            (_code(error), worker or "-")
            for status, _a, worker, error in rows
            if status == "failed"
        ),
    }


def _code(error: str | None) -> str:
    """The message code of a job's stored error (plain text of older rows as it is)."""
    loaded = worker_module.loaded(error)
    return getattr(loaded, "code", None) or str(loaded)


def _pct(values: list[float], q: float) -> float:
    return 1000 * statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else 0.0


def report(result: dict, args, state: str) -> str:
    tally, jobs = result["tally"], result["jobs"]
    every = [s for values in tally.seconds.values() for s in values]
    lines = [
        f"Run by `bench/scale_test.py --seconds {args.seconds} --clients {args.clients}` under "
        f"`nice -n 10` ({state} at the start, {result['load_end']} at the end; other sessions "
        f"shared the 2 cores), over the sample in a database of its own ({DB}). The web: "
        "gunicorn, 2 worker processes (gthread x 4 threads) on one port, public reads from a "
        "streaming replica of the embedded cluster (`gis.replica.start_replica`); jobs: two "
        "`langnghe worker` processes (1024 MB budget each, heartbeat 2 s, stall 10 s, 2 runs at "
        f"most). {args.clients} client threads: {args.clients - 2} readers (items 35%, tiles "
        "40% with If-None-Match once they hold an ETag, pages' data 22%, sign-in 3%) and 2 "
        "planners who sign in and submit siting jobs (90 or 120 m cells) one after another, "
        "following each with reads and a status poll. A request that met a broken connection "
        "was retried by its client (up to 3 times, counted below); errors are what still failed.",
        "",
        "| kind | requests | errors | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, values in sorted(tally.seconds.items()):
        errors = sum(n for key, n in tally.errors.items() if key.startswith(kind + ":"))
        lines.append(
            f"| {kind} | {len(values):,} | {errors} | {_pct(values, 50):.0f} | "
            f"{_pct(values, 95):.0f} | {_pct(values, 99):.0f} |"
        )
    lines.append(
        f"| all | {len(every):,} | {sum(tally.errors.values())} | {_pct(every, 50):.0f} | "
        f"{_pct(every, 95):.0f} | {_pct(every, 99):.0f} |"
    )
    if tally.errors:
        lines += ["", "Errors: " + "; ".join(f"{k} x {n}" for k, n in tally.errors.items()) + "."]
    lines += ["", "| s | event | retried requests within 10 s after it |", "|---:|---|---:|"]
    for when, what in result["events"]:
        near = sum(1 for t, _k, _e in tally.retries if when - 1 <= t <= when + 10)
        lines.append(f"| {when:.0f} | {what} | {near} |")
    status = ", ".join(f"{n} {s}" for s, n in sorted(jobs["status"].items()))
    lines += [
        "",
        f"Jobs: {jobs['submitted']} submitted, {status}; {jobs['run twice']} ran a second time "
        f"(the killed worker's), {jobs['open']} still open at the end. Retries in all: "
        f"{len(tally.retries)} ({', '.join(sorted({e for _t, _k, e in tally.retries})) or '-'}). "
        f"Replica use seen by the last web process (/healthz): {result['health'].get('replica')}."
        + (
            " Failed jobs by reason and worker: "
            + "; ".join(f"{code} on {who} x {n}" for (code, who), n in jobs["reasons"].items())
            + "."
            if jobs["reasons"]
            else ""
        ),
        "",
        "| process | memory first MB | peak MB | last MB |",
        "|---|---:|---:|---:|",
    ]
    for name, values in result["memory"].items():
        lines.append(f"| {name} | {values[0]:.0f} | {max(values):.0f} | {values[-1]:.0f} |")
    lines += [
        "",
        "Memory: RSS of each Python process; for PostgreSQL the proportional set size (PSS) "
        "summed over the postmaster and its backends, so shared buffers count once.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--replica-port", type=int, default=None)
    if quick():  # make bench BENCH_ARGS=--quick
        parser.set_defaults(seconds=60)
    args = parser.parse_args()
    if args.replica_port is None:
        args.replica_port = int(os.environ.get("LANGNGHE_PG_PORT", "54330")) + 10
    state = machine()
    result = run(args)
    text = report(result, args, state)
    print(text)
    print("logs:", result["folder"])
    if args.seconds >= 300:
        write_section("Scale test on one machine", text)
    jobs = result["jobs"]
    if jobs["open"] or jobs["status"].get("failed"):  # the target: every job completed
        raise SystemExit(f"{jobs['status'].get('failed', 0)} jobs failed, {jobs['open']} open")


if __name__ == "__main__":
    main()
