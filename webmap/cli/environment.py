"""``langnghe route``, ``langnghe isochrone`` and ``langnghe tour``."""

from __future__ import annotations

import datetime as dt
import json

import click

from gis.db import session
from gis.errors import ValidationError
from gis.network import isochrone, path_geometry, shortest_path
from gis.settings import get_settings

__all__ = [
    "alerts_group",
    "aqi_cmd",
    "exposure_cmd",
    "water_cmd",
    "exceedances_cmd",
    "isochrone_cmd",
    "route",
    "surface_cmd",
    "tour",
    "trends_cmd",
    "zones_group",
]


def _point(text: str) -> tuple[float, float]:
    try:
        lon, lat = (float(v) for v in text.split(","))
    except ValueError:
        raise click.BadParameter(f"expected lon,lat, got {text!r}") from None
    return lon, lat


def _graph(network: str):
    from layers.roads import read_graph

    with session(get_settings(), application_name="langnghe route") as conn:
        return read_graph(conn, network)


@click.command()
@click.argument("origin")
@click.argument("destination")
@click.option("--network", default="default", show_default=True)
@click.option(
    "--mode",
    type=click.Choice(["motorbike", "car", "walk"]),
    default="motorbike",
    show_default=True,
)
@click.option("--fastest/--shortest", default=True, help="Least time (default) or least distance.")
def route(origin: str, destination: str, network: str, mode: str, fastest: bool) -> None:
    """Best path between two points (lon,lat), snapped to the network; prints GeoJSON."""
    graph = _graph(network)
    (a, b), snap = graph.snap(*zip(_point(origin), _point(destination), strict=True))
    cost, nodes = shortest_path(
        graph, int(a), int(b), weight="time" if fastest else "length", profile=mode
    )
    if not nodes:
        raise ValidationError("no path between these points on the network")
    _length, _ = shortest_path(graph, int(a), int(b), weight="length", profile=mode)
    feature = {
        "type": "Feature",
        "geometry": path_geometry(graph, nodes).__geo_interface__ if len(nodes) > 1 else None,
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
@click.option("--network", default="default", show_default=True)
@click.option(
    "--mode",
    type=click.Choice(["motorbike", "car", "walk"]),
    default="motorbike",
    show_default=True,
)
def isochrone_cmd(point: str, minutes: float, network: str, mode: str) -> None:
    """Area reachable within MINUTES from POINT (lon,lat); prints GeoJSON."""
    graph = _graph(network)
    (node,), (snap,) = graph.snap(*_point(point))
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
@click.option("--date", "day", default=None, help="Day of the visit (YYYY-MM-DD, default today).")
@click.option("--start-time", default="08:00", show_default=True)
@click.option(
    "--budget",
    type=click.IntRange(30, 1440),
    default=480,
    show_default=True,
    help="Minutes in the day.",
)
@click.option(
    "--mode",
    type=click.Choice(["motorbike", "car", "walk"]),
    default="motorbike",
    show_default=True,
)
@click.option(
    "--avoid-pollution", is_flag=True, help="Make edges inside pollution zones cost more."
)
@click.option(
    "--gpx", "gpx_path", type=click.Path(dir_okay=False), help="Also write the route as GPX."
)
def tour(villages, theme, start, day, start_time, budget, mode, avoid_pollution, gpx_path) -> None:
    """Plan a day visiting craft villages: order, schedule, dropped stops."""
    from planning.pipeline import TourRequest, plan_village_tour
    from webmap.tours import tour_gpx

    hours, minutes = (int(v) for v in start_time.split(":"))
    request = TourRequest(
        refs=tuple(r for r in (villages or "").split(",") if r),
        theme=theme,
        start=_point(start),
        day=dt.date.fromisoformat(day) if day else dt.date.today(),
        start_min=hours * 60 + minutes,
        budget_min=budget,
        mode=mode,
        avoid_pollution=avoid_pollution,
    )
    with session(get_settings(), application_name="langnghe tour") as conn:
        plan = plan_village_tour(conn, request)
    click.echo(f"{plan['day']} from {plan['start']['time']} ({plan['method']})")
    for stop in plan["stops"]:
        click.echo(
            f"  {stop['arrive']}-{stop['leave']}  {stop['name']}  (+{stop['travel_min']} min on the way)"
        )
    click.echo(
        f"  back {plan['end']}; {plan['distance_m'] / 1000:.1f} km, {plan['travel_min']:.0f} min travelling"
    )
    for drop in plan["dropped"]:
        click.echo(f"  not visited: {drop['name']}: {drop['reason']}")
    for note in plan["notes"]:
        click.echo(f"  note: {note}")
    if gpx_path:
        with open(gpx_path, "w", encoding="utf-8") as fh:
            fh.write(tour_gpx(plan))


def _day(text: str | None) -> dt.datetime | None:
    return (
        dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))
        if text
        else None
    )


