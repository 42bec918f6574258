"""Benchmark: point-to-point routes, a 50 x 50 matrix and a 50-stop tour, ours beside
pgRouting (pgr_dijkstra, pgr_TSP) and scipy.sparse.csgraph, on the Ba Đình street graph and
on a generated 500 x 500 grid (250,000 nodes), both imported from GeoJSON lines through the
noding of ``langnghe import roads`` (time and peak memory of each import are measured, in a
child process running the command) beside a peer: ``ogr2ogr`` into PostGIS, then
pgRouting's topology (``pgr_extractVertices``, source and target), in turn, 3 runs each.
Contraction-hierarchy engines found installed
(pyroutingkit, pandana) are timed beside them on the same graphs.

Run on purpose:  .venv/bin/python bench/routing_peers.py   (writes a section of docs/benchmarks.md)
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
from psycopg2 import sql
from scipy.sparse.csgraph import dijkstra

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import alternate, machine, quick, ratio, spread, write_section  # noqa: E402
from bench.tsp_reference import cycle_cost, lkh  # noqa: E402
from gis.db import connect, create_database  # noqa: E402
from gis.migrate import apply  # noqa: E402
from gis.network import RoadGraph, shortest_path, travel_matrix  # noqa: E402
from gis.settings import get_settings  # noqa: E402
from layers import migrations_folder  # noqa: E402
from layers.roads import read_graph  # noqa: E402
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


def write_grid_lines(path: Path, n: int = 500, seed: int = 0) -> Path:
    """The n x n grid as GeoJSON lines, one two-way line a block side, 0.001 degree apart.

    Each line bends at its middle by a random offset, so that lengths vary (about 105-140 m)
    the way the random weights of :func:`grid_graph` do.
    """
    rng = np.random.default_rng(seed)
    features = []
    for horizontal in (True, False):
        for i in range(n):
            for j in range(n - 1):
                a = (j, i) if horizontal else (i, j)
                b = (j + 1, i) if horizontal else (i, j + 1)
                ax, ay = 105.0 + a[0] * 0.001, 21.0 + a[1] * 0.001
                bx, by = 105.0 + b[0] * 0.001, 21.0 + b[1] * 0.001
                bend = float(rng.uniform(0, 0.0004))  # lines of one block never cross
                mx = (ax + bx) / 2 + (0 if horizontal else bend)
                my = (ay + by) / 2 + (bend if horizontal else 0)
                features.append(
                    '{"type":"Feature","properties":{"highway":"residential"},"geometry":'
                    f'{{"type":"LineString","coordinates":[[{ax:.7f},{ay:.7f}],'
                    f"[{mx:.7f},{my:.7f}],[{bx:.7f},{by:.7f}]]}}}}"
                )
    path.write_text(
        '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}", encoding="utf-8"
    )
    return path


def _measured(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``cmd`` under ``/usr/bin/time``: wall seconds, the peak RSS (MB) of that process
    alone, and what it printed.

    (``getrusage`` of a child forked from this process would count this process's own RSS
    at the fork: Linux carries the high-water mark across ``exec``.)
    """
    with tempfile.NamedTemporaryFile("r") as peak:
        t = time.perf_counter()
        run = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", peak.name, *cmd],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        wall = time.perf_counter() - t
        if run.returncode:
            raise SystemExit(f"{' '.join(cmd[:3])}: {run.stderr}")
        return wall, int(peak.read().split()[-1]) / 1024, run.stdout


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "LANGNGHE_PG_DATABASE": DB,
        "LANGNGHE_LANG": "en",
        "LANGNGHE_STATEMENT_TIMEOUT_MS": "1800000",  # a million edges in one COPY
    }


def timed_import(path: Path, network: str) -> dict:
    """``langnghe import roads`` in a child process: wall time (s) and its peak RSS (MB)."""
    exe = Path(sys.executable).with_name("langnghe")
    # the import alone, as the peer's: the topology it builds next is timed on its own below
    env = {**_env(), "LANGNGHE_CH_MIN_NODES": str(10**9)}
    wall, peak, out = _measured([str(exe), "import", "roads", str(path), "--network", network], env)
    return {"s": wall, "peak_mb": peak, "report": out.strip().splitlines()[:3]}


