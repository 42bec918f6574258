"""Pollution zones: buffers around polluting villages, exceedance polygons from surfaces.

Also the difference between two dates. Pure: GeoDataFrames and arrays in, new objects out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from rasterio.features import shapes
from rasterio.transform import Affine
from shapely.geometry import shape

from gis.errors import CRSError
from gis.messages import msg

__all__ = ["diff_zones", "exceedance_polygons", "source_buffers"]


def _metric(gdf: gpd.GeoDataFrame) -> None:
    if gdf.crs is None or not gdf.crs.is_projected:
        raise CRSError(msg("zones.needs_metric_crs"))


def source_buffers(
    villages: gpd.GeoDataFrame, distances_m: Mapping[str, float]
) -> gpd.GeoDataFrame:
    """A buffer around each village whose craft has a distance; others get no zone.

    ``villages`` needs ``ref``, ``name``, ``craft`` and point geometry in a metric CRS.
    Returns ``ref``, ``name``, ``craft``, ``distance_m`` and the buffer, same CRS.
    """
    _metric(villages)
    distance = villages["craft"].map(distances_m)
    polluting = villages[distance.notna()]
    zones = polluting[["ref", "name", "craft"]].copy()
    zones["distance_m"] = distance[distance.notna()].astype(float)
    return gpd.GeoDataFrame(
        zones,
        geometry=polluting.geometry.buffer(zones["distance_m"], quad_segs=16),
        crs=villages.crs,
    )


def exceedance_polygons(
    surface: NDArray[np.float64], transform: Affine, crs: Any, limit: float
) -> gpd.GeoDataFrame:
    """Polygons of the cells where ``surface`` exceeds ``limit`` (NaN cells never exceed)."""
    mask = np.nan_to_num(surface, nan=-np.inf) > limit
    polygons = [
        shape(geom)
        for geom, value in shapes(mask.astype("uint8"), mask=mask, transform=transform)
        if value == 1
    ]
    return gpd.GeoDataFrame({"limit": [limit] * len(polygons)}, geometry=polygons, crs=crs)


def diff_zones(
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    *,
    key: str = "ref",
    tolerance_m2: float = 1.0,
) -> pd.DataFrame:
    """Compare zones of two dates by ``key``.

    Each is new, gone, grew, shrank or unchanged, with its areas (m2).
    """
    _metric(before)
    _metric(after)
    a = before.dissolve(by=key).area if len(before) else pd.Series(dtype=float)
    b = after.dissolve(by=key).area if len(after) else pd.Series(dtype=float)
    rows = []
    for ref in sorted(set(a.index) | set(b.index)):
        old, new = float(a.get(ref, 0.0)), float(b.get(ref, 0.0))
        if ref not in a.index:
            status = "new"
        elif ref not in b.index:
            status = "gone"
        elif new - old > tolerance_m2:
            status = "grew"
        elif old - new > tolerance_m2:
            status = "shrank"
        else:
            status = "unchanged"
        rows.append((ref, status, old, new, new - old))
    return pd.DataFrame(
        rows, columns=[key, "status", "area_before_m2", "area_after_m2", "change_m2"]
    )
