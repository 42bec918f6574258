"""Allocation solvers side by side: ours (OR-Tools + HiGHS, in-process) and PuLP + CBC.

The models are the same integer programmes (capacitated p-median with single sourcing, and
maximal coverage) on the test problems and on 500 villages x 60 candidate sites. PuLP is a
peer here, not a dependency: install it beside the project to run this
(``.venv/bin/pip install pulp cbcbox``, or the peers' requirements in ``bench/``).

Run: ``.venv/bin/python bench/allocation_solvers.py [--runs 3]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import quick, write_section  # noqa: E402
from planning.allocation import max_coverage, p_median  # noqa: E402

try:
    import cbcbox
    import pulp
except ImportError as exc:  # pragma: no cover - a peer, installed on purpose
    raise SystemExit(
        f"the peer is missing ({exc.name}): .venv/bin/pip install pulp cbcbox"
    ) from exc


def instance(n: int, m: int, p: int, seed: int):
    """Villages and sites uniform in 50 x 50 km; minutes at 30 km/h; p sites hold 125%."""
    rng = np.random.default_rng(seed)
    villages = rng.uniform(0, 50_000, (n, 2))
    sites = rng.uniform(0, 50_000, (m, 2))
    cost = np.hypot(*(villages[:, None, :] - sites[None, :, :]).transpose(2, 0, 1)) / 500.0
    demand = rng.integers(1, 40, n).astype(float)
    capacity = np.full(m, demand.sum() / (0.8 * p))
    return cost, demand, capacity


def pulp_model(cost, demand, p, capacity, *, max_cost=None):
    """The same programmes in PuLP, solved by the CBC binary."""
    n, m = cost.shape
    coverage = max_cost is not None
    allowed = np.isfinite(cost) & (cost <= max_cost if coverage else True)
    sense = pulp.LpMaximize if coverage else pulp.LpMinimize
    prob = pulp.LpProblem("peer", sense)
    y = [prob.add_variable(f"y{j}", cat="Binary") for j in range(m)]
    cat = "Binary" if capacity is not None or coverage else "Continuous"
    x = {(i, j): prob.add_variable(f"x{i}_{j}", 0, 1, cat=cat) for i, j in np.argwhere(allowed)}
    if coverage:
        prob += pulp.lpSum(float(demand[i]) * v for (i, j), v in x.items())
    else:
        prob += pulp.lpSum(float(demand[i] * cost[i, j]) * v for (i, j), v in x.items())
    prob += pulp.lpSum(y) == p
    for i in range(n):
        row = pulp.lpSum(x[i, j] for j in range(m) if (i, j) in x)
        prob += (row <= 1) if coverage else (row == 1)
    for (_i, j), v in x.items():
        prob += v <= y[j]
    if capacity is not None:
        for j in range(m):
            use = pulp.lpSum(float(demand[i]) * x[i, j] for i in range(n) if (i, j) in x)
            prob += use <= float(capacity[j]) * y[j]
    prob.solve(pulp.COIN_CMD(path=cbcbox.cbc_bin_path(), msg=False, timeLimit=600))
    return float(pulp.value(prob.objective))


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    quick()  # make bench BENCH_ARGS=--quick: the same sizes
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load {load:.1f}; runs alternate ours and the peer's")
    cases = [
        ("p-median, 30 x 8, p=3 (test size)", 30, 8, 3, False, None),
        ("capacitated p-median, 30 x 8, p=3", 30, 8, 3, True, None),
        ("capacitated p-median, 500 x 60, p=10", 500, 60, 10, True, None),
        ("maximal coverage, 500 x 60, p=10, 20 min", 500, 60, 10, False, 20.0),
    ]
    rows = []
    for title, n, m, p, capped, max_cost in cases:
        cost, demand, capacity = instance(n, m, p, seed=n + m)
        capacity = capacity if capped else None
        ours, peer, objectives = [], [], set()
        for _ in range(args.runs):
            if max_cost is None:
                t, a = timed(p_median, cost, demand, p, capacity=capacity, time_limit_s=600)
                objectives.add(round(a.objective, 1))
            else:
                t, a = timed(max_coverage, cost, demand, p, max_cost, time_limit_s=600)
                objectives.add(round(a.covered_demand, 1))
            ours.append(t)
            t, value = timed(pulp_model, cost, demand, p, capacity, max_cost=max_cost)
            objectives.add(round(value, 1))
            peer.append(t)
        same = "yes" if len(objectives) == 1 else f"no: {sorted(objectives)}"
        rows.append((title, ours, peer, same))
        print(title, f"ours {statistics.median(ours):.2f} s, peer {statistics.median(peer):.2f} s")
    lines = [
        f"Machine: {os.cpu_count()} cores, load average {load:.1f} at the start; median of"
        f" {args.runs} runs (min-max), ours and the peer's alternating.",
        "",
        "| problem | ours: OR-Tools + HiGHS | PuLP + CBC | same optimum |",
        "|---|---|---|---|",
    ]
    for title, ours, peer, same in rows:
        lines.append(
            f"| {title} | {statistics.median(ours):.2f} s ({min(ours):.2f}-{max(ours):.2f})"
            f" | {statistics.median(peer):.2f} s ({min(peer):.2f}-{max(peer):.2f}) | {same} |"
        )
    write_section("Allocation solvers (bench/allocation_solvers.py)", "\n".join(lines))


if __name__ == "__main__":
    main()
