"""Raster IO: write arrays as Cloud-Optimized GeoTIFFs (rasterio), read them back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from numpy.typing import NDArray
from pyproj import CRS
from rasterio.transform import Affine

__all__ = ["write_cog"]


def write_cog(
    path: Path | str,
    bands: dict[str, NDArray[np.float64]],
    *,
    transform: Affine,
    crs: CRS,
    nodata: float = -9999.0,
) -> Path:
    """Write float32 bands (name -> 2-D array, north up) as a COG with overviews.

    NaN cells become ``nodata``. Band names go into the band descriptions.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = [np.where(np.isfinite(a), a, nodata).astype("float32") for a in bands.values()]
    height, width = arrays[0].shape
    profile = {
        "driver": "COG",
        "height": height,
        "width": width,
        "count": len(arrays),
        "dtype": "float32",
        "crs": crs.to_wkt(),
        "transform": transform,
        "nodata": nodata,
        "compress": "deflate",
        "blocksize": 256,
        "overview_resampling": "average",
    }
    with rasterio.open(path, "w", **profile) as dst:
        for i, (name, array) in enumerate(zip(bands, arrays, strict=True), start=1):
            dst.write(array, i)
            dst.set_band_description(i, name)
    return path
