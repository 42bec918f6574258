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

__all__ = ["Stop", "TourPlan", "day_window", "plan_tour"]

#: Largest wait allowed at a stop before it opens, in minutes.
MAX_WAIT_MIN = 180


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

    Returns
    -------
    TourPlan
        Stops are dropped, lowest priority first, when the budget, an opening window or the
        network makes them impossible; each dropped stop says why.
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    if not stops:
        raise ValidationError(msg("tour.no_stops"))
    if time_s.shape != (len(stops) + 1, len(stops) + 1):
        raise ValidationError(msg("tour.time_matrix_shape"))
    plan = TourPlan(start_min=start_min, end_min=start_min)
    horizon = start_min + budget_min
    usable = _usable_stops(plan, time_s, stops)
    if not usable:
        return plan
    nodes = [0, *usable]
    minutes = np.ceil(np.nan_to_num(time_s[np.ix_(nodes, nodes)], posinf=10**6) / 60.0).astype(int)
    service = [0] + [stops[i - 1].visit_min for i in usable]
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
    routing.AddDimension(transit_cb, MAX_WAIT_MIN, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    time_dim.CumulVar(routing.Start(0)).SetRange(start_min, start_min)
    end_var = time_dim.CumulVar(routing.End(0))
    end_var.SetRange(start_min, horizon)
    for k, i in enumerate(usable, start=1):
        stop = stops[i - 1]
        index = manager.NodeToIndex(k)
        opens = max(start_min, stop.open_min or 0)
        latest = (stop.close_min if stop.close_min is not None else 1440 * 2) - stop.visit_min
        if latest < opens:
            routing.AddDisjunction([index], 0)
            continue
        time_dim.CumulVar(index).SetRange(opens, max(opens, min(latest, horizon)))
        # Dropping costs far more than any detour, and more for a higher priority.
        routing.AddDisjunction([index], int(10**6 * max(stop.priority, 0.01)))
    if not return_to_start:
        for k in range(1, len(nodes)):
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(manager.NodeToIndex(k)))
    params = pywrapcp.DefaultRoutingSearchParameters()
    # Savings + guided local search: in our benchmark the best of the strategies tried within 0.5 s.
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.SAVINGS
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    # Guided local search runs until its time limit: small tours need little of it.
    limit = time_limit_s if time_limit_s is not None else min(0.8, 0.05 + 0.01 * len(nodes))
    params.time_limit.FromMilliseconds(int(limit * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        for i in usable:
            _drop(plan, stops[i - 1], msg("tour.dropped_no_fit"))
        return plan
    visited = set()
    index = solution.Value(routing.NextVar(routing.Start(0)))
    previous = 0
    while not routing.IsEnd(index):
        k = manager.IndexToNode(index)
        stop = stops[usable[k - 1] - 1]
        arrive = solution.Value(time_dim.CumulVar(index))
        plan.schedule.append(
            {
                "ref": stop.ref,
                "name": stop.name,
                "arrive_min": arrive,
                "leave_min": arrive + stop.visit_min,
                "travel_min": int(minutes[previous, k]),
            }
        )
        plan.travel_s += float(time_s[nodes[previous], nodes[k]])
        visited.add(k)
        previous = k
        index = solution.Value(routing.NextVar(index))
    if return_to_start and plan.schedule:
        plan.travel_s += float(time_s[nodes[previous], 0])
    plan.end_min = (
        solution.Value(end_var)
        if return_to_start
        else (plan.schedule[-1]["leave_min"] if plan.schedule else start_min)
    )
    for k in range(1, len(nodes)):
        if k not in visited:
            _drop(
                plan,
                stops[usable[k - 1] - 1],
                msg("tour.dropped_budget"),
            )
    return plan
