"""Relocation planning: which candidate sites to open, and which villages go where.

Pure: a cost matrix (demand points x sites, any unit), demand weights and site
capacities in, an :class:`Allocation` out. Two models, both integer programmes
solved in-process by HiGHS through OR-Tools' linear solver wrapper (OR-Tools is also the
tours' solver, so the project has one optimisation library):

- p-median: open ``p`` sites, minimise the total demand-weighted cost;
- maximal coverage: open ``p`` sites, maximise the demand within ``max_cost``.

Capacities (in the unit of ``size``, e.g. hectares of workshop land; by default the
demand itself) make every village go whole to one site (single sourcing), as a
relocation plan needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
from numpy.typing import NDArray
from ortools.linear_solver import pywraplp

from gis.errors import ValidationError
from gis.messages import Message, msg

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

    def costs(self, cost: NDArray[np.float64]) -> NDArray[np.float64]:
        """The cost of each demand point to its site (NaN where not served)."""
        a = np.asarray(self.assignment)
        out = np.full(len(a), np.nan)
        served = a >= 0
        out[served] = np.asarray(cost)[np.flatnonzero(served), a[served]]
        return out


def _check(
    cost: NDArray[np.float64],
    demand: NDArray[np.float64],
    p: int,
    capacity: NDArray[np.float64] | None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64] | None]:
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


def _size(size: NDArray[np.float64] | None, demand: NDArray[np.float64]) -> NDArray[np.float64]:
    """What each demand point takes of a site's capacity (default: its demand)."""
    if size is None:
        return demand
    size = np.asarray(size, dtype=float)
    if size.shape != demand.shape or np.any(size < 0):
        raise ValidationError(msg("allocation.bad_sizes", demand_points=len(demand)))
    return size


def _failure(status: str) -> Message:
    """The solver's failure status, in the reader's words (not the solver's English)."""
    return msg("allocation.status." + status.lower().replace(" ", "_"))


class _Model:
    """One integer programme over ``x[i, j]`` and ``y[j]``.

    ``x[i, j]``: point i goes to site j (allowed pairs only); ``y[j]``: site j is open. Built
    coefficient by coefficient, which stays fast for 10^5 variables.
    """

    def __init__(self, allowed: NDArray[np.bool_], *, binary_x: bool, maximise: bool) -> None:
        solver = pywraplp.Solver.CreateSolver("HIGHS")
        if solver is None:  # pragma: no cover - OR-Tools always ships HiGHS
            raise RuntimeError("OR-Tools was built without HiGHS")
        solver.SuppressOutput()
        # Without this HiGHS still prints its banner on stdout at the first solve (the call
        # reports False, yet it is what silences the banner; tests/planning checks stdout).
        solver.SetSolverSpecificParametersAsString("output_flag=false")
        self.solver = solver
        self.inf = solver.infinity()
        n, m = allowed.shape
        self.y = [solver.BoolVar(f"open_{j}") for j in range(m)]
        new = solver.BoolVar if binary_x else (lambda name: solver.NumVar(0.0, 1.0, name))
        self.x = {(int(i), int(j)): new(f"x_{i}_{j}") for i, j in np.argwhere(allowed)}
        self.objective = solver.Objective()
        if maximise:
            self.objective.SetMaximization()
        else:
            self.objective.SetMinimization()

    def constrain(
        self, p: int, use: NDArray[np.float64], capacity: NDArray[np.float64] | None, *, every: bool
    ) -> None:
        """Open exactly ``p`` sites and route the points.

        Each point goes to one site (``every``) or at most one, only to an open one, and
        within the site's capacity when there is one.
        """
        s, inf = self.solver, self.inf
        opened = s.Constraint(p, p)
        for v in self.y:
            opened.SetCoefficient(v, 1)
        rows = [s.Constraint(1 if every else 0, 1) for _ in range(len(use))]
        caps = []
        if capacity is not None:  # a site's takers use at most its capacity, when it is open
            for j, y in enumerate(self.y):
                cap = s.Constraint(-inf, 0)
                cap.SetCoefficient(y, -float(capacity[j]))
                caps.append(cap)
        for (i, j), v in self.x.items():
            rows[i].SetCoefficient(v, 1)
            link = s.Constraint(-inf, 0)
            link.SetCoefficient(v, 1)
            link.SetCoefficient(self.y[j], -1)
            if caps:
                caps[j].SetCoefficient(v, float(use[i]))

    def solve(self, time_limit_s: float) -> str:
        """Solve; 'Optimal', 'Feasible' (time limit reached with a solution) or the failure."""
        self.solver.SetTimeLimit(int(time_limit_s * 1000))
        status = self.solver.Solve()
        return {
            pywraplp.Solver.OPTIMAL: "Optimal",
            pywraplp.Solver.FEASIBLE: "Feasible",
            pywraplp.Solver.INFEASIBLE: "Infeasible",
            pywraplp.Solver.UNBOUNDED: "Unbounded",
        }.get(status, "Not solved")

    def opened(self) -> tuple[int, ...]:
        """The sites opened in the solution."""
        return tuple(j for j, v in enumerate(self.y) if v.solution_value() > 0.5)

    def value(self, i: int, j: int) -> float:
        """The solution value of ``x[i, j]`` (0 for pairs not allowed)."""
        v = self.x.get((i, j))
        return v.solution_value() if v is not None else -1.0