@click.command(name="aqi")
@click.argument("station")
@click.option("--daily", is_flag=True, help="Daily index instead of hourly (NowCast).")
@click.option("--since", help="First day (YYYY-MM-DD, Hà Nội time).")
@click.option("--until", help="Day after the last (YYYY-MM-DD).")
def aqi_cmd(station: str, daily: bool, since: str | None, until: str | None) -> None:
    """VN_AQI of a station (Decision 1459/QĐ-TCMT), hourly or daily."""
    from planning.pipeline import station_aqi

    settings = get_settings()
    with session(settings, application_name="langnghe aqi") as conn:
        result = station_aqi(
            conn,
            settings.sample_data / "regulations",
            station,
            daily=daily,
            start=_day(since),
            end=_day(until),
        )
    click.echo(result.dropna().to_csv(), nl=False)


@click.command(name="exceedances")
@click.option("--station", "stations", multiple=True, help="Station ref (repeatable; default all).")
@click.option("--since", help="First day (YYYY-MM-DD).")
@click.option("--until", help="Day after the last (YYYY-MM-DD).")
def exceedances_cmd(stations: tuple[str, ...], since: str | None, until: str | None) -> None:
    """Values above the QCVN 05 limit in force on their date, with the averaging period used."""
    from planning.pipeline import find_exceedances

    settings = get_settings()
    with session(settings, application_name="langnghe exceedances") as conn:
        found = find_exceedances(
            conn,
            settings.sample_data / "regulations",
            stations=list(stations) or None,
            start=_day(since),
            end=_day(until),
        )
    click.echo(found.to_csv(index=False), nl=False)
    click.echo(f"# {len(found)} exceedances; unverified limits are marked verified=False", err=True)


@click.command(name="surface")
@click.argument("parameter")
@click.option("--since", help="First day (YYYY-MM-DD).")
@click.option("--until", help="Day after the last (YYYY-MM-DD).")
@click.option(
    "--cell",
    "cell_m",
    type=click.FloatRange(10, 10_000),
    default=500,
    show_default=True,
    help="Cell size, metres.",
)
def surface_cmd(parameter: str, since: str | None, until: str | None, cell_m: float) -> None:
    """Interpolate a parameter's period mean (IDW and kriging) to a COG; report leave-one-out errors."""
    from planning.pipeline import build_surface

    settings = get_settings()
    with session(settings, application_name="langnghe surface") as conn:
        result = build_surface(
            conn, settings, parameter, start=_day(since), end=_day(until), cell_m=cell_m
        )
    click.echo(
        f"{result['path']} (scenario {result['scenario_id']}, bands: {', '.join(result['bands'])})"
    )
    for method, rmse in result["loo_rmse"].items():
        click.echo(f"  leave-one-out RMSE {method}: {rmse:.3f}")
    for note in result["notes"]:
        click.echo(f"  note: {note}")


@click.group(name="zones")
def zones_group() -> None:
    """Pollution zones: source buffers by craft, and changes between dates."""


@zones_group.command(name="sources")
@click.option("--date", "day", default=None, help="Date of the zones (YYYY-MM-DD, default today).")
def zones_sources(day: str | None) -> None:
    """Buffer every polluting village by its craft's distance (data/zones/source_buffers.yaml)."""
    from planning.pipeline import make_source_zones

    settings = get_settings()
    with session(settings, application_name="langnghe zones") as conn:
        count = make_source_zones(
            conn, settings, dt.date.fromisoformat(day) if day else dt.date.today()
        )
    click.echo(f"{count} source zones stored")


