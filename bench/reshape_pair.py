"""Benchmark: the same routing and OGC workloads on two or more checkouts of this project,
run in turn, to show what a change of structure did to speed (issue 11: the reshape must
stay within noise).

Run on purpose, with each checkout beside this one and its migrations runnable by this
virtualenv::

    git worktree add ../pair-before 041e0cf      # the last commit before the reshape
    git worktree add ../pair-after 0b11a5d       # the reshape done (end of stop 11)
    .venv/bin/python bench/reshape_pair.py ../pair-before ../pair-after .

Every tree is measured in its own child process (its own ``gis``, ``layers``, ``planning``
and ``webmap`` on ``sys.path``) on the same inputs: the real Ba Đình street graph read from
the shared GraphML and a generated grid, built in memory the same way for every tree (so the
import code, which issue 15 changed on purpose, is not part of the figure); and, for the
OGC API, each tree's own server on its own database holding the same 200,000 synthetic
villages, driven by ``wrk`` with the same requests. The trees alternate round by round.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CHILD = "--child" in sys.argv  # a child imports the project from its own tree (PYTHONPATH)
if not CHILD:
    sys.path.insert(0, str(ROOT))

from gis.settings import get_settings  # noqa: E402

AREA = (105.3, 20.4, 106.6, 21.5)  # as bench/ogc_peers.py
SYNTHETIC = 200_000

PAIRS, MATRIX, STOPS = 200, 50, 50


def graphs(out: Path, grid: int) -> dict[str, Path]:
    """The Ba Đình graph (real, from the shared GraphML) and an n x n grid as arrays."""
    import networkx as nx

    found = {}
    g = nx.read_graphml(get_settings().real_data / "roads" / "badinh.graphml")
    index = {node: i for i, node in enumerate(g.nodes)}
    lon = np.array([float(g.nodes[n]["x"]) for n in g.nodes])
    lat = np.array([float(g.nodes[n]["y"]) for n in g.nodes])
    rows = [(index[a], index[b], d) for a, b, d in g.edges(data=True)]
    np.savez(
        out / "badinh.npz",
        lon=lon,
        lat=lat,
        u=np.array([r[0] for r in rows]),
        v=np.array([r[1] for r in rows]),
        length_m=np.array([float(r[2].get("length", 1.0)) for r in rows]),
        highway=np.array([str(r[2].get("highway", "residential")) for r in rows], dtype=object),
        maxspeed=np.array([r[2].get("maxspeed") for r in rows], dtype=object),
    )
    found["Ba Đình"] = out / "badinh.npz"
    idx = np.arange(grid * grid).reshape(grid, grid)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:, 1:].ravel(), idx[:-1].ravel(), idx[1:].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[:, :-1].ravel(), idx[1:].ravel(), idx[:-1].ravel()])
    np.savez(
        out / "grid.npz",
        lon=105.0 + (idx % grid).ravel() * 0.001,
        lat=21.0 + (idx // grid).ravel() * 0.001,
        u=u,
        v=v,
        length_m=np.random.default_rng(0).uniform(50, 150, len(u)),
        highway=np.array(["residential"] * len(u), dtype=object),
        maxspeed=np.array([None] * len(u), dtype=object),
    )
    found[f"grid {grid} x {grid}"] = out / "grid.npz"
    return found


def child_routing(npz: str, seed: int) -> dict:
    """In a tree's own process: point-to-point, a matrix and a tour on the stored graph."""
    import pandas as pd

    from gis.network import RoadGraph, largest_scc, shortest_path, travel_matrix
    from planning.tours import Stop, plan_tour

    d = np.load(npz, allow_pickle=True)
    graph = RoadGraph(
        lon=d["lon"],
        lat=d["lat"],
        u=d["u"].astype(np.int64),
        v=d["v"].astype(np.int64),
        length_m=d["length_m"],
        highway=pd.Series(d["highway"]),
        maxspeed=pd.Series(d["maxspeed"]),
        geometry=np.full(len(d["u"]), None, dtype=object),
    )
    rng = np.random.default_rng(seed)
    # nodes of the largest strongly connected part, so that every pair has a path
    kept = np.flatnonzero(largest_scc(graph.u, graph.v, len(d["lon"])))
    pairs = rng.choice(kept, (PAIRS, 2))
    t = time.perf_counter()
    shortest_path(graph, int(pairs[0, 0]), int(pairs[0, 1]))
    prepare = time.perf_counter() - t
    p2p, costs = [], []
    for a, b in pairs:
        t = time.perf_counter()
        cost, _ = shortest_path(graph, int(a), int(b))
        p2p.append(time.perf_counter() - t)
        costs.append(cost)
    nodes = rng.choice(kept, MATRIX, replace=False)
    travel_matrix(graph, nodes[:2], nodes[:2], weight="time")  # the time weights, once
    t = time.perf_counter()
    times = travel_matrix(graph, nodes, nodes, weight="time")
    matrix_ms = (time.perf_counter() - t) * 1000
    stops = [Stop(str(i), str(i), 0) for i in range(1, STOPS)]
    t = time.perf_counter()
    plan = plan_tour(times[:STOPS, :STOPS], stops, start_min=0, budget_min=10**6)
    tour_s = time.perf_counter() - t
    finite = [c for c in costs if np.isfinite(c)]
    return {
        "prepare_s": prepare,
        "p50_ms": float(np.percentile(p2p, 50) * 1000),
        "p95_ms": float(np.percentile(p2p, 95) * 1000),
        "path_sum_m": float(sum(finite)),
        "matrix_ms": matrix_ms,
        "tour_s": tour_s,
        "tour_cost_s": float(plan.travel_s),
    }


