"""Pollution surfaces: the period mean of a parameter interpolated between the stations.

Fetches station means through ``layers.measurements``, interpolates with the pure
``planning.surfaces`` (IDW, and ordinary kriging from five stations), writes a COG and
saves a ``surface`` scenario through ``layers.scenarios``. Not committed here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gis.crs import METRIC_CRS, METRIC_EPSG
from gis.errors import ValidationError
from gis.messages import Message, msg
from gis.network import project_to_metric
from gis.raster import write_cog
from gis.settings import Settings
from layers.measurements import StationMean, station_means
from layers.scenarios import add_raster, save_scenario
from planning.surfaces import (
    Grid,
    hours_needed,
    idw,
    idw_loo,
    kriging,
    kriging_loo,
    period_hours,
)

__all__ = [
    "KRIGING_MIN_STATIONS",
    "METHODS",
    "RELIABLE_STATIONS",
    "SurfaceRequest",
    "build_surface",
    "run_surface",
]

logger = logging.getLogger(__name__)

#: ``auto``: IDW, and ordinary kriging as well from :data:`KRIGING_MIN_STATIONS` stations.
METHODS = ("auto", "idw", "kriging")
#: Kriging fits a variogram: this project asks for at least five stations.
KRIGING_MIN_STATIONS = 5
#: Below this many stations a surface is a rough guess between them: it says so.
RELIABLE_STATIONS = 5


def _no_progress(fraction: float, label: str) -> None:
    return None


@dataclass(frozen=True)
class SurfaceRequest:
    """A surface as a durable job stores it: the period's bounds as ISO 8601 instants."""

    parameter: str
    start: str | None = None
    end: str | None = None
    cell_m: float = 500.0
    method: str = "auto"


def run_surface(
    conn: Any,
    settings: Settings,
    request: SurfaceRequest,
    *,
    progress: Callable[[float, str], None] | None = None,
    actor: str = "system",
) -> dict[str, Any]:
    """:func:`build_surface` of a stored request (a job's call); its result."""
    return build_surface(
        conn,
        settings,
        request.parameter,
        start=dt.datetime.fromisoformat(request.start) if request.start else None,
        end=dt.datetime.fromisoformat(request.end) if request.end else None,
        cell_m=request.cell_m,
        method=request.method,
        progress=progress,
        actor=actor,
    )


