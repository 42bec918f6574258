"""Benchmark: our tours (``planning.tours.plan_tour``) against independent references.

On the Ba Đình street graph (the shared OSMnx GeoPackage, noded as ``langnghe import roads``
nodes it) and on a generated 500 x 500 grid with random lengths, 20 random instances per
graph and size (10, 25 and 50 stops besides the start): motorbike travel seconds between
the stops as the cost (a closed tour with no windows; one-way streets make it asymmetric).
Each instance is solved by ours and by LKH-3 (elkai), alternating, ``--runs`` times;
instances of at most 12 stops also by Held-Karp (the exact optimum, ``bench/tsp_reference.py``).

Run on purpose:  .venv/bin/python bench/tours_reference.py [--instances 20] [--grid 500]
(writes a section of docs/benchmarks.md; ``make bench`` runs it).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import load_now, machine, quick, spread, write_section  # noqa: E402
from bench.tsp_reference import HELD_KARP_MAX, cycle_cost, held_karp, lkh  # noqa: E402
from gis.network import RoadGraph, travel_matrix  # noqa: E402
from gis.settings import get_settings  # noqa: E402
from planning.tours import Stop, plan_tour  # noqa: E402

SIZES = (10, 25, 50)
POOL = 160  # random nodes per graph; each instance is a random subset of them
MATRIX_RUNS = 3  # matrices timed per graph and size (the tours are timed without them)


def badinh_graph() -> RoadGraph:
    """The Ba Đình graph as the import builds it (its noding, its largest component)."""
    from layers.roads import build, graph_from_frames, read_network

    path = get_settings().real_data / "roads" / "hanoi_badinh_osmnx.gpkg"
    edges, nodes, report = read_network(path)
    kept, kept_nodes = build(edges, nodes, report)
    return graph_from_frames(kept, kept_nodes)


def ours(cost: np.ndarray) -> tuple[float, list[int]]:
    """Our plan of the closed tour over every node (no windows, a day long enough)."""
    stops = [Stop(str(i), str(i), 0) for i in range(1, cost.shape[0])]
    plan = plan_tour(cost, stops, start_min=0, budget_min=10**7)
    assert not plan.dropped, plan.dropped
    return plan.travel_s, [int(r) for r in plan.order]


def instances(pool_cost: np.ndarray, size: int, count: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    picks = [rng.choice(pool_cost.shape[0], size + 1, replace=False) for _ in range(count)]
    return [pool_cost[np.ix_(p, p)] for p in picks]


class CapCount(logging.Handler):
    """Counts the closed tours whose time cap was reached (``planning.tsp`` logs each one)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += "time cap" in record.getMessage()


CAPPED = CapCount()


def solve_all(cost: np.ndarray, runs: int) -> dict[str, list]:
    """Ours and LKH alternating ``runs`` times; Held-Karp once when small enough.

    Ours is timed on the wall clock and on the process's CPU clock: on a loaded machine the
    two part, and the wall clock is what a visitor waits.
    """
    out: dict[str, list] = {
        "ours_s": [],
        "ours_cpu_s": [],
        "ours_cost": [],
        "lkh_s": [],
        "lkh_cost": [],
    }
    for _ in range(runs):
        for name, solver in (("ours", ours), ("lkh", lkh)):
            t, cpu = time.perf_counter(), time.process_time()
            value, order = solver(cost)
            out[f"{name}_s"].append(time.perf_counter() - t)
            if name == "ours":
                out["ours_cpu_s"].append(time.process_time() - cpu)
            assert sorted(order) == list(range(1, cost.shape[0]))
            assert abs(cycle_cost(cost, order) - value) < 1e-6 * max(1.0, value)
            out[f"{name}_cost"].append(value)
    if cost.shape[0] - 1 <= HELD_KARP_MAX:
        out["exact"] = [held_karp(cost)[0]]
    return out


def matrix_seconds(graph: RoadGraph, pool: np.ndarray, size: int, seed: int) -> list[float]:
    """Wall seconds of ``travel_matrix`` on the nodes of ``MATRIX_RUNS`` instances of ``size``.

    The tours are timed on a matrix computed beforehand (the solver alone); this is the
    matrix a planner computes first, on the same graph, reported beside it.
    """
    rng = np.random.default_rng(seed)
    times = []
    for _ in range(MATRIX_RUNS):
        nodes = pool[rng.choice(len(pool), size + 1, replace=False)]
        t = time.perf_counter()
        travel_matrix(graph, nodes, nodes, weight="time")
        times.append(time.perf_counter() - t)
    return times


