"""Exposure: who and what lies inside the pollution zones of a date.

Villages, schools, clinics and people inside each zone, and the administrative units
ranked by a severity-weighted indicator (EJScreen-style), with the pure
``planning.exposure``. Inputs come through ``layers`` (and a facilities file); a saved
result is a scenario, not committed here.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from gis.crs import METRIC_CRS
from gis.errors import ValidationError
from gis.messages import Message, msg
from gis.settings import Settings
from layers.admin import units as admin_units
from layers.pois import has_sensitive_pois, sensitive_pois
from layers.scenarios import save_scenario
from layers.villages import villages_in_bbox
from layers.zones import SRID, latest_date, zones_on
from planning.exposure import rank_units, zone_exposure

__all__ = ["FACILITY_KINDS", "SEVERITY_WEIGHT", "assess_exposure"]

logger = logging.getLogger(__name__)

#: OSM POI classes and point-of-interest categories -> exposure facility kind.
FACILITY_KINDS = {
    "school": "school",
    "kindergarten": "school",
    "college": "school",
    "university": "school",
    "hospital": "clinic",
    "clinic": "clinic",
    "doctors": "clinic",
}
SEVERITY_WEIGHT = {"high": 3.0, "medium": 2.0, "low": 1.0}


def assess_exposure(
    conn: Any,
    settings: Settings,
    *,
    day: dt.date | None = None,
    kind: str | None = None,
    facilities: Path | None = None,
    version: str = "2025-07",
    level: str = "commune",
    save_as: str | None = None,
) -> dict[str, Any]:
    """Exposure of the zones of ``day`` (default: the latest zone date): per zone and per unit.

    Parameters
    ----------
    conn : psycopg2 connection
        The caller's (a saved scenario is not committed here).
    settings : Settings
        The project's settings.
    day : date, optional
        The zones' date (default: the latest).
    kind : str, optional
        Only zones of this kind.
    facilities : Path, optional
        An OSM-style GeoPackage whose ``pois`` and ``pois_a`` layers hold schools and clinics,
        read when the points-of-interest layer holds none (with neither, schools and clinics
        are "not loaded": ``None``).
    version, level : str
        The administrative units ranked.
    save_as : str, optional
        Save the result as an ``exposure`` scenario of this name.

    Returns
    -------
    dict
        Totals inside the zones, ``per_zone``, ``ranking`` and ``notes``
        (and ``scenario_id`` when saved).

    Raises
    ------
    ValidationError
        When there are no zones (on that day).
    """
    day = day or latest_date(conn, kind)
    if day is None:
        raise ValidationError(msg("exposure.no_zones_yet"))
    zones = zones_on(conn, day, kind)
    if not len(zones):
        raise ValidationError(
            msg("exposure.no_zones_of_kind", day=day, kind=kind)
            if kind
            else msg("exposure.no_zones_on", day=day)
        )
    zones = zones.to_crs(METRIC_CRS)
    zones["weight"] = zones["severity"].map(SEVERITY_WEIGHT).fillna(2.0)
    x0, y0, x1, y1 = (float(v) for v in zones.to_crs(SRID).total_bounds)
    box = (x0, y0, x1, y1)
    villages = villages_in_bbox(conn, box).to_crs(METRIC_CRS)
    # Every unit of the level: percentiles are among all of them, not only those near the zones.
    units = admin_units(conn, version, level).to_crs(METRIC_CRS)
    notes: list[Message] = []
    loaded = True
    if has_sensitive_pois(conn):  # the points-of-interest layer wins over a file
        pois = sensitive_pois(conn, box)
        facility_gdf = gpd.GeoDataFrame(
            {"kind": pois["category"].map(FACILITY_KINDS), "name": pois["name"]},
            geometry=pois.geometry,
            crs=pois.crs,
        ).to_crs(METRIC_CRS)
        notes.append(msg("exposure.facilities_from_pois", points=len(pois)))
    elif facilities is not None:
        pois = pd.concat(
            [
                gpd.read_file(facilities, layer=layer, bbox=box, engine="pyogrio")
                for layer in ("pois", "pois_a")
            ],
            ignore_index=True,
        )
        pois = pois[pois["fclass"].isin(FACILITY_KINDS)]
        facility_gdf = gpd.GeoDataFrame(
            {"kind": pois["fclass"].map(FACILITY_KINDS), "name": pois["name"]},
            geometry=pois.geometry,
            crs=pois.crs,
        ).to_crs(METRIC_CRS)
    else:
        facility_gdf = gpd.GeoDataFrame({"kind": [], "name": []}, geometry=[], crs=METRIC_CRS)
        notes.append(msg("exposure.pois_not_loaded"))
        loaded = False
    if not len(units):
        notes.append(msg("exposure.no_units_loaded", level=level, version=version))
    per_zone = zone_exposure(zones, villages, facility_gdf, units)
    # The headline counts the union of the zones: a place under two zones counts once.
    union = gpd.GeoDataFrame({"ref": ["all"]}, geometry=[zones.union_all()], crs=zones.crs)
    inside = zone_exposure(union, villages, facility_gdf, units).iloc[0]
    ranking = rank_units(zones, units, weight="weight") if len(units) else pd.DataFrame()
    exposed = ranking[ranking["indicator"] > 0] if len(ranking) else ranking
    if len(exposed):
        exposed = exposed.assign(bbox=_bboxes(units, exposed["code"]))
    result = {
        "date": str(day),
        "kind": kind,
        "zones": len(zones),
        "unit_version": version,
        "unit_level": level,
        "population_inside": round(float(inside["population"]), 0),
        "villages_inside": int(inside["villages"]),
        # None: no schools or clinics are loaded (not "none inside")
        "schools_inside": int(inside["schools"]) if loaded else None,
        "clinics_inside": int(inside["clinics"]) if loaded else None,
        "units_ranked": len(units),
        "units_exposed": len(exposed),
        "explanation": _explanation(units, exposed, level, version, inside["population"]),
        "notes": notes,
        "per_zone": json.loads(per_zone.to_json(orient="records", force_ascii=False)),
        "ranking": json.loads(exposed.to_json(orient="records", force_ascii=False))
        if len(exposed)
        else [],
    }
    if save_as:
        features = {}
        if len(exposed):
            ranked = units.merge(
                exposed[["code", "indicator", "percentile", "score", "rank"]], on="code"
            )
            features["unit"] = ranked.drop(columns="bbox", errors="ignore")
        result["scenario_id"] = save_scenario(
            conn,
            "exposure",
            save_as,
            {
                "date": str(day),
                "kind": kind,
                "facilities": str(facilities) if facilities else None,
                "version": version,
                "level": level,
            },
            {},
            result,
            features,
        )
    return result


def _bboxes(units: gpd.GeoDataFrame, codes: pd.Series) -> list[list[float]]:
    """Each unit's box in WGS 84 ``[west, south, east, north]``, in the order of ``codes``."""
    boxes = units.set_index("code").geometry.to_crs(SRID).bounds.round(5)
    boxes = boxes[~boxes.index.duplicated()]
    return [boxes.loc[c].tolist() for c in codes]


def _explanation(
    units: gpd.GeoDataFrame, exposed: pd.DataFrame, level: str, version: str, people: float
) -> list[Message]:
    """What the indicator, the percentile and the headline count are, for this answer."""
    noun = msg(f"exposure.level.{level}")
    unknown = int(exposed["population"].isna().sum()) if len(exposed) else 0
    return [
        msg("exposure.explain.indicator", level=noun),
        msg("exposure.explain.percentile", units=len(units), level=noun, version=version),
        msg(
            "exposure.explain.headline",
            people=round(float(people)),
            level=noun,
            exposed=len(exposed),
            unknown=unknown,
        ),
    ]
