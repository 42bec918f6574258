"""Pollution zones drawn or corrected by environmental officers.

The import spec used by ``langnghe import zones`` and by zone edits through the API.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from gis.messages import msg
from gis.text import nfc
from gis.validate import Problem
from layers.importer import ImportOptions, rename_columns
from layers.layer import ID, N_, UPDATED_AT, Column, Layer

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
        Problem(int(row), "parameter", "choice", msg("measurements.unknown_parameter", parameter=p))
        for row, p in cur.fetchall()
    ]


ZONES = Layer(
    name="zones",
    table="pollution_zones",
    title=N_("Pollution zones"),
    description=N_("Exceedance zones and source buffers, by date."),
    schema=(
        ID,
        Column("ref", required=True, public=True, filterable=True),
        Column("name", required=True, public=True, filterable=True, title=N_("Name")),
        Column("kind", required=True, choices=KINDS, public=True, filterable=True),
        Column("parameter", public=True, filterable=True),
        Column("method", required=True, public=True, filterable=True, title=N_("Method")),
        Column("zone_date", "date", required=True, public=True, title=N_("Date")),
        Column("severity", choices=SEVERITIES, public=True, filterable=True, title=N_("Severity")),
        Column("village_id", "int", role="stored"),
        Column("source", required=True, public=True, in_tiles=False),
        UPDATED_AT,
    ),
    key=("ref",),
    geometry_type="MultiPolygon",
    importable=True,
    collection="zones",
    edit_roles=("env_officer",),
    edit_form=("name", "severity", "zone_date", "method"),
    datetime_column="zone_date",
    prepare=_prepare,
    stage_check=_check_parameters,
)