def peer_import(conn, conninfo: str, path: Path, table: str) -> dict:
    """The peer: ``ogr2ogr`` into PostGIS (COPY), then pgRouting's topology as its
    documentation builds it (``pgr_extractVertices``, then source and target from the
    vertices' out- and in-edges). Wall time of each part, ogr2ogr's peak RSS (MB)."""
    ogr_s, peak, _out = _measured(
        [
            "ogr2ogr",
            "--config",
            "PG_USE_COPY",
            "YES",
            "-f",
            "PostgreSQL",
            f"PG:{conninfo}",
            str(path),
            "-nln",
            table,
            "-overwrite",
            "-nlt",
            "LINESTRING",
            "-lco",
            "GEOMETRY_NAME=geom",
            "-lco",
            "FID=id",
        ],
        _env(),
    )
    t = time.perf_counter()
    with conn.cursor() as cur:
        name, vertices = sql.Identifier(table), sql.Identifier(f"{table}_vertices")
        cur.execute(
            sql.SQL("ALTER TABLE {} ADD COLUMN source bigint, ADD COLUMN target bigint").format(
                name
            )
        )
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(vertices))
        cur.execute(
            sql.SQL("CREATE TABLE {} AS SELECT * FROM pgr_extractVertices(%s)").format(vertices),
            (sql.SQL("SELECT id, geom FROM {} ORDER BY id").format(name).as_string(cur),),
        )
        for column, edges in (("source", "out_edges"), ("target", "in_edges")):
            cur.execute(
                sql.SQL(
                    "UPDATE {} AS e SET {} = v.id FROM (SELECT id, unnest({}) AS edge FROM {}) "
                    "AS v WHERE e.id = v.edge"
                ).format(name, sql.Identifier(column), sql.Identifier(edges), vertices)
            )
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(vertices))
        nodes = int(cur.fetchone()[0])
        cur.execute(sql.SQL("SELECT count(*) FROM {} WHERE source IS NULL").format(name))
        assert cur.fetchone()[0] == 0
    conn.commit()
    sql_s = time.perf_counter() - t
    return {"s": ogr_s + sql_s, "ogr_s": ogr_s, "sql_s": sql_s, "peak_mb": peak, "nodes": nodes}


def imports_side_by_side(conn, conninfo: str, files: dict[str, tuple[Path, str]], runs: int):
    """Ours and the peer on each file, ``runs`` times, in turn (ours first on even runs)."""
    out: dict = {}
    for label, (path, network) in files.items():
        rows: dict = {"ours": [], "peer": [], "loads": []}
        for run in range(runs):
            rows["loads"].append(os.getloadavg()[0])
            order = ("ours", "peer") if run % 2 == 0 else ("peer", "ours")
            for who in order:
                rows[who].append(
                    timed_import(path, network)
                    if who == "ours"
                    else peer_import(conn, conninfo, path, f"peer_{network}")
                )
            print(
                f"import {label} run {run + 1}: ours {rows['ours'][-1]['s']:.1f} s "
                f"{rows['ours'][-1]['peak_mb']:.0f} MB, peer {rows['peer'][-1]['s']:.1f} s "
                f"(ogr2ogr {rows['peer'][-1]['peak_mb']:.0f} MB), load {rows['loads'][-1]:.1f}",
                file=sys.stderr,
                flush=True,
            )
        rows["loads"].append(os.getloadavg()[0])
        out[label] = rows
    return out


def engines(graph: RoadGraph, pairs: np.ndarray, nodes: np.ndarray) -> dict:
    """Contraction-hierarchy engines that are installed, on the same graph, checked against
    scipy's Dijkstra: preparation, 50 x 50 matrix and point-to-point p50/p95.

    pyroutingkit (MIT, RoutingKit's customizable CH) and pandana (AGPL-3.0-or-later: a bench
    peer only, never a dependency of this proprietary project) are imported when present.
    """
    out: dict = {}
    reference = dijkstra(graph.matrix("length"), indices=nodes)[:, nodes]
    for name, engine in (("pyroutingkit CCH", _pyroutingkit), ("pandana CH", _pandana)):
        try:
            found = engine(graph, pairs, nodes)
        except ImportError:
            continue
        found["max_error_m"] = float(np.max(np.abs(found.pop("matrix") - reference)))
        out[name] = found
    return out