@zones_group.command(name="surface")
@click.argument("scenario_id", type=int)
@click.option(
    "--limit",
    type=float,
    help="Threshold (default: the QCVN 05 24-hour limit in force on the surface's date).",
)
@click.option("--band", help="idw or kriging (default: kriging when present).")
def zones_surface(scenario_id: int, limit: float | None, band: str | None) -> None:
    """Hotspot zones where a saved surface (langnghe surface) exceeds a limit."""
    from planning.pipeline import make_surface_zones

    settings = get_settings()
    with session(settings, application_name="langnghe zones") as conn:
        r = make_surface_zones(conn, settings, scenario_id, limit=limit, band=band)
    click.echo(
        f"{r['zones']} {r['parameter']} zones above {r['limit']:g} ({r['document']}, {r['band']}) on {r['date']}"
    )


@zones_group.command(name="diff")
@click.argument("before")
@click.argument("after")
def zones_diff(before: str, after: str) -> None:
    """Which zones are new, gone, grew or shrank between two dates."""
    from planning.pipeline import zone_changes

    with session(get_settings(), application_name="langnghe zones") as conn:
        changes = zone_changes(conn, dt.date.fromisoformat(before), dt.date.fromisoformat(after))
    click.echo(changes.to_csv(index=False), nl=False)


@click.command(name="trends")
@click.argument("station")
@click.argument("parameter")
def trends_cmd(station: str, parameter: str) -> None:
    """Monthly means of a station's parameter and their Theil-Sen / Mann-Kendall trend."""
    from planning.pipeline import measurements_frame
    from planning.trends import monthly_means, trend

    with session(get_settings(), application_name="langnghe trends") as conn:
        frame = measurements_frame(conn, stations=[station])
    values = frame[frame["parameter"] == parameter].set_index("observed_at")["value"]
    if values.empty:
        raise ValidationError(f"no {parameter} values for station {station!r}")
    monthly = monthly_means(values)
    click.echo(monthly.to_csv(), nl=False)
    try:
        result = trend(monthly)
    except ValueError as exc:
        click.echo(f"# no trend: {exc}")
        return
    click.echo(
        f"# Theil-Sen {result['slope_per_year']:+.2f} per year "
        f"[{result['slope_low_per_year']:+.2f}, {result['slope_high_per_year']:+.2f}], Mann-Kendall tau "
        f"{result['tau']:.2f}, p = {result['p_value']:.3f} ({'significant' if result['significant'] else 'not significant'})"
    )


@click.group(name="alerts")
def alerts_group() -> None:
    """Alert rules and the alerts they produce."""


@alerts_group.command(name="add")
@click.option("--name", required=True, help="Name of the rule.")
@click.option("--parameter", help="Parameter (e.g. PM2.5) for a threshold rule.")
@click.option(
    "--above", "threshold", type=float, help="Threshold in the parameter's canonical unit."
)
@click.option(
    "--aqi-at-least", type=click.IntRange(0, 500), help="Or: hourly VN_AQI at or above this value."
)
@click.option(
    "--hours",
    "min_hours",
    type=click.IntRange(1, 720),
    default=1,
    show_default=True,
    help="For at least this many consecutive hours.",
)
@click.option("--station", help="Only this station (default: all).")
def alerts_add(name, parameter, threshold, aqi_at_least, min_hours, station) -> None:
    """Add a rule: --parameter P --above X, or --aqi-at-least N; for --hours H."""
    if (parameter is None) != (threshold is None) or (parameter is None) == (aqi_at_least is None):
        raise click.UsageError("give either --parameter and --above, or --aqi-at-least")
    with session(get_settings(), application_name="langnghe alerts") as conn:
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO alert_rules (name, parameter, threshold, aqi_at_least, min_hours, station_ref) "
                "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                (name, parameter, threshold, aqi_at_least, min_hours, station),
            )
            click.echo(f"rule {cur.fetchone()[0]} added")
        conn.commit()


@alerts_group.command(name="run")
def alerts_run() -> None:
    """Evaluate every active rule; store the new alerts."""
    from planning.pipeline import run_alerts

    settings = get_settings()
    with session(settings, application_name="langnghe alerts") as conn:
        click.echo(f"{run_alerts(conn, settings.sample_data / 'regulations')} new alerts")


