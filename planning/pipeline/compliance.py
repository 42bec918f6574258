"""Decree 32/2024 checks of a drawn polygon or a stored industrial cluster.

Fetches the cluster, its administrative unit and the unit's other clusters through
``layers`` and land-use facts from the planner's file; checks them with the pure
``planning.compliance.check_cluster``; may save a ``compliance`` scenario (not
committed here).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from gis.crs import METRIC_CRS
from gis.errors import ValidationError
from gis.messages import Message, msg
from gis.settings import Settings
from layers.admin import unit_at
from layers.clusters import SRID, cluster_facts, clusters_within
from layers.regulations import load_document
from layers.scenarios import save_scenario
from planning.compliance import ClusterFacts, UnitCluster, check_cluster
from planning.pipeline._inputs import load_model, read_layer
from planning.rules import local_date

__all__ = ["check_cluster_site"]

logger = logging.getLogger(__name__)


def _metric_area_ha(geom: shapely.Geometry) -> float:
    return float(gpd.GeoSeries([geom], crs=SRID).to_crs(METRIC_CRS).area.iloc[0]) / 10_000


def _unit_and_clusters(
    conn: Any, settings: Settings, geom: shapely.Geometry, skip: set[str]
) -> tuple[str | None, tuple[UnitCluster, ...] | None]:
    """The administrative unit holding the site, and the unit's other clusters."""
    found = unit_at(
        conn,
        settings.cluster_unit_version,
        settings.cluster_unit_level,
        shapely.point_on_surface(geom).wkb,
    )
    if found is None:
        return None, None
    name, area = found
    return name, tuple(UnitCluster(*row) for row in clusters_within(conn, area, sorted(skip)))


def _landuse_facts(
    path: Path | None, geom: shapely.Geometry, model: dict[str, Any]
) -> tuple[float | None, float | None]:
    """Residential land inside (ha) and metres to the nearest house, school or clinic.

    Both None without a land-use file.
    """
    if path is None:
        return None, None
    notes: list[Message] = []  # discarded: the check reports unknowns itself
    x0, y0, x1, y1 = geom.bounds
    wide = (x0 - 0.05, y0 - 0.05, x1 + 0.05, y1 + 0.05)
    landuse = read_layer(Path(path), "landuse_a", wide, notes)
    pois = pd.concat(
        [
            read_layer(Path(path), "pois", wide, notes),
            read_layer(Path(path), "pois_a", wide, notes),
        ]
    )
    site = gpd.GeoSeries([geom], crs=SRID).to_crs(METRIC_CRS).iloc[0]
    residential = (
        landuse[landuse["fclass"] == "residential"].geometry if len(landuse) else gpd.GeoSeries([])
    )
    inside = float(residential.intersection(site).area.sum()) / 10_000 if len(residential) else 0.0
    sensitive = list(residential) + (
        list(pois[pois["fclass"].isin(model["facility_classes"])].geometry) if len(pois) else []
    )
    outside = [g for g in sensitive if not g.intersects(site)]
    nearest = min((site.distance(g) for g in outside), default=None)
    if any(g.intersects(site) for g in sensitive):
        nearest = 0.0
    return inside, None if nearest is None else float(nearest)


