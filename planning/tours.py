"""Craft-village day tours: the stops ordered, within visit times and opening hours.

OR-tools routing with time windows orders the stops; the lowest-priority stops are
dropped when the day is too short.

Pure: a travel-time matrix and stop descriptions in, a plan out.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gis.errors import ValidationError
from gis.messages import Message, msg
from planning.tsp import closed_tour

__all__ = [
    "MUST_SEE",
    "NICE_TO_HAVE",
    "Lunch",
    "Stop",
    "TourPlan",
    "day_window",
    "plan_tour",
    "week_hours",
]

#: Largest wait allowed at a stop before it opens, in minutes.
MAX_WAIT_MIN = 180
#: Priorities a visitor gives a stop: a must-see is dropped only when no nice-to-have is left
#: to drop. Equal priorities weigh the same whatever the order the stops were picked in.
MUST_SEE = 100.0
NICE_TO_HAVE = 1.0


@dataclass(frozen=True)
class Lunch:
    """A lunch break, taken between two visits, never during one.

    It starts between ``earliest_min`` and ``latest_min`` (minutes after midnight) and lasts
    ``duration_min``.
    """

    earliest_min: int = 11 * 60 + 30
    latest_min: int = 13 * 60
    duration_min: int = 60


@dataclass(frozen=True)
class Stop:
    """A village to visit: minutes on site, opening window (minutes after midnight), priority."""

    ref: str
    name: str
    visit_min: int
    open_min: int | None = None
    close_min: int | None = None
    priority: float = 1.0


@dataclass
class TourPlan:
    """The ordered stops with arrival/departure, what was dropped and why, and totals.

    A dropped stop's ``reason`` and every note are :class:`~gis.messages.Message` objects.
    """

    schedule: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    travel_s: float = 0.0
    start_min: int = 0
    end_min: int = 0
    notes: list[Message] = field(default_factory=list)
    #: The lunch break planned (``start_min``, ``end_min``, ``after``: the ref of the stop
    #: before it, or None when it comes before the first), or None when the day has none.
    lunch: dict[str, Any] | None = None

    @property
    def order(self) -> list[str]:
        """Refs of the visited stops, in visiting order."""
        return [s["ref"] for s in self.schedule]


def day_window(opening_hours: str | None, day: dt.date) -> tuple[int, int] | None:
    """First open interval of ``day`` as minutes after midnight, from OSM ``opening_hours``.

    ``None`` when the text is missing; ``(0, 0)`` when the place is closed that day.

    Examples
    --------
    >>> day_window("Mo-Sa 08:00-17:00", dt.date(2026, 11, 23))  # a Monday
    (480, 1020)
    >>> day_window("Mo-Sa 08:00-17:00", dt.date(2026, 11, 29))  # a Sunday
    (0, 0)
    """
    if not opening_hours:
        return None
    import opening_hours as oh

    try:
        rule = oh.OpeningHours(opening_hours)
    except oh.ParserError as exc:  # type: ignore[attr-defined]  # missing from its stubs
        raise ValidationError(
            msg("tour.opening_hours_unreadable", opening_hours=opening_hours, detail=str(exc))
        ) from None
    start = dt.datetime.combine(day, dt.time())
    for begin, end, state, _comment in rule.intervals(start, start + dt.timedelta(days=1)):
        if state == oh.State.OPEN:
            minutes = int((begin - start).total_seconds() // 60)
            return minutes, min(1440, int((end - start).total_seconds() // 60))
    return 0, 0


_WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
#: A week without public holidays, the week ``week_hours`` describes.
_PLAIN_WEEK = dt.date(2026, 11, 23)


def _open_intervals(rule: Any, day: dt.date) -> tuple[str, ...]:
    import opening_hours as oh

    start = dt.datetime.combine(day, dt.time())
    return tuple(
        f"{begin:%H:%M}–{'24:00' if end >= start + dt.timedelta(days=1) else f'{end:%H:%M}'}"
        for begin, end, state, _comment in rule.intervals(start, start + dt.timedelta(days=1))
        if state == oh.State.OPEN
    )


def week_hours(opening_hours: str | None) -> Message | None:
    """OSM ``opening_hours`` as words: consecutive days with the same hours grouped.

    ``None`` when the text is missing or unreadable (the caller shows it as it is).

    Examples
    --------
    >>> week_hours("Mo-Sa 08:00-17:00").code
    'hours.week'
    >>> week_hours("Mo-Su 07:30-17:30").params["times"]
    '07:30–17:30'
    """
    if not opening_hours:
        return None
    import opening_hours as oh

    try:
        rule = oh.OpeningHours(opening_hours)
    except oh.ParserError:  # type: ignore[attr-defined]  # missing from its stubs
        return None
    days = [_open_intervals(rule, _PLAIN_WEEK + dt.timedelta(days=i)) for i in range(7)]
    if len(set(days)) == 1:
        return msg("hours.days_times", days=msg("hours.every_day"), times=_times(days[0]))
    parts, first = [], 0
    for i in range(1, 8):
        if i == 7 or days[i] != days[first]:
            names = (
                msg(f"weekday.{_WEEKDAYS[first]}")
                if i - 1 == first
                else msg(
                    "hours.day_range",
                    first=msg(f"weekday.{_WEEKDAYS[first]}"),
                    last=msg(f"weekday.{_WEEKDAYS[i - 1]}"),
                )
            )
            parts.append(msg("hours.days_times", days=names, times=_times(days[first])))
            first = i
    return msg("hours.week", parts=parts)


def _times(intervals: tuple[str, ...]) -> Message | str:
    return ", ".join(intervals) if intervals else msg("hours.closed")


def _drop(plan: TourPlan, stop: Stop, reason: Message) -> None:
    plan.dropped.append({"ref": stop.ref, "name": stop.name, "reason": reason})


def _usable_stops(plan: TourPlan, time_s: NDArray[np.float64], stops: list[Stop]) -> list[int]:
    """Matrix indices of the stops that can be visited at all; the others go to ``plan.dropped``."""
    usable = []
    for i, stop in enumerate(stops, start=1):
        if not (math.isfinite(time_s[0, i]) and math.isfinite(time_s[i, 0])):
            _drop(plan, stop, msg("tour.dropped_unreachable"))
        elif (
            stop.open_min is not None
            and stop.close_min is not None
            and stop.close_min - stop.open_min < stop.visit_min
        ):
            _drop(plan, stop, msg("tour.dropped_closed"))
        else:
            usable.append(i)
            if stop.open_min is None:
                plan.notes.append(msg("tour.no_opening_hours", name=stop.name))
    return usable


def plan_tour(
    time_s: NDArray[np.float64],
    stops: list[Stop],
    *,
    start_min: int,
    budget_min: int,
    return_to_start: bool = True,
    time_limit_s: float | None = None,
    lunch: Lunch | None = None,
    fixed_order: bool = False,
) -> TourPlan:
    """Order ``stops`` for a day.

    Parameters
    ----------
    time_s : ndarray, shape (n + 1, n + 1)
        Travel seconds; index 0 is the start point, index i the stop ``stops[i - 1]``.
    stops : list of Stop
        The villages picked.
    start_min : int
        Departure, minutes after midnight.
    budget_min : int
        Length of the day, from departure to the end (back at the start when ``return_to_start``).
    lunch : Lunch, optional
        A lunch break to plan between two visits (when the day reaches its window).
    fixed_order : bool
        Visit the stops in the order given (the visitor's), instead of the fastest order.

    Returns
    -------
    TourPlan
        Stops are dropped, lowest priority first, when the budget, an opening window or the
        network makes them impossible; each dropped stop says why. Stops of equal priority
        weigh the same: which ones are dropped does not depend on the order they came in
        (unless ``fixed_order``, where the later of two equal stops goes first).
    """
    if not stops:
        raise ValidationError(msg("tour.no_stops"))
    if time_s.shape != (len(stops) + 1, len(stops) + 1):
        raise ValidationError(msg("tour.time_matrix_shape"))
    plan = TourPlan(start_min=start_min, end_min=start_min)
    usable = _usable_stops(plan, time_s, stops)
    if not usable:
        return plan
    day = _Day(time_s, stops, start_min, start_min + budget_min, return_to_start, lunch)
    if fixed_order:
        _in_given_order(plan, day, usable)
    else:
        _solve(plan, day, usable, time_limit_s)
    return plan


@dataclass(frozen=True)
class _Day:
    time_s: NDArray[np.float64]
    stops: list[Stop]
    start_min: int
    horizon: int
    return_to_start: bool
    lunch: Lunch | None

    def minutes(self, a: int, b: int) -> int:
        return int(math.ceil(self.time_s[a, b] / 60.0))


def _window(day: _Day, stop: Stop) -> tuple[int, int]:
    opens = max(day.start_min, stop.open_min or 0)
    latest = (stop.close_min if stop.close_min is not None else 1440 * 2) - stop.visit_min
    return opens, latest


def _walk(day: _Day, order: list[int]) -> tuple[TourPlan, bool]:
    """The schedule of ``order`` (matrix indices) as given; False when it does not fit."""
    plan = TourPlan(start_min=day.start_min)
    lunch = day.lunch
    clock, previous, fits = day.start_min, 0, True

    def eat(at: int) -> int:
        nonlocal lunch, fits
        assert lunch is not None
        begin = max(at, lunch.earliest_min)
        fits = fits and begin <= lunch.latest_min
        plan.lunch = {
            "start_min": begin,
            "end_min": begin + lunch.duration_min,
            "after": plan.schedule[-1]["ref"] if plan.schedule else None,
        }
        lunch = None
        return begin + lunch_duration

    lunch_duration = lunch.duration_min if lunch else 0
    for i in order:
        stop = day.stops[i - 1]
        opens, latest = _window(day, stop)
        arrive = max(clock + day.minutes(previous, i), opens)
        if lunch is not None and arrive + stop.visit_min > lunch.latest_min:
            clock = eat(clock)
            arrive = max(clock + day.minutes(previous, i), opens)
        fits = fits and arrive <= latest
        plan.schedule.append(_visit(stop, arrive, day.minutes(previous, i)))
        plan.travel_s += float(day.time_s[previous, i])
        clock, previous = arrive + stop.visit_min, i
    if lunch is not None and clock + day.minutes(previous, 0) > lunch.earliest_min:
        clock = eat(clock)
    if day.return_to_start:
        plan.travel_s += float(day.time_s[previous, 0])
        clock += day.minutes(previous, 0)
    plan.end_min = clock
    return plan, fits and clock <= day.horizon


def _visit(stop: Stop, arrive: int, travel_min: int) -> dict[str, Any]:
    return {
        "ref": stop.ref,
        "name": stop.name,
        "arrive_min": arrive,
        "leave_min": arrive + stop.visit_min,
        "travel_min": travel_min,
    }


def _in_given_order(plan: TourPlan, day: _Day, usable: list[int]) -> None:
    """Keep the visitor's order; drop the lowest priority (the later of equals) until it fits."""
    keep = list(usable)
    while True:
        walked, fits = _walk(day, keep)
        if fits or not keep:
            break
        victim = min(keep, key=lambda i: (day.stops[i - 1].priority, -keep.index(i)))
        keep.remove(victim)
        _drop(plan, day.stops[victim - 1], msg("tour.dropped_budget"))
    plan.schedule, plan.travel_s, plan.end_min = walked.schedule, walked.travel_s, walked.end_min
    plan.lunch = walked.lunch if fits else None


def _solve(plan: TourPlan, day: _Day, usable: list[int], time_limit_s: float | None) -> None:
    stops, time_s, start_min = day.stops, day.time_s, day.start_min
    nodes = [0, *usable]
    minutes = np.ceil(np.nan_to_num(time_s[np.ix_(nodes, nodes)], posinf=10**6) / 60.0).astype(int)
    service = [0] + [stops[i - 1].visit_min for i in usable]
    limit = _time_limit(len(nodes), time_limit_s)
    best = _seeded(day, usable, minutes, service, limit) or _two_searches(
        day, usable, minutes, service, limit
    )
    if best is None:
        for i in usable:
            _drop(plan, stops[i - 1], msg("tour.dropped_no_fit"))
        return
    (manager, routing, time_dim, end_var, lunch), solution = best
    visited, order = set(), []
    index = solution.Value(routing.NextVar(routing.Start(0)))
    previous = 0
    while not routing.IsEnd(index):
        k = manager.IndexToNode(index)
        stop = stops[usable[k - 1] - 1]
        arrive = solution.Value(time_dim.CumulVar(index))
        plan.schedule.append(_visit(stop, arrive, int(minutes[previous, k])))
        plan.travel_s += float(time_s[nodes[previous], nodes[k]])
        visited.add(k)
        order.append(k)
        previous = k
        index = solution.Value(routing.NextVar(index))
    if day.return_to_start and plan.schedule:
        plan.travel_s += float(time_s[nodes[previous], 0])
    plan.end_min = (
        solution.Value(end_var)
        if day.return_to_start
        else (plan.schedule[-1]["leave_min"] if plan.schedule else start_min)
    )
    if lunch is not None:
        _place_lunch(plan, _break_start(solution), day.lunch)
    # The same order timed visit by visit: each stop as early as it opens, lunch when the next
    # visit would end past its latest start (the solver's times may idle before the break).
    walked, fits = _walk(day, [usable[k - 1] for k in order])
    if fits:
        plan.schedule, plan.end_min, plan.lunch = walked.schedule, walked.end_min, walked.lunch
    for k in range(1, len(nodes)):
        if k not in visited:
            _drop(plan, stops[usable[k - 1] - 1], msg("tour.dropped_budget"))


#: Caps of the seeded search (:func:`_seeded`), as shares of the time limit: the closed tour
#: (:func:`planning.tsp.closed_tour`, a fixed amount of work that only a machine short of CPU
#: cuts) and the local search from it, together 4/3 of the limit (0.8 s from 50 stops, which
#: leaves 0.2 s of the second for the model and the schedule on a loaded machine). The local
#: search is a descent to the nearest local optimum, not guided local search until the time is
#: spent: on the bench's 50-stop instances (bench/tours_reference.py) guided local search for
#: 0.2 s after PyVRP's tour left the worst gap to LKH where it was (0.45% / 0.80% on Ba Đình /
#: the grid, load 7) and took 0.15 s of CPU, the descent 0.01 s (0.03 s at most); with it a
#: 50-stop plan takes 0.13-0.15 s of CPU (median; 0.33-0.46 s before, at load 4-7).
CLOSED_SHARE, POLISH_SHARE = 7 / 6, 1 / 6


def _seeded(
    day: _Day, usable: list[int], minutes: NDArray[np.int64], service: list[int], limit: float
) -> tuple[Any, Any] | None:
    """A local search from the best closed tour of the stops, when that tour fits the day.

    The tour ignores opening hours and lunch; when they bind (it does not fit, or the solver
    refuses it), None, and the day is searched from the first solutions of
    :func:`_two_searches`.
    """
    nodes = [0, *usable]
    cost = day.time_s[np.ix_(nodes, nodes)]
    if not np.isfinite(cost).all():
        return None
    order = closed_tour(cost, time_limit_s=limit * CLOSED_SHARE)
    if not _walk(day, [usable[k - 1] for k in order])[1]:
        return None
    model = _model(day, usable, minutes, service)
    manager, routing = model[0], model[1]
    params = _search_parameters(_FIRST_SOLUTIONS[0], limit * POLISH_SHARE, guided=False)
    routing.CloseModelWithParameters(params)
    initial = routing.ReadAssignmentFromRoutes([[manager.NodeToIndex(k) for k in order]], True)
    found = None if initial is None else routing.SolveFromAssignmentWithParameters(initial, params)
    return None if found is None else (model, found)


def _two_searches(
    day: _Day, usable: list[int], minutes: NDArray[np.int64], service: list[int], limit: float
) -> tuple[Any, Any] | None:
    """Two searches from different first solutions, half the time each, the better one kept.

    Against LKH-3 this cut the worst 50-stop gap on the grid from 7.9% to 2.2% at the same
    total time (bench/tours_reference.py), before the seeded search.
    """
    best = None
    for strategy in _FIRST_SOLUTIONS:
        model = _model(day, usable, minutes, service)
        found = model[1].SolveWithParameters(
            _search_parameters(strategy, limit / len(_FIRST_SOLUTIONS))
        )
        if found is not None and (
            best is None or found.ObjectiveValue() < best[1].ObjectiveValue()
        ):
            best = (model, found)
    return best


def _model(day: _Day, usable: list[int], minutes: NDArray[np.int64], service: list[int]) -> Any:
    """The routing model of the day.

    Travel seconds as the cost, a time dimension with the windows, a disjunction per stop
    (dropping it costs by priority), the lunch break.
    """
    from ortools.constraint_solver import pywrapcp

    stops, time_s, start_min = day.stops, day.time_s, day.start_min
    nodes = [0, *usable]
    manager = pywrapcp.RoutingIndexManager(len(nodes), 1, 0)
    routing = pywrapcp.RoutingModel(manager)

    seconds = np.rint(np.nan_to_num(time_s[np.ix_(nodes, nodes)], posinf=10**9)).astype(np.int64)
    # Matrices live on the C++ side (no Python call per arc): the search gets far more iterations.
    # The objective is seconds, so short hops are not rounded away; the schedule is in minutes.
    travel_cb = routing.RegisterTransitMatrix(seconds.tolist())
    transit_cb = routing.RegisterTransitMatrix(
        (minutes + np.array(service)[:, None]).astype(int).tolist()
    )
    routing.SetArcCostEvaluatorOfAllVehicles(travel_cb)
    routing.AddDimension(transit_cb, MAX_WAIT_MIN, day.horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    time_dim.CumulVar(routing.Start(0)).SetRange(start_min, start_min)
    end_var = time_dim.CumulVar(routing.End(0))
    end_var.SetRange(start_min, day.horizon)
    for k, i in enumerate(usable, start=1):
        stop = stops[i - 1]
        index = manager.NodeToIndex(k)
        opens, latest = _window(day, stop)
        if latest < opens:
            routing.AddDisjunction([index], 0)
            continue
        time_dim.CumulVar(index).SetRange(opens, max(opens, min(latest, day.horizon)))
        # Dropping costs far more than any detour, and more for a higher priority.
        routing.AddDisjunction([index], int(10**6 * max(stop.priority, 0.01)))
    lunch = _add_lunch(routing, manager, time_dim, day, service)
    # Each visit as early as it can be (no idle wait before the lunch break), then the end.
    for k in range(1, len(nodes)):
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(manager.NodeToIndex(k)))
    routing.AddVariableMinimizedByFinalizer(end_var)
    return manager, routing, time_dim, end_var, lunch


#: First solution strategies of the searches (``routing_enums_pb2.FirstSolutionStrategy``).
_FIRST_SOLUTIONS = ("SAVINGS", "CHRISTOFIDES")


def _time_limit(n_nodes: int, time_limit_s: float | None) -> float:
    """Seconds of search for a tour of ``n_nodes``: 0.12 s for 5 stops, 0.6 s from 50 on.

    Wall clock, so that a tour answers in time on a loaded machine: 50 stops in at most 1 s
    with the model and the schedule around the search (bench/tours_reference.py). When the
    closed tour fits the day (:func:`_seeded`) it is a cap: the search there is a fixed amount
    of work (0.15 s of CPU for 50 stops), and the caps end it early only when the machine
    gives the process less than about a quarter of a core. Scaling the caps down on an idle
    machine as if it had a share of a core (bench instances, 50 stops): at 0.1 the worst gap
    to LKH stays 1.11% (about two searches); at 0.07 (one search) it is 4.27% on one Ba Đình
    instance, as a wall-clock budget gave at load 14-19. The searches of days whose opening
    hours bind (:func:`_two_searches`) run until it.
    """
    return time_limit_s if time_limit_s is not None else min(0.6, 0.05 + 0.011 * n_nodes)


def _search_parameters(strategy: str, seconds: float, *, guided: bool = True) -> Any:
    """First solution, metaheuristic and time limit of a search.

    ``guided``: guided local search until the time limit; else a descent to the first local
    optimum (the time limit a cap).
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    params = pywrapcp.DefaultRoutingSearchParameters()
    # Savings + guided local search: against LKH-3 on 50-stop tours (bench/tours_reference.py)
    # the best of the first solutions (path cheapest arc, local cheapest insertion,
    # Christofides) and metaheuristics (simulated annealing, tabu search) tried, with the
    # default operators and lambda (tsp_lns, tsp_opt, cross exchange and lambda 0.02 / 0.5 were
    # no better).
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
    metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic
    params.local_search_metaheuristic = (
        metaheuristic.GUIDED_LOCAL_SEARCH if guided else metaheuristic.GREEDY_DESCENT
    )
    # Guided local search runs until its time limit; the descent stops at a local optimum.
    params.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    return params


def _add_lunch(routing: Any, manager: Any, time_dim: Any, day: _Day, service: list[int]) -> Any:
    """The lunch break as the vehicle's break interval (taken in travel or waiting time)."""
    lunch = day.lunch
    if lunch is None or day.horizon <= lunch.earliest_min or day.start_min > lunch.latest_min:
        return None
    interval = routing.solver().FixedDurationIntervalVar(
        lunch.earliest_min, lunch.latest_min, lunch.duration_min, False, "lunch"
    )
    visits = [0] * routing.Size()
    for index in range(routing.Size()):
        visits[index] = service[manager.IndexToNode(index)]
    time_dim.SetBreakIntervalsOfVehicle([interval], 0, visits)
    return interval


def _break_start(solution: Any) -> int:
    intervals = solution.IntervalVarContainer()
    for i in range(intervals.Size()):
        element = intervals.Element(i)
        if element.PerformedValue():
            return int(element.StartValue())
    return 10**6


def _place_lunch(plan: TourPlan, begin: int, lunch: Lunch | None) -> None:
    if lunch is None or begin >= plan.end_min:
        return  # the day is over before lunch
    before = [s for s in plan.schedule if s["leave_min"] <= begin]
    plan.lunch = {
        "start_min": begin,
        "end_min": begin + lunch.duration_min,
        "after": before[-1]["ref"] if before else None,
    }