def _timed_pairs(query, pairs: np.ndarray) -> tuple[float, float]:
    times = []
    for a, b in pairs:
        t = time.perf_counter()
        query(int(a), int(b))
        times.append(time.perf_counter() - t)
    return _p(times, 50), _p(times, 95)


def _pyroutingkit(graph: RoadGraph, pairs: np.ndarray, nodes: np.ndarray) -> dict:
    from pyroutingkit import CCHMetric, CCHTopology

    t = time.perf_counter()
    topology = CCHTopology()
    topology.build(
        graph.u.astype(np.uint32),
        graph.v.astype(np.uint32),
        graph.lat.astype(np.float32),
        graph.lon.astype(np.float32),
        graph.n_nodes,
    )
    metric = CCHMetric(topology)
    metric.customize(np.round(graph.length_m * 1000).astype(np.uint32))  # millimetres
    prepare = time.perf_counter() - t
    t = time.perf_counter()
    mat = np.asarray(
        metric.distances_many_to_many(nodes.astype(np.uint32), nodes.astype(np.uint32))
    )
    mat_ms = (time.perf_counter() - t) * 1000
    return {
        "prepare_s": prepare,
        "matrix_ms": mat_ms,
        "p2p": _timed_pairs(metric.query, pairs),
        "matrix": mat / 1000.0,
    }


def _pandana(graph: RoadGraph, pairs: np.ndarray, nodes: np.ndarray) -> dict:
    import pandana

    t = time.perf_counter()
    net = pandana.Network(
        pd.Series(graph.lon),
        pd.Series(graph.lat),
        pd.Series(graph.u),
        pd.Series(graph.v),
        pd.DataFrame({"length": graph.length_m}),
        twoway=False,  # one row per direction, as stored
    )
    prepare = time.perf_counter() - t
    a, b = np.repeat(nodes, len(nodes)), np.tile(nodes, len(nodes))
    t = time.perf_counter()
    mat = np.asarray(net.shortest_path_lengths(a, b, imp_name="length"), dtype=float)
    mat_ms = (time.perf_counter() - t) * 1000
    return {
        "prepare_s": prepare,
        "matrix_ms": mat_ms,
        "p2p": _timed_pairs(lambda x, y: net.shortest_path_length(x, y, imp_name="length"), pairs),
        "matrix": mat.reshape(len(nodes), len(nodes)),
    }


def hierarchy_times(graph: RoadGraph) -> dict:
    """Our contraction hierarchy's one-time costs on ``graph``, in a fresh store: building
    and saving the topology (what the first process of a new network version pays), loading
    the saved one (what every later process pays), and customising the motorbike time
    metric (once per process and metric)."""
    from gis.ch import Hierarchy

    with tempfile.TemporaryDirectory() as store:
        fresh = Hierarchy(graph, store=Path(store), name="bench")
        fresh.prepare("length", "motorbike")
        built, origin = fresh.topology_s, fresh.origin
        again = Hierarchy(graph, store=Path(store), name="bench")
        again.prepare("length", "motorbike")
        loaded = again.topology_s
        t = time.perf_counter()
        again.prepare("time", "motorbike")
        customise = time.perf_counter() - t
    assert (origin, again.origin) == ("built", "loaded")
    return {"build_s": built, "load_s": loaded, "customise_s": customise}


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
    conn, graph: RoadGraph, edges_sql: str, pairs: np.ndarray, pg_pairs: int, runs: int = 3
) -> dict:
    """p50 / p95 of each run over the pairs; ours and scipy alternate pair by pair."""
    csr = graph.matrix("length")
    t = time.perf_counter()
    shortest_path(
        graph, 0, 1
    )  # preparation, once per graph: the CSR matrices and, on large graphs, landmarks
    prepare_s = time.perf_counter() - t
    out: dict = {"ours": [], "scipy": [], "pgrouting": [], "prepare_s": prepare_s}
    for _ in range(runs):
        ours, scipy_t, pg = [], [], []
        for a, b in pairs:
            t = time.perf_counter()
            shortest_path(graph, int(a), int(b))
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            dijkstra(csr, indices=int(a))[int(b)]
            scipy_t.append(time.perf_counter() - t)
        with conn.cursor() as cur:
            for a, b in pairs[:pg_pairs]:
                t = time.perf_counter()
                cur.execute(
                    "SELECT max(agg_cost) FROM pgr_dijkstra(%s, %s::bigint, %s::bigint, "
                    "directed => true)",
                    (edges_sql, int(a) + 1, int(b) + 1),
                )
                theirs = cur.fetchone()[0]
                pg.append(time.perf_counter() - t)
                mine, _ = shortest_path(graph, int(a), int(b))
                assert theirs is None or abs(theirs - mine) < 1.0, (a, b, theirs, mine)
        for key, values in (("ours", ours), ("scipy", scipy_t), ("pgrouting", pg)):
            out[key].append((_p(values, 50), _p(values, 95)))
    return out


