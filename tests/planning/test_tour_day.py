"""The tourist's day (issue 15): priorities that do not depend on the picking order, the
visitor's own order, a lunch break, opening hours in words (pure, no database)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from planning.tours import MUST_SEE, NICE_TO_HAVE, Lunch, Stop, plan_tour, week_hours
from webmap.messages import render


def _matrix(points: np.ndarray, speed_m_s: float = 7.0) -> np.ndarray:
    diff = points[:, None, :] - points[None, :, :]
    return np.sqrt((diff**2).sum(-1)) / speed_m_s


POINTS = np.random.default_rng(1).uniform(0, 20_000, size=(6, 2))
STOPS = [
    Stop(f"S{i}", f"Village {i}", 90, 8 * 60, 17 * 60, MUST_SEE if i < 3 else NICE_TO_HAVE)
    for i in range(5)
]


def _plan(order: tuple[int, ...], **options):
    index = [0, *[1 + i for i in order]]
    times = _matrix(POINTS)[np.ix_(index, index)]
    return plan_tour(
        times, [STOPS[i] for i in order], start_min=8 * 60, budget_min=8 * 60, **options
    )


def test_dropped_stops_do_not_depend_on_the_picking_order():
    dropped = {
        tuple(sorted(d["ref"] for d in _plan(order, lunch=Lunch()).dropped))
        for order in itertools.permutations(range(5))
    }
    assert dropped == {("S3", "S4")}  # the two nice-to-have, whatever the order picked


def test_must_see_stops_are_kept_before_nice_to_have_ones():
    plan = _plan((4, 3, 2, 1, 0))  # must-see picked last
    assert {s["ref"] for s in plan.schedule} >= {"S0", "S1", "S2"}
    assert all(d["ref"] in ("S3", "S4") for d in plan.dropped)


def test_lunch_is_planned_between_visits_in_its_window():
    plan = _plan((0, 1, 2), lunch=Lunch())
    assert plan.lunch is not None
    begin, end = plan.lunch["start_min"], plan.lunch["end_min"]
    assert 11 * 60 + 30 <= begin <= 13 * 60 and end - begin == 60
    for stop in plan.schedule:  # never during a visit
        assert stop["leave_min"] <= begin or stop["arrive_min"] >= end
    after = plan.lunch["after"]
    assert after is None or after in plan.order


def test_no_lunch_when_the_day_is_over_before_it():
    plan = plan_tour(
        _matrix(POINTS[:2]), [STOPS[0]], start_min=8 * 60, budget_min=3 * 60, lunch=Lunch()
    )
    assert plan.lunch is None and plan.order == ["S0"]


@pytest.mark.parametrize("order", [(2, 0, 1), (1, 2, 0)])
def test_the_visitors_order_is_kept(order):
    plan = _plan(order, fixed_order=True, lunch=Lunch())
    assert plan.order == [f"S{i}" for i in order]
    clock = [(s["arrive_min"], s["leave_min"]) for s in plan.schedule]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(clock))
    begin = plan.lunch["start_min"]
    assert all(s["leave_min"] <= begin or s["arrive_min"] >= begin + 60 for s in plan.schedule)


def test_the_visitors_order_drops_nice_to_have_first():
    plan = _plan((3, 0, 4, 1, 2), fixed_order=True, lunch=Lunch())
    assert [s["ref"] for s in plan.schedule] == ["S0", "S1", "S2"]
    assert sorted(d["ref"] for d in plan.dropped) == ["S3", "S4"]
    assert plan.end_min <= 16 * 60


@pytest.mark.parametrize(
    ("hours", "lang", "text"),
    [
        ("Mo-Sa 08:00-17:00", "en", "Monday to Saturday: 08:00–17:00; Sunday: closed"),
        ("Mo-Sa 08:00-17:00", "vi", "Thứ Hai đến Thứ Bảy: 08:00–17:00; Chủ nhật: nghỉ"),
        ("Mo-Su 07:30-17:30", "vi", "hằng ngày: 07:30–17:30"),
        (
            "Mo-Fr 08:00-12:00,13:00-17:00; Sa 08:00-12:00",
            "en",
            "Monday to Friday: 08:00–12:00, 13:00–17:00; Saturday: 08:00–12:00; Sunday: closed",
        ),
    ],
)
def test_opening_hours_in_words(hours, lang, text):
    assert render(week_hours(hours), lang) == text


def test_unreadable_opening_hours_have_no_words():
    assert week_hours("whenever #") is None and week_hours(None) is None
