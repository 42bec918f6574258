"""VN_AQI (Decision 1459/QĐ-TCMT): sub-indices by linear interpolation between breakpoints.

Pure functions; the breakpoint table comes in as data (``data/regulations/vn_aqi_1459.yaml``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gis.errors import ValidationError
from gis.messages import msg

__all__ = ["AqiTable", "aqi", "band", "sub_index", "table_from_document"]


@dataclass(frozen=True)
class AqiTable:
    """Index breakpoints, concentration breakpoints per pollutant, and bands."""

    index: Sequence[float]
    concentrations: Mapping[str, Sequence[float]]
    bands: Sequence[Mapping[str, Any]]
    requires_one_of: Sequence[str]
    verified: bool
    eight_hour: Mapping[str, Sequence[float]] | None = None


def sub_index(value: float, concentrations: Sequence[float], index: Sequence[float]) -> float:
    """Interpolate one pollutant's sub-index; values above the table are capped at its top.

    Examples
    --------
    >>> sub_index(37.5, [0, 25, 50, 80], [0, 50, 100, 150])
    75.0
    >>> sub_index(0.0, [0, 25, 50], [0, 50, 100])
    0.0
    """
    if not np.isfinite(value) or value < 0:
        raise ValidationError(msg("aqi.bad_concentration", value=str(value)))
    conc = np.asarray(concentrations, dtype=float)
    idx = np.asarray(index[: len(conc)], dtype=float)
    return float(np.interp(value, conc, idx))


def aqi(values: Mapping[str, float], table: AqiTable) -> tuple[int, str] | None:
    """The index and its dominant pollutant, or ``None`` without a PM value.

    Rounded to the nearest integer, halves up (Decision 1459/QĐ-TCMT; not up, and not
    Python's round-half-to-even).

    >>> t = AqiTable([0, 50, 100], {"NO2": [0, 100, 200], "PM10": [0, 50, 150]}, [], ["PM10"], True)
    >>> aqi({"NO2": 65.4, "PM10": 10}, t), aqi({"NO2": 65.0, "PM10": 10}, t)
    ((33, 'NO2'), (33, 'NO2'))
    """
    usable = {
        k: v for k, v in values.items() if k in table.concentrations and v is not None and v >= 0
    }
    if not any(k in usable for k in table.requires_one_of):
        return None
    subs = {k: sub_index(v, table.concentrations[k], table.index) for k, v in usable.items()}
    dominant = max(subs, key=lambda k: subs[k])
    return int(np.floor(subs[dominant] + 0.5)), dominant


def band(value: int, table: AqiTable) -> Mapping[str, object]:
    """The band (key, names, colour) holding ``value``."""
    for item in table.bands:
        if value <= float(item["max"]):
            return item
    return table.bands[-1]


def table_from_document(doc: Mapping[str, Any]) -> AqiTable:
    """Build the hourly table from the parsed ``vn_aqi_1459.yaml`` document."""
    conc = doc["concentration_breakpoints"]
    return AqiTable(
        index=doc["index_breakpoints"],
        concentrations=conc["hourly"],
        bands=doc["bands"],
        requires_one_of=doc["requires_one_of"],
        verified=bool(conc["verified"]),
        eight_hour=conc.get("eight_hour"),
    )
