"""Several files, or a folder of them, imported as one: one frame, one report, one savepoint.

Agencies publish boundaries one file per unit (181 ward files for one city). Imported one by
one, a half-done series is committed and a unit repeated in two files goes unnoticed; read
together, the rows are numbered across the files (each file's first and last row are noted),
the natural key is checked over all of them, and the caller's transaction takes all or none.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from gis.crs import to_wgs84
from gis.errors import ValidationError
from gis.messages import msg
from gis.validate import Problem
from layers.importer import (
    ImportOptions,
    ImportReport,
    LayerSpec,
    import_frame,
    read_file,
    run_import,
)

__all__ = ["SUFFIXES", "expand_paths", "run_import_files"]

logger = logging.getLogger(__name__)

#: The files a folder import reads (a Shapefile by its ``.shp``).
SUFFIXES = (".csv", ".geojson", ".json", ".gpkg", ".shp")


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """The files named, a folder standing for its layer files (sorted by name), in order.

    Raises
    ------
    ValidationError
        When no file is left (``import.no_files``).
    """
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
        else:
            found.append(path)
    if not found:
        raise ValidationError(msg("import.no_files", paths=[str(p) for p in paths]))
    return found


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _shifted(problems: list[Problem], offset: int) -> list[Problem]:
    return [p if p.row is None else dataclasses.replace(p, row=p.row + offset) for p in problems]


def run_import_files(
    conn: Any, spec: LayerSpec, paths: Iterable[Path | str], options: ImportOptions
) -> ImportReport:
    """Import several files (or folders of them) into ``spec`` as one import.

    One file is :func:`layers.importer.run_import`. Several are read one by one (each in its
    own CRS and encoding, then in WGS 84), their rows numbered on from the previous file's
    last, and imported as one frame: one validation (keys unique over every file), one
    savepoint in the caller's transaction, one report whose notes say which rows came from
    which file. Nothing is committed here.

    Raises
    ------
    ValidationError, CRSError
        When a file cannot be read as a whole (nothing written).
    ImportFailedError
        When the database refuses the rows (nothing written).
    """
    files = expand_paths(paths)
    if len(files) == 1:
        return run_import(conn, spec, files[0], options)
    frames: list[gpd.GeoDataFrame] = []
    problems: list[Problem] = []
    notes = []
    offset = 0
    for path in files:
        gdf, found, decoding = read_file(spec, path, options)
        if gdf.crs is not None and spec.geometry_type is not None:
            gdf = to_wgs84(gdf)
        gdf = gdf.assign(_row=gdf["_row"] + offset)
        problems += _shifted(found, offset)
        last = int(gdf["_row"].max()) if len(gdf) else offset
        notes.append(
            msg(
                "import.file_rows",
                path=path.name,
                first=offset + 1,
                last=last,
                encoding=decoding.encoding,
            )
        )
        frames.append(gdf)
        offset = last
    frame = gpd.GeoDataFrame(
        pd.concat(frames, ignore_index=True), geometry=frames[0].geometry.name, crs=frames[0].crs
    )
    report = import_frame(
        conn,
        spec,
        frame,
        options,
        problems=problems,
        source=f"{files[0].parent} ({len(files)})",
        audit_details={
            "files": [str(p) for p in files],
            "sha256": [_digest(p) for p in files],
        },
    )
    report.notes[:0] = notes
    logger.info("%s: %d files imported as one", spec.name, len(files))
    return report
