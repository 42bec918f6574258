"""Siting and compliance inputs: the model file, vector files and a DEM aligned to one grid.

Readers of the planner's files (an OSM-style land-use GeoPackage, extra road lines, a
DEM) and the rasterising of features onto the analysis grid (EPSG:32648). Used by
``planning.pipeline.siting`` and ``planning.pipeline.compliance``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
import shapely
import yaml
from numpy.typing import NDArray
from pyproj import CRS, Transformer
from rasterio import features
from rasterio.fill import fillnodata
from rasterio.warp import Resampling, reproject, transform_bounds

from gis.crs import METRIC_CRS, METRIC_EPSG, WGS84
from gis.errors import ValidationError
from gis.messages import Message, msg
from planning import siting
from planning.surfaces import Grid

__all__ = [
    "DISTANCE_MARGIN_M",
    "MAX_CELLS",
    "dem_on_grid",
    "distance_m",
    "footprint",
    "grid_for_bbox",
    "load_model",
    "polygonal",
    "rasterize",
    "read_layer",
]

logger = logging.getLogger(__name__)

#: Cells a siting grid may have (a 45 x 45 km study area at 10 m).
MAX_CELLS = 20_000_000


def load_model(sample_data: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The default siting model (``data/siting/defaults.yaml``) with ``overrides`` merged in."""
    model: dict[str, Any] = yaml.safe_load(
        (sample_data / "siting" / "defaults.yaml").read_text(encoding="utf-8")
    )
    for key, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(model.get(key), dict):
            for sub, sv in value.items():
                if isinstance(sv, dict) and isinstance(model[key].get(sub), dict):
                    model[key][sub] = {**model[key][sub], **sv}
                else:
                    model[key][sub] = sv
        else:
            model[key] = value
    return model


def grid_for_bbox(bbox: tuple[float, float, float, float], cell: float) -> Grid:
    """The EPSG:32648 grid of ``cell`` metres covering a lon/lat box (at most MAX_CELLS)."""
    t = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)
    x0, y0, x1, y1 = t.transform_bounds(*bbox)
    x0, y0 = np.floor(x0 / cell) * cell, np.floor(y0 / cell) * cell
    width, height = int(np.ceil((x1 - x0) / cell)), int(np.ceil((y1 - y0) / cell))
    if width * height > MAX_CELLS:
        raise ValidationError(
            msg(
                "siting.grid_too_large",
                cell_m=cell,
                width=width,
                height=height,
                max_cells=MAX_CELLS,
            )
        )
    return Grid(float(x0), float(y0 + height * cell), cell, width, height)


def dem_on_grid(path: Path, grid: Grid, notes: list[Message]) -> NDArray[np.float32]:
    """The DEM resampled onto the grid (bilinear); voids filled from their surroundings first."""
    with rasterio.open(path) as src:
        data = src.read(1, masked=True)
        voids = int(data.mask.sum()) if np.ma.is_masked(data) else 0
        filled = data.filled(0).astype("float32")
        if voids:
            filled = fillnodata(
                filled, mask=(~np.ma.getmaskarray(data)).astype("uint8"), max_search_distance=50
            )
        out = np.full(grid.shape, np.nan, dtype="float32")
        reproject(
            filled,
            out,
            src_transform=src.transform,
            src_crs=src.crs,
            dst_transform=grid.transform,
            dst_crs=METRIC_CRS,
            dst_nodata=np.nan,
            resampling=Resampling.bilinear,
        )
        unit = msg("unit.degrees") if src.crs.is_geographic else msg("unit.metres")
        notes.append(
            msg(
                "siting.dem_resampled",
                file=path.name,
                crs=src.crs.to_string(),
                resolution=float(src.res[0]),
                unit=unit,
                grid_crs=f"EPSG:{METRIC_EPSG}",
                cell_m=grid.cell,
                voids=int(voids),
            )
        )
    outside = float(np.isnan(out).mean())
    if outside > 0:
        notes.append(msg("siting.dem_partial", outside_pct=round(outside * 100, 1)))
    return out


def footprint(path: Path, layer: str | None = None) -> tuple[float, float, float, float]:
    """The lon/lat box a raster (or a vector file's ``layer``) covers: west, south, east, north.

    A raster's box is its grid's extent; a vector layer's is the box of its features.
    """
    if path.suffix.lower() in (".tif", ".tiff"):
        with rasterio.open(path) as src:
            box = transform_bounds(src.crs, WGS84, *src.bounds)
    else:
        info = pyogrio.read_info(path, layer=layer, force_total_bounds=True)
        box = tuple(float(v) for v in info["total_bounds"])
        if info["crs"] and CRS.from_user_input(info["crs"]) != CRS.from_user_input(WGS84):
            box = transform_bounds(info["crs"], WGS84, *box)
    west, south, east, north = (round(float(v), 4) for v in box)
    return west, south, east, north


def read_layer(
    path: Path, layer: str | None, bbox: tuple[float, float, float, float], notes: list[Message]
) -> gpd.GeoDataFrame:
    """Layer ``layer`` of a vector file inside a lon/lat box, in EPSG:32648.

    A missing layer is noted and read as empty; a layer without a CRS is refused.
    """
    layers = [name for name, _ in pyogrio.list_layers(path)]
    if layer is not None and layer not in layers:
        notes.append(msg("siting.layer_missing", file=path.name, layer=layer))
        return gpd.GeoDataFrame(geometry=[], crs=WGS84)
    gdf = gpd.read_file(path, layer=layer, bbox=bbox, engine="pyogrio")
    if gdf.crs is None:
        raise ValidationError(msg("siting.layer_no_crs", file=path.name, layer=layer or layers[0]))
    return gdf.to_crs(METRIC_CRS)


def rasterize(
    geoms: Iterable[shapely.Geometry | None],
    grid: Grid,
    *,
    value: int = 1,
    fill: int = 0,
    dtype: str = "uint8",
    all_touched: bool = True,
) -> NDArray[Any]:
    """Burn ``value`` into the grid cells that ``geoms`` touch; the other cells hold ``fill``.

    Without ``all_touched`` only the cells whose centre a geometry covers are burnt.
    """
    shapes = [(g, value) for g in geoms if g is not None and not g.is_empty]
    if not shapes:
        return np.full(grid.shape, fill, dtype=dtype)
    burnt: NDArray[Any] = features.rasterize(
        shapes,
        out_shape=grid.shape,
        transform=grid.transform,
        fill=fill,
        dtype=dtype,
        all_touched=all_touched,
    )
    return burnt


#: Distances see features up to this far outside the study area (metres; capped at 400 cells).
DISTANCE_MARGIN_M = 8000.0


def distance_m(geoms: Iterable[shapely.Geometry], grid: Grid) -> NDArray[np.floating[Any]]:
    """Metres from each cell to the nearest of ``geoms``, counting features outside the grid.

    Features are rasterised on a grid padded by :data:`DISTANCE_MARGIN_M`.
    """
    pad = int(min(np.ceil(DISTANCE_MARGIN_M / grid.cell), 400))
    present = rasterize(geoms, grid.padded(pad)) > 0
    return siting.distance_to(present, grid.cell)[pad : pad + grid.height, pad : pad + grid.width]


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """A valid (multi)polygon: reprojection can make raster outlines touch themselves."""
    fixed = shapely.make_valid(geom)
    if fixed.geom_type == "GeometryCollection":
        fixed = shapely.union_all(
            [g for g in fixed.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        )
    return fixed
