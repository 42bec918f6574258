"""The three pages: planner map, environment dashboard, tourist page."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from layers.collections import COLLECTIONS, count_upto, layer_versions
from layers.layer import Column
from layers.registry import LAYERS
from webmap.api import landing
from webmap.auth import current, require
from webmap.db import get_conn
from webmap.page_strings import page_strings

__all__ = ["bp", "render_page"]

bp = Blueprint("pages", __name__)


def _form_field(column: Column, *, measured: bool = False) -> list[Any]:
    widget = "measured" if measured else column.widget
    return [column.name, widget, _(column.title) if column.title else column.name]


def _tiled(coll_id: str, tiles_above: int) -> bool:
    """Whether the pages draw the collection from its vector tiles.

    So they do for more features than the setting ``page_tiles_above``; the others they
    download as GeoJSON.
    """
    coll = COLLECTIONS[coll_id]
    return count_upto(get_conn(), coll, tiles_above) > tiles_above


def _layers(tiles_above: int) -> list[dict[str, Any]]:
    """The public layers as the page scripts need them, from the layer declarations.

    Each entry: ``id`` (collection), ``title`` and ``label`` (a short title for legends,
    both translated), ``geometry``, ``items`` (whether the pages load its features),
    ``tiles`` (whether they draw it from ``/tiles/{id}/{z}/{x}/{y}.pbf`` instead of
    downloading its features: it has more than ``tiles_above``), ``min_zoom`` (the lowest
    zoom at which its tiles carry features), ``edit_roles``
    (besides admin) and ``fields``: the edit form's ``[name, widget, label]`` triples, a
    widget being ``text``, ``number``, ``date``, the list of allowed values or ``measured``
    (read-only: the database derives it from the geometry). ``version`` is the table's change
    counter: the pages put it in their tile URLs (``?v=``).
    """
    versions = layer_versions(get_conn())
    return [
        {
            "id": coll.id,
            "title": _(coll.title),
            "label": _(LAYERS[coll.layer].short_title),
            "geometry": coll.geometry_type,
            "items": LAYERS[coll.layer].page_items,
            "tiles": LAYERS[coll.layer].page_items and _tiled(coll.id, tiles_above),
            "min_zoom": coll.min_zoom,
            "version": versions.get(coll.table, 0),
            "edit_roles": list(LAYERS[coll.layer].edit_roles),
            "fields": [
                _form_field(
                    LAYERS[coll.layer].column(name), measured=name in LAYERS[coll.layer].measured
                )
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
        "strings": page_strings(extra.get("page")),
        "layers": _layers(settings.page_tiles_above),
        "items_max": settings.items_max_limit,
        "tiles_above": settings.page_tiles_above,
        "group_below_zoom": settings.page_group_below_zoom,
        "role": user.role if user else None,
        "today": dt.datetime.now(ZoneInfo(settings.timezone)).date().isoformat(),
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
