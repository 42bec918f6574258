"""``langnghe import``: layers, measurements, routes and road networks from files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from gis.db import session, transaction
from gis.settings import Settings, get_settings
from layers.duplicates import ON_DUPLICATE
from layers.import_files import run_import_files
from layers.importer import ImportOptions, ImportReport
from layers.registry import IMPORTABLE, get_spec
from webmap.cli.options import (
    FILE,
    cli_lang,
    echo_lines,
    encoding_option,
    field_option,
    network_option,
    parse_units,
    progress_bar,
    text,
)

__all__ = ["import_", "import_settings", "measurements_group"]


def import_settings() -> Settings:
    """The settings of an import command: the longer ``import_statement_timeout_ms``."""
    settings = get_settings()
    return settings.model_copy(
        update={"statement_timeout_ms": settings.import_statement_timeout_ms}
    )


def _finish(report: ImportReport, report_file: Path | None) -> None:
    from webmap.import_report import report_lines
    from webmap.messages import localize

    for line in report_lines(report, cli_lang()):
        click.echo(line)
    if report_file is not None:
        data = localize(report.to_dict(), cli_lang())
        report_file.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


@click.group(name="import")
def import_() -> None:
    """Import a layer from a file: validated first, one transaction, upsert by natural key."""


def _layer_command(layer: str) -> click.Command:
    @click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
    @click.option(
        "--dry-run", is_flag=True, help="Validate and count, then roll back: nothing is written."
    )
    @click.option(
        "--crs",
        help="CRS of the coordinates when the file does not say (default EPSG:4326 for CSV).",
    )
    @click.option("--gpkg-layer", "gpkg_layer", help="Layer name inside a GeoPackage.")
    @click.option(
        "--fix-swapped",
        is_flag=True,
        help="Swap latitude/longitude where they are detected as swapped.",
    )
    @click.option(
        "--no-repair", is_flag=True, help="Reject invalid polygons instead of repairing them."
    )
    @click.option(
        "--admin-version",
        default="pre-2025",
        show_default=True,
        help="Administrative boundaries version that province checks use.",
    )
    @click.option(
        "--report",
        "report_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write the full report as JSON.",
    )
    @click.option(
        "--on-duplicate",
        type=click.Choice(ON_DUPLICATE),
        default=ON_DUPLICATE[0],
        show_default=True,
        help="A row that likely repeats a stored feature (similar name, same province, "
        "near): merge it into the stored one, skip it, or keep both. A row of a stored key "
        "updates it (merge, keep) or is left out (skip).",
    )
    @field_option
    @encoding_option
    def command(
        files: tuple[Path, ...],
        dry_run: bool,
        crs: str | None,
        gpkg_layer: str | None,
        fix_swapped: bool,
        no_repair: bool,
        admin_version: str,
        report_file: Path | None,
        fields: dict[str, str],
        on_duplicate: str,
        encoding: str | None,
        **extra: Any,
    ) -> None:
        settings = import_settings()
        options = ImportOptions(
            fields=fields,
            on_duplicate=on_duplicate,
            encoding=encoding,
            duplicate_distance_m=settings.duplicate_distance_m,
            dry_run=dry_run,
            crs=crs,
            layer=gpkg_layer,
            fix_swapped=fix_swapped,
            repair=not no_repair,
            admin_version=admin_version,
            extra={k: v for k, v in extra.items() if v},
            max_vertices=settings.layer_max_vertices.get(layer),  # None: the declaration's
        )
        with (
            session(settings, application_name=f"langnghe import {layer}") as conn,
            transaction(conn),
            progress_bar(text("cli.progress.import", layer=layer)) as progress,
        ):
            report = run_import_files(
                conn, get_spec(layer), files, replace(options, progress=progress)
            )
        _finish(report, report_file)

    command.__doc__ = (
        f"Import {layer} from FILES (CSV with lon/lat or WKT, GeoJSON, GeoPackage, Shapefile; "
        "a folder stands for its files): several files are one import, in one transaction."
    )
    if layer == "admin":
        command = click.option(
            "--level", required=True, type=click.Choice(["province", "district", "commune"])
        )(command)
        command = click.option(
            "--version",
            "version",
            required=True,
            type=click.Choice(["pre-2025", "2025-07"]),
            help="Dated boundary version.",
        )(command)
        command = click.option("--code-field", help="Column holding the unit code.")(command)
        command = click.option("--parent-field", help="Column holding the parent unit code.")(
            command
        )
        command = click.option("--source", help="Where the boundaries come from.")(command)
    return import_.command(name=layer)(command)


for _name in IMPORTABLE:
    _layer_command(_name)


@import_.command(name="measurements")
@click.argument("file", type=FILE)
@click.option("--dry-run", is_flag=True, help="Validate and count, then roll back.")
@click.option(
    "--replace",
    is_flag=True,
    help="Replace values already stored for the same station, parameter, time.",
)
@click.option(
    "--unit",
    "unit_args",
    multiple=True,
    metavar="[COLUMN=]UNIT",
    help="Unit of the values: COLUMN=UNIT for one value column (repeatable: --unit PM2.5=µg/m3 "
    "--unit CO=mg/m3), or UNIT alone for every column the file gives no unit (no unit column, "
    "no units row).",
)
@click.option(
    "--tz", default="Asia/Ho_Chi_Minh", show_default=True, help="Time zone of times without one."
)
@click.option(
    "--station-col", help="Station column name (default: station_ref/station/station_id)."
)
@click.option("--time-col", help="Time column name (default: observed_at/time/datetime).")
@click.option("--source", help="Source label stored with each value (default: the file name).")
@click.option(
    "--partial",
    is_flag=True,
    help="Import the good rows even when some cannot be read (default: reject the file).",
)
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path))
@field_option
@encoding_option
def measurements(
    file: Path,
    dry_run: bool,
    replace: bool,
    unit_args: tuple[str, ...],
    tz: str,
    station_col: str | None,
    time_col: str | None,
    source: str | None,
    partial: bool,
    report_file: Path | None,
    fields: dict[str, str],
    encoding: str | None,
) -> None:
    """Import measurements from a long or wide CSV (values kept, flagged, never dropped)."""
    from layers.stations import import_measurements

    unit, units = parse_units(unit_args)

    with (
        session(import_settings(), application_name="langnghe import measurements") as conn,
        transaction(conn),
        progress_bar(text("cli.progress.import", layer="measurements")) as bar,
    ):
        report = import_measurements(
            conn,
            file,
            station_col=station_col,
            time_col=time_col,
            unit=unit,
            units=units,
            tz=tz,
            replace=replace,
            source=source,
            dry_run=dry_run,
            partial=partial,
            progress=bar,
            fields=fields,
            encoding=encoding,
        )
    _finish(report, report_file)


@click.group(name="measurements")
def measurements_group() -> None:
    """Monitoring measurements (same as ``langnghe import measurements``)."""


measurements_group.add_command(measurements, name="import")


@import_.command(name="routes")
@click.argument("file", type=FILE)
@click.option("--dry-run", is_flag=True, help="Validate and count, then roll back.")
def routes(file: Path, dry_run: bool) -> None:
    """Import curated tourism routes from a YAML file."""
    from layers.routes import import_routes

    with session(import_settings(), application_name="langnghe import routes") as conn:
        with transaction(conn):
            report = import_routes(conn, file, dry_run=dry_run)
        _finish(report, None)


@import_.command(name="roads")
@click.argument("file", type=FILE)
@network_option
@click.option("--crs", help="CRS of a lines file that does not state one.")
@click.option("--dry-run", is_flag=True, help="Read, node and check, then roll back.")
@click.option(
    "--snap-m",
    type=click.FloatRange(0, 5000),
    default=None,
    help="Snap dangling line ends within this many metres (default: 3 m for unnoded lines; "
    "lines that share vertices are not snapped unless this is given).",
)
def roads(file: Path, network: str, crs: str | None, dry_run: bool, snap_m: float | None) -> None:
    """Import a road network (.osm.pbf, .osm, OSMnx .graphml/.gpkg, GeoJSON/GeoPackage lines)."""
    from layers.roads import import_roads

    with (
        session(import_settings(), application_name="langnghe import roads") as conn,
        transaction(conn),
        progress_bar(text("cli.progress.roads", network=network)) as progress,
    ):
        report = import_roads(
            conn,
            file,
            network=network,
            crs=crs,
            dry_run=dry_run,
            snap_m=snap_m,
            max_snap_m=get_settings().snap_max_m,
            progress=progress,
        )
    echo_lines(report.messages())
    if not dry_run:
        prepare_routing(network, report.nodes)


def prepare_routing(network: str, nodes: int) -> str | None:
    """Build and save the contraction-hierarchy topology of a network just imported.

    With a bar, so that the network's first route does not pay for it; only from
    ``ch_min_nodes`` nodes on (``LANGNGHE_CH_MIN_NODES``).

    Returns how the topology was had (``"built"``, ``"loaded"``), None below the size.
    """
    from gis.ch import topology
    from layers.roads import read_graph

    settings = get_settings()
    if nodes < settings.ch_min_nodes:
        return None
    with session(settings, application_name="langnghe import roads") as conn:
        graph = read_graph(conn, network)
    with progress_bar(text("cli.progress.routing", network=network)) as bar:
        _topology, origin = topology(graph, store=settings.ch_store, name=network, progress=bar)
    return origin
