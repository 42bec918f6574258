"""Read vector files (CSV with lon/lat or WKT, GeoJSON, GeoPackage, Shapefile).

Every frame returned carries ``_row``: the 1-based record number in the file (header
excluded), used by every problem report.

Text comes out in Unicode NFC whatever the file's encoding: a CSV or a Shapefile's DBF
is read in the encoding the user gives (``encoding``), else the one its ``.cpg`` states
(UTF-8 or Windows-1258), else the one :func:`gis.encodings.detect` finds among UTF-8,
Windows-1258, TCVN3 and VNI; each reader returns the :class:`~gis.encodings.Decoding`
it used, for the import report. GeoJSON, GeoPackage and FlatGeobuf are UTF-8 by their
specifications.
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.crs import resolve_crs
from gis.encodings import Decoding, detect, given, judge
from gis.errors import CRSError, ValidationError
from gis.messages import msg
from gis.text import column_key
from gis.validate import Problem
from gis.vncodecs import canonical_name, decode

__all__ = ["coordinate_columns", "read_table", "read_vector", "stated_encoding"]

logger = logging.getLogger(__name__)

_LON = ("lon", "lng", "long", "longitude", "x", "kinh_do", "kinhdo")
_LAT = ("lat", "latitude", "y", "vi_do", "vido")
_WKT = ("wkt", "geometry", "geom", "the_geom")
VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb"}
#: Formats whose text is in a DBF: their encoding is stated (``.cpg``), given or detected.
_DBF_SUFFIXES = {".shp", ".zip"}
#: Code pages a ``.cpg`` may state that can hold Vietnamese (others say nothing about it).
_VIETNAMESE_CODE_PAGES = {"utf-8", "cp1258"}


def _decoding(data: bytes, encoding: str | None, path: Path, stated: str | None) -> Decoding:
    """The decoding of a file's text: given, else stated by a Vietnamese code page, else found."""
    if encoding is not None:
        return judge(data, given(encoding), "given", what=str(path))
    code_page = canonical_name(stated) if stated else None
    if code_page in _VIETNAMESE_CODE_PAGES:
        return judge(data, str(code_page), "stated", what=str(path))
    found = detect(data, what=str(path))
    return Decoding(**{**found.__dict__, "stated": stated}) if stated else found


def read_table(path: Path, *, encoding: str | None = None) -> tuple[pd.DataFrame, Decoding]:
    """Read a CSV as text columns (Unicode NFC), with ``_row``, and how it was decoded.

    Parameters
    ----------
    path : Path
        The CSV.
    encoding : str, optional
        Its encoding (``utf-8``, ``cp1258``, ``tcvn3``, ``vni`` or a usual spelling of
        them); by default valid UTF-8 is UTF-8, and other bytes are judged by
        :func:`gis.encodings.detect`.

    Raises
    ------
    ValidationError
        When the file is missing or empty, or its text fits no encoding.
    """
    if not path.exists():
        raise ValidationError(msg("io.file_not_found", path=str(path)))
    data = path.read_bytes()
    decoding = _decoding(data, encoding, path, None)
    try:
        df = pd.read_csv(
            io.StringIO(decode(data, decoding.encoding)), dtype=str, keep_default_na=False
        )
    except pd.errors.EmptyDataError as exc:
        raise ValidationError(msg("io.empty_file", path=str(path))) from exc
    except pd.errors.ParserError as exc:
        raise ValidationError(msg("io.bad_csv", path=str(path), detail=str(exc))) from exc
    df.columns = [str(c).strip() for c in df.columns]
    df["_row"] = np.arange(1, len(df) + 1)
    return df, decoding


def stated_encoding(path: Path) -> str | None:
    """What a Shapefile's ``.cpg`` says (stripped), or ``None`` without one.

    The ``.cpg`` sits beside the ``.shp`` (any case of its suffix) or in the same zip.
    """
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if n.lower().endswith(".cpg")]
                return zf.read(names[0]).decode("ascii", "replace").strip() if names else None
        except (OSError, zipfile.BadZipFile):
            return None
    for candidate in path.parent.glob(path.stem + ".*"):
        if candidate.suffix.lower() == ".cpg":
            return candidate.read_bytes().decode("ascii", "replace").strip() or None
    return None


def _read_dbf_text(
    path: Path, layer: str | None, encoding: str | None
) -> tuple[gpd.GeoDataFrame, Decoding]:
    """Read a Shapefile with its DBF text decoded as given, stated or detected (NFC).

    GDAL reads the DBF as ISO-8859-1, which keeps every byte (one character each); the
    bytes are then decoded here, so that TCVN3 and VNI, which GDAL does not know, work
    as Windows-1258 and UTF-8 do, and a missing ``.cpg`` does not mean Latin-1.
    """
    gdf = gpd.read_file(path, layer=layer, engine="pyogrio", encoding="ISO-8859-1")
    geometry = gdf.geometry.name
    text_columns = [
        c
        for c in gdf.columns
        if c != geometry and (gdf[c].dtype == object or pd.api.types.is_string_dtype(gdf[c]))
    ]
    parts = [str(c).encode("latin-1") for c in gdf.columns if c != geometry]
    for column in text_columns:
        parts += [v.encode("latin-1") for v in gdf[column] if isinstance(v, str)]
    decoding = _decoding(b"\n".join(parts), encoding, path, stated_encoding(path))

    def text(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return decode(value.encode("latin-1"), decoding.encoding)

    for column in text_columns:
        gdf[column] = gdf[column].map(text)
    gdf = gdf.rename(columns={c: text(c) for c in gdf.columns if c != geometry})
    return gdf, decoding


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
    path: Path | str,
    *,
    layer: str | None = None,
    crs: Any = None,
    geometry: bool = True,
    encoding: str | None = None,
) -> tuple[gpd.GeoDataFrame, list[Problem], Decoding]:
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
    encoding : str, optional
        The encoding of a CSV or a Shapefile's DBF (see :func:`read_table`); by default
        the ``.cpg``'s when it names UTF-8 or Windows-1258, else detected.

    Returns
    -------
    (GeoDataFrame, list of Problem, Decoding)
        The features, the row problems found while reading (bad numbers, bad WKT), and
        how the text was decoded.

    Raises
    ------
    ValidationError, CRSError
        When the file cannot be read, has no geometry, or has no CRS; when its text fits
        no encoding; when an encoding is given for a format that is always UTF-8.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        return _read_csv(path, crs=crs, geometry=geometry, encoding=encoding)
    if suffix not in VECTOR_SUFFIXES:
        raise ValidationError(msg("io.unsupported_type", path=str(path), suffix=path.suffix))
    if not path.exists():
        raise ValidationError(msg("io.file_not_found", path=str(path)))
    if encoding is not None and suffix not in _DBF_SUFFIXES:
        raise ValidationError(msg("io.encoding_utf8_format", path=str(path), suffix=suffix))
    try:
        if suffix in _DBF_SUFFIXES:
            gdf, decoding = _read_dbf_text(path, layer, encoding)
        else:
            gdf, decoding = (
                gpd.read_file(path, layer=layer, engine="pyogrio"),
                Decoding("utf-8", "format"),
            )
    except ValidationError:
        raise
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
    return gdf, [], decoding


def _read_csv(
    path: Path, *, crs: Any, geometry: bool, encoding: str | None
) -> tuple[gpd.GeoDataFrame, list[Problem], Decoding]:
    df, decoding = read_table(path, encoding=encoding)
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
    frame = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=df.index), crs=target)
    return frame, problems, decoding
