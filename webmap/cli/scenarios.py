"""``langnghe scenarios``: saved analysis runs (list, show, compare, export, delete)."""

from __future__ import annotations

import json

import click

from gis.db import session, transaction
from gis.errors import ValidationError
from gis.messages import msg
from gis.settings import get_settings
from webmap.cli.options import say, text

__all__ = ["scenarios_group"]


@click.group(name="scenarios")
def scenarios_group() -> None:
    """Saved analysis runs: list, show, compare, export, delete."""


@scenarios_group.command(name="list")
@click.option("--kind")
def scenarios_list(kind: str | None) -> None:
    """Saved scenarios, newest first."""
    from layers.scenarios import list_scenarios

    with session(get_settings()) as conn:
        for s in list_scenarios(conn, kind):
            features = text("cli.scenarios.features", count=s["features"])
            created = s["created_at"][:16]
            click.echo(f"{s['id']:5d}  {s['kind']:11s} {created}  {features:>14s}  {s['name']}")


@scenarios_group.command(name="show")
@click.argument("scenario_id", type=int)
def scenarios_show(scenario_id: int) -> None:
    """One scenario's parameters, input versions and results (JSON)."""
    from layers.scenarios import get_scenario

    with session(get_settings()) as conn:
        click.echo(
            json.dumps(get_scenario(conn, scenario_id), ensure_ascii=False, indent=1, default=str)
        )


@scenarios_group.command(name="compare")
@click.argument("scenario_ids", type=int, nargs=-1, required=True)
def scenarios_compare(scenario_ids: tuple[int, ...]) -> None:
    """Headline figures of scenarios of one kind, side by side."""
    import pandas as pd

    from planning.pipeline.scenarios import compare_scenarios

    with session(get_settings()) as conn:
        rows = compare_scenarios(conn, list(scenario_ids))
    frame = pd.DataFrame(rows).set_index("id").T
    click.echo(frame.to_string())


@scenarios_group.command(name="export")
@click.argument("scenario_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--role", help="Only features of this role (candidate, site, assignment).")
def scenarios_export(scenario_id: int, path: str, role: str | None) -> None:
    """Write a scenario's features to PATH (.geojson or .gpkg)."""
    from layers.scenarios import scenario_features, write_features

    if not path.endswith((".geojson", ".gpkg")):
        raise ValidationError(msg("cli.scenarios.export_suffix", path=path))
    with session(get_settings()) as conn:
        gdf = scenario_features(conn, scenario_id, role)
    write_features(gdf, path)
    say("cli.scenarios.exported", count=len(gdf), path=path)


@scenarios_group.command(name="delete")
@click.argument("scenario_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask.")
def scenarios_delete(scenario_id: int, yes: bool) -> None:
    """Delete a scenario, its features and its raster files."""
    from layers.scenarios import delete_scenario, remove_files

    if not yes:
        click.confirm(text("cli.scenarios.confirm_delete", id=scenario_id), abort=True)
    with session(get_settings()) as conn, transaction(conn):
        paths = delete_scenario(conn, scenario_id)
    removed = remove_files(paths)  # once the rows are gone for good
    say("cli.scenarios.deleted", id=scenario_id, files=len(removed))