def _pp(runs: list[tuple[float, float]], fmt: str = "{:.1f}") -> str:
    return f"{spread([r[0] for r in runs], fmt)} / {spread([r[1] for r in runs], fmt)}"


def matrix(graph: RoadGraph, nodes: np.ndarray, runs: int = 4) -> dict:
    """50 x 50 travel-time matrix (motorbike seconds, what tours and relocation use), ours and
    scipy's Dijkstra on the same CSR matrix, alternating ``runs`` times."""
    ours = travel_matrix(graph, nodes, nodes, weight="time")
    csr = graph.matrix("time")
    assert np.allclose(ours, dijkstra(csr, indices=nodes)[:, nodes])
    times, loads = alternate(
        {
            "ours": lambda: travel_matrix(graph, nodes, nodes, weight="time"),
            "scipy": lambda: dijkstra(csr, indices=nodes)[:, nodes],
        },
        runs=runs,
    )
    return {
        "ours_ms": [t * 1000 for t in times["ours"]],
        "scipy_ms": [t * 1000 for t in times["scipy"]],
        "loads": loads,
    }


def tour(conn, graph: RoadGraph, nodes: np.ndarray, runs: int = 3) -> dict:
    """A 51-node closed tour on motorbike seconds: ours, LKH-3 (elkai) and pgr_TSP in turn."""
    times = travel_matrix(graph, nodes, nodes, weight="time")
    stops = [Stop(str(i), str(i), 0) for i in range(1, len(nodes))]
    rows = [
        (i + 1, j + 1, float(times[i, j]))
        for i in range(len(nodes))
        for j in range(len(nodes))
        if i != j
    ]
    values = ",".join(f"({a},{b},{c})" for a, b, c in rows)
    out: dict = {"ours": [], "lkh": [], "pg": []}
    costs: dict = {"ours": [], "lkh": [], "pg": []}
    for _ in range(runs):
        t = time.perf_counter()
        costs["ours"].append(plan_tour(times, stops, start_min=0, budget_min=10**7).travel_s)
        out["ours"].append(time.perf_counter() - t)
        t = time.perf_counter()
        costs["lkh"].append(lkh(times)[0])
        out["lkh"].append(time.perf_counter() - t)
        with conn.cursor() as cur:
            t = time.perf_counter()
            cur.execute(
                f"SELECT node FROM pgr_TSP($$SELECT * FROM (VALUES {values}) AS "
                f"t(start_vid, end_vid, agg_cost)$$, 1) ORDER BY seq"
            )  # noqa: S608 - numbers we made
            # pgr_TSP solves the symmetric problem (its agg_cost is of the matrix it made
            # symmetric): the cost of its tour is taken on the real, asymmetric matrix.
            pg_order = [int(r[0]) - 1 for r in cur.fetchall()]
            costs["pg"].append(cycle_cost(times, [i for i in pg_order if i != 0]))
            out["pg"].append(time.perf_counter() - t)
    return {"s": out, "cost": costs}


