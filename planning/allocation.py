"""Relocation planning: which candidate sites to open, and which villages go where.

Pure: a cost matrix (demand points x sites, any unit), demand weights and site
capacities in, an :class:`Allocation` out. Two models, both integer programmes
solved by CBC through PuLP:

- p-median: open ``p`` sites, minimise the total demand-weighted cost;
- maximal coverage: open ``p`` sites, maximise the demand within ``max_cost``.

Capacities (in the unit of ``size``, e.g. hectares of workshop land; by default the
demand itself) make every village go whole to one site (single sourcing), as a
relocation plan needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import cbcbox
import numpy as np
import pulp
from numpy.typing import NDArray

from gis.errors import ValidationError
from gis.messages import msg

__all__ = ["Allocation", "max_coverage", "p_median"]


@dataclass(frozen=True)
class Allocation:
    """Sites opened and the site of each demand point (-1: not served)."""

    model: str
    sites: tuple[int, ...]
    assignment: tuple[int, ...]
    objective: float
    covered_demand: float
    total_demand: float
    status: str

    def costs(self, cost: NDArray) -> NDArray[np.float64]:
        """The cost of each demand point to its site (NaN where not served)."""
        a = np.asarray(self.assignment)
        out = np.full(len(a), np.nan)
        served = a >= 0
        out[served] = np.asarray(cost)[np.flatnonzero(served), a[served]]
        return out


def _check(
    cost: NDArray, demand: NDArray, p: int, capacity: NDArray | None
) -> tuple[NDArray, NDArray, NDArray | None]:
    cost = np.asarray(cost, dtype=float)
    demand = np.asarray(demand, dtype=float)
    if cost.ndim != 2 or cost.shape[0] != len(demand):
        raise ValidationError(
            msg("allocation.cost_shape", shape=str(cost.shape), demand_points=len(demand))
        )
    n, m = cost.shape
    if n == 0:
        raise ValidationError(msg("allocation.no_demand"))
    if m == 0:
        raise ValidationError(msg("allocation.no_sites"))
    if not 1 <= p <= m:
        raise ValidationError(msg("allocation.p_too_large", p=p, sites=m))
    if np.any(demand < 0) or not np.all(np.isfinite(demand)):
        raise ValidationError(msg("allocation.bad_demand"))
    if capacity is not None:
        capacity = np.asarray(capacity, dtype=float)
        if capacity.shape != (m,) or np.any(capacity < 0):
            raise ValidationError(msg("allocation.bad_capacities", sites=m))
    return cost, demand, capacity


def _size(size: NDArray | None, demand: NDArray) -> NDArray:
    """What each demand point takes of a site's capacity (default: its demand)."""
    if size is None:
        return demand
    size = np.asarray(size, dtype=float)
    if size.shape != demand.shape or np.any(size < 0):
        raise ValidationError(msg("allocation.bad_sizes", demand_points=len(demand)))
    return size


def _constraints(
    prob,
    x: dict,
    y: list,
    p: int,
    use: NDArray,
    capacity: NDArray | None,
    *,
    every_point_served: bool,
) -> None:
    """Open exactly ``p`` sites; each point goes to one site (p-median) or at most one (coverage),
    only to an open one, and within the site's capacity when there is one.
    """
    n, m = len(use), len(y)
    prob += pulp.lpSum(y) == p
    for i in range(n):
        served = pulp.lpSum(x[i, j] for j in range(m) if (i, j) in x)
        prob += (served == 1) if every_point_served else (served <= 1)
    for (_i, j), v in x.items():
        prob += v <= y[j]
    if capacity is not None:
        for j in range(m):
            prob += (
                pulp.lpSum(float(use[i]) * x[i, j] for i in range(n) if (i, j) in x)
                <= float(capacity[j]) * y[j]
            )


def _solve(problem: pulp.LpProblem, time_limit_s: float) -> str:
    # CBC runs as its own process (the cbcbox binary): no solver library shares our address
    # space, so none can clash with the ones OR-tools loads.
    problem.solve(pulp.COIN_CMD(path=cbcbox.cbc_bin_path(), msg=False, timeLimit=time_limit_s))
    return pulp.LpStatus[problem.status]


