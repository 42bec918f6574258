"""Pollution zones drawn or corrected by environmental officers: the import spec used by
``langnghe import zones`` and by zone edits through the API.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from gis.text import nfc
from gis.validate import Field, Problem
from layers.importer import ImportOptions, LayerSpec, rename_columns

__all__ = ["ZONES"]

KINDS = ("surface_exceedance", "source_buffer", "observed")
SEVERITIES = ("high", "medium", "low")


def _prepare(gdf: gpd.GeoDataFrame, options: ImportOptions) -> tuple[pd.DataFrame, list[Problem]]:
    frame = rename_columns(gdf, {})
    frame["name"] = (
        frame["name"].map(lambda v: nfc(v) if isinstance(v, str) else v)
        if "name" in frame
        else None
    )
    return frame, []


def _check_parameters(cur, options: ImportOptions) -> list[Problem]:
    """A zone's parameter must be one the system knows (the table's foreign key, said per row)."""
    cur.execute(
        "SELECT _row, parameter FROM _stage WHERE parameter IS NOT NULL "
        "AND parameter NOT IN (SELECT code FROM parameters)"
    )
    return [
        Problem(int(row), "parameter", "choice", f"unknown parameter {p!r}")
        for row, p in cur.fetchall()
    ]


ZONES = LayerSpec(
    name="zones",
    table="pollution_zones",
    key=("ref",),
    columns=("ref", "name", "kind", "parameter", "method", "zone_date", "severity", "source"),
    fields=(
        Field("ref", required=True),
        Field("name", required=True),
        Field("kind", required=True, choices=KINDS),
        Field("parameter"),
        Field("method", required=True),
        Field("zone_date", "date", required=True),
        Field("severity", choices=SEVERITIES),
        Field("source", required=True),
    ),
    prepare=_prepare,
    geometry_type="MultiPolygon",
    stage_check=_check_parameters,
)
