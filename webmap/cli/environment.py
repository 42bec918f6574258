"""Environment commands: VN_AQI, exceedances, surfaces, zones, trends, alerts, exposure, water."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from gis.db import session, transaction
from gis.errors import ValidationError
from gis.messages import msg
from gis.settings import get_settings
from webmap.cli.options import LocalDate, LocalDateTime, cli_lang, say, text, today
from webmap.messages import as_text, format_number

__all__ = [
    "alerts_group",
    "aqi_cmd",
    "exceedances_cmd",
    "exposure_cmd",
    "surface_cmd",
    "trends_cmd",
    "water_cmd",
    "zones_group",
]

#: ``--since`` / ``--until``: days (or instants) in the configured time zone.
_SINCE = click.option(
    "--since", type=LocalDateTime(), help="First day (YYYY-MM-DD, local time: LANGNGHE_TIMEZONE)."
)
_UNTIL = click.option("--until", type=LocalDateTime(), help="Day after the last (YYYY-MM-DD).")


@click.command(name="aqi")
@click.argument("station")
@click.option("--daily", is_flag=True, help="Daily index instead of hourly (NowCast).")
@_SINCE
@_UNTIL
def aqi_cmd(
    station: str, daily: bool, since: dt.datetime | None, until: dt.datetime | None
) -> None:
    """VN_AQI of a station (Decision 1459/QĐ-TCMT), hourly or daily (times in local time)."""
    from planning.pipeline.air import station_aqi
    from webmap.messages import render

    settings = get_settings()
    with session(settings, application_name="langnghe aqi") as conn:
        result = station_aqi(
            conn,
            settings.sample_data / "regulations",
            station,
            daily=daily,
            start=since,
            end=until,
        )
    notes = result.pop("note") if "note" in result else None
    if not daily:
        result.index = result.index.tz_convert(settings.timezone)
    click.echo(result.dropna().to_csv(), nl=False)
    for note in [] if notes is None else notes.dropna():
        click.echo(f"# {render(note, cli_lang())}", err=True)


@click.command(name="exceedances")
@click.option("--station", "stations", multiple=True, help="Station ref (repeatable; default all).")
@_SINCE
@_UNTIL
def exceedances_cmd(
    stations: tuple[str, ...], since: dt.datetime | None, until: dt.datetime | None
) -> None:
    """Values above the QCVN 05 limit in force on their local date (times in local time).

    Each row has the averaging period, document, article, effective dates and verified flag.
    """
    from planning.pipeline.air import find_exceedances
    from webmap.messages import render

    settings = get_settings()
    with session(settings, application_name="langnghe exceedances") as conn:
        found = find_exceedances(
            conn,
            settings.sample_data / "regulations",
            stations=list(stations) or None,
            start=since,
            end=until,
            with_counts=True,
        )
    found, counts = found
    found = found.drop(columns=["message"]).assign(
        start=[t.isoformat() for t in found["start"]],
        source=[render(m, cli_lang()) for m in found["source"]],
    )
    click.echo(found.to_csv(index=False), nl=False)
    click.echo("# " + text("cli.exceedances.count", count=len(found)), err=True)
    for message in counts["message"]:
        click.echo(f"# {render(message, cli_lang())}", err=True)


@click.command(name="surface")
@click.argument("parameter")
@_SINCE
@_UNTIL
@click.option(
    "--cell",
    "cell_m",
    type=click.FloatRange(10, 10_000),
    default=500,
    show_default=True,
    help="Cell size, metres.",
)
def surface_cmd(
    parameter: str, since: dt.datetime | None, until: dt.datetime | None, cell_m: float
) -> None:
    """Interpolate a parameter's period mean (IDW, kriging) to a COG; leave-one-out errors."""
    from planning.pipeline.surfaces import build_surface
    from webmap.messages import as_text

    settings = get_settings()
    with session(settings, application_name="langnghe surface") as conn, transaction(conn):
        result = build_surface(conn, settings, parameter, start=since, end=until, cell_m=cell_m)
    say(
        "cli.surface.saved",
        file=Path(result["path"]).name,
        id=result["scenario_id"],
        bands=", ".join(result["bands"]),
    )
    for method, rmse in result["loo_rmse"].items():
        say("cli.surface.loo", method=method, rmse=round(float(rmse), 3))
    for note in result["notes"]:
        say("cli.note", text=as_text(note, cli_lang()))


