"""Independent references for closed tours: the exact optimum (Held-Karp, written here) and
LKH (through the elkai binding, an extra of the bench: ``pip install -e '.[bench]'``).

A tour starts and ends at node 0 of a square cost matrix, which may be asymmetric (one-way
streets). Both functions return ``(cost, order)`` where ``order`` lists the other nodes in
visiting order.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["HELD_KARP_MAX", "cycle_cost", "held_karp", "lkh"]

#: Largest number of nodes besides the start Held-Karp is run on (2^n x n states).
HELD_KARP_MAX = 12


def cycle_cost(cost: NDArray[np.float64], order: list[int]) -> float:
    """Cost of the closed tour 0 -> order -> 0."""
    path = np.array([0, *order, 0])
    return float(cost[path[:-1], path[1:]].sum())


def held_karp(cost: NDArray[np.float64]) -> tuple[float, list[int]]:
    """The exact optimum of the closed tour from node 0 (dynamic programming over subsets).

    ``best[mask, j]`` is the cheapest path from 0 through the nodes of ``mask`` ending at
    ``j``; masks grow one node at a time, vectorised over the last two nodes.
    """
    n = cost.shape[0] - 1
    if n > HELD_KARP_MAX:
        raise ValueError(f"Held-Karp on {n} nodes besides the start: at most {HELD_KARP_MAX}")
    if n == 0:
        return 0.0, []
    d = np.asarray(cost, dtype=np.float64)[1:, 1:]
    full = 1 << n
    best = np.full((full, n), np.inf)
    parent = np.full((full, n), -1, dtype=np.int64)
    for j in range(n):
        best[1 << j, j] = cost[0, j + 1]
    bits = (np.arange(full)[:, None] >> np.arange(n)) & 1
    for mask in range(1, full):
        members = np.flatnonzero(bits[mask])
        if len(members) < 2:
            continue
        for j in members:
            prev = mask ^ (1 << j)
            cand = best[prev, members] + d[members, j]
            k = int(np.argmin(cand))
            best[mask, j], parent[mask, j] = cand[k], members[k]
    closing = best[full - 1] + np.asarray(cost, dtype=np.float64)[1:, 0]
    last = int(np.argmin(closing))
    order, mask = [], full - 1
    while last >= 0:
        order.append(last + 1)
        mask, last = mask ^ (1 << last), int(parent[mask, last])
    return float(closing.min()), order[::-1]


def lkh(
    cost: NDArray[np.float64], *, runs: int = 10, scale: float = 100.0
) -> tuple[float, list[int]]:
    """LKH-3's tour (elkai) on the matrix times ``scale``, rounded to integers.

    LKH works on integers (hundredths of a second by default): the cost returned is the real
    cost of the tour it found.
    """
    import elkai

    rounded = np.rint(np.asarray(cost, dtype=np.float64) * scale).astype(np.int64)
    tour = elkai.DistanceMatrix(rounded.tolist()).solve_tsp(runs=runs)
    order = [int(i) for i in tour if i != 0]
    return cycle_cost(cost, order), order