def check_cluster_site(
    conn: Any,
    settings: Settings,
    *,
    geometry: shapely.Geometry | None = None,
    ref: str | None = None,
    kind: str | None = None,
    mountainous: bool | None = None,
    expansion_of: str | None = None,
    craft_land_share_pct: float | None = None,
    service_land_share_pct: float | None = None,
    green_strip_m: float | None = None,
    infrastructure_done: bool | None = None,
    landuse: Path | None = None,
    save_as: str | None = None,
    actor: str = "cli",
) -> dict[str, Any]:
    """Decree 32/2024 results for a drawn polygon or a stored cluster.

    Parameters
    ----------
    conn : psycopg2 connection
        The caller's (a saved scenario is not committed here).
    settings : Settings
        The unit level and version the cluster rules count in, the regulations folder.
    geometry : shapely geometry, optional
        A drawn (multi)polygon in WGS 84; or give ``ref``.
    ref : str, optional
        A stored cluster; its stored facts fill what is not given.
    kind, mountainous, expansion_of, craft_land_share_pct, service_land_share_pct, \
infrastructure_done
        Facts of the site that the map cannot tell.
    green_strip_m : float, optional
        Width of the green isolation strip (QCVN 01:2021/BXD), metres; a stored cluster's
        recorded width when not given; the rule answers "unknown" when neither is known.
    landuse : Path, optional
        An OSM-style land-use GeoPackage (residential land, schools, clinics).
    save_as : str, optional
        Save a ``compliance`` scenario of this name, by ``actor``.

    Returns
    -------
    dict
        ``verdict`` (pass, fail or unknown), ``results`` per rule, ``facts``, ``geometry``
        (and ``scenario_id`` when saved).

    Raises
    ------
    ValidationError
        For both or neither of ``geometry`` and ``ref``, or a geometry that is not a valid
        polygon.
    NotFoundError
        For an unknown cluster ref.
    """
    if (geometry is None) == (ref is None):
        raise ValidationError(msg("decree32.polygon_or_ref"))
    skip = set()
    industrial_land_ha = None
    if ref is not None:
        row = cluster_facts(conn, ref)
        geometry = row["geom"]
        industrial_land_ha = row["industrial_land_ha"]
        skip.add(ref)
        kind = kind or row["kind"]
        mountainous = row["mountainous"] if mountainous is None else mountainous
        craft_land_share_pct = (
            row["craft_land_share_pct"] if craft_land_share_pct is None else craft_land_share_pct
        )
        service_land_share_pct = (
            row["service_land_share_pct"]
            if service_land_share_pct is None
            else service_land_share_pct
        )
        green_strip_m = row["green_strip_m"] if green_strip_m is None else green_strip_m
    assert geometry is not None  # given, or the stored cluster's
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        raise ValidationError(msg("decree32.not_polygon", found=geometry.geom_type))
    if not geometry.is_valid:
        raise ValidationError(
            msg("decree32.invalid_polygon", reason=shapely.is_valid_reason(geometry))
        )
    base = None
    if expansion_of is not None:
        row = cluster_facts(conn, expansion_of)
        skip.add(expansion_of)
        base = UnitCluster(
            row["ref"],
            _metric_area_ha(row["geom"]),
            row["occupancy_pct"],
            row["industrial_land_ha"],
            row.get("name"),
        )
        kind = kind or row["kind"]
        if infrastructure_done is None and row["wastewater_treatment"] is False:
            infrastructure_done = False
    unit, clusters = _unit_and_clusters(conn, settings, geometry, skip)
    model = load_model(settings.sample_data)
    residential_ha, nearest = _landuse_facts(landuse, geometry, model)
    facts = ClusterFacts(
        area_ha=_metric_area_ha(geometry),
        kind=kind or "general",
        mountainous=mountainous,
        residential_inside_ha=residential_ha,
        craft_land_share_pct=craft_land_share_pct,
        service_land_share_pct=service_land_share_pct,
        nearest_sensitive_m=nearest,
        green_strip_m=green_strip_m,
        industrial_land_ha=industrial_land_ha,
        unit=unit,
        unit_level=settings.cluster_unit_level,
        unit_clusters=clusters,
        expansion_of=base,
        infrastructure_done=infrastructure_done,
        checked_on=local_date(dt.datetime.now(dt.UTC)),
    )
    folder = settings.sample_data / "regulations"
    results = [
        r.as_dict()
        for r in check_cluster(
            facts,
            load_document(folder, "decree32_clusters"),
            load_document(folder, "qcvn01_2025_safety_distances"),
            load_document(folder, "qcvn01_2021_bxd_planning"),
        )
    ]
    statuses = [r["status"] for r in results]  # "confirm" items are listed, not judged
    verdict = "fail" if "fail" in statuses else "unknown" if "unknown" in statuses else "pass"
    facts_out = {
        **asdict(facts),
        "checked_on": facts.checked_on.isoformat() if facts.checked_on else None,
        "unit_level": settings.cluster_unit_level,
        "unit_version": settings.cluster_unit_version,
    }
    out = {
        "verdict": verdict,
        "results": results,
        "facts": facts_out,
        "geometry": shapely.geometry.mapping(geometry),
    }
    if save_as:
        params = {
            "ref": ref,
            "kind": kind,
            "mountainous": mountainous,
            "expansion_of": expansion_of,
            "green_strip_m": green_strip_m,
            "landuse": str(landuse) if landuse else None,
        }
        site = gpd.GeoDataFrame(
            {"verdict": [verdict], "area_ha": [round(facts.area_ha, 2)]},
            geometry=[geometry],
            crs=SRID,
        )
        out["scenario_id"] = save_scenario(
            conn,
            "compliance",
            save_as,
            params,
            {},
            {k: v for k, v in out.items() if k != "geometry"},
            {"site": site},
            created_by=actor,
        )
    return out