@click.group(name="zones")
def zones_group() -> None:
    """Pollution zones: source buffers by craft, and changes between dates."""


@zones_group.command(name="sources")
@click.option(
    "--date", "day", type=LocalDate(), default=None, help="Date of the zones (default today)."
)
def zones_sources(day: dt.date | None) -> None:
    """Buffer every polluting village by its craft's distance (data/zones/source_buffers.yaml)."""
    from planning.pipeline.zones import make_source_zones

    settings = get_settings()
    with session(settings, application_name="langnghe zones") as conn, transaction(conn):
        count = make_source_zones(conn, settings, day or today())
    say("cli.zones.sources_stored", count=count)


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
    from planning.pipeline.zones import make_surface_zones

    settings = get_settings()
    with session(settings, application_name="langnghe zones") as conn, transaction(conn):
        r = make_surface_zones(conn, settings, scenario_id, limit=limit, band=band)
    say(
        "cli.zones.surface_stored",
        count=r["zones"],
        parameter=r["parameter"],
        limit=r["limit"],
        document=r["document"],
        band=r["band"],
        date=r["date"],
    )


@zones_group.command(name="diff")
@click.argument("before", type=LocalDate())
@click.argument("after", type=LocalDate())
def zones_diff(before: dt.date, after: dt.date) -> None:
    """Which zones are new, gone, grew or shrank between two dates."""
    from planning.pipeline.zones import zone_changes

    with session(get_settings(), application_name="langnghe zones") as conn:
        changes = zone_changes(conn, before, after)
    click.echo(changes.to_csv(index=False), nl=False)


