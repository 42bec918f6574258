"""Benchmark: point-to-point routes, a 50 x 50 matrix and a 50-stop tour, ours beside
pgRouting (pgr_dijkstra, pgr_TSP) and scipy.sparse.csgraph, on the Ba Đình street graph and
on a generated 500 x 500 grid (250,000 nodes).

Run on purpose:  .venv/bin/python bench/routing_peers.py   (writes a section of docs/benchmarks.md)
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import write_section  # noqa: E402
from gis.db import connect, create_database, transaction  # noqa: E402
from gis.migrate import apply  # noqa: E402
from gis.network import RoadGraph, shortest_path, travel_matrix  # noqa: E402
from gis.settings import get_settings  # noqa: E402
from layers import migrations_folder  # noqa: E402
from layers.roads import import_roads, read_graph  # noqa: E402
from planning.tours import Stop, plan_tour  # noqa: E402

DB = "langnghe_bench"


def grid_graph(n: int = 500, seed: int = 0) -> RoadGraph:
    """A directed n x n grid, both directions, random lengths 50-150 m."""
    idx = np.arange(n * n).reshape(n, n)
    u = np.concatenate(
        [idx[:, :-1].ravel(), idx[:, 1:].ravel(), idx[:-1, :].ravel(), idx[1:, :].ravel()]
    )
    v = np.concatenate(
        [idx[:, 1:].ravel(), idx[:, :-1].ravel(), idx[1:, :].ravel(), idx[:-1, :].ravel()]
    )
    length = np.random.default_rng(seed).uniform(50, 150, len(u))
    lon = 105.0 + (idx % n).ravel() * 0.001
    lat = 21.0 + (idx // n).ravel() * 0.001
    return RoadGraph(
        lon=lon,
        lat=lat,
        u=u,
        v=v,
        length_m=length,
        highway=pd.Series(["residential"] * len(u)),
        maxspeed=pd.Series([None] * len(u)),
        geometry=np.full(len(u), None, dtype=object),
    )


def store_grid(conn, graph: RoadGraph) -> None:
    """The grid's edges in a plain table pgRouting can read (ids 1-based)."""
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_grid_edges")
        cur.execute(
            "CREATE TABLE bench_grid_edges (id bigserial PRIMARY KEY, source bigint, target "
            "bigint, "
            "cost double precision, reverse_cost double precision)"
        )
        frame = pd.DataFrame(
            {"source": graph.u + 1, "target": graph.v + 1, "cost": graph.length_m, "rc": -1.0}
        )
        buf = io.StringIO()
        frame.to_csv(buf, header=False, index=False)
        buf.seek(0)
        cur.copy_expert(
            "COPY bench_grid_edges (source, target, cost, reverse_cost) FROM STDIN WITH (FORMAT "
            "csv)",
            buf,
        )
    conn.commit()


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000.0, q))


def point_to_point(
    conn, graph: RoadGraph, edges_sql: str, pairs: np.ndarray, pg_pairs: int
) -> dict:
    ours, scipy_t, pg = [], [], []
    csr = graph.matrix("length")
    t = time.perf_counter()
    shortest_path(
        graph, 0, 1
    )  # preparation, once per graph: the CSR matrices and, on large graphs, landmarks
    prepare_s = time.perf_counter() - t
    for a, b in pairs:
        t = time.perf_counter()
        cost, _ = shortest_path(graph, int(a), int(b))
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        dijkstra(csr, indices=int(a))[int(b)]
        scipy_t.append(time.perf_counter() - t)
    with conn.cursor() as cur:
        for a, b in pairs[:pg_pairs]:
            t = time.perf_counter()
            cur.execute(
                "SELECT max(agg_cost) FROM pgr_dijkstra(%s, %s::bigint, %s::bigint, directed => "
                "true)",
                (edges_sql, int(a) + 1, int(b) + 1),
            )
            theirs = cur.fetchone()[0]
            pg.append(time.perf_counter() - t)
            mine, _ = shortest_path(graph, int(a), int(b))
            assert theirs is None or abs(theirs - mine) < 1.0, (a, b, theirs, mine)
    return {
        "ours": (_p(ours, 50), _p(ours, 95)),
        "scipy": (_p(scipy_t, 50), _p(scipy_t, 95)),
        "pgrouting": (_p(pg, 50), _p(pg, 95)),
        "prepare_s": prepare_s,
    }


def matrix(graph: RoadGraph, nodes: np.ndarray) -> dict:
    t = time.perf_counter()
    ours = travel_matrix(graph, nodes, nodes, weight="length")
    mine = time.perf_counter() - t
    t = time.perf_counter()
    theirs = dijkstra(graph.matrix("length"), indices=nodes)[:, nodes]
    plain = time.perf_counter() - t
    assert np.allclose(ours, theirs)
    return {"ours_ms": mine * 1000, "scipy_ms": plain * 1000}


