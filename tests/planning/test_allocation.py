"""p-median and maximal coverage against enumeration of every choice on small instances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gis.errors import ValidationError
from planning.allocation import max_coverage, p_median


def _instance(seed: int, n: int = 9, m: int = 5):
    rng = np.random.default_rng(seed)
    villages, sites = rng.uniform(0, 30, (n, 2)), rng.uniform(0, 30, (m, 2))
    cost = np.hypot(*(villages[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    return cost, rng.integers(1, 20, n).astype(float)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_p_median_matches_enumeration(seed):
    cost, demand = _instance(seed)
    best = min(
        float((demand * cost[:, list(open_)].min(axis=1)).sum())
        for open_ in itertools.combinations(range(cost.shape[1]), 2)
    )
    result = p_median(cost, demand, 2)
    assert result.objective == pytest.approx(best, rel=1e-6)
    assert len(result.sites) == 2 and set(result.assignment) <= set(result.sites)
    assert float((demand * result.costs(cost)).sum()) == pytest.approx(best, rel=1e-6)


def test_capacitated_p_median_matches_enumeration():
    cost, demand = _instance(4, n=6, m=3)
    capacity = np.array([0.55, 0.6, 0.5]) * demand.sum()
    best = np.inf
    for assign in itertools.product(range(3), repeat=6):
        used = set(assign)
        load = np.bincount(assign, weights=demand, minlength=3)
        if len(used) <= 2 and np.all(load <= capacity):
            best = min(best, float(sum(demand[i] * cost[i, j] for i, j in enumerate(assign))))
    result = p_median(cost, demand, 2, capacity=capacity)
    assert result.objective == pytest.approx(best, rel=1e-6)
    loads = np.bincount(result.assignment, weights=demand, minlength=3)
    assert np.all(loads <= capacity + 1e-9)


@pytest.mark.parametrize("seed", [5, 6])
def test_max_coverage_matches_enumeration(seed):
    cost, demand = _instance(seed)
    radius = 8.0
    best = max(
        float(demand[(cost[:, list(open_)] <= radius).any(axis=1)].sum())
        for open_ in itertools.combinations(range(cost.shape[1]), 2)
    )
    result = max_coverage(cost, demand, 2, radius)
    assert result.covered_demand == pytest.approx(best)
    served = np.asarray(result.assignment) >= 0
    assert np.all(result.costs(cost)[served] <= radius)


def test_bad_allocation_input():
    cost, demand = _instance(1)
    with pytest.raises(ValidationError, match=r"allocation.p_too_large\(p=9, sites=5\)"):
        p_median(cost, demand, 9)
    with pytest.raises(ValidationError, match="allocation.cost_shape"):
        p_median(cost[:3], demand, 1)
    with pytest.raises(ValidationError, match=r"allocation.stranded_within\(.*max_cost=0.1\)"):
        p_median(cost, demand, 1, max_cost=0.1)
    with pytest.raises(ValidationError, match="allocation.median_no_solution_capacity") as no:
        p_median(cost, demand, 1, capacity=np.ones(5))
    # the solver's status is said in the reader's language, not OR-Tools' English
    from webmap.messages import render

    assert no.value.message is not None
    vi, en = render(no.value.message, "vi"), render(no.value.message, "en")
    assert "không có phương án nào thỏa mọi điều kiện" in vi and "Infeasible" not in vi, vi
    assert "no plan meets every condition" in en, en


def test_the_solver_prints_nothing(capfd):
    from planning.allocation import max_coverage, p_median

    p_median([[1, 9], [2, 8], [9, 1]], [1, 1, 5], 1)
    max_coverage([[1, 9], [2, 8], [9, 1]], [1, 1, 5], 1, max_cost=3)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