def p_median(
    cost: NDArray,
    demand: NDArray,
    p: int,
    *,
    capacity: NDArray | None = None,
    size: NDArray | None = None,
    max_cost: float | None = None,
    time_limit_s: float = 60.0,
) -> Allocation:
    """Open ``p`` sites minimising sum(demand x cost); every demand point is served.

    Pairs with a non-finite cost (unreachable) or above ``max_cost`` are not allowed.

    >>> a = p_median([[1, 9], [2, 8], [9, 1]], [1, 1, 5], 1)
    >>> a.sites, a.assignment, a.objective
    ((1,), (1, 1, 1), 22.0)
    """
    cost, demand, capacity = _check(cost, demand, p, capacity)
    use = _size(size, demand)
    n, m = cost.shape
    allowed = np.isfinite(cost) & (cost <= max_cost if max_cost is not None else True)
    stranded = np.flatnonzero(~allowed.any(axis=1))
    if len(stranded):
        points = stranded.tolist()
        raise ValidationError(
            msg("allocation.stranded", points=points)
            if max_cost is None
            else msg("allocation.stranded_within", points=points, max_cost=max_cost)
        )
    prob = pulp.LpProblem("p_median", pulp.LpMinimize)
    y = [prob.add_variable(f"open_{j}", cat="Binary") for j in range(m)]
    cat = "Binary" if capacity is not None else "Continuous"
    x = {
        (i, j): prob.add_variable(f"x_{i}_{j}", 0, 1, cat=cat)
        for i in range(n)
        for j in range(m)
        if allowed[i, j]
    }
    prob += pulp.lpSum(float(demand[i] * cost[i, j]) * v for (i, j), v in x.items())
    _constraints(prob, x, y, p, use, capacity, every_point_served=True)
    status = _solve(prob, time_limit_s)
    if status != "Optimal":
        raise ValidationError(
            msg("allocation.median_no_solution_capacity", status=status)
            if capacity is not None
            else msg("allocation.median_no_solution", status=status)
        )
    assignment = [
        max(range(m), key=lambda j: (x[i, j].value() or 0) if (i, j) in x else -1) for i in range(n)
    ]
    sites = tuple(j for j in range(m) if (y[j].value() or 0) > 0.5)
    total = float(demand.sum())
    return Allocation(
        "p_median",
        sites,
        tuple(assignment),
        float(pulp.value(prob.objective)),
        total,
        total,
        status,
    )


def max_coverage(
    cost: NDArray,
    demand: NDArray,
    p: int,
    max_cost: float,
    *,
    capacity: NDArray | None = None,
    size: NDArray | None = None,
    time_limit_s: float = 60.0,
) -> Allocation:
    """Open ``p`` sites maximising the demand with a site within ``max_cost``.

    Each covered point is assigned to one opened site within reach (the nearest,
    unless capacities say otherwise); uncovered points get -1.

    >>> a = max_coverage([[1, 9], [2, 8], [9, 1]], [1, 1, 5], 1, max_cost=3)
    >>> a.sites, a.assignment, a.covered_demand
    ((1,), (-1, -1, 1), 5.0)
    """
    cost, demand, capacity = _check(cost, demand, p, capacity)
    use = _size(size, demand)
    if not max_cost > 0:
        raise ValidationError(msg("allocation.coverage_needs_max_cost"))
    n, m = cost.shape
    within = np.isfinite(cost) & (cost <= max_cost)
    prob = pulp.LpProblem("max_coverage", pulp.LpMaximize)
    y = [prob.add_variable(f"open_{j}", cat="Binary") for j in range(m)]
    x = {
        (i, j): prob.add_variable(f"x_{i}_{j}", 0, 1, cat="Binary")
        for i in range(n)
        for j in range(m)
        if within[i, j]
    }
    # Tiny cost term: among equal coverages, prefer the shorter commutes.
    scale = 1e-6 / (max_cost * max(float(demand.sum()), 1.0))
    prob += pulp.lpSum(
        float(demand[i]) * v - scale * float(demand[i] * cost[i, j]) * v for (i, j), v in x.items()
    )
    _constraints(prob, x, y, p, use, capacity, every_point_served=False)
    status = _solve(prob, time_limit_s)
    if status != "Optimal":
        raise ValidationError(msg("allocation.coverage_no_solution", status=status))
    assignment = []
    for i in range(n):
        chosen = [j for j in range(m) if (i, j) in x and (x[i, j].value() or 0) > 0.5]
        assignment.append(chosen[0] if chosen else -1)
    covered = float(sum(demand[i] for i, j in enumerate(assignment) if j >= 0))
    sites = tuple(j for j in range(m) if (y[j].value() or 0) > 0.5)
    return Allocation(
        "max_coverage", sites, tuple(assignment), covered, covered, float(demand.sum()), status
    )