def child_database(db: str) -> None:
    """In a tree's own process: its migrations on ``db`` and the 200,000 synthetic villages."""
    from gis.db import connect
    from gis.migrate import apply
    from layers import migrations_folder

    settings = get_settings()
    own = settings.model_copy(update={"pg_database": db})
    apply(own.dsn(), migrations_folder())
    conn = connect(own)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM craft_villages")
        if cur.fetchone()[0] < SYNTHETIC:
            cur.execute("SELECT setseed(0.42)")
            cur.execute(
                "INSERT INTO craft_villages (ref, name, name_ascii, craft, recognition, "
                "province_name, source, geom) "
                "SELECT 'BENCH-' || g, 'Điểm thử ' || g, 'diem thu ' || g, "
                "(ARRAY['ceramics','silk','wood','rattan_bamboo','metal_recycling',"
                "'food_processing'])[1 + (g %% 6)], 'unknown', 'Hà Nội', "
                "'SYNTHETIC benchmark point', "
                "ST_SetSRID(ST_MakePoint(%s + random() * %s, %s + random() * %s), 4326) "
                "FROM generate_series(1, %s) g",
                (AREA[0], AREA[2] - AREA[0], AREA[1], AREA[3] - AREA[1], SYNTHETIC),
            )
            cur.execute("ANALYZE craft_villages")
    conn.commit()
    conn.close()


def _cluster() -> dict[str, str]:
    """This checkout's embedded cluster for every tree (port, home with the password file)."""
    settings = get_settings()
    return {
        "LANGNGHE_HOME": str(settings.home),
        "LANGNGHE_PG_PORT": str(settings.port),
        "PGPASSFILE": str(settings.pg_passfile),
    }