def workload(graph: RoadGraph, size: int, count: int, runs: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    pool = rng.choice(graph.n_nodes, POOL, replace=False)
    pool_cost = travel_matrix(graph, pool, pool, weight="time")
    loads = [load_now()]
    rows = []
    capped = CAPPED.count
    for cost in instances(pool_cost, size, count, seed + size):
        rows.append(solve_all(cost, runs))
        loads.append(load_now())
    matrix_s = matrix_seconds(graph, pool, size, seed + size)
    # The gap of an instance: our worst run against LKH's best run (the reference).
    gaps = [100 * (max(r["ours_cost"]) / min(r["lkh_cost"]) - 1) for r in rows]
    result = {
        "gaps": gaps,
        "ours_s": [t for r in rows for t in r["ours_s"]],
        "ours_cpu_s": [t for r in rows for t in r["ours_cpu_s"]],
        "lkh_s": [t for r in rows for t in r["lkh_s"]],
        "matrix_s": matrix_s,
        "loads": loads,
        # Runs of ours (of count x runs) whose closed tour the time cap cut short.
        "capped": [CAPPED.count - capped],
    }
    if all("exact" in r for r in rows):
        result["ours_exact"] = [100 * (max(r["ours_cost"]) / r["exact"][0] - 1) for r in rows]
        result["lkh_exact"] = [100 * (max(r["lkh_cost"]) / r["exact"][0] - 1) for r in rows]
    print(size, {k: round(statistics.median(v), 3) for k, v in result.items()}, flush=True)
    return result


def table(results: dict[str, dict[int, dict]], runs: int, count: int) -> list[str]:
    lines = [
        "| graph | stops | load (1 min) | gap to LKH: median / worst % | ours s: median (min-max)"
        " | worst s | ours CPU s: median (max) | runs cut by the cap"
        " | LKH s: median (min-max) | gap to the exact optimum, ours / LKH worst %"
        " | matrix (stops + 1)^2 s: median (min-max) |",
        "|---|---:|---|---|---|---:|---|---:|---|---|---|",
    ]
    for graph, sizes in results.items():
        for size, r in sizes.items():
            exact = (
                f"{max(r['ours_exact']):.2f} / {max(r['lkh_exact']):.2f}"
                if "ours_exact" in r
                else "-"
            )
            lines.append(
                f"| {graph} | {size} | {min(r['loads']):.1f}-{max(r['loads']):.1f} | "
                f"{statistics.median(r['gaps']):.2f} / {max(r['gaps']):.2f} | "
                f"{spread(r['ours_s'], '{:.2f}')} | {max(r['ours_s']):.2f} | "
                f"{statistics.median(r['ours_cpu_s']):.2f} ({max(r['ours_cpu_s']):.2f}) | "
                f"{r['capped'][0]} of {count * runs} | "
                f"{spread(r['lkh_s'], '{:.2f}')} | {exact} | {spread(r['matrix_s'], '{:.3f}')} |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--grid", type=int, default=500, help="side of the generated grid")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--no-write", action="store_true", help="print only")
    quick()  # make bench BENCH_ARGS=--quick: the same sizes
    args = parser.parse_args()
    from bench.routing_peers import grid_graph

    # A server has the solvers imported before its first tour: PyVRP's import alone takes about
    # a second, which the first timed solve would otherwise carry.
    ours(np.array([[0.0, 5.0, 9.0], [5.0, 0.0, 4.0], [9.0, 4.0, 0.0]]))
    tsp_log = logging.getLogger("planning.tsp")
    tsp_log.setLevel(logging.INFO)
    tsp_log.addHandler(CAPPED)
    state = machine()
    graphs = {"Ba Đình": badinh_graph(), f"grid {args.grid} x {args.grid}": grid_graph(args.grid)}
    results: dict[str, dict[int, dict]] = {}
    for seed, (name, graph) in enumerate(graphs.items()):
        label = f"{name} ({graph.n_nodes:,} nodes)"
        results[label] = {
            size: workload(graph, size, args.instances, args.runs, 100 * seed)
            for size in args.sizes
        }
    text = "\n".join(
        [
            f"Run by `bench/tours_reference.py --instances {args.instances} --runs {args.runs}` "
            f"on this machine ({state} at the start; the load column is the 1-minute load "
            "average seen between instances). "
            f"{args.instances} random instances per graph and size, each solved {args.runs} "
            "times by ours and by LKH-3 (elkai, 10 runs) in turn; cost = motorbike travel "
            "seconds between the stops (asymmetric where streets are one-way), a closed tour "
            "from the first stop. Gap = our worst run over LKH's best run of the same "
            "instance; times are per solve, over all instances and runs. Up to 12 stops, "
            "Held-Karp gives the exact optimum. Ours (`planning.tours.plan_tour`, the day "
            "planner with its model and schedule) takes the closed tour of PyVRP (MIT; the best "
            "of 4 searches from random tours, each until 100 iterations without a better tour) "
            "and a descent of OR-Tools' local search from it, not LKH: LKH is licensed for "
            "non-commercial use only and is the reference here alone, so the gap to LKH "
            "compares two independent solvers. Our search is a fixed amount of work, not a time "
            "budget, so a loaded machine finds the same tours, later: the CPU column is the "
            "work, the wall columns what a visitor waits at the load of the run. A wall-clock "
            "cap (0.7 s for the closed tour from 50 stops) ends the search early when the "
            "machine gives it too little CPU; the cap column counts the runs it cut. "
            "The solvers are imported "
            "before the clock starts, as in a running server. The tours are timed on a matrix "
            "computed beforehand; the last column is `gis.network.travel_matrix` on the nodes "
            f"of {MATRIX_RUNS} instances of the size, timed alone.",
            "",
            *table(results, args.runs, args.instances),
        ]
    )
    print(text)
    if not args.no_write:
        write_section("Tours against LKH and the exact optimum", text, dated=False)


if __name__ == "__main__":
    main()
