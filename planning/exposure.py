"""Who is exposed: villages, schools, clinics and people inside pollution zones.

The population inside zones is area-weighted from administrative units; communes are
ranked in the EJScreen manner (indicator percentile x population).

Pure: GeoDataFrames in one metric CRS in, DataFrames out.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.errors import CRSError, ValidationError
from gis.messages import msg

__all__ = ["rank_units", "zone_exposure"]


def _metric(*frames: gpd.GeoDataFrame) -> None:
    crs = {f.crs.to_epsg() if f.crs else None for f in frames if len(f)}
    if len(crs) > 1:
        raise CRSError(msg("exposure.crs_differ", crs=sorted(map(str, crs))))
    for f in frames:
        if len(f) and (f.crs is None or f.crs.is_geographic):
            raise CRSError(msg("exposure.needs_metric_crs"))


def zone_exposure(
    zones: gpd.GeoDataFrame,
    villages: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
) -> pd.DataFrame:
    """One row per zone: villages, schools and clinics inside, and the population inside.

    ``facilities`` has a ``kind`` column (``school`` or ``clinic``); ``units`` a ``population``
    column (rows without one count as unknown). Population inside = sum over units of
    population x (area of unit inside the zone / unit area), i.e. people spread evenly over
    each unit; ``population_known_pct`` says how much of the zone's area had a population.

    >>> from shapely.geometry import Point, box
    >>> z = gpd.GeoDataFrame({"ref": ["Z"]}, geometry=[box(0, 0, 100, 100)], crs=32648)
    >>> u = gpd.GeoDataFrame(
    ...     {"code": ["A"], "population": [400]}, geometry=[box(50, 0, 250, 100)], crs=32648
    ... )
    >>> v = gpd.GeoDataFrame({"ref": ["V"]}, geometry=[Point(10, 10)], crs=32648)
    >>> f = gpd.GeoDataFrame(
    ...     {"kind": ["school"], "name": ["s"]}, geometry=[Point(200, 10)], crs=32648
    ... )
    >>> zone_exposure(z, v, f, u)[["villages", "schools", "population"]].to_dict("records")
    [{'villages': 1, 'schools': 0, 'population': 100.0}]
    """
    _metric(zones, villages, facilities, units)
    if not len(zones):
        raise ValidationError(msg("exposure.no_zones"))
    units = units.assign(_area=units.geometry.area)
    rows = []
    for zone_ref, geom in zip(zones["ref"], zones.geometry, strict=True):
        inside_v = villages[villages.geometry.within(geom)] if len(villages) else villages
        inside_f = (
            facilities[facilities.geometry.intersects(geom)] if len(facilities) else facilities
        )
        hit = units[units.geometry.intersects(geom)] if len(units) else units
        share = (
            hit.geometry.intersection(geom).area / hit["_area"]
            if len(hit)
            else pd.Series(dtype=float)
        )
        pop = hit["population"].astype(float) if len(hit) else pd.Series(dtype=float)
        known = pop.notna()
        covered = float((share[known] * hit["_area"][known]).sum()) if len(hit) else 0.0
        rows.append(
            {
                "zone": zone_ref,
                "area_ha": round(geom.area / 1e4, 2),
                "villages": len(inside_v),
                "village_refs": list(inside_v["ref"]) if len(inside_v) else [],
                "schools": int((inside_f["kind"] == "school").sum()) if len(inside_f) else 0,
                "clinics": int((inside_f["kind"] == "clinic").sum()) if len(inside_f) else 0,
                "facility_names": list(inside_f["name"].dropna())[:20] if len(inside_f) else [],
                "population": round(float((pop[known] * share[known]).sum()), 1),
                "population_known_pct": round(100 * covered / geom.area, 1) if geom.area else 0.0,
            }
        )
    return pd.DataFrame(rows)


def rank_units(
    zones: gpd.GeoDataFrame, units: gpd.GeoDataFrame, *, weight: str | None = None
) -> pd.DataFrame:
    """Units ranked by exposure; rank 1 = most exposed people.

    The indicator is the share of the unit's area inside any zone (weighted by
    ``zones[weight]`` where given, e.g. severity 3/2/1); the score is the indicator's
    percentile among all the units given (``units`` should be every unit of a level, not only
    those near the zones) times the population / 100. ``inside_share`` is the unweighted share
    of the unit's area inside any zone and ``people_inside`` its population x that share (people
    spread evenly over the unit): the units' ``people_inside`` add up to the people inside the
    union of the zones.

    >>> from shapely.geometry import box
    >>> z = gpd.GeoDataFrame({"ref": ["Z"]}, geometry=[box(0, 0, 100, 100)], crs=32648)
    >>> u = gpd.GeoDataFrame(
    ...     {"code": ["A", "B", "C"], "name": ["a", "b", "c"], "population": [1000, 5000, 9000]},
    ...     geometry=[box(0, 0, 100, 100), box(50, 0, 250, 100), box(500, 0, 600, 100)],
    ...     crs=32648,
    ... )
    >>> ranked = rank_units(z, u)[["code", "indicator", "percentile", "score", "rank"]]
    >>> for row in ranked.to_dict("records")[:2]:
    ...     print(row)
    {'code': 'B', 'indicator': 0.25, 'percentile': 66.7, 'score': 3333.3, 'rank': 1}
    {'code': 'A', 'indicator': 1.0, 'percentile': 100.0, 'score': 1000.0, 'rank': 2}
    """
    _metric(zones, units)
    if not len(units):
        raise ValidationError(msg("exposure.no_units"))
    weights = zones[weight].astype(float).to_numpy() if weight else np.ones(len(zones))
    areas = units.geometry.area.to_numpy()
    indicator = np.zeros(len(units))
    inside = np.zeros(len(units))
    tree = shapely.STRtree(np.asarray(zones.geometry))
    for i, geom in enumerate(units.geometry):
        hits = tree.query(geom, predicate="intersects")
        if len(hits) == 0:
            continue
        # Each place counts once, at the strongest weight of the zones over it.
        covered, seen = 0.0, 0.0
        for w in sorted(set(weights[hits]), reverse=True):
            strong = shapely.union_all([zones.geometry.iloc[k] for k in hits if weights[k] >= w])
            area = shapely.intersection(geom, strong).area
            covered += (area - seen) * w
            seen = area
        indicator[i] = covered / areas[i]
        inside[i] = seen / areas[i]
    out = pd.DataFrame({c: units[c] for c in units.columns if c != units.geometry.name})
    out["indicator"] = indicator.round(4)
    # Percentile rank (share of units at or below this indicator), 0 for units outside every zone.
    order = pd.Series(indicator).rank(method="max", pct=True).to_numpy() * 100
    percentile = np.where(indicator > 0, order, 0.0)
    out["percentile"] = percentile.round(1)
    population = pd.to_numeric(out["population"], errors="coerce")
    out["score"] = (percentile * population / 100).round(1)
    out["inside_share"] = inside.round(4)
    out["people_inside"] = (population * inside).round(1)
    # Exposed units first (scored ones by score, then those without a population), then the rest.
    out["_exposed"] = indicator > 0
    out = out.sort_values(["_exposed", "score", "indicator"], ascending=False, na_position="last")
    out = out.drop(columns="_exposed").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out
