"""The starting tour of the day planner (planning.tsp) and how the planner uses it."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import planning.tours as tours
from planning.tours import Stop, plan_tour
from planning.tsp import closed_tour


def _asymmetric(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 20_000, size=(n, 2))
    diff = points[:, None, :] - points[None, :, :]
    times = np.sqrt((diff**2).sum(-1)) / 8.0 * rng.uniform(1.0, 1.3, (n, n))
    np.fill_diagonal(times, 0.0)
    return times


def _cycle(times: np.ndarray, order: list[int]) -> float:
    path = [0, *order, 0]
    return float(times[path[:-1], path[1:]].sum())


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_closed_tour_is_the_held_karp_optimum_on_ten_asymmetric_stops(seed):
    from bench.tsp_reference import held_karp

    times = _asymmetric(seed, 11)
    order = closed_tour(times, time_limit_s=0.5)
    assert sorted(order) == list(range(1, 11))
    assert _cycle(times, order) == pytest.approx(held_karp(times)[0], rel=1e-6)


def test_the_same_matrix_gives_the_same_tour_whatever_the_time_cap():
    """The search is counted in iterations: a cap it does not reach changes nothing."""
    times = _asymmetric(7, 41)
    first = closed_tour(times, time_limit_s=30.0)
    assert sorted(first) == list(range(1, 41))
    assert closed_tour(times, time_limit_s=60.0) == first
    stops = [Stop(f"V{i}", f"V{i}", visit_min=10) for i in range(1, 41)]
    plans = [plan_tour(times, stops, start_min=0, budget_min=10**6, time_limit_s=30.0)]
    plans.append(plan_tour(times, stops, start_min=0, budget_min=10**6, time_limit_s=60.0))
    assert plans[0].order == plans[1].order and plans[0].travel_s == plans[1].travel_s


def test_a_reached_time_cap_keeps_the_tour_found_and_says_so(caplog):
    times = _asymmetric(8, 41)
    with caplog.at_level(logging.INFO, logger="planning.tsp"):
        order = closed_tour(times, time_limit_s=0.0)
    assert sorted(order) == list(range(1, 41))
    assert any("time cap" in r.getMessage() for r in caplog.records)
    assert _cycle(times, order) >= _cycle(times, closed_tour(times, time_limit_s=30.0))


def test_closed_tour_of_one_or_two_nodes():
    assert closed_tour(np.zeros((1, 1)), time_limit_s=0.1) == []
    assert closed_tour(np.zeros((2, 2)), time_limit_s=0.1) == [1]


def test_the_planner_starts_from_the_closed_tour_when_the_day_allows_it(monkeypatch):
    """No windows: the seeded search plans the day, and it is no worse than the seed."""
    times = _asymmetric(5, 31)
    seeds = []
    monkeypatch.setattr(
        tours, "closed_tour", lambda cost, **kw: seeds.append(closed_tour(cost, **kw)) or seeds[-1]
    )
    stops = [Stop(f"V{i}", f"V{i}", visit_min=10) for i in range(1, 31)]
    plan = plan_tour(times, stops, start_min=0, budget_min=10**6)
    assert len(seeds) == 1 and not plan.dropped
    assert plan.travel_s <= _cycle(times, seeds[0]) + 1.0  # whole seconds in the solver


def test_opening_hours_that_bind_fall_back_to_the_searches_and_are_kept(monkeypatch):
    """The closed tour visits A before B, but A opens in the afternoon and B closes at noon."""
    times = np.array([[0, 600, 3000], [3000, 0, 600], [600, 3000, 0]], dtype=float)
    searched = []
    two = tours._two_searches
    monkeypatch.setattr(tours, "_two_searches", lambda *a: searched.append(1) or two(*a))
    stops = [
        Stop("A", "A", visit_min=30, open_min=14 * 60, close_min=17 * 60),
        Stop("B", "B", visit_min=30, open_min=8 * 60, close_min=12 * 60),
    ]
    plan = plan_tour(times, stops, start_min=8 * 60, budget_min=10 * 60)
    assert closed_tour(times, time_limit_s=0.2) == [1, 2]
    assert searched == [1] and plan.order == ["B", "A"] and not plan.dropped
    assert plan.schedule[1]["arrive_min"] >= 14 * 60 and plan.schedule[0]["leave_min"] <= 12 * 60
