"""Coordinate reference systems: VN-2000 with the official parameters, UTM, checks.

VN-2000 (Decision 83/2000/QĐ-TTg) uses the WGS-84 ellipsoid; the seven-parameter
transformation to WGS 84 is the one published in Decision 05/2007/QĐ-BTNMT. PROJ's
own default for EPSG:4756 uses other parameters, so every VN-2000 CRS is rebuilt here
as a bound CRS carrying the official ``towgs84`` before anything is transformed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import geopandas as gpd
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as _PyprojCRSError

from gis.errors import CRSError, CRSMismatchError
from gis.messages import msg

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "METRIC_CRS",
    "METRIC_EPSG",
    "VN2000_TOWGS84",
    "WEB_MERCATOR_EPSG",
    "WGS84",
    "WGS84_EPSG",
    "check_same_crs",
    "is_vn2000",
    "resolve_crs",
    "supported",
    "to_wgs84",
]

logger = logging.getLogger(__name__)

#: WGS 84 longitude/latitude: what the web speaks (GeoJSON, RFC 7946) and the layers store.
WGS84_EPSG = 4326
WGS84 = CRS.from_epsg(WGS84_EPSG)
#: Web Mercator: the CRS of vector tiles.
WEB_MERCATOR_EPSG = 3857
#: UTM zone 48N: the metric CRS for analyses around Hà Nội.
METRIC_EPSG = 32648
METRIC_CRS = CRS.from_epsg(METRIC_EPSG)
#: dX, dY, dZ (m), rX, rY, rZ (arc-seconds), scale (ppm): Decision 05/2007/QĐ-BTNMT.
VN2000_TOWGS84 = (
    -191.90441429,
    -39.30318279,
    -111.45032835,
    -0.00928836,
    0.01975479,
    -0.00427372,
    0.252906278,
)


def is_vn2000(crs: CRS) -> bool:
    """Whether ``crs`` is geographic or projected VN-2000 (any TM-3 or UTM grid)."""
    geodetic = crs.geodetic_crs if crs.is_projected else crs
    datum = geodetic.datum.name if geodetic is not None and geodetic.datum else ""
    return "vietnam 2000" in datum.lower() or "vn-2000" in datum.lower()


def supported(crs: CRS) -> bool:
    """Whether imports accept ``crs``: WGS 84, VN-2000 (geographic, TM-3, UTM), UTM 48N/49N."""
    if crs.equals(WGS84, ignore_axis_order=True) or is_vn2000(crs):
        return True
    return crs.to_epsg() in {32648, 32649, 4326}


def resolve_crs(user_input: Any) -> CRS:
    """Normalise a user's CRS (EPSG code, ``"EPSG:9208"``, WKT, PROJ string).

    Raises
    ------
    CRSError
        When the input is not a CRS or is not one that imports accept.

    Examples
    --------
    >>> resolve_crs("EPSG:4326").to_epsg()
    4326
    """
    try:
        crs = CRS.from_user_input(user_input)
    except _PyprojCRSError as exc:
        raise CRSError(msg("crs.unknown", value=str(user_input)[:80])) from exc
    if not supported(crs):
        raise CRSError(msg("crs.unsupported", name=crs.name))
    return crs


def _bound_vn2000(crs: CRS) -> CRS:
    """Rebuild a VN-2000 CRS bound to WGS 84 by the official seven parameters."""
    from pyproj.crs import BoundCRS
    from pyproj.crs.coordinate_operation import ToWGS84Transformation

    dx, dy, dz, rx, ry, rz, ppm = VN2000_TOWGS84
    helmert = ToWGS84Transformation(
        crs.geodetic_crs if crs.is_projected else crs,
        x_axis_translation=dx,
        y_axis_translation=dy,
        z_axis_translation=dz,
        x_axis_rotation=rx,
        y_axis_rotation=ry,
        z_axis_rotation=rz,
        scale_difference=ppm,
    )
    return BoundCRS(source_crs=crs, target_crs=WGS84, transformation=helmert)


def transformer_to_wgs84(crs: CRS) -> Transformer:
    """Return an ``always_xy`` transformer from ``crs`` to WGS 84."""
    source = _bound_vn2000(crs) if is_vn2000(crs) else crs
    return Transformer.from_crs(source, WGS84, always_xy=True)


def to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` in EPSG:4326, using the official VN-2000 parameters.

    Raises
    ------
    CRSError
        When ``gdf`` has no CRS or an unsupported one.
    """
    if gdf.crs is None:
        raise CRSError(msg("crs.missing"))
    crs = resolve_crs(gdf.crs)
    if crs.equals(WGS84, ignore_axis_order=True):
        return gdf.set_crs(WGS84, allow_override=True)
    import shapely

    transformer = transformer_to_wgs84(crs)
    geoms = shapely.transform(
        gdf.geometry.values, lambda xy: _apply(transformer, xy), include_z=False
    )
    out = gdf.copy()
    out[gdf.geometry.name] = gpd.GeoSeries(geoms, index=gdf.index, crs=WGS84)
    return out.set_crs(WGS84, allow_override=True)


def _apply(transformer: Transformer, xy: NDArray[np.float64]) -> NDArray[np.float64]:
    import numpy as np

    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def check_same_crs(
    left: gpd.GeoDataFrame | gpd.GeoSeries, right: gpd.GeoDataFrame | gpd.GeoSeries
) -> None:
    """Raise :class:`CRSMismatchError` unless both inputs carry the same CRS."""
    if left.crs is None or right.crs is None:
        raise CRSError(msg("crs.both_needed"))
    if not CRS.from_user_input(left.crs).equals(right.crs):
        raise CRSMismatchError(
            msg("crs.mismatch", left=left.crs.to_string(), right=right.crs.to_string())
        )