def _conninfo(dsn: str) -> str:
    """A libpq key=value string (what GDAL's PG: driver reads) of a postgresql:// URL."""
    url = urlsplit(dsn)
    parts = {
        "host": url.hostname,
        "port": url.port,
        "user": url.username,
        "dbname": url.path.lstrip("/"),
        **{k: v[0] for k, v in parse_qs(url.query).items()},
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


def main() -> None:
    import argparse

    from tests.layers.road_forms import badinh_lines, write_geojson

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=500, help="side of the generated grid")
    if quick():  # make bench BENCH_ARGS=--quick
        parser.set_defaults(grid=200)
    parser.add_argument("--runs", type=int, default=3, help="runs of each import, in turn")
    parser.add_argument(
        "--skip-import",
        action="store_true",
        help="route on the networks a previous run imported into the bench database",
    )
    args = parser.parse_args()
    state = machine()

    settings = get_settings()
    create_database(settings, DB)
    bench = settings.model_copy(update={"pg_database": DB})
    apply(bench.dsn(), migrations_folder())
    conn = connect(bench.model_copy(update={"statement_timeout_ms": 600_000}))
    rng = np.random.default_rng(11)
    load = [os.getloadavg()[0]]
    results, imports, others, prepared = {}, {}, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_import:
            lines = write_geojson(
                badinh_lines(settings.real_data / "roads" / "hanoi_badinh_osmnx.gpkg"),
                Path(tmp) / "badinh_lines.geojson",
            )
            grid_file = write_grid_lines(Path(tmp) / "grid.geojson", args.grid)
            imports = imports_side_by_side(
                conn,
                _conninfo(bench.dsn()),
                {
                    "Ba Đình (GeoJSON lines)": (lines, "badinh"),
                    f"grid {args.grid} x {args.grid} (GeoJSON lines)": (grid_file, "grid"),
                },
                args.runs,
            )
    load.append(os.getloadavg()[0])
    for name, network, pg_pairs in (("Ba Đình", "badinh", 50), ("grid", "grid", 10)):
        graph = read_graph(conn, network)
        label = f"{name} ({graph.n_nodes:,} nodes)"
        print(f"{label}: load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
        if graph.uses_hierarchy():
            prepared[label] = hierarchy_times(graph)
        pairs = rng.integers(0, graph.n_nodes, (200 if network == "badinh" else 100, 2))
        nodes = rng.choice(graph.n_nodes, 50, replace=False)
        results[label] = (
            point_to_point(
                conn,
                graph,
                "SELECT id, source, target, cost, reverse_cost FROM roads "
                f"WHERE network = '{network}'",  # noqa: S608 - our own constant
                pairs,
                pg_pairs,
            ),
            matrix(graph, nodes),
            tour(conn, graph, rng.choice(graph.n_nodes, 51, replace=False)),
        )
        others[label] = engines(graph, pairs, nodes)
        load.append(os.getloadavg()[0])
    conn.close()
    lines_out = [
        f"Run by `bench/routing_peers.py --grid {args.grid}` on this machine ({state} at the "
        f"start; 1-minute load {min(load):.1f}-{max(load):.1f} during the run). Both graphs "
        "were imported from GeoJSON lines by `langnghe import roads` (shared-vertex noding). "
        "Ours = the public `gis.network.shortest_path` and `travel_matrix` on the graph "
        "`layers.roads.read_graph` loads: on graphs of "
        f"{settings.ch_min_nodes:,} nodes or more (`LANGNGHE_CH_MIN_NODES`) through the "
        "customizable contraction hierarchy of `gis.ch` (pyroutingkit), its topology saved "
        "per network and version; below that scipy's Dijkstra on a cached CSR matrix. Tours: "
        "`planning.tours` (PyVRP's best of 4 searches for the closed tour, then an OR-tools "
        "descent for the day's rules). pgRouting 3.4 reads "
        "the same edges from PostgreSQL on every call, as it is used. Shortest-path costs were "
        "checked equal to pgRouting's. Every figure: median (min-max) of 3 runs, ours and the "
        "peers in turn (pair by pair for point-to-point; the ratio is per round).",
        "",
    ]
    if imports:
        lines_out += [
            f"Imports, median (min-max) of {args.runs} runs, ours and the peer in turn. Ours: "
            "`langnghe import roads` in a child process (read, node, largest strongly "
            "connected component, nodes and both directions of every two-way edge streamed "
            "to COPY, foreign keys dropped and added again on a large import, committed); "
            "peak RSS of that process. Peer: `ogr2ogr` (COPY) into PostGIS, one row a line, "
            "then pgRouting's topology in SQL (`pgr_extractVertices`, source and target from "
            "its out- and in-edges); peak RSS of ogr2ogr. The server's memory is counted for "
            "neither.",
            "",
            "| import | load | ours wall s | ours peak RSS MB | peer wall s: ogr2ogr + SQL "
            "= total | ogr2ogr peak RSS MB | ours / peer | our report |",
            "|---|---|---|---|---|---|---|---|",
        ]
    else:
        lines_out.append("The imports were not timed in this run (`--skip-import`).")
    for name, imp in imports.items():
        ours, peer = imp["ours"], imp["peer"]

        def col(rows: list[dict], key: str, fmt: str = "{:.1f}") -> str:
            return spread([r[key] for r in rows], fmt)

        lines_out.append(
            f"| {name} | {min(imp['loads']):.1f}-{max(imp['loads']):.1f} | "
            f"{col(ours, 's')} | {col(ours, 'peak_mb', '{:.0f}')} | "
            f"{col(peer, 'ogr_s')} + {col(peer, 'sql_s')} = {col(peer, 's')} | "
            f"{col(peer, 'peak_mb', '{:.0f}')} | "
            f"{ratio([r['s'] for r in ours], [r['s'] for r in peer])} | {ours[-1]['report'][0]} |"
        )
    lines_out += [
        "",
        "| graph | load | point-to-point p50 / p95 ms: ours | scipy | pgr_dijkstra |",
        "|---|---|---|---|---|",
    ]
    for name, (p2p, mat, _tsp) in results.items():
        lines_out.append(
            f"| {name} | {mat['loads'][0]:.1f} | {_pp(p2p['ours'])} | {_pp(p2p['scipy'])} | "
            f"{_pp(p2p['pgrouting'], '{:.0f}')} |"
        )
    lines_out += [
        "",
        "| graph | load | 50 x 50 travel-time matrix ms: ours | scipy (the Dijkstra ours wraps) | "
        "ours / scipy |",
        "|---|---|---|---|---|",
    ]
    for name, (_p2p, mat, _tsp) in results.items():
        lines_out.append(
            f"| {name} | {min(mat['loads']):.1f}-{max(mat['loads']):.1f} | "
            f"{spread(mat['ours_ms'], '{:.0f}')} | {spread(mat['scipy_ms'], '{:.0f}')} | "
            f"{ratio(mat['ours_ms'], mat['scipy_ms'])} |"
        )
    lines_out += [
        "",
        "| graph | 50-stop tour (motorbike s): ours cost / time s | LKH-3 (elkai) | "
        "pgr_TSP | ours over LKH |",
        "|---|---|---|---|---|",
    ]
    for name, (_p2p, _mat, tsp) in results.items():
        c, t = tsp["cost"], tsp["s"]
        lines_out.append(
            f"| {name} | {spread(c['ours'], '{:.0f}')} / {spread(t['ours'], '{:.2f}')} | "
            f"{spread(c['lkh'], '{:.0f}')} / {spread(t['lkh'], '{:.2f}')} | "
            f"{spread(c['pg'], '{:.0f}')} / {spread(t['pg'], '{:.2f}')} | "
            f"{100 * (max(c['ours']) / min(c['lkh']) - 1):.2f}% (worst run) |"
        )
    lines_out.append("")
    lines_out += [
        f"Preparation (first query of a graph in a process, after `read_graph`): {name} "
        f"{p2p['prepare_s']:.2f} s."
        for name, (p2p, _m, _t) in results.items()
    ]
    if prepared:
        lines_out += [
            "",
            "| graph | contraction hierarchy: build and save the topology s | load the saved "
            "topology s | customise one metric (motorbike time) s |",
            "|---|---|---|---|",
            *(
                f"| {name} | {p['build_s']:.1f} | {p['load_s']:.1f} | {p['customise_s']:.1f} |"
                for name, p in prepared.items()
            ),
        ]
    rows = [
        f"| {graph} | {engine} | {r['prepare_s']:.1f} | {r['matrix_ms']:.0f} | "
        f"{r['p2p'][0]:.2f} / {r['p2p'][1]:.2f} | {r['max_error_m']:.3f} |"
        for graph, found in others.items()
        for engine, r in found.items()
    ]
    if rows:
        lines_out += [
            "",
            "Contraction-hierarchy engines installed in this environment (not used by the "
            "project), same graphs, same pairs (pyroutingkit on integer millimetres):",
            "",
            "| graph | engine | preparation s | 50 x 50 matrix ms | point-to-point p50 / p95 ms "
            "| largest difference from scipy, m |",
            "|---|---|---|---|---|---|",
            *rows,
        ]
    text = "\n".join(lines_out) + "\n"
    print(text)
    print(json.dumps({"load": load}))
    write_section("Routing and tours: ours vs pgRouting vs scipy.sparse.csgraph", text, dated=False)


if __name__ == "__main__":
    main()