def tour(conn, graph: RoadGraph, nodes: np.ndarray) -> dict:
    times = travel_matrix(graph, nodes, nodes, weight="length")  # metres as the cost: a pure TSP
    stops = [Stop(str(i), str(i), 0) for i in range(1, len(nodes))]
    t = time.perf_counter()
    plan = plan_tour(times, stops, start_min=0, budget_min=10**6)
    ours_s = time.perf_counter() - t
    best = plan_tour(times, stops, start_min=0, budget_min=10**6, time_limit_s=20.0)
    rows = [
        (i + 1, j + 1, float(times[i, j]))
        for i in range(len(nodes))
        for j in range(len(nodes))
        if i != j
    ]
    values = ",".join(f"({a},{b},{c})" for a, b, c in rows)
    with conn.cursor() as cur:
        t = time.perf_counter()
        cur.execute(
            f"SELECT max(agg_cost) FROM pgr_TSP($$SELECT * FROM (VALUES {values}) AS t(start_vid, "
            f"end_vid, agg_cost)$$, 1)"
        )  # noqa: S608 - numbers we made
        pg_cost = float(cur.fetchone()[0])
        pg_s = time.perf_counter() - t
    ours_cost = plan.travel_s
    best_cost = min(best.travel_s, ours_cost, pg_cost)
    return {
        "ours_cost": ours_cost,
        "ours_s": ours_s,
        "best_cost": best_cost,
        "pg_cost": pg_cost,
        "pg_s": pg_s,
    }


def main() -> None:
    settings = get_settings()
    create_database(settings, DB)
    bench = settings.model_copy(update={"pg_database": DB})
    apply(bench.dsn(), migrations_folder())
    conn = connect(bench.model_copy(update={"statement_timeout_ms": 600_000}))
    rng = np.random.default_rng(11)
    results = {}
    with transaction(conn):  # the caller owns the import's transaction
        import_roads(
            conn, settings.real_data / "roads" / "badinh.graphml", network="badinh", progress=False
        )
    badinh = read_graph(conn, "badinh")
    results["Ba Đình (4,436 nodes)"] = (
        point_to_point(
            conn,
            badinh,
            "SELECT id, source, target, cost, reverse_cost FROM roads WHERE network = 'badinh'",
            rng.integers(0, badinh.n_nodes, (200, 2)),
            50,
        ),
        matrix(badinh, rng.choice(badinh.n_nodes, 50, replace=False)),
        tour(conn, badinh, rng.choice(badinh.n_nodes, 51, replace=False)),
    )
    grid = grid_graph()
    store_grid(conn, grid)
    results["grid (250,000 nodes)"] = (
        point_to_point(
            conn,
            grid,
            "SELECT id, source, target, cost, reverse_cost FROM bench_grid_edges",
            rng.integers(0, grid.n_nodes, (100, 2)),
            10,
        ),
        matrix(grid, rng.choice(grid.n_nodes, 50, replace=False)),
        tour(conn, grid, rng.choice(grid.n_nodes, 51, replace=False)),
    )
    conn.close()
    lines = [
        "Run by `bench/routing_peers.py` on this machine. Ours = `gis.network` (scipy Dijkstra on "
        "a cached CSR "
        "matrix; on graphs of 20,000 nodes or more, a forward and a backward search bounded by "
        "landmark "
        "distances that meet in the middle, after a one-time preparation of 16 landmarks) and "
        "`planning.tours` "
        "(OR-tools, guided local search). pgRouting 3.4 reads the same edges "
        "from PostgreSQL on every call, as it is used. Shortest-path costs were checked equal to "
        "pgRouting's.",
        "",
        "| graph | point-to-point p50 / p95 ms: ours | scipy | pgr_dijkstra | 50 x 50 matrix ms: "
        "ours | scipy | "
        "50-stop tour: ours cost / time | best known | pgr_TSP cost / time |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, (p2p, mat, tsp) in results.items():
        lines.append(
            f"| {name} | {p2p['ours'][0]:.1f} / {p2p['ours'][1]:.1f} | {p2p['scipy'][0]:.1f} / "
            f"{p2p['scipy'][1]:.1f} | "
            f"{p2p['pgrouting'][0]:.0f} / {p2p['pgrouting'][1]:.0f} | {mat['ours_ms']:.0f} | "
            f"{mat['scipy_ms']:.0f} | "
            f"{tsp['ours_cost']:.0f} m / {tsp['ours_s']:.2f} s "
            f"({100 * (tsp['ours_cost'] / tsp['best_cost'] - 1):.2f}% "
            f"over best) | {tsp['best_cost']:.0f} m | {tsp['pg_cost']:.0f} m / {tsp['pg_s']:.2f} "
            f"s |"
        )
    lines.append("")
    lines += [
        f"Preparation (first query of a graph): {name} {p2p['prepare_s']:.2f} s."
        for name, (p2p, _m, _t) in results.items()
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    write_section("Routing and tours: ours vs pgRouting vs scipy.sparse.csgraph", text, dated=False)


if __name__ == "__main__":
    main()
