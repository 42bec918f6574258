"""The three pages: planner map, environment dashboard, tourist page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from layers.collections import COLLECTIONS
from layers.layer import Column
from layers.registry import LAYERS
from webmap.api import landing
from webmap.auth import current, require

__all__ = ["bp", "render_page"]

bp = Blueprint("pages", __name__)


def _js_strings() -> dict[str, str]:
    """Every string the page scripts show, translated on the server.

    A public layer's short title comes from its declaration, under its collection id.
    """
    return {
        **{coll.id: _(LAYERS[coll.layer].short_title) for coll in COLLECTIONS.values()},
        "choropleth": _("Villages per administrative unit"),
        "craft": _("Craft"),
        "recognition": _("Recognition"),
        "commune": _("Commune"),
        "district": _("District"),
        "province": _("Province"),
        "households": _("Households"),
        "workers": _("Workers"),
        "opening_hours": _("Opening hours"),
        "visit_minutes": _("Visit (minutes)"),
        "ocop": _("OCOP products"),
        "stars": _("stars"),
        "kind": _("Kind"),
        "status": _("Status"),
        "area_ha": _("Area (ha)"),
        "occupancy": _("Occupancy (%)"),
        "wastewater": _("Wastewater treatment"),
        "yes": _("yes"),
        "no": _("no"),
        "unknown": _("unknown"),
        "search_placeholder": _("Search villages (e.g. bat trang)"),
        "no_results": _("No village found"),
        "inside": _("Inside the drawn polygon"),
        "draw_hint": _("Draw a polygon to list the villages, clusters and zones inside it"),
        "basemap_off": _("Basemap off: showing our layers only"),
        "basemap_error": _("Basemap unreachable: showing our layers only"),
        "no_admin": _("No administrative boundaries loaded"),
        "legend": _("Legend"),
        "craft_village_cluster": _("Craft-village cluster"),
        "general_cluster": _("General cluster"),
        "aqi": _("VN_AQI (hourly)"),
        "latest": _("Latest values"),
        "limit": _("Limit"),
        "synthetic": _("synthetic data"),
        "unverified": _("unverified breakpoints"),
        "parameter": _("Parameter"),
        "stops": _("Stops"),
        "theme": _("Theme"),
        "minutes": _("min"),
        "closed": _("not listed"),
        "medium": _("Medium"),
        "no_data": _("No data"),
        "few": _("fewer"),
        "many": _("more"),
        "pollution_high": _("Village, high-polluting craft"),
        "pollution_medium": _("Village, medium-polluting craft"),
        "pollution_low": _("Village, low-polluting craft"),
        "plan_day": _("Plan my day"),
        "add": _("Add to my day"),
        "remove": _("Remove"),
        "start_hint": _("Start: click the map (default: Hoàn Kiếm lake)"),
        "budget": _("Time for the day"),
        "transport": _("Transport"),
        "motorbike": _("Motorbike"),
        "car": _("Car"),
        "walk": _("Walking"),
        "avoid": _("Avoid pollution zones"),
        "gpx": _("Download GPX"),
        "print": _("Printable day plan"),
        "not_visited": _("Not visited"),
        "back_at": _("Back at"),
        "km": _("km"),
        "pick_one": _("Pick at least one village"),
        "hours": _("hours"),
        "planning": _("Planning…"),
        "method": _("Computed with"),
        "in_zones": _("Inside pollution zones"),
        "without_option": _("without the option"),
        "peak": _("peak"),
        "no_alerts": _("No alert"),
        "planned": _("planned"),
        "operating": _("operating"),
        "expanding": _("expanding"),
        "planning_title": _("Planning"),
        "sign_in_to_plan": _(
            "Sign in with a planner account to run siting, relocation and Decree 32 checks"
        ),
        "undo": _("Undo"),
        "undone": _("Undone"),
        "undo_refused": _(
            "Cannot undo: the feature changed after this edit (undo the later edits first)"
        ),
        "new_cluster": _("New planned cluster from the drawn polygon"),
        "field_ref": _("Code"),
        "cluster_kind": _("Cluster kind"),
        "save_drawn": _("Save as a new cluster"),
        "edit": _("Edit"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "saved": _("Saved"),
        "stale_edit": _(
            "Someone changed this feature while you were editing: reload the page and edit again"
        ),
        "reshape_hint": _("Drag the corners on the map to reshape the cluster"),
        "drag_hint": _("Drag the marker on the map to move the village"),
        "field_name": _("Name"),
        "severity_high": _("high"),
        "severity_medium": _("medium"),
        "severity_low": _("low"),
        "inserted": _("inserted"),
        "updated": _("updated"),
        "unchanged": _("unchanged"),
        "queued": _("Waiting to start…"),
        "running": _("Running…"),
        "done": _("Done"),
        "failed": _("Failed"),
        "pass": _("pass"),
        "fail": _("fail"),
        "siting": _("Siting"),
        "relocation": _("Relocation"),
        "draw_first": _("Draw a polygon on the map first"),
        "no_input": _("this server has no input for it"),
        "inputs": _("Inputs"),
        "no_scenarios": _("No saved scenario yet"),
        "stored_clusters": _("Stored clusters"),
        "candidates_of": _("Candidates of siting"),
        "candidates": _("candidates"),
        "candidate": _("Candidate"),
        "score": _("score"),
        "suitability": _("Suitability"),
        "leader_stable": _("the best candidate stays first when any weight moves by 20 percent"),
        "leader_changes": _("the best candidate changes when a weight moves by 20 percent"),
        "covered": _("Demand covered"),
        "commute": _("commute mean / max"),
        "road_network": _("road network"),
        "straight_line": _("straight line"),
        "report": _("Printable report"),
        "kind_siting": _("siting"),
        "kind_allocation": _("relocation"),
        "kind_compliance": _("Decree 32 check"),
        "exceedances": _("Latest QCVN 05 exceedances"),
        "water_class": _("Surface water class"),
        "limited_by": _("limited by"),
        "health_limit": _("Health limit exceeded"),
        "loo": _("leave-one-out error"),
        "no_surfaces": _("No surface yet: build one with langnghe surface"),
        "zones_on": _("zones on"),
        "villages_lc": _("villages"),
        "schools": _("schools"),
        "clinics": _("clinics"),
        "people": _("people inside"),
        "unit": _("Commune"),
        "percentile": _("Percentile"),
        "population": _("Population"),
        "no_units": _("No commune boundaries with population loaded"),
        "no_zones": _("No pollution zones yet"),
        "crit_road_distance_m": _("Near a road"),
        "crit_village_distance_m": _("Near the polluting villages"),
        "crit_residential_distance_m": _("Away from housing"),
        "crit_facility_distance_m": _("Away from schools and clinics"),
        "crit_slope_deg": _("Flat land"),
        "crit_elevation_m": _("Above flood-prone ground"),
        "crit_landuse": _("Compatible land use"),
    }


def _form_field(column: Column) -> list[Any]:
    return [column.name, column.widget, _(column.title) if column.title else column.name]


def _layers() -> list[dict[str, Any]]:
    """The public layers as the page scripts need them, from the layer declarations.

    Each entry: ``id`` (collection), ``title`` and ``label`` (a short title for legends,
    both translated), ``geometry``, ``edit_roles``
    (besides admin) and ``fields``: the edit form's ``[name, widget, label]`` triples, a
    widget being ``text``, ``number``, ``date`` or the list of allowed values.
    """
    return [
        {
            "id": coll.id,
            "title": _(coll.title),
            "label": _(LAYERS[coll.layer].short_title),
            "geometry": coll.geometry_type,
            "edit_roles": list(LAYERS[coll.layer].edit_roles),
            "fields": [
                _form_field(LAYERS[coll.layer].column(name))
                for name in LAYERS[coll.layer].edit_form
            ],
        }
        for coll in COLLECTIONS.values()
    ]


def render_page(template: str, **extra: Any) -> str:
    """Render a page template with the page configuration (language, basemap, strings, role).

    Parameters
    ----------
    template : str
        A template under ``webmap/templates``.
    **extra
        More template variables (``page``, forms, report content).

    Returns
    -------
    str
        The HTML.
    """
    settings = current_app.config["LANGNGHE"]
    lang = str(get_locale() or "vi")
    user = current()
    config = {
        "lang": lang,
        "basemap_url": settings.basemap_url,
        "attribution": settings.basemap_attribution,
        "strings": _js_strings(),
        "layers": _layers(),
        "items_max": settings.items_max_limit,
        "role": user.role if user else None,
    }
    return render_template(template, lang=lang, config=config, user=user, **extra)


@bp.get("/")
def planner():
    """Planner map for browsers; the OGC API landing document for API clients."""
    wants = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if request.args.get("f") == "json" or (
        request.args.get("f") != "html" and wants == "application/json"
    ):
        return landing()
    return render_page("planner.html", page="planner")


@bp.get("/environment")
def environment():
    """Environment dashboard: stations by VN_AQI band, time series, zones."""
    return render_page("environment.html", page="environment")


@bp.get("/tour")
def tour():
    """Tourist page: village cards and routes, phone first."""
    return render_page("tour.html", page="tour")


@bp.get("/admin/audit")
@require("admin")
def audit_page() -> str:
    """Admin: the audit log of edits, each with a button to undo it."""
    return render_page("audit.html", page="audit")
