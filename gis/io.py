"""Read vector files (CSV with lon/lat or WKT, GeoJSON, GeoPackage, Shapefile).

Every frame returned carries ``_row``: the 1-based record number in the file (header
excluded), used by every problem report.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.crs import resolve_crs
from gis.errors import CRSError, ValidationError
from gis.messages import msg
from gis.text import column_key
from gis.validate import Problem

__all__ = ["coordinate_columns", "read_table", "read_vector"]

logger = logging.getLogger(__name__)

_LON = ("lon", "lng", "long", "longitude", "x", "kinh_do", "kinhdo")
_LAT = ("lat", "latitude", "y", "vi_do", "vido")
_WKT = ("wkt", "geometry", "geom", "the_geom")
VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb"}


def read_table(path: Path) -> pd.DataFrame:
    """Read a UTF-8 CSV as text columns, with ``_row``.

    Raises
    ------
    ValidationError
        When the file is missing, empty or not UTF-8.
    """
    if not path.exists():
        raise ValidationError(msg("io.file_not_found", path=str(path)))
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(msg("io.not_utf8", path=str(path), byte=exc.start)) from exc
    except pd.errors.EmptyDataError as exc:
        raise ValidationError(msg("io.empty_file", path=str(path))) from exc
    except pd.errors.ParserError as exc:
        raise ValidationError(msg("io.bad_csv", path=str(path), detail=str(exc))) from exc
    df.columns = [str(c).strip() for c in df.columns]
    df["_row"] = np.arange(1, len(df) + 1)
    return df


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    keys: dict[str, str] = {}
    for c in columns:
        keys.setdefault(column_key(c), c)
    return next((keys[k] for k in map(column_key, names) if k in keys), None)


def coordinate_columns(columns: list[str]) -> tuple[str | None, str | None]:
    """The longitude and latitude columns of a table (any case, with or without diacritics).

    Examples
    --------
    >>> coordinate_columns(["Tên", "Kinh độ", "Vĩ độ"])
    ('Kinh độ', 'Vĩ độ')
    >>> coordinate_columns(["Id", "Longitude", "Latitude"])
    ('Longitude', 'Latitude')
    """
    return _find(columns, _LON), _find(columns, _LAT)


def _points_from_columns(
    df: pd.DataFrame, xcol: str, ycol: str
) -> tuple[np.ndarray, list[Problem]]:
    problems: list[Problem] = []
    x = pd.to_numeric(df[xcol].str.strip().str.replace(",", "."), errors="coerce")
    y = pd.to_numeric(df[ycol].str.strip().str.replace(",", "."), errors="coerce")
    for col, raw, num in ((xcol, df[xcol], x), (ycol, df[ycol], y)):
        bad = ~np.isfinite(num.to_numpy(dtype=float))
        for row, value, parsed in zip(df.loc[bad, "_row"], raw[bad], num[bad], strict=True):
            if value.strip() == "":
                code, reason = "bad_coordinate", msg("io.coordinate_missing")
            elif pd.isna(parsed) and value.strip().lower() not in ("nan", "-nan"):
                code, reason = "bad_coordinate", msg("validate.not_number", value=value)
            else:
                code, reason = "non_finite", msg("io.coordinate_not_finite", value=value)
            problems.append(Problem(int(row), col, code, reason))
    geoms = shapely.points(x.to_numpy(dtype=float), y.to_numpy(dtype=float))
    bad_rows = {p.row for p in problems}
    geoms = np.array(
        [None if r in bad_rows else g for r, g in zip(df["_row"], geoms, strict=True)], dtype=object
    )
    return geoms, problems


def _geoms_from_wkt(df: pd.DataFrame, col: str) -> tuple[np.ndarray, list[Problem]]:
    geoms = shapely.from_wkt(df[col].to_numpy(dtype=object), on_invalid="ignore")
    problems = [
        Problem(int(row), col, "bad_wkt", msg("io.bad_wkt", text=text[:60]))
        for row, text, geom in zip(df["_row"], df[col], geoms, strict=True)
        if geom is None and text.strip()
    ]
    return geoms, problems


def read_vector(
    path: Path | str, *, layer: str | None = None, crs: Any = None, geometry: bool = True
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Read features from a file into a GeoDataFrame in the file's CRS, with ``_row``.

    Parameters
    ----------
    path : path
        CSV (``lon``/``lat`` columns or a WKT column), GeoJSON, GeoPackage, Shapefile.
    layer : str, optional
        Layer name inside a GeoPackage.
    crs : optional
        The CRS of a CSV's coordinates (default EPSG:4326), or of a file without one.
    geometry : bool
        Whether geometry is required (``False`` lets a CSV without coordinates through).

    Returns
    -------
    (GeoDataFrame, list of Problem)
        The features and the row problems found while reading (bad numbers, bad WKT).

    Raises
    ------
    ValidationError, CRSError
        When the file cannot be read, has no geometry, or has no CRS.
    """
    path = Path(path)
    if path.suffix.lower() in {".csv", ".txt"}:
        return _read_csv(path, crs=crs, geometry=geometry)
    if path.suffix.lower() not in VECTOR_SUFFIXES:
        raise ValidationError(msg("io.unsupported_type", path=str(path), suffix=path.suffix))
    if not path.exists():
        raise ValidationError(msg("io.file_not_found", path=str(path)))
    try:
        gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several unrelated classes for unreadable files
        raise ValidationError(msg("io.bad_vector", path=str(path), detail=str(exc))) from exc
    if gdf.crs is None:
        if crs is None:
            raise CRSError(msg("io.no_crs", path=str(path)))
        gdf = gdf.set_crs(resolve_crs(crs))
    elif crs is not None and not gdf.crs.equals(resolve_crs(crs)):
        raise CRSError(
            msg("io.crs_conflict", path=str(path), file_crs=gdf.crs.to_string(), given=str(crs))
        )
    gdf["_row"] = np.arange(1, len(gdf) + 1)
    return gdf, []


def _read_csv(path: Path, *, crs: Any, geometry: bool) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    df = read_table(path)
    columns = [c for c in df.columns if c != "_row"]
    xcol, ycol, wkt = _find(columns, _LON), _find(columns, _LAT), _find(columns, _WKT)
    if wkt is not None:
        geoms, problems = _geoms_from_wkt(df, wkt)
        df = df.drop(columns=[wkt])
    elif xcol is not None and ycol is not None:
        geoms, problems = _points_from_columns(df, xcol, ycol)
        df = df.drop(columns=[xcol, ycol])
    elif geometry:
        raise ValidationError(msg("io.no_geometry_columns", path=str(path)))
    else:
        geoms, problems = np.full(len(df), None, dtype=object), []
    target = resolve_crs(crs) if crs is not None else "EPSG:4326"
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=df.index), crs=target), problems
