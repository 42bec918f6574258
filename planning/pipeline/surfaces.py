"""Pollution surfaces: the period mean of a parameter interpolated between the stations.

Fetches station means through ``layers.measurements``, interpolates with the pure
``planning.surfaces`` (IDW, and ordinary kriging from five stations), writes a COG and
saves a ``surface`` scenario through ``layers.scenarios``. Not committed here.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import numpy as np

from gis.crs import METRIC_CRS, METRIC_EPSG
from gis.errors import ValidationError
from gis.network import project_to_metric
from gis.raster import write_cog
from gis.settings import Settings
from layers.measurements import station_means
from layers.scenarios import add_raster, save_scenario
from planning.surfaces import Grid, idw, idw_loo, kriging, kriging_loo

__all__ = ["build_surface"]

logger = logging.getLogger(__name__)


def build_surface(
    conn: Any,
    settings: Settings,
    parameter: str,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    cell_m: float = 500.0,
    margin_m: float = 3000.0,
) -> dict[str, Any]:
    """Interpolate the period mean of ``parameter``, save a COG and a scenario.

    Parameters
    ----------
    conn : psycopg2 connection
        The caller's (the scenario is not committed here).
    settings : Settings
        Where rasters are written.
    parameter : str
        A parameter code such as ``PM2.5``.
    start, end : datetime, optional
        Half-open period of the means.
    cell_m, margin_m : float
        Cell size and the margin around the stations, in metres (EPSG:32648).

    Returns
    -------
    dict
        Stations, leave-one-out RMSE per method, the variogram when kriged, band maxima,
        and ``scenario_id``, ``path``, ``bands``.

    Raises
    ------
    ValidationError
        When fewer than 3 located stations have values in the period.
    """
    means = station_means(conn, parameter, start=start, end=end)
    if len(means) < 3:
        raise ValidationError(
            f"{parameter}: {len(means)} stations with coordinates have values in that period; "
            "a surface needs at least 3"
        )
    x, y = project_to_metric(np.array([m.lon for m in means]), np.array([m.lat for m in means]))
    values = np.array([m.mean for m in means])
    grid = Grid.around(x, y, cell=cell_m, margin=margin_m)
    bands = {"idw": idw(x, y, values, grid)}
    result: dict[str, Any] = {
        "parameter": parameter,
        "stations": [m.ref for m in means],
        "cell_m": cell_m,
        "loo_rmse": {"idw": idw_loo(x, y, values)},
        "notes": [],
    }
    if len(means) >= 5:
        surface, variance, fitted = kriging(x, y, values, grid)
        bands.update(kriging=surface, kriging_variance=variance)
        result["loo_rmse"]["kriging"] = kriging_loo(x, y, values)
        result["variogram"] = {k: float(v) for k, v in fitted.items()}
    else:
        result["notes"].append("kriging needs at least 5 stations: IDW only")
    result["band_max"] = {name: float(np.nanmax(band)) for name, band in bands.items()}
    params = {"parameter": parameter, "start": str(start), "end": str(end), "cell_m": cell_m}
    scenario_id = save_scenario(conn, "surface", f"{parameter} surface", params, {}, result)
    path = write_cog(
        settings.raster_path(f"surface-{scenario_id}-{parameter.replace('.', '')}"),
        bands,
        transform=grid.transform,
        crs=METRIC_CRS,
    )
    add_raster(conn, scenario_id, "surface", path, epsg=METRIC_EPSG, cell_size_m=cell_m)
    return {**result, "scenario_id": scenario_id, "path": str(path), "bands": list(bands)}
