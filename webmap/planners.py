"""Planner endpoints: siting and relocation jobs, the Decree 32 checker, scenarios, report."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _

from gis.db import transaction
from gis.errors import NotFoundError, ValidationError
from gis.messages import Message, msg
from layers.admin import units_in_bbox
from layers.scenarios import (
    delete_scenario,
    get_scenario,
    list_scenarios,
    remove_files,
    scenario_features,
    update_scenario,
    write_features,
)
from planning import siting as siting_model
from planning.pipeline.allocation import AllocationRequest, run_allocation
from planning.pipeline.compliance import check_cluster_site
from planning.pipeline.scenarios import compare_scenarios
from planning.pipeline.siting import (
    SitingRequest,
    check_coverage,
    criteria_for,
    criterion_label,
    input_coverage,
    load_model,
    run_siting,
)
from webmap.auth import actor, current, require
from webmap.bodies import (
    AhpBody,
    AllocationBody,
    CheckClusterBody,
    ScenarioChangeBody,
    SitingBody,
    parse_body,
)
from webmap.db import get_conn
from webmap.errors import BadParameter, Forbidden
from webmap.formats import scenario_svg
from webmap.i18n import current_lang
from webmap.jobs import JobWork, runner
from webmap.limits import query_limits
from webmap.messages import render
from webmap.pages import render_page
from webmap.rasters import RAMP, raster_frame, raster_png
from webmap.report import report_pdf, report_sections
from webmap.rule_results import rendered, text_of
from webmap.security import content_disposition, hide_paths

__all__ = ["bp"]

bp = Blueprint("planners", __name__)


def _siting_request(body: SitingBody) -> SitingRequest:
    settings = current_app.config["LANGNGHE"]
    return SitingRequest(
        bbox=body.bbox,
        name=body.name,
        cell_m=body.cell_m,
        kind=body.kind,
        dem=settings.siting_dem,
        landuse=settings.siting_landuse,
        roads=settings.siting_roads,
        criteria=body.criteria,
        weights=body.weights,
        ahp=body.ahp,
        threshold=body.threshold,
        normalise=body.normalise,
    )


def _start_job(kind: str, summary: dict[str, Any], run, analysis_request):
    """Queue ``run(conn, settings, request, progress=, actor=)`` as a job; 202 with its URL.

    ``run`` and the request's class must be of :mod:`planning.pipeline` (a worker imports them
    by name); a request with a ``memory_mb()`` method declares its memory estimate.
    """
    work = JobWork(run, analysis_request)  # stored by name: any worker can run it again
    job_id = runner().submit(kind, summary, work, created_by=actor())
    return jsonify(job_id=job_id, job_url=url_for("jobs.job_status", job_id=job_id)), 202


@bp.get("/api/siting/inputs")
@require("planner")
def siting_inputs():
    """Which siting inputs this server has, the model's criteria and their default weights."""
    settings = current_app.config["LANGNGHE"]
    model = load_model(settings.sample_data)
    files = {
        "dem": settings.siting_dem,
        "landuse": settings.siting_landuse,
        "roads": settings.siting_roads,
    }
    needs = {
        "slope_deg": "dem",
        "elevation_m": "dem",
        "landuse": "landuse",
        "residential_distance_m": "landuse",
        "facility_distance_m": "landuse",
    }
    criteria = [
        {
            "name": n,
            "weight": spec["weight"],
            "transform": {k: v for k, v in spec.items() if k != "weight"},
            "available": needs.get(n) is None or files[needs[n]] is not None,
        }
        for n, spec in model["criteria"].items()
    ]
    return jsonify(
        inputs={k: (Path(v).name if v else None) for k, v in files.items()},
        coverage=_coverage_texts(input_coverage(files)),
        criteria=criteria,
        threshold=model["candidates"]["threshold"],
    )


