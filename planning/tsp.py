"""The order of a closed tour with no time windows: a travel-time matrix in, an order out.

PyVRP's iterated local search (MIT licence) on the matrix, for the starting tour of the
day planner (:mod:`planning.tours`), which keeps the opening hours, the lunch break and the
drops. LKH, through elkai, finds tours as good but is licensed for non-commercial use only,
so it stays a reference of the benchmarks (``bench/tsp_reference.py``).

Pure: an ndarray in, a list out.
"""

from __future__ import annotations

import logging
import time

import numpy as np
from numpy.typing import NDArray

__all__ = ["closed_tour"]

logger = logging.getLogger(__name__)

#: Iterations without a better tour after which one search stops (and the next one starts).
#: PyVRP's iterated local search settles in about a hundred iterations on 50 stops; a longer
#: search from the same tour rarely leaves its local optimum (one Ba Đình instance of the bench
#: stays 4.2% above LKH after 2 s from seed 0), a search from another random tour often does.
NO_IMPROVEMENT = 100
#: Searches, each from its own random tour (seeds ``seed``, ``seed + 1``, ...). A fixed
#: amount of work, not a time budget, so that a loaded machine finds the same tour (later).
#: On the bench's 40 instances of 50 stops (bench/tours_reference.py) each search takes about
#: 0.03 s of CPU; the worst gap to LKH of the best of 1 / 2 / 3 / 4 / 6 / 8 searches was
#: 4.27 / 0.85 / 0.80 / 0.80 / 0.71 / 0.71%. Searches that end more than 2% above LKH are
#: rare (1 in 44) and on 8 of the 40 instances (a quarter of the searches on the hardest one),
#: so four searches fail together on one of the 40 about once in 200 runs of the bench.
STARTS = 4
#: Costs are given to PyVRP as integers: hundredths of the matrix's unit (of a second).
SCALE = 100.0


def closed_tour(
    cost: NDArray[np.float64], *, time_limit_s: float, starts: int = STARTS, seed: int = 0
) -> list[int]:
    """Order of nodes ``1 .. n - 1`` in a cheap closed tour from node 0 and back.

    Parameters
    ----------
    cost : ndarray, shape (n, n)
        Finite travel costs (seconds), possibly asymmetric (one-way streets).
    time_limit_s : float
        A cap, wall clock, that only a machine short of CPU reaches: the searches run one
        after the other, each until ``NO_IMPROVEMENT`` iterations without a better tour, and
        the cap ends them early (the tour found so far is kept; the first search always
        returns a tour). Counted in iterations rather than time, the search a loaded machine
        does is the one an idle one does: with a time budget of 0.4 s, a run at load 14-19
        had time for one search on some instances and stayed 4.27% above LKH.
    starts : int
        Searches from different random tours (seeds ``seed``, ``seed + 1``, ...), the
        cheapest tour kept. Restarts beat one long search: on the bench's 50-stop instances
        (bench/tours_reference.py) the worst gap to LKH was 0.5-0.8% with restarts in 0.3 s
        and 4.2% with one search in 0.7 s.
    seed : int
        Seed of the first search: the same seeds and matrix give the same order (unless the
        cap is reached).

    Returns
    -------
    list of int
        The other nodes in visiting order (the empty list for a matrix of one node).

    Examples
    --------
    >>> cost = np.array([[0, 9, 9, 1], [1, 0, 9, 9], [9, 1, 0, 9], [9, 9, 1, 0]], float)
    >>> closed_tour(cost, time_limit_s=0.5)
    [3, 2, 1]
    """
    n = cost.shape[0]
    if n <= 2:
        return list(range(1, n))
    import pyvrp
    from pyvrp.stop import MaxRuntime, MultipleCriteria, NoImprovement

    end = time.perf_counter() + time_limit_s
    scaled = np.rint(np.asarray(cost, dtype=np.float64) * SCALE).astype(np.int64)
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(0, 0) for _ in range(n)],
        clients=[pyvrp.Client(location=i) for i in range(1, n)],
        depots=[pyvrp.Depot(location=0)],
        vehicle_types=[pyvrp.VehicleType(num_available=1)],
        # PyVRP's stubs type a matrix as ndarray[int] (its shape parameter): a plain array is right.
        distance_matrices=[scaled],  # type: ignore[list-item]
        duration_matrices=[np.zeros_like(scaled)],  # type: ignore[list-item]
    )
    best: tuple[int, list[int]] | None = None
    for k in range(starts):
        left = end - time.perf_counter()
        if best is not None and left <= 0:
            break
        stop = MultipleCriteria([NoImprovement(NO_IMPROVEMENT), MaxRuntime(max(left, 0.0))])
        result = pyvrp.solve(data, stop=stop, seed=seed + k, collect_stats=False, display=False)
        (route,) = result.best.routes()
        if best is None or route.distance() < best[0]:
            # Client k of the data stands at location k + 1 (location 0 is the depot).
            best = (route.distance(), [int(visit.idx) + 1 for visit in route if visit.is_client()])
    if time.perf_counter() >= end:
        logger.info("closed tour of %d nodes: the time cap of %.2f s was reached", n, time_limit_s)
    assert best is not None
    return best[1]