def build_surface(
    conn: Any,
    settings: Settings,
    parameter: str,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    cell_m: float = 500.0,
    margin_m: float = 3000.0,
    method: str = "auto",
    progress: Callable[[float, str], None] | None = None,
    actor: str = "system",
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
    method : {"auto", "idw", "kriging"}
        ``auto``: IDW, plus kriging from :data:`KRIGING_MIN_STATIONS` stations; ``idw`` or
        ``kriging`` alone (kriging with fewer stations is refused). The leave-one-out error of
        every method the stations allow is computed either way, to compare them.
    progress : callable, optional
        ``progress(fraction, step)`` with a step label (``station_means``, ``interpolating``,
        ``cross_validation``, ``saving``).
    actor : str
        Who made it (the scenario's ``created_by``).

    Returns
    -------
    dict
        Stations, leave-one-out RMSE per method, the variogram when kriged, band maxima,
        and ``scenario_id``, ``path``, ``bands``.

    Raises
    ------
    ValidationError
        When fewer than 3 located stations have complete values in the period
        (``surface.too_few_stations``), or kriging is asked of fewer than five
        (``surface.kriging_too_few``).

    Notes
    -----
    A station enters the surface with values in at least 75% of the period's hours (this
    project's completeness rule, not a regulation's); the others are left out and named in
    ``notes`` (messages) and ``left_out``. Without ``start``/``end`` the period runs from the
    first to the last hour with a value at any located station.
    """
    step = progress or _no_progress
    step(0.05, "station_means")
    found = station_means(conn, parameter, start=start, end=end)
    means, notes = _complete(found, start, end)
    if len(means) < 3:
        raise ValidationError(
            msg(
                "surface.too_few_stations",
                parameter=parameter,
                stations=len(means),
                left_out=len(found) - len(means),
                minimum=3,
            )
        )
    krigable = len(means) >= KRIGING_MIN_STATIONS
    if method == "kriging" and not krigable:
        raise ValidationError(
            msg("surface.kriging_too_few", stations=len(means), minimum=KRIGING_MIN_STATIONS)
        )
    if len(means) < RELIABLE_STATIONS:
        notes.append(msg("surface.few_stations", stations=len(means), minimum=RELIABLE_STATIONS))
    x, y = project_to_metric(np.array([m.lon for m in means]), np.array([m.lat for m in means]))
    values = np.array([m.mean for m in means])
    grid = Grid.around(x, y, cell=cell_m, margin=margin_m)
    step(0.2, "interpolating")
    bands = {} if method == "kriging" else {"idw": idw(x, y, values, grid)}
    result: dict[str, Any] = {
        "parameter": parameter,
        "method": method,
        "stations": [m.ref for m in means],
        "cell_m": cell_m,
        "loo_rmse": {},
        "left_out": [n.params["station"] for n in notes if "station" in n.params],
        "notes": notes,
    }
    if krigable and method != "idw":
        surface, variance, fitted = kriging(x, y, values, grid)
        bands.update(kriging=surface, kriging_variance=variance)
        result["variogram"] = {k: float(v) for k, v in fitted.items()}
    elif method == "auto":
        result["notes"].append(
            msg("surface.idw_only", stations=len(means), minimum=KRIGING_MIN_STATIONS)
        )
    step(0.6, "cross_validation")
    result["loo_rmse"]["idw"] = idw_loo(x, y, values)
    if krigable:
        result["loo_rmse"]["kriging"] = kriging_loo(x, y, values)
    result["band_max"] = {name: float(np.nanmax(band)) for name, band in bands.items()}
    step(0.85, "saving")
    params = {
        "parameter": parameter,
        "start": str(start),
        "end": str(end),
        "cell_m": cell_m,
        "method": method,
    }
    stored = {**result, "notes": [n.as_dict() for n in notes]}
    scenario_id = save_scenario(
        conn, "surface", f"{parameter} surface", params, {}, stored, created_by=actor
    )
    path = write_cog(
        settings.raster_path(f"surface-{scenario_id}-{parameter.replace('.', '')}"),
        bands,
        transform=grid.transform,
        crs=METRIC_CRS,
    )
    add_raster(conn, scenario_id, "surface", path, epsg=METRIC_EPSG, cell_size_m=cell_m)
    step(1.0, "done")
    return {**result, "scenario_id": scenario_id, "path": str(path), "bands": list(bands)}


def _complete(
    found: list[StationMean], start: dt.datetime | None, end: dt.datetime | None
) -> tuple[list[StationMean], list[Message]]:
    """The stations with values in at least 75% of the period's hours, and the notes."""
    first, last = (found[0].first, found[0].last) if found else (None, None)
    lo = start if start is not None else first
    hi = end if end is not None else (None if last is None else last + dt.timedelta(hours=1))
    if lo is None or hi is None:
        return [], []
    if (lo.tzinfo is None) != (hi.tzinfo is None):
        # one bound given naive (read by the server in its time zone), the other from the data
        lo, hi = lo.replace(tzinfo=None), hi.replace(tzinfo=None)
    hours = period_hours(lo, hi)
    needed = hours_needed(hours)
    kept = [m for m in found if m.hours >= needed]
    notes = [
        msg(
            "surface.completeness",
            stations=len(kept),
            needed=needed,
            period_hours=hours,
            left_out=len(found) - len(kept),
        )
    ]
    notes += [
        msg(
            "surface.station_incomplete",
            station=m.ref,
            hours=m.hours,
            period_hours=hours,
            needed=needed,
        )
        for m in found
        if m.hours < needed
    ]
    return kept, notes