@click.command(name="exposure")
@click.option("--date", "day", help="Zone date (YYYY-MM-DD; default: the latest).")
@click.option("--kind", type=click.Choice(["source_buffer", "surface_exceedance", "observed"]))
@click.option(
    "--facilities",
    type=click.Path(exists=True, dir_okay=False),
    help="OSM-style GeoPackage with pois/pois_a (schools, clinics).",
)
@click.option(
    "--version", default="2025-07", show_default=True, help="Boundary version of the units."
)
@click.option(
    "--level",
    type=click.Choice(["province", "district", "commune"]),
    default="commune",
    show_default=True,
)
@click.option("--top", type=int, default=15, show_default=True)
@click.option("--save", "save_as", help="Save as a scenario with this name.")
def exposure_cmd(day, kind, facilities, version, level, top, save_as) -> None:
    """Who is exposed: villages, schools, clinics and people inside the zones; units ranked."""
    from pathlib import Path

    from planning.pipeline import assess_exposure

    with session(get_settings(), application_name="langnghe exposure") as conn:
        r = assess_exposure(
            conn,
            get_settings(),
            day=dt.date.fromisoformat(day) if day else None,
            kind=kind,
            facilities=Path(facilities) if facilities else None,
            version=version,
            level=level,
            save_as=save_as,
        )
    click.echo(
        f"{r['zones']} zones on {r['date']}: {r['villages_inside']} villages, {r['schools_inside']} schools, "
        f"{r['clinics_inside']} clinics, about {r['population_inside']:,.0f} people inside"
    )
    for note in r["notes"]:
        click.echo(f"  note: {note}")
    click.echo(f"rank  {level:28s} indicator  percentile  population  score")
    for u in r["ranking"][:top]:
        pop = "?" if u["population"] is None else f"{u['population']:,}"
        score = "?" if u["score"] is None else f"{u['score']:,.0f}"
        click.echo(
            f"{u['rank']:4d}  {u['name'][:28]:28s} {u['indicator']:9.3f}  {u['percentile']:10.1f}  {pop:>10s}  {score:>6s}"
        )
    if save_as:
        click.echo(f"scenario {r['scenario_id']}")


@click.command(name="water")
@click.argument("station")
@click.option("--date", "day", help="Day (YYYY-MM-DD; default: the station's latest).")
@click.option(
    "--wastewater", is_flag=True, help="Also check the values as a discharge against QCVN 40."
)
@click.option("--column", type=click.Choice(["A", "B"]), default="B", show_default=True)
@click.option("--kq", type=float, default=1.0, show_default=True, help="Receiving-water factor Kq.")
@click.option("--kf", type=float, default=1.0, show_default=True, help="Discharge-flow factor Kf.")
def water_cmd(station, day, wastewater, column, kq, kf) -> None:
    """A water station's day against QCVN 08:2023 (river class, health limits) and QCVN 40."""
    from planning.pipeline import water_status

    settings = get_settings()
    with session(settings, application_name="langnghe water") as conn:
        r = water_status(
            conn,
            settings,
            station,
            day=dt.date.fromisoformat(day) if day else None,
            wastewater=wastewater,
            column=column,
            kq=kq,
            kf=kf,
        )
    river = r["river"]
    click.echo(
        f"{station} on {r['date']}: " + ", ".join(f"{k} {v:.2f}" for k, v in r["values"].items())
    )
    click.echo(
        f"class {river['class']} ({river['regulation']}{'' if river['verified'] else ', unverified'})"
        + (f", limited by {', '.join(river['limited_by'])}" if river["limited_by"] else "")
        + (f"; not measured: {', '.join(river['not_measured'])}" if river["not_measured"] else "")
    )
    for h in r["health"]:
        click.echo(
            f"health limit exceeded: {h['parameter']} {h['value']:.3f} > {h['limit']} ({h['regulation']})"
        )
    for w in r.get("wastewater", []):
        click.echo(
            f"{w['result']:7s} {w['parameter']:6s} {w['value']:.2f} limit {w['limit']} ({w['regulation']})"
            + (f" {w['why']}" if w["why"] else "")
        )