def in_tree(tree: Path, *args: str) -> str:
    """Run this script's child mode with ``tree`` first on the import path."""
    env = {**os.environ, **_cluster(), "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"{tree}: {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def serve(tree: Path, db: str, port: int, tmp: Path, tile_cache: bool) -> subprocess.Popen:
    env = {
        **os.environ,
        **_cluster(),
        "LANGNGHE_PG_DATABASE": db,
        "LANGNGHE_BASEMAP_URL": "",
        "LANGNGHE_TILE_CACHE_BYTES": str(128 * 1024 * 1024) if tile_cache else "0",
        "LANGNGHE_TILE_CACHE_ENTRIES": "20000" if tile_cache else "0",
    }
    log = (tmp / f"{tree.name}-{port}.log").open("wb")
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--chdir",
            str(tree),
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
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    from bench.ogc_peers import _wait  # the peers' wait for a server, with its log on exit

    _wait(f"http://127.0.0.1:{port}/collections", proc, tmp / f"{tree.name}-{port}.log")
    return proc


def ogc_runs(
    trees: list[Path], heads: dict[Path, str], runs: int, seconds: int, tmp: Path
) -> dict[tuple[str, Path], list[float]]:
    """Requests per second of every tree's server, the servers running side by side and
    driven in turn (the first tree of a round changes every round)."""
    from bench.ogc_peers import _ours, run_wrk, workloads
    from bench.report import server_ports
    from gis.db import create_database  # this tree's: the cluster's superuser creates it

    paths = workloads()
    for tree in trees:
        create_database(get_settings(), f"langnghe_pair_{heads[tree]}")
        in_tree(tree, "database", f"langnghe_pair_{heads[tree]}")
    ogc: dict[tuple[str, Path], list[float]] = {}
    for kind, cache in (("items", False), ("tiles", False), ("tiles", True)):
        label = f"{kind} ({'warm' if cache else 'cold'})" if kind == "tiles" else kind
        urls = [_ours("", kind, v) for v in paths[kind]]
        ports = dict(zip(trees, server_ports(len(trees)), strict=True))
        procs = {
            tree: serve(tree, f"langnghe_pair_{heads[tree]}", ports[tree], tmp, cache)
            for tree in trees
        }
        try:
            bases = {tree: f"http://127.0.0.1:{ports[tree]}" for tree in trees}
            if cache:
                for tree in trees:
                    run_wrk(bases[tree], urls, 3, tmp, "warmup")
            for run in range(runs):
                for tree in trees[run % len(trees) :] + trees[: run % len(trees)]:
                    result = run_wrk(bases[tree], urls, seconds, tmp, f"{heads[tree]}-{run}")
                    ogc.setdefault((label, tree), []).append(result["rps"])
                    print(label, heads[tree], round(result["rps"], 1), flush=True)
        finally:
            for proc in procs.values():
                proc.terminate()
                proc.wait(30)
    return ogc


def main() -> None:
    if CHILD:
        mode, *rest = sys.argv[sys.argv.index("--child") + 1 :]
        if mode == "routing":
            print(json.dumps(child_routing(rest[0], int(rest[1]))))
        else:
            child_database(rest[0])
        return
    from bench.report import machine, spread, write_section

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--grid", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--skip-ogc", action="store_true")
    args = parser.parse_args()
    trees = [t.resolve() for t in args.trees]
    heads = {
        t: subprocess.run(
            ["git", "-C", str(t), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for t in trees
    }
    state, loads = machine(), [os.getloadavg()[0]]
    routing: dict[tuple[str, Path], list[dict]] = {}
    ogc: dict[tuple[str, Path], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        found = graphs(tmp, args.grid)
        for run in range(args.runs):
            order = trees if run % 2 == 0 else trees[::-1]
            for name, npz in found.items():
                for tree in order:
                    out = json.loads(in_tree(tree, "routing", str(npz), str(run)))
                    routing.setdefault((name, tree), []).append(out)
                    print(name, heads[tree], out, flush=True)
            loads.append(os.getloadavg()[0])
        if not args.skip_ogc:
            ogc = ogc_runs(trees, heads, args.runs, args.seconds, tmp)
        loads.append(os.getloadavg()[0])
    head = " | ".join(heads[t] for t in trees)
    lines = [
        f"Run by `bench/reshape_pair.py {' '.join(str(t) for t in args.trees)} --grid {args.grid}` "
        f"({state} at the start; 1-minute load {min(loads):.1f}-{max(loads):.1f}). Each tree "
        "in its own process on the same graphs (built in memory, not imported) and pairs; "
        f"median (min-max) of {args.runs} runs, the trees in turn.",
        "",
        f"| graph | measure | {head} |",
        "|---|---|" + "---|" * len(trees),
    ]
    for name in found:
        for key, title, fmt in (
            ("prepare_s", "preparation s", "{:.2f}"),
            ("p50_ms", "point-to-point p50 ms", "{:.1f}"),
            ("p95_ms", "point-to-point p95 ms", "{:.1f}"),
            ("matrix_ms", "50 x 50 matrix ms", "{:.0f}"),
            ("tour_s", "50-stop tour s", "{:.2f}"),
            ("tour_cost_s", "50-stop tour cost s", "{:.0f}"),
            ("path_sum_m", f"sum of {PAIRS} path lengths m", "{:.0f}"),
        ):
            cells = [spread([r[key] for r in routing[(name, t)]], fmt) for t in trees]
            lines.append(f"| {name} | {title} | {' | '.join(cells)} |")
    if ogc:
        lines += [
            "",
            f"| OGC API (wrk, 8 connections, 2 workers x 4 threads) | {head} |",
            "|---|" + "---|" * len(trees),
        ]
        for label in dict.fromkeys(k[0] for k in ogc):
            cells = [spread(ogc[(label, t)], "{:.0f}") + " req/s" for t in trees]
            lines.append(f"| {label} | {' | '.join(cells)} |")
    text = "\n".join(lines) + "\n"
    print(text)
    # Not a run of `make bench` (it needs the checkouts): its own document.
    pairs = Path(__file__).resolve().parents[1] / "docs" / "benchmarks-pairs.md"
    write_section("Before and after the reshape (issue 11)", text, doc=pairs)


if __name__ == "__main__":
    main()
