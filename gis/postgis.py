"""Read query results into GeoDataFrames with a plain psycopg2 cursor (no SQLAlchemy)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely

if TYPE_CHECKING:
    from psycopg2.extensions import connection as Connection

__all__ = ["read_geodataframe"]


def read_geodataframe(
    conn: Connection, query: Any, params: Any = None, *, geom_col: str = "geom", crs: int = 4326
) -> gpd.GeoDataFrame:
    """Run ``query`` (which selects ``ST_AsBinary(...) AS <geom_col>``) and build a GeoDataFrame.

    Parameters are bound by psycopg2; the geometry column arrives as WKB.
    """
    with conn.cursor() as cur:
        cur.execute(query, params)
        columns = [d.name for d in cur.description or ()]
        rows = cur.fetchall()
    frame = pd.DataFrame(rows, columns=columns)
    geoms = (
        shapely.from_wkb([None if v is None else bytes(v) for v in frame[geom_col]])
        if len(frame)
        else []
    )
    return gpd.GeoDataFrame(
        frame.drop(columns=[geom_col]), geometry=gpd.GeoSeries(geoms, index=frame.index), crs=crs
    )