@click.command(name="trends")
@click.argument("station")
@click.argument("parameter")
def trends_cmd(station: str, parameter: str) -> None:
    """Monthly means of a station's parameter and their Theil-Sen / Mann-Kendall trend."""
    from layers.measurements import measurements_frame
    from planning.trends import incomplete_months, month_completeness, trend

    with session(get_settings(), application_name="langnghe trends") as conn:
        frame = measurements_frame(conn, stations=[station])
    values = frame[frame["parameter"] == parameter].set_index("observed_at")["value"]
    if values.empty:
        raise ValidationError(msg("cli.trends.no_values", parameter=parameter, station=station))
    table = month_completeness(values, tz=get_settings().timezone)
    monthly = table["mean"].rename("monthly_mean")
    click.echo(monthly.to_csv(), nl=False)
    for note in incomplete_months(table):
        say("cli.note", text=as_text(note, cli_lang()))
    try:
        result = trend(monthly)
    except ValidationError as exc:
        click.echo(
            "# " + text("cli.trends.none", reason=as_text(exc.message or str(exc), cli_lang()))
        )
        return
    click.echo(
        "# "
        + text(
            "cli.trends.result",
            slope=round(result["slope_per_year"], 2),
            low=round(result["slope_low_per_year"], 2),
            high=round(result["slope_high_per_year"], 2),
            tau=round(result["tau"], 2),
            p=round(result["p_value"], 3),
            verdict=text(
                "cli.trends.significant" if result["significant"] else "cli.trends.not_significant"
            ),
        )
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
        raise click.UsageError(text("cli.alerts.rule_kind"))
    from layers.alerts import add_rule

    with session(get_settings(), application_name="langnghe alerts") as conn, transaction(conn):
        rule_id = add_rule(
            conn,
            name,
            parameter=parameter,
            threshold=threshold,
            aqi_at_least=aqi_at_least,
            min_hours=min_hours,
            station_ref=station,
        )
    say("cli.alerts.rule_added", id=rule_id)


@alerts_group.command(name="run")
def alerts_run() -> None:
    """Evaluate every active rule; store the new alerts."""
    from planning.pipeline.alerts import run_alerts

    settings = get_settings()
    with session(settings, application_name="langnghe alerts") as conn, transaction(conn):
        created = run_alerts(conn, settings.sample_data / "regulations")
    say("cli.alerts.created", count=created)


def _count_or_not_loaded(value: int | None) -> int | str:
    return text("exposure.not_loaded") if value is None else value


@click.command(name="exposure")
@click.option("--date", "day", type=LocalDate(), help="Zone date (default: the latest).")
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
    from planning.pipeline.exposure import assess_exposure
    from webmap.messages import as_text

    with session(get_settings(), application_name="langnghe exposure") as conn, transaction(conn):
        r = assess_exposure(
            conn,
            get_settings(),
            day=day,
            kind=kind,
            facilities=Path(facilities) if facilities else None,
            version=version,
            level=level,
            save_as=save_as,
        )
    say(
        "cli.exposure.summary",
        zones=r["zones"],
        date=r["date"],
        villages=r["villages_inside"],
        schools=_count_or_not_loaded(r["schools_inside"]),
        clinics=_count_or_not_loaded(r["clinics_inside"]),
        people=round(float(r["population_inside"])),
    )
    for line in r["explanation"]:  # what the indicator, percentile and headline count are
        click.echo("  " + as_text(line, cli_lang()))
    for note in r["notes"]:
        say("cli.note", text=as_text(note, cli_lang()))
    click.echo(
        f"{text('cli.exposure.rank'):5s} {text(f'cli.level.{level}'):28s} "
        f"{text('cli.exposure.indicator'):>9s}  {text('cli.exposure.percentile'):>10s}  "
        f"{text('cli.exposure.population'):>10s}  {text('cli.exposure.inside'):>10s}  "
        f"{text('cli.exposure.score'):>6s}"
    )
    for u in r["ranking"][:top]:
        pop = "?" if u["population"] is None else f"{u['population']:,}"
        inside = "?" if u["people_inside"] is None else f"{u['people_inside']:,.0f}"
        score = "?" if u["score"] is None else f"{u['score']:,.0f}"
        click.echo(
            f"{u['rank']:4d}  {u['name'][:28]:28s} {u['indicator']:9.3f}  "
            f"{u['percentile']:10.1f}  {pop:>10s}  {inside:>10s}  {score:>6s}"
        )
    if save_as:
        say("cli.scenario_saved", id=r["scenario_id"])


@click.command(name="water")
@click.argument("station")
@click.option("--date", "day", type=LocalDate(), help="Day (default: the station's latest).")
@click.option(
    "--wastewater", is_flag=True, help="Also check the values as a discharge against QCVN 40."
)
@click.option("--column", type=click.Choice(["A", "B"]), default="B", show_default=True)
@click.option(
    "--kq",
    type=float,
    default=None,
    help="Receiving-water factor Kq from flow data (default: from the station's water body).",
)
@click.option(
    "--kf",
    type=float,
    default=None,
    help="Discharge-flow factor Kf from flow data (default: unknown, so limits are unknown).",
)
@click.option(
    "--assume-kf",
    is_flag=True,
    help="Without --kf, assume Kf 1.0: this project's labelled option, not the regulation's.",
)
def water_cmd(station, day, wastewater, column, kq, kf, assume_kf) -> None:
    """A water station's day against QCVN 08 (river class, health limits) and QCVN 40.

    The regulations are those in force on the day; QCVN 40 is the one for the facility.
    """
    from planning.pipeline.water import water_status

    settings = get_settings()
    with session(settings, application_name="langnghe water") as conn:
        r = water_status(
            conn,
            settings,
            station,
            day=day,
            wastewater=wastewater,
            column=column,
            kq=kq,
            kf=kf,
            assume_kf=assume_kf,
        )
    lang = cli_lang()
    say(
        "cli.water.values",
        station=station,
        date=dt.date.fromisoformat(str(r["date"])),
        values=", ".join(f"{k} {format_number(round(v, 2), lang)}" for k, v in r["values"].items()),
    )
    click.echo(as_text(r["river"]["message"], lang))
    for h in r["health"]:
        click.echo(as_text(h["message"], lang))
    for w in r.get("wastewater", []):
        click.echo(f"{text('status.' + w['result']):10s} " + as_text(w["message"], lang))