def _coverage_texts(coverage: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each input's box with its name and extent in words, in the request's language."""
    lang = current_lang()
    return {
        name: {
            **entry,
            "title": render(msg(f"input.{name}"), lang),
            "extent": render(
                msg("coverage.extent", **dict(zip(_SIDES, entry["bounds"], strict=True))), lang
            ),
        }
        for name, entry in coverage.items()
    }


_SIDES = ("west", "south", "east", "north")


@bp.post("/api/siting/ahp")
@require("planner")
def ahp():
    """AHP weights of a pairwise matrix and its consistency ratio (refused above 0.1)."""
    body = parse_body(AhpBody)
    unknown = [n for n in body.criteria if n not in siting_model.CRITERIA]
    if unknown:
        raise BadParameter(
            msg("siting.criteria_unknown", names=unknown, known=list(siting_model.CRITERIA))
        )
    if len(body.ahp) != len(body.criteria):
        raise BadParameter(
            msg("siting.ahp_size", rows=len(body.ahp), criteria=len(body.criteria), names="")
        )
    labels = [criterion_label(n) for n in body.criteria]
    try:
        result = siting_model.ahp_weights(body.ahp, names=labels)
    except ValidationError as exc:  # an inconsistent matrix is this check's answer, not an error
        if exc.message is None or exc.message.code != "siting.ahp_inconsistent":
            raise
        return jsonify(refused=render(exc.message, current_lang()), max_cr=siting_model.MAX_CR)
    return jsonify(
        weights=dict(zip(body.criteria, result.weights, strict=True)),
        cr=result.consistency_ratio,
        max_cr=siting_model.MAX_CR,
    )


@bp.post("/api/siting")
@require("planner")
def start_siting():
    """Start a siting run (JSON body): 202 with the job to poll; bad input is refused at once."""
    settings = current_app.config["LANGNGHE"]
    siting = _siting_request(parse_body(SitingBody))
    # weights, AHP and coverage errors now, not in the job
    criteria, _info = criteria_for(siting, load_model(settings.sample_data, siting.overrides))
    check_coverage(siting, [c.name for c in criteria])

    return _start_job("siting", {"bbox": siting.bbox, "name": siting.name}, run_siting, siting)


@bp.post("/api/allocate")
@require("planner")
def start_allocation():
    """Start a relocation run (p-median or maximal coverage) as a job."""
    allocation = AllocationRequest(**parse_body(AllocationBody).model_dump())

    return _start_job(
        "allocation", {"model": allocation.model, "p": allocation.p}, run_allocation, allocation
    )


@bp.post("/api/check-cluster")
@require("planner")
def check_cluster():
    """Decree 32/2024 results for a drawn polygon (``geometry``) or a stored cluster (``ref``)."""
    body = parse_body(CheckClusterBody, limits=query_limits())
    settings = current_app.config["LANGNGHE"]
    with transaction(get_conn()) as conn:
        result = check_cluster_site(
            conn,
            settings,
            **body.model_dump(),
            landuse=settings.siting_landuse,
            actor=actor(),
        )
    return jsonify({**result, "results": rendered(result["results"], current_lang())})


def _relocation_texts(results: dict[str, Any], basis: dict[str, Any], lang: str) -> dict[str, Any]:
    """A relocation's basis, left-out villages and chosen sites, named in ``lang``."""
    named = basis.get("left_out_villages") or {
        k: [{"ref": r, "name": r} for r in refs]
        for k, refs in (basis.get("left_out") or {}).items()
    }
    names = results.get("site_names") or {}
    return {
        "demand_basis_text": rendered([{"status": "pass", "message": basis.get("source")}], lang)[
            0
        ]["text"],
        "demand_left_out": sorted(v["name"] for vs in named.values() for v in vs),
        "sites_chosen_names": [
            text_of(names.get(ref, ref), lang) for ref in results.get("sites_chosen") or []
        ],
        "demand_column_text": render(
            Message(f"allocation.count.{results.get('demand_column') or 'households'}"), lang
        ),
    }


def _with_rule_texts(scenario: dict[str, Any], lang: str) -> dict[str, Any]:
    """The scenario with its rule checks' messages rendered (compliance and siting)."""
    results = dict(scenario.get("results") or {})
    if scenario.get("kind") == "compliance" and "results" in results:
        results["results"] = rendered(results["results"], lang)
    basis = results.get("demand_basis")
    if scenario.get("kind") == "allocation" and basis:
        results.update(_relocation_texts(results, basis, lang))
    if results.get("notes"):  # siting, surfaces: stored as messages
        results["notes"] = [text_of(n, lang) for n in results["notes"]]
    cost = results.get("cost")
    if isinstance(cost, dict) and cost.get("reason"):  # allocation without the road network
        results["cost"] = {**cost, "reason": text_of(cost["reason"], lang)}
    if results.get("compliance"):
        results["compliance"] = [
            {**c, "results": rendered(c.get("results", []), lang)} for c in results["compliance"]
        ]
    return {**scenario, "results": results}


@bp.get("/api/scenarios")
@require("planner", "env_officer")
def scenarios():
    """Saved scenarios, newest first (``?kind=`` and ``?owner=`` to filter)."""
    found = list_scenarios(
        get_conn(), request.args.get("kind") or None, owner=request.args.get("owner") or None
    )
    user = current()
    for s in found:
        s["may_change"] = bool(user and may_delete_scenario(user, s))
    return jsonify(scenarios=hide_paths(found))


@bp.get("/api/scenarios/compare")
@require("planner", "env_officer")
def compare():
    """Headline figures of scenarios of one kind side by side: ``?ids=3,4``."""
    raw = request.args.get("ids", "")
    try:
        ids = [int(v) for v in raw.split(",") if v.strip()]
    except ValueError:
        raise BadParameter(msg("param.compare_ids", value=raw)) from None
    if not 2 <= len(ids) <= 10:
        raise BadParameter(msg("param.compare_count"))
    return jsonify(scenarios=hide_paths(compare_scenarios(get_conn(), ids)))


def may_delete_scenario(user, scenario: dict[str, Any]) -> bool:
    """The policy: a scenario is changed or deleted by whoever made it, or by an admin."""
    return user.role == "admin" or scenario.get("created_by") == user.username


@bp.delete("/api/scenarios/<int:scenario_id>")
@require("planner")
def delete(scenario_id: int):
    """Delete a scenario (its owner or an admin), its features and raster files; audited."""
    user = current()
    if user is None or not may_delete_scenario(user, _scenario(scenario_id)):
        raise Forbidden(_("Only the scenario's owner or an admin may delete it."))
    with transaction(get_conn()) as conn:
        paths = delete_scenario(conn, scenario_id, actor=user.username)
    removed = remove_files(paths)  # once the rows are gone for good
    return jsonify(deleted=scenario_id, files_removed=len(removed))


@bp.patch("/api/scenarios/<int:scenario_id>")
@require("planner")
def change(scenario_id: int):
    """Rename a scenario or replace its notes (its owner or an admin); audited."""
    body = parse_body(ScenarioChangeBody)
    user = current()
    if user is None or not may_delete_scenario(user, _scenario(scenario_id)):
        raise Forbidden(_("Only the scenario's owner or an admin may change it."))
    with transaction(get_conn()) as conn:
        saved = update_scenario(
            conn, scenario_id, name=body.name, notes=body.notes, actor=user.username
        )
    return jsonify(saved)


def _scenario(scenario_id: int) -> dict[str, Any]:
    return get_scenario(get_conn(), scenario_id)


def _suitability_path(scenario: dict[str, Any]) -> Path | None:
    raster = next((r for r in scenario["rasters"] if r["kind"] == "suitability"), None)
    return Path(raster["path"]) if raster is not None and Path(raster["path"]).exists() else None


def _overlay(scenario: dict[str, Any]) -> dict[str, Any] | None:
    path = _suitability_path(scenario)
    if path is None:
        return None
    return {
        "url": url_for("planners.scenario_png", scenario_id=scenario["id"]),
        "bounds": raster_frame(path)[3],
        "cog": url_for("planners.download", scenario_id=scenario["id"], name=path.name),
        "ramp": ["#{:02x}{:02x}{:02x}".format(*(int(v) for v in c)) for c in RAMP],  # low to high
    }


@bp.get("/api/scenarios/<int:scenario_id>")
@require("planner", "env_officer")
def scenario(scenario_id: int):
    """A scenario's parameters, inputs' versions, results, and links to its features and image."""
    out = _scenario(scenario_id)
    user = current()
    out["may_change"] = bool(user and may_delete_scenario(user, out))
    overlay = _overlay(out)
    out["rasters"] = [{k: v for k, v in r.items() if k != "path"} for r in out["rasters"]]
    out = hide_paths(out)  # file names only; the links below are URLs, added after
    out["links"] = {
        "features": url_for("planners.scenario_geojson", scenario_id=scenario_id),
        "geopackage": url_for("planners.scenario_gpkg", scenario_id=scenario_id),
        "report": url_for("planners.report", scenario_id=scenario_id),
    }
    out["overlay"] = overlay
    return jsonify(_with_rule_texts(out, current_lang()))


@bp.get("/api/scenarios/<int:scenario_id>/features.geojson")
@require("planner", "env_officer")
def scenario_geojson(scenario_id: int):
    """The scenario's features (candidates, sites, assignment lines), ``?role=`` to filter."""
    gdf = scenario_features(get_conn(), scenario_id, request.args.get("role") or None)
    body = gdf.to_json(na="null", drop_id=True, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/geo+json",
        headers={
            "Content-Disposition": content_disposition(f"scenario-{scenario_id}.geojson", "inline")
        },
    )


@bp.get("/api/scenarios/<int:scenario_id>/features.gpkg")
@require("planner", "env_officer")
def scenario_gpkg(scenario_id: int):
    """The scenario's features as a GeoPackage, one layer per role."""
    gdf = scenario_features(get_conn(), scenario_id)
    with tempfile.TemporaryDirectory() as folder:
        path = write_features(gdf, Path(folder) / f"scenario-{scenario_id}.gpkg")
        data = path.read_bytes()
    return Response(
        data,
        mimetype="application/geopackage+sqlite3",
        headers={"Content-Disposition": content_disposition(f"scenario-{scenario_id}.gpkg")},
    )


@bp.get("/api/scenarios/<int:scenario_id>/suitability.png")
@require("planner", "env_officer")
def scenario_png(scenario_id: int):
    """The suitability raster as a transparent PNG for the map (Web Mercator)."""
    path = _suitability_path(_scenario(scenario_id))
    if path is None:
        raise NotFoundError(msg("scenario.no_raster", id=scenario_id))
    data, _bounds = raster_png(path)
    return Response(data, mimetype="image/png", headers={"Cache-Control": "max-age=3600"})


def _map_words() -> dict[str, str]:
    return {
        "suitability": _("Suitability"),
        "low": _("low"),
        "high": _("high"),
        "candidate": _("candidate site (number = rank)"),
        "site": _("cluster chosen"),
        "site_closed": _("cluster not chosen"),
        "assignment": _("village → cluster it moves to"),
        "boundary": _("district boundary"),
        "study_area": _("study area"),
        "north": _("N"),
        "deg_east": _("°E"),
        "deg_north": _("°N"),
        "locale": current_lang(),
    }


def _report_html(scenario_id: int, *, pdf: bool = False) -> str:
    lang = current_lang()
    scenario = _with_rule_texts(hide_paths(_scenario(scenario_id)), lang)
    gdf = scenario_features(get_conn(), scenario_id)
    overlay = _overlay(_scenario(scenario_id))
    path = _suitability_path(_scenario(scenario_id))
    if overlay is not None and path is not None:
        png, _bounds = raster_png(path)
        overlay["href"] = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    bbox = (scenario.get("params") or {}).get("bbox")
    frame = bbox or (list(gdf.total_bounds) if len(gdf) else None)
    boundaries = units_in_bbox(get_conn(), tuple(frame)) if frame else None
    features = (
        [
            {k: (None if v != v else v) for k, v in row.items() if k != "geometry"}
            for row in gdf.drop(columns="geometry").to_dict("records")
        ]
        if len(gdf)
        else []
    )
    return render_page(
        "report.html",
        scenario=scenario,
        doc=report_sections(scenario, features, lang),
        svg=scenario_svg(gdf, overlay, labels=_map_words(), boundaries=boundaries, study_bbox=bbox),
        pdf=pdf,
        links={
            "geojson": url_for("planners.scenario_geojson", scenario_id=scenario_id),
            "gpkg": url_for("planners.scenario_gpkg", scenario_id=scenario_id),
            "pdf": url_for("planners.report_pdf_download", scenario_id=scenario_id, lang=lang),
        },
    )


@bp.get("/scenarios/<int:scenario_id>/report")
@require("planner", "env_officer")
def report(scenario_id: int):
    """The planner's report as a page that prints to A4 portrait."""
    return _report_html(scenario_id)


@bp.get("/scenarios/<int:scenario_id>/report.pdf")
@require("planner", "env_officer")
def report_pdf_download(scenario_id: int):
    """The same report as a PDF (A4 portrait, WeasyPrint)."""
    data = report_pdf(_report_html(scenario_id, pdf=True), Path(current_app.static_folder or ""))
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": content_disposition(f"scenario-{scenario_id}.pdf")},
    )


@bp.get("/api/scenarios/<int:scenario_id>/download/<path:name>")
@require("planner", "env_officer")
def download(scenario_id: int, name: str):
    """The scenario's suitability COG."""
    scenario = _scenario(scenario_id)
    raster = next((r for r in scenario["rasters"] if Path(r["path"]).name == name), None)
    if raster is None or not Path(raster["path"]).exists():
        raise NotFoundError(msg("scenario.no_file", id=scenario_id, name=name))
    return send_file(raster["path"], mimetype="image/tiff", as_attachment=True, download_name=name)
