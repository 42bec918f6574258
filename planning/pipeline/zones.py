"""Pollution zones made by the analyses, and how zones changed between two dates.

Source zones buffer polluting villages by craft (``planning.zones.source_buffers``);
surface zones outline where a saved surface exceeds a limit
(``planning.zones.exceedance_polygons``). Inputs come through ``layers``, zones are
replaced through ``layers.zones``; not committed here.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import yaml

from gis.crs import METRIC_CRS
from gis.errors import ValidationError
from gis.messages import Message, msg
from gis.settings import Settings
from layers.regulations import load_document
from layers.scenarios import surface_of
from layers.villages import village_points
from layers.zones import SRID, replace_source_zones, replace_zones_by_prefix, zone_keys_on
from planning import rules
from planning.pollution import limit_in_force
from planning.zones import diff_zones, exceedance_polygons, source_buffers

__all__ = ["make_source_zones", "make_surface_zones", "zone_change_features", "zone_changes"]

logger = logging.getLogger(__name__)


def _method(message: Message) -> str:
    """A zone's ``method`` column: the message's JSON (a code and its parameters).

    The web renders it in the reader's language.
    """
    return json.dumps(message.as_dict(), ensure_ascii=False)


def make_source_zones(conn: Any, settings: Settings, day: dt.date) -> int:
    """Replace the source-based zones of ``day``: buffers around polluting villages by craft.

    Returns
    -------
    int
        How many zones were written (not committed here).
    """
    rules = yaml.safe_load(
        (settings.sample_data / "zones" / "source_buffers.yaml").read_text(encoding="utf-8")
    )
    villages = village_points(conn)
    zones = source_buffers(villages.to_crs(METRIC_CRS), rules["distances_m"]).to_crs(SRID)
    ids = dict(zip(villages["ref"], villages["id"], strict=True))
    rows = gpd.GeoDataFrame(
        {
            "ref": [f"src:{r}:{day.isoformat()}" for r in zones["ref"]],
            "name": [f"Vùng ảnh hưởng {n}" for n in zones["name"]],
            "kind": "source_buffer",
            "method": [
                _method(msg("zones.method.source_buffer", distance_m=float(d), craft=str(c)))
                for d, c in zip(zones["distance_m"], zones["craft"], strict=True)
            ],
            "zone_date": day,
            "severity": np.where(zones["distance_m"] >= 500, "high", "medium"),
            "village_id": [int(ids[r]) for r in zones["ref"]],
            "source": rules["source"],
        },
        geometry=zones.geometry.to_numpy(),
        crs=SRID,
    )
    return replace_source_zones(conn, day, rows)


def make_surface_zones(
    conn: Any,
    settings: Settings,
    scenario_id: int,
    *,
    limit: float | None = None,
    band: str | None = None,
) -> dict[str, Any]:
    """Store the polygons where a saved surface exceeds ``limit`` as zones.

    The default limit is the QCVN 05 24-hour limit of the surface's parameter in force on
    the surface's date. The zones (kind ``surface_exceedance``) are dated by the surface's
    period start and replace the zones made from that surface before.

    Raises
    ------
    ValidationError
        When the scenario is not a surface, has no such band, or no limit applies.
    """
    params, path = surface_of(conn, scenario_id)
    parameter = params["parameter"]
    start = params.get("start")
    day = (
        rules.local_date(start)
        if start and start != "None"
        else rules.local_date(dt.datetime.now(dt.UTC))
    )
    document = "given"
    if limit is None:
        found = limit_in_force(
            load_document(settings.sample_data / "regulations", "qcvn05_air"), parameter, "24h", day
        )
        if found is None or found.get("value") is None:
            raise ValidationError(msg("zones.no_limit", parameter=parameter, day=day))
        limit, document = float(found["value"]), found["document"]
    with rasterio.open(path) as src:
        names = list(src.descriptions)
        band = band or ("kriging" if "kriging" in names else names[0])
        if band not in names:
            raise ValidationError(
                msg("zones.no_band", scenario=scenario_id, bands=names, band=band)
            )
        surface = src.read(names.index(band) + 1, masked=True).filled(np.nan)
        polygons = exceedance_polygons(surface, src.transform, src.crs, limit).to_crs(SRID)
    prefix = f"surf:{scenario_id}:"
    rows = gpd.GeoDataFrame(
        {
            "ref": [f"{prefix}{i}" for i in range(1, len(polygons) + 1)],
            "name": f"{parameter} > {limit:g}",
            "kind": "surface_exceedance",
            "parameter": parameter,
            "method": _method(
                msg(
                    "zones.method.surface_exceedance",
                    band=band,
                    scenario=scenario_id,
                    limit=float(limit),
                    document=document,
                )
            ),
            "zone_date": day,
            "severity": "high",
            "source": json.dumps({"scenario": scenario_id}),
        },
        geometry=polygons.geometry.to_numpy(),
        crs=SRID,
    )
    replace_zones_by_prefix(conn, prefix, rows)
    return {
        "zones": len(polygons),
        "limit": limit,
        "document": document,
        "band": band,
        "date": str(day),
        "parameter": parameter,
    }


def zone_changes(
    conn: Any, before: dt.date, after: dt.date, *, kind: str = "source_buffer"
) -> pd.DataFrame:
    """How the zones of ``kind`` changed between two dates (keyed by village or zone name)."""
    return diff_zones(
        zone_keys_on(conn, before, kind).to_crs(METRIC_CRS),
        zone_keys_on(conn, after, kind).to_crs(METRIC_CRS),
    )


def zone_change_features(
    conn: Any, before: dt.date, after: dt.date, *, kind: str = "source_buffer"
) -> gpd.GeoDataFrame:
    """:func:`zone_changes` with a geometry per zone (WGS 84).

    The later geometry, or the earlier one for a zone that is gone; ``status``, areas in m2
    and the change.
    """
    old = zone_keys_on(conn, before, kind)
    new = zone_keys_on(conn, after, kind)
    changes = diff_zones(old.to_crs(METRIC_CRS), new.to_crs(METRIC_CRS))
    shapes: dict[str, Any] = {}
    for frame in (old, new):  # the later geometry wins
        if len(frame):
            shapes.update(frame.dissolve(by="ref").geometry.to_dict())
    return gpd.GeoDataFrame(changes, geometry=[shapes[r] for r in changes["ref"]], crs=SRID)
