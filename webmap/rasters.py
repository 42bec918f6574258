"""Rasters drawn for the map: a band reprojected to Web Mercator and coloured into a PNG.

The views of suitability and pollution surfaces call these; nothing here knows HTTP.
A PNG has no georeference, so each image travels with its ``[[south, west], [north,
east]]`` bounds, the form a Leaflet image overlay takes.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from affine import Affine
from rasterio.io import MemoryFile
from rasterio.warp import Resampling, calculate_default_transform, reproject, transform_bounds

__all__ = ["RAMP", "SurfaceBand", "raster_frame", "raster_png", "surface_band"]

#: Colours from poor / low (first) to good / high (last), RGB 0-255.
RAMP = np.array(
    [[215, 48, 39], [252, 141, 89], [254, 224, 139], [145, 207, 96], [26, 152, 80]], dtype=float
)

#: Leaflet bounds: ``[[south, west], [north, east]]`` in degrees.
Bounds = list[list[float]]


def raster_frame(path: Path | str) -> tuple[Affine, int, int, Bounds]:
    """The Web Mercator grid a raster is shown on.

    Parameters
    ----------
    path : Path or str
        A GeoTIFF in any CRS.

    Returns
    -------
    tuple
        ``(transform, width, height, bounds)``: the EPSG:3857 grid and its Leaflet bounds.
    """
    with rasterio.open(path) as src:
        transform, width, height = calculate_default_transform(
            src.crs, "EPSG:3857", src.width, src.height, *src.bounds
        )
    west, south, east, north = transform_bounds(
        "EPSG:3857",
        "EPSG:4326",
        transform.c,
        transform.f + transform.e * height,
        transform.c + transform.a * width,
        transform.f,
    )
    return transform, width, height, [[south, west], [north, east]]


def raster_png(
    path: Path | str, *, band: int = 1, vmin: float = 0.0, vmax: float = 1.0
) -> tuple[bytes, Bounds]:
    """A raster band (suitability, a pollution surface) in Web Mercator as an RGBA PNG.

    Unknown cells are clear; colours run along :data:`RAMP` from ``vmin`` (poor / low) to
    ``vmax`` (good / high), reversed when ``vmin > vmax``.

    Parameters
    ----------
    path : Path or str
        A GeoTIFF in any CRS.
    band : int
        The band to draw, from 1.
    vmin, vmax : float
        The values at the two ends of the ramp.

    Returns
    -------
    tuple of (bytes, list)
        The PNG and its ``[[south, west], [north, east]]`` bounds.
    """
    transform, width, height, bounds = raster_frame(path)
    out = np.full((height, width), np.nan, dtype="float32")
    with rasterio.open(path) as src:
        reproject(
            rasterio.band(src, band),
            out,
            dst_transform=transform,
            dst_crs="EPSG:3857",
            dst_nodata=np.nan,
            resampling=Resampling.nearest,
        )
    x = np.clip((np.nan_to_num(out, nan=vmin) - vmin) / (vmax - vmin), 0, 1) * (len(RAMP) - 1)
    lo = np.minimum(x.astype(int), len(RAMP) - 2)
    rgb = RAMP[lo] + (RAMP[lo + 1] - RAMP[lo]) * (x - lo)[..., None]
    alpha = np.where(np.isfinite(out), 200, 0)
    bands = np.concatenate([rgb.transpose(2, 0, 1), alpha[None]], axis=0).astype("uint8")
    with warnings.catch_warnings():  # a PNG has no georeference; the bounds travel beside it
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        with MemoryFile() as mem:
            with mem.open(driver="PNG", width=width, height=height, count=4, dtype="uint8") as dst:
                dst.write(bands)
            data = mem.read()
    return data, bounds


@dataclass(frozen=True)
class SurfaceBand:
    """The band of a pollution surface that the map shows, and its colour scale."""

    #: Band number, from 1 (kriging when the file has it, else the first).
    band: int
    #: The band's description (the interpolation method).
    method: str
    #: Highest value of the band: the red end of the scale.
    vmax: float
    #: ``[[south, west], [north, east]]``.
    bounds: Bounds


def surface_band(path: Path | str, results: dict[str, Any]) -> SurfaceBand | None:
    """Which band of a surface to show and up to what value; None when the file is gone.

    Parameters
    ----------
    path : Path or str
        The surface GeoTIFF (bands named after their method: ``idw``, ``kriging``).
    results : dict
        The scenario's results; ``band_max`` holds each band's maximum when it was saved.

    Returns
    -------
    SurfaceBand or None
        None when the file cannot be opened (the catalogue row outlives a removed file).
    """
    try:
        with rasterio.open(path) as src:
            names = list(src.descriptions)
            band = names.index("kriging") + 1 if "kriging" in names else 1
            vmax = (results.get("band_max") or {}).get(names[band - 1])
            if vmax is None:  # surfaces saved before their maxima were recorded
                stats = src.read(band, masked=True)
                vmax = float(stats.max()) if stats.count() else 1.0
    except rasterio.errors.RasterioIOError:
        return None
    return SurfaceBand(band, names[band - 1], vmax, raster_frame(path)[3])
