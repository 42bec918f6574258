"""Standalone map exports made with folium: one HTML file that works offline.

folium's page template points at CDNs; here its assets are replaced by our vendored
Leaflet, inlined into the file, so the export opens from disk with no network at all.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import folium

__all__ = ["village_map_html"]

_VENDOR = Path(__file__).resolve().parent / "static" / "vendor" / "leaflet"
_JS, _CSS = "LANGNGHE_LEAFLET_JS", "LANGNGHE_LEAFLET_CSS"


class _OfflineMap(folium.Map):
    """A folium map whose only assets are Leaflet's own, inlined after rendering."""

    default_js = [("leaflet", _JS)]
    default_css = [("leaflet_css", _CSS)]


#: folium's popups build their HTML with ``$(`<div>...</div>`)[0]`` (jQuery). This shim does
#: exactly that one thing, so the export needs no jQuery from a CDN.
_DOLLAR_SHIM = (
    "window.$ = window.$ || function (html) { var t = document.createElement('template');"
    " t.innerHTML = String(html).trim(); return [t.content.firstElementChild]; };"
)


def _text(value: object) -> str:
    """``value`` as HTML text safe inside folium's JavaScript template literals.

    folium puts popup and tooltip HTML raw into backtick strings of a script, so besides
    ``<>&"'`` the backtick, ``$`` (``${...}`` runs code) and the backslash become entities.
    """
    return escape(str(value)).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def _clusters_for_tooltips(clusters: dict) -> dict:
    """Only what the tooltip shows (the name, as escaped text) and the geometry."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {"name": _text(feature["properties"].get("name") or "")},
            }
            for feature in clusters.get("features", [])
        ],
    }


def _inline(html: str) -> str:
    js = (_VENDOR / "leaflet.js").read_text(encoding="utf-8") + "\n" + _DOLLAR_SHIM
    css = (_VENDOR / "leaflet.css").read_text(encoding="utf-8")
    html = html.replace(f'<script src="{_JS}"></script>', "<script>" + js + "</script>")
    return html.replace(f'<link rel="stylesheet" href="{_CSS}"/>', "<style>" + css + "</style>")


def village_map_html(
    village: dict,
    clusters: dict,
    *,
    lang: str,
    basemap_url: str,
    attribution: str,
    labels: dict[str, str],
) -> str:
    """One village (GeoJSON Feature) and nearby clusters (FeatureCollection) as one page."""
    lon, lat = village["geometry"]["coordinates"]
    fmap = _OfflineMap(location=[lat, lon], zoom_start=13, tiles=None, control_scale=True)
    if basemap_url:
        folium.TileLayer(basemap_url, attr=attribution, name="basemap").add_to(fmap)
    props = village["properties"]
    description = props.get("description_vi" if lang == "vi" else "description_en") or ""
    popup = (
        f"<b>{_text(props['name'])}</b><br>{_text(labels['craft'])}: "
        f"{_text(labels['craft_name'])}"
        f"<br>{_text(labels['opening_hours'])}: {_text(props.get('opening_hours') or '-')}"
        f"<p>{_text(description)}</p>"
    )
    folium.CircleMarker(
        [lat, lon],
        radius=9,
        color="#7a2e0e",
        fill=True,
        fill_opacity=0.9,
        popup=folium.Popup(popup, max_width=300),
        tooltip=folium.Tooltip(_text(props["name"])),
    ).add_to(fmap)
    if clusters.get("features"):
        folium.GeoJson(
            _clusters_for_tooltips(clusters),
            name=labels["clusters"],
            style_function=lambda _f: {"color": "#6a1b9a", "weight": 2, "fillOpacity": 0.2},
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(fmap)
    root = fmap.get_root()  # typed as an Element; a map's root is its Figure
    if isinstance(root, folium.Figure):
        root.header.add_child(
            folium.Element(f"<title>{_text(props['name'])} · LangNghe GIS</title>")
        )
    return _inline(root.render())
