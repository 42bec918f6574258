"""``langnghe route``, ``langnghe isochrone`` and ``langnghe tour``: routing and tours."""

from __future__ import annotations

import datetime as dt
import json

import click
import numpy as np

from gis.db import session
from gis.errors import ValidationError
from gis.messages import msg
from gis.network import RoadGraph, isochrone, path_geometry, shortest_path, snap_within
from gis.settings import get_settings
from webmap.cli.options import (
    LocalDate,
    cli_lang,
    mode_option,
    network_option,
    parse_point,
    progress_bar,
    say,
    text,
    today,
)

__all__ = ["isochrone_cmd", "route", "tour"]


def _graph(network: str) -> RoadGraph:
    from layers.roads import read_graph

    with session(get_settings(), application_name="langnghe route") as conn:
        return read_graph(conn, network)


def _prepare(graph: RoadGraph, weight: str, profile: str) -> None:
    """Load (or build, the first time, with a bar) the graph's contraction hierarchy."""
    if graph.uses_hierarchy():
        with progress_bar(text("cli.progress.routing", network=graph.network)) as bar:
            graph.hierarchy().prepare(weight, profile, progress=bar)


def _snap(graph: RoadGraph, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Snap points within the settings' limit; warnings go to stderr in the CLI language."""
    from webmap.messages import as_text

    settings = get_settings()
    nodes, dist, notes = snap_within(
        graph,
        points[:, 0],
        points[:, 1],
        max_m=settings.snap_max_m,
        warn_m=settings.snap_warn_m,
    )
    for note in notes:
        click.echo(as_text(note, cli_lang()), err=True)
    return nodes, dist


@click.command()
@click.argument("origin")
@click.argument("destination")
@network_option
@mode_option
@click.option("--fastest/--shortest", default=True, help="Least time (default) or least distance.")
def route(origin: str, destination: str, network: str, mode: str, fastest: bool) -> None:
    """Best path between two points (lon,lat), snapped to the network; prints GeoJSON.

    A point farther from the network than LANGNGHE_SNAP_MAX_M (default 500 m) is refused;
    one farther than LANGNGHE_SNAP_WARN_M (200 m) is routed with a warning.
    """
    graph = _graph(network)
    points = np.array([parse_point(origin), parse_point(destination)])
    (a, b), snap = _snap(graph, points)
    weight = "time" if fastest else "length"
    _prepare(graph, weight, mode)
    cost, nodes = shortest_path(graph, int(a), int(b), weight=weight, profile=mode)
    if not nodes:
        raise ValidationError(msg("route.no_path", network=network))
    line = path_geometry(graph, nodes)
    feature = {
        "type": "Feature",
        "geometry": line.__geo_interface__ if line is not None else None,
        "properties": {
            "cost": round(cost, 1),
            "unit": "s" if fastest else "m",
            "mode": mode,
            "snap_origin_m": round(float(snap[0]), 1),
            "snap_destination_m": round(float(snap[1]), 1),
        },
    }
    click.echo(json.dumps(feature, ensure_ascii=False))


@click.command(name="isochrone")
@click.argument("point")
@click.option("--minutes", type=click.FloatRange(1, 240), default=15, show_default=True)
@network_option
@mode_option
def isochrone_cmd(point: str, minutes: float, network: str, mode: str) -> None:
    """Area reachable within MINUTES from POINT (lon,lat); prints GeoJSON."""
    graph = _graph(network)
    (node,), (snap,) = _snap(graph, np.array([parse_point(point)]))
    area = isochrone(graph, int(node), minutes, profile=mode)
    click.echo(
        json.dumps(
            {
                "type": "Feature",
                "geometry": area.__geo_interface__,
                "properties": {"minutes": minutes, "mode": mode, "snap_m": round(float(snap), 1)},
            }
        )
    )


@click.command()
@click.option("--villages", help="Village refs, comma-separated, in order of priority.")
@click.option(
    "--theme", help="Or a theme: ceramics, silk, wood, lacquer, metal, bamboo, painting, food."
)
@click.option("--start", default="105.8522,21.0287", show_default=True, help="Start point lon,lat.")
@click.option(
    "--date", "day", type=LocalDate(), default=None, help="Day of the visit (default today)."
)
@click.option("--start-time", default="08:00", show_default=True)
@click.option(
    "--budget",
    type=click.IntRange(30, 1440),
    default=480,
    show_default=True,
    help="Minutes in the day.",
)
@mode_option
@network_option
@click.option(
    "--avoid-pollution", is_flag=True, help="Make edges inside pollution zones cost more."
)
@click.option(
    "--gpx", "gpx_path", type=click.Path(dir_okay=False), help="Also write the route as GPX."
)
def tour(
    villages: str | None,
    theme: str | None,
    start: str,
    day: dt.date | None,
    start_time: str,
    budget: int,
    mode: str,
    network: str,
    avoid_pollution: bool,
    gpx_path: str | None,
) -> None:
    """Plan a day visiting craft villages: order, schedule, dropped stops."""
    from planning.pipeline.tours import TourRequest, plan_village_tour
    from webmap.formats import tour_gpx

    hours, minutes = (int(v) for v in start_time.split(":"))
    request = TourRequest(
        refs=tuple(r for r in (villages or "").split(",") if r),
        theme=theme,
        start=parse_point(start),
        day=day or today(),
        start_min=hours * 60 + minutes,
        budget_min=budget,
        mode=mode,
        network=network,
        avoid_pollution=avoid_pollution,
    )
    with session(get_settings(), application_name="langnghe tour") as conn:
        from layers.roads import cached_graph

        graph = cached_graph(conn, network)
        if graph is not None and not avoid_pollution:
            _prepare(graph, "time", mode)  # the plan below reuses this graph and its hierarchy
        plan = plan_village_tour(conn, request)
    _echo_plan(plan)
    if gpx_path:
        with open(gpx_path, "w", encoding="utf-8") as fh:
            fh.write(tour_gpx(plan))


def _echo_plan(plan: dict) -> None:
    from webmap.messages import as_text

    lang = cli_lang()
    say(
        "cli.tour.day",
        day=dt.date.fromisoformat(str(plan["day"])),
        start=plan["start"]["time"],
        method=as_text(plan["method"], lang),
    )
    for stop in plan["stops"]:
        click.echo(
            f"  {stop['arrive']}-{stop['leave']}  {stop['name']}  "
            + text("cli.tour.on_the_way", minutes=stop["travel_min"])
        )
    say(
        "cli.tour.back",
        end=plan["end"],
        km=round(plan["distance_m"] / 1000, 1),
        minutes=round(plan["travel_min"]),
    )
    for drop in plan["dropped"]:
        say("cli.tour.dropped", name=drop["name"], reason=as_text(drop["reason"], lang))
    for note in plan["notes"]:
        say("cli.note", text=as_text(note, lang))
