"""Planning commands: ``langnghe siting``, ``langnghe allocate``, ``langnghe check-cluster``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from gis.db import session, transaction
from gis.errors import ValidationError
from gis.messages import msg
from gis.settings import get_settings
from webmap.cli.options import (
    cli_lang,
    mode_option,
    network_option,
    parse_bbox,
    parse_weights,
    progress_bar,
    read_yaml,
    say,
    text,
)
from webmap.messages import as_text
from webmap.rule_results import rendered, text_of

__all__ = ["allocate_cmd", "check_cluster_cmd", "siting_group"]


@click.group(name="siting")
def siting_group() -> None:
    """Suitability for a new industrial cluster: run, AHP weights."""


@siting_group.command(name="run")
@click.option("--bbox", required=True, help="Study area minlon,minlat,maxlon,maxlat.")
@click.option("--name", default="siting", show_default=True)
@click.option(
    "--cell",
    "cell_m",
    type=float,
    default=30.0,
    show_default=True,
    help="Cell size, metres (EPSG:32648).",
)
@click.option(
    "--kind", type=click.Choice(["general", "craft_village"]), default="general", show_default=True
)
@click.option(
    "--dem",
    type=click.Path(exists=True, dir_okay=False),
    help="Elevation GeoTIFF (any CRS; voids filled).",
)
@click.option(
    "--landuse",
    type=click.Path(exists=True, dir_okay=False),
    help="OSM-style GeoPackage (landuse_a, natural_a, pois).",
)
@click.option(
    "--roads",
    type=click.Path(exists=True, dir_okay=False),
    help="Extra road lines (the roads table is always used).",
)
@click.option("--criteria", help="Criteria to use, comma-separated (default: all in the model).")
@click.option("--weights", help="name=weight,... summing to 1.")
@click.option(
    "--ahp",
    "ahp_file",
    type=click.Path(exists=True, dir_okay=False),
    help="YAML pairwise matrix (list of rows, in the order of --criteria).",
)
@click.option(
    "--model",
    "model_file",
    type=click.Path(exists=True, dir_okay=False),
    help="YAML overriding parts of data/siting/defaults.yaml.",
)
@click.option("--threshold", type=float, help="Suitability a candidate cell needs (0-1).")
@click.option("--top", type=int, default=10, show_default=True, help="Candidates to print.")
@click.option(
    "--geojson",
    "geojson_path",
    type=click.Path(dir_okay=False),
    help="Also write the candidates as GeoJSON.",
)
def siting_run(
    bbox,
    name,
    cell_m,
    kind,
    dem,
    landuse,
    roads,
    criteria,
    weights,
    ahp_file,
    model_file,
    threshold,
    top,
    geojson_path,
) -> None:
    """Suitability raster (COG), candidates of legal size, sensitivity; saved as a scenario."""
    from planning.pipeline.siting import SitingRequest, run_siting

    settings = get_settings()
    request = SitingRequest(
        bbox=parse_bbox(bbox),
        name=name,
        cell_m=cell_m,
        kind=kind,
        dem=Path(dem) if dem else None,
        landuse=Path(landuse) if landuse else None,
        roads=Path(roads) if roads else None,
        weights=parse_weights(weights),
        ahp=read_yaml(ahp_file),
        criteria=[c.strip() for c in criteria.split(",")] if criteria else None,
        threshold=threshold,
        overrides=read_yaml(model_file) or {},
    )
    with (
        session(settings, application_name="langnghe siting") as conn,
        transaction(conn),
        progress_bar(text("cli.progress.siting")) as progress,
    ):
        result = run_siting(conn, settings, request, progress=progress)
    for note in result["notes"]:
        say("cli.note", text=as_text(note, cli_lang()))
    say(
        "cli.siting.summary",
        id=result["scenario_id"],
        count=result["candidates"],
        low=result["area_limits_ha"][0],
        high=result["area_limits_ha"][1],
        threshold=result["threshold"],
        file=Path(result["path"]).name,
    )
    gdf = result["candidates_gdf"]
    cols = ["rank", "area_ha", "mean_score"] + [
        c for c in gdf.columns if c.startswith("mean_") and "score" not in c
    ]
    if len(gdf):
        click.echo(gdf[cols].head(top).round(2).to_string(index=False))
        say("cli.siting.stable" if result["leader_stable"] else "cli.siting.unstable")
    if geojson_path:
        gdf.to_crs(4326).to_file(geojson_path, driver="GeoJSON")


@siting_group.command(name="ahp")
@click.argument("matrix_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--criteria", help="Names of the rows, comma-separated.")
def siting_ahp(matrix_file: str, criteria: str | None) -> None:
    """Weights and consistency ratio of a YAML pairwise matrix (refused above CR 0.1)."""
    from planning.siting import ahp_weights

    names = [c.strip() for c in criteria.split(",")] if criteria else None
    result = ahp_weights(read_yaml(matrix_file), names=names)
    names = names or [f"#{i + 1}" for i in range(len(result.weights))]
    for n, w in zip(names, result.weights, strict=True):
        click.echo(f"{n:28s} {w:.4f}")
    say(
        "cli.ahp.consistency",
        lambda_max=round(result.lambda_max, 4),
        ci=round(result.consistency_index, 4),
        cr=round(result.consistency_ratio, 4),
    )


@click.command(name="allocate")
@click.option(
    "--model",
    type=click.Choice(["p_median", "max_coverage"]),
    default="p_median",
    show_default=True,
)
@click.option(
    "-p",
    "--sites",
    "p",
    type=click.IntRange(1, 100),
    default=1,
    show_default=True,
    help="Sites to open.",
)
@click.option(
    "--from-scenario",
    "sites_from",
    type=int,
    help="Candidate sites of a siting scenario (default: stored clusters).",
)
@click.option("--clusters", help="Stored cluster refs to consider, comma-separated.")
@click.option(
    "--max-commute",
    "max_commute_min",
    type=float,
    help="Minutes: coverage radius (max_coverage) or limit.",
)
@click.option("--no-capacity", is_flag=True, help="Ignore site areas.")
@click.option(
    "--demand",
    type=click.Choice(["households", "workers"]),
    default="households",
    show_default=True,
)
@click.option(
    "--basis",
    type=click.Choice(["decree08", "class_weights"]),
    default="decree08",
    show_default=True,
    help="Which villages relocate: crafts listed in Decree 08/2022 Appendix II, or the "
    "team's pollution-class weights (an override, not law).",
)
@click.option("--bbox", help="Only villages inside minlon,minlat,maxlon,maxlat.")
@click.option(
    "--default-demand",
    type=click.FloatRange(0, 1e6, min_open=True, max_open=True),
    help="Households (or workers) assumed for a village without that count (default: such "
    "villages are skipped and listed).",
)
@network_option
@mode_option
@click.option("--name", default="allocation", show_default=True)
def allocate_cmd(
    model,
    p,
    sites_from,
    clusters,
    max_commute_min,
    no_capacity,
    demand,
    basis,
    bbox,
    default_demand,
    network,
    mode,
    name,
) -> None:
    """Relocate polluting craft-village workshops to sites (p-median or maximal coverage)."""
    from planning.pipeline.allocation import AllocationRequest, run_allocation

    settings = get_settings()
    request = AllocationRequest(
        name=name,
        model=model,
        p=p,
        sites_from=sites_from,
        site_refs=tuple(c.strip() for c in clusters.split(",")) if clusters else (),
        max_commute_min=max_commute_min,
        capacity=not no_capacity,
        demand=demand,
        basis=basis,
        bbox=parse_bbox(bbox) if bbox else None,
        network=network,
        mode=mode,
        default_demand=default_demand,
    )
    with (
        session(settings, application_name="langnghe allocate") as conn,
        transaction(conn),
        progress_bar(text("cli.progress.allocate")) as progress,
    ):
        result = run_allocation(conn, settings, request, progress=progress)
    cost = result["cost"]
    if cost["method"] == "network":
        how = text("cli.allocate.by_network", network=cost["network"])
    else:
        how = text(
            "cli.allocate.by_line",
            factor=cost["detour_factor"],
            speed=cost["speed_kmh"],
            reason=as_text(cost["reason"], cli_lang()),
        )
    say("cli.allocate.cost", id=result["scenario_id"], how=how)
    lang = cli_lang()
    names = [text_of(result["site_names"][ref], lang) for ref in result["sites_chosen"]]
    say(
        "cli.allocate.summary",
        sites="; ".join(names),
        covered=result["demand_covered_pct"],
        served=result["villages_served"],
        villages=result["villages"],
        mean=result["mean_commute_min"],
        max=result["max_commute_min"],
    )
    column = msg(f"allocation.count.{request.demand}")
    if result["skipped_villages"]:
        say(
            "cli.allocate.skipped",
            count=len(result["skipped_villages"]),
            column=column,
            villages=[v["name"] for v in result["skipped_villages"]],
        )
    if result["defaulted_villages"]:
        say(
            "cli.allocate.defaulted",
            count=len(result["defaulted_villages"]),
            column=column,
            value=default_demand,
            villages=[v["name"] for v in result["defaulted_villages"]],
        )
    table = result["assignment_gdf"][["village", "site_ref", "commute_min", "need_ha"]].copy()
    table["site_ref"] = [text_of(result["site_names"].get(r, r), lang) for r in table["site_ref"]]
    click.echo(table.to_string(index=False))


@click.command(name="check-cluster")
@click.option("--ref", help="A stored cluster.")
@click.option(
    "--geojson",
    "geojson_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Or a drawn polygon (GeoJSON, WGS 84).",
)
@click.option("--kind", type=click.Choice(["general", "craft_village"]))
@click.option("--mountainous/--lowland", default=None)
@click.option("--expansion-of", help="Ref of the cluster this polygon expands.")
@click.option("--craft-share", type=float, help="Craft-village land share, %.")
@click.option("--service-share", type=float, help="Service land share, %.")
@click.option(
    "--green-strip",
    "green_strip_m",
    type=click.FloatRange(0, 1000),
    help="Width of the green isolation strip, m (default: the stored cluster's; else unknown).",
)
@click.option("--infrastructure-done/--infrastructure-unfinished", default=None)
@click.option(
    "--landuse",
    type=click.Path(exists=True, dir_okay=False),
    help="Land-use GeoPackage for residents and distances.",
)
@click.option("--save", "save_as", help="Save the result as a scenario with this name.")
@click.option("--json", "as_json", is_flag=True)
def check_cluster_cmd(
    ref,
    geojson_path,
    kind,
    mountainous,
    expansion_of,
    craft_share,
    service_share,
    green_strip_m,
    infrastructure_done,
    landuse,
    save_as,
    as_json,
) -> None:
    """Decree 32/2024 compliance of a stored or drawn cluster: pass / fail / unknown per rule."""
    import shapely

    from planning.pipeline.compliance import check_cluster_site

    geometry = None
    if geojson_path:
        data = json.loads(Path(geojson_path).read_text(encoding="utf-8"))
        features = (
            data.get("features", [data]) if data.get("type") == "FeatureCollection" else [data]
        )
        geoms = [shapely.geometry.shape(f.get("geometry", f)) for f in features]
        if len(geoms) != 1:
            raise ValidationError(
                msg("cli.check.one_polygon", file=Path(geojson_path).name, count=len(geoms))
            )
        geometry = geoms[0]
    settings = get_settings()
    with session(settings, application_name="langnghe check-cluster") as conn, transaction(conn):
        result = check_cluster_site(
            conn,
            settings,
            geometry=geometry,
            ref=ref,
            kind=kind,
            mountainous=mountainous,
            expansion_of=expansion_of,
            craft_land_share_pct=craft_share,
            service_land_share_pct=service_share,
            green_strip_m=green_strip_m,
            infrastructure_done=infrastructure_done,
            landuse=Path(landuse) if landuse else None,
            save_as=save_as,
        )
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, default=str))
        return
    facts = result["facts"]
    say(
        "cli.check.summary",
        verdict=text(f"status.{result['verdict']}").upper(),
        area=round(float(facts["area_ha"]), 2),
        unit=facts["unit"] or text("word.unknown"),
        level=text(f"cli.level.{facts['unit_level']}") if facts["unit_level"] else "",
        version=facts["unit_version"],
    )
    for r in rendered(result["results"], cli_lang()):
        click.echo(f"  {r['status_text']:10s} {r['rule']:24s} {r['text']} ({r['source_text']})")
        for caveat in r["caveats_text"]:
            click.echo(f"  {'':10s} {'':24s} {caveat}")
