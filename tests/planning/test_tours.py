"""Tour ordering, opening hours, budgets and dropped stops (pure, no database)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from gis.errors import ValidationError
from gis.messages import msg
from planning.tours import Stop, day_window, plan_tour


def _matrix(points: np.ndarray, speed_m_s: float = 8.0) -> np.ndarray:
    diff = points[:, None, :] - points[None, :, :]
    return np.sqrt((diff**2).sum(-1)) / speed_m_s


def _cycle_cost(times: np.ndarray, order: list[int]) -> float:
    path = [0, *order, 0]
    return float(sum(times[a, b] for a, b in zip(path[:-1], path[1:], strict=True)))


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_order_is_within_two_percent_of_the_enumerated_optimum(seed):
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 20_000, size=(8, 2))  # the start and 7 villages, up to 20 km apart
    times = _matrix(points)
    stops = [Stop(f"V{i}", f"Village {i}", visit_min=30) for i in range(1, 8)]
    plan = plan_tour(times, stops, start_min=8 * 60, budget_min=24 * 60)
    assert plan.dropped == [] and len(plan.schedule) == 7
    ours = _cycle_cost(times, [int(r[1:]) for r in plan.order])
    best = min(_cycle_cost(times, list(p)) for p in itertools.permutations(range(1, 8)))
    assert ours <= best * 1.02
    assert plan.travel_s == pytest.approx(ours)


def test_schedule_respects_visit_minutes_and_opening_hours():
    times = _matrix(np.array([[0, 0], [3000, 0], [6000, 0]]))
    stops = [
        Stop("A", "A", visit_min=60, open_min=14 * 60, close_min=17 * 60),
        Stop("B", "B", visit_min=45, open_min=8 * 60, close_min=12 * 60),
    ]
    plan = plan_tour(times, stops, start_min=8 * 60, budget_min=10 * 60)
    assert plan.order == ["B", "A"]
    b, a = plan.schedule
    assert b["leave_min"] - b["arrive_min"] == 45 and b["leave_min"] <= 12 * 60
    assert a["arrive_min"] >= 14 * 60 and a["leave_min"] <= 17 * 60  # waited for the opening


def test_budget_drops_the_lowest_priority_and_says_so():
    times = _matrix(np.array([[0, 0], [10_000, 0], [0, 10_000], [-10_000, 0]]))
    stops = [
        Stop("HI", "High", 120, priority=3),
        Stop("MID", "Mid", 120, priority=2),
        Stop("LO", "Low", 120, priority=1),
    ]
    plan = plan_tour(
        times, stops, start_min=8 * 60, budget_min=330
    )  # room for two visits, not three
    assert [d["ref"] for d in plan.dropped] == ["LO"] and plan.dropped[0]["reason"] == msg(
        "tour.dropped_budget"
    )
    assert sorted(plan.order) == ["HI", "MID"] and plan.end_min <= 8 * 60 + 330


def test_closed_unreachable_and_hopeless_budgets():
    times = _matrix(np.array([[0, 0], [1000, 0], [2000, 0]]))
    times[0, 2] = times[2, 0] = math.inf
    stops = [Stop("SHUT", "Shut", 60, open_min=0, close_min=0), Stop("FAR", "Far", 30)]
    plan = plan_tour(times, stops, start_min=8 * 60, budget_min=600)
    assert plan.schedule == []
    assert {d["ref"]: d["reason"] for d in plan.dropped} == {
        "SHUT": msg("tour.dropped_closed"),
        "FAR": msg("tour.dropped_unreachable"),
    }
    tiny = plan_tour(
        _matrix(np.array([[0, 0], [20_000, 0]])), [Stop("X", "X", 90)], start_min=480, budget_min=30
    )
    assert tiny.schedule == [] and tiny.dropped[0]["reason"] == msg("tour.dropped_budget")
    with pytest.raises(ValidationError, match="tour.no_stops"):
        plan_tour(np.zeros((1, 1)), [], start_min=480, budget_min=60)


def test_stops_without_opening_hours_are_assumed_open_and_noted():
    plan = plan_tour(
        _matrix(np.array([[0, 0], [1000, 0]])),
        [Stop("N", "Nowhere", 30)],
        start_min=480,
        budget_min=120,
    )
    assert plan.order == ["N"] and plan.notes[0] == msg("tour.no_opening_hours", name="Nowhere")
    with pytest.raises(ValidationError, match="tour.opening_hours_unreadable"):
        import datetime as dt

        day_window("whenever we like", dt.date(2026, 11, 23))


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_order_equals_the_held_karp_optimum_on_small_asymmetric_tours(seed):
    """Nine stops, one-way detours (an asymmetric matrix): our tour is the exact optimum."""
    from bench.tsp_reference import held_karp

    rng = np.random.default_rng(seed)
    times = _matrix(rng.uniform(0, 20_000, size=(10, 2))) * rng.uniform(1.0, 1.3, (10, 10))
    np.fill_diagonal(times, 0.0)
    stops = [Stop(f"V{i}", f"Village {i}", visit_min=0) for i in range(1, 10)]
    plan = plan_tour(times, stops, start_min=0, budget_min=48 * 60)
    best, _order = held_karp(times)
    assert plan.travel_s == pytest.approx(best, abs=5.0)  # the solver rounds to whole seconds