def p_median(
    cost: NDArray[np.float64],
    demand: NDArray[np.float64],
    p: int,
    *,
    capacity: NDArray[np.float64] | None = None,
    size: NDArray[np.float64] | None = None,
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
    model = _Model(allowed, binary_x=capacity is not None, maximise=False)
    for (i, j), v in model.x.items():
        model.objective.SetCoefficient(v, float(demand[i] * cost[i, j]))
    model.constrain(p, use, capacity, every=True)
    status = model.solve(time_limit_s)
    if status not in ("Optimal", "Feasible"):
        failure = _failure(status)
        raise ValidationError(
            msg("allocation.median_infeasible", p=p, max_cost=max_cost, status=failure)
            if capacity is not None and max_cost is not None
            else msg("allocation.median_no_solution_capacity", status=failure)
            if capacity is not None
            else msg("allocation.median_beyond_commute", p=p, max_cost=max_cost, status=failure)
            if max_cost is not None
            else msg("allocation.median_no_solution", status=failure)
        )
    assignment = [max(range(m), key=partial(model.value, i)) for i in range(n)]
    sites = model.opened()
    total = float(demand.sum())
    return Allocation(
        "p_median",
        sites,
        tuple(assignment),
        float(model.objective.Value()),
        total,
        total,
        status,
    )


def max_coverage(
    cost: NDArray[np.float64],
    demand: NDArray[np.float64],
    p: int,
    max_cost: float,
    *,
    capacity: NDArray[np.float64] | None = None,
    size: NDArray[np.float64] | None = None,
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
    model = _Model(within, binary_x=True, maximise=True)
    # Tiny cost term: among equal coverages, prefer the shorter commutes.
    scale = 1e-6 / (max_cost * max(float(demand.sum()), 1.0))
    for (i, j), v in model.x.items():
        model.objective.SetCoefficient(v, float(demand[i]) - scale * float(demand[i] * cost[i, j]))
    model.constrain(p, use, capacity, every=False)
    status = model.solve(time_limit_s)
    if status not in ("Optimal", "Feasible"):
        raise ValidationError(msg("allocation.coverage_no_solution", status=_failure(status)))
    assignment = []
    for i in range(n):
        chosen = [j for j in range(m) if model.value(i, j) > 0.5]
        assignment.append(chosen[0] if chosen else -1)
    covered = float(sum(demand[i] for i, j in enumerate(assignment) if j >= 0))
    sites = model.opened()
    return Allocation(
        "max_coverage", sites, tuple(assignment), covered, covered, float(demand.sum()), status
    )
