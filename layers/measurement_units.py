"""The unit of each value column of a measurements file, and the columns it does not read.

A wide file (one column per parameter) states its units in one of four ways, the first
that applies winning for each column:

1. ``--unit COLUMN=UNIT`` (``units``): one column's unit (``PM2.5=µg/m3``, ``CO=mg/m3``);
2. a units row: the first data row, whose station and time cells are empty (or say
   ``unit``/``đơn vị``) and whose value cells are units (``µg/m3``, ``mg/m3``, ``ppb``...);
3. ``--unit UNIT`` (``default``): every column's unit;
4. none: the parameter's canonical unit.

A long file (one row per value) takes its ``unit`` column; without one, ``--unit
PARAMETER=UNIT`` or ``--unit UNIT``.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"_row": [1, 2], "tram": ["", "T1"], "gio": ["", "2026-01-01 01:00"],
...                    "PM2.5": ["µg/m3", "30"], "Nhiệt độ": ["°C", "25"]})
>>> units_row(df, "tram", "gio", ["PM2.5"])
{'PM2.5': 'µg/m3'}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from gis.errors import ValidationError
from gis.messages import msg
from gis.text import column_key

__all__ = ["column_units", "ignored_columns", "is_unit", "units_row"]

#: Units a cell of a units row may hold (compared in lower case, ``ug`` for ``µg``).
KNOWN_UNITS = {
    "ug/m3", "µg/m3", "μg/m3", "ug/nm3", "µg/nm3", "mg/m3", "mg/nm3", "ppb", "ppm",
    "mg/l", "ug/l", "µg/l", "μg/l", "mg/kg", "dba", "ph",
}  # fmt: skip
_UNIT_LABELS = {"unit", "units", "donvi", "donvitinh", "dvt"}


def is_unit(text: str) -> bool:
    """Whether ``text`` is a unit a measurements file may state.

    Examples
    --------
    >>> is_unit("µg/m3"), is_unit(" MG/M3 "), is_unit("30.5")
    (True, True, False)
    """
    return text.strip().lower() in KNOWN_UNITS


def units_row(
    df: pd.DataFrame, station_col: str, time_col: str, value_cols: Iterable[str]
) -> dict[str, str] | None:
    """The units of the file's units row (its first data row), or ``None`` without one."""
    if df.empty:
        return None
    first = df.iloc[0]
    labels = {column_key(str(first[station_col])), column_key(str(first[time_col]))}
    if not labels <= {"", *_UNIT_LABELS}:
        return None
    cells = {c: str(first[c]).strip() for c in value_cols if str(first[c]).strip()}
    if not cells or not all(is_unit(v) for v in cells.values()):
        return None
    return cells


def column_units(
    value_cols: Mapping[str, str],
    *,
    given: Mapping[str, str],
    row: Mapping[str, str] | None,
    default: str | None,
    canonical: Mapping[str, str],
) -> dict[str, tuple[str, str]]:
    """``{column: (unit, source)}`` for a wide file's value columns (see the module).

    Parameters
    ----------
    value_cols : mapping
        ``{column: parameter code}``.
    given : mapping
        ``--unit COLUMN=UNIT``: keys are columns or parameter codes (any case, any
        separator: ``pm25`` names ``PM2.5``).

    Raises
    ------
    ValidationError
        When ``given`` names no value column of the file (``measurements.unit_column``).
    """
    keyed = {column_key(k): v for k, v in given.items()}
    known = {column_key(c) for c in value_cols} | {column_key(p) for p in value_cols.values()}
    for name in given:
        if column_key(name) not in known:
            raise ValidationError(
                msg("measurements.unit_column", column=name, columns=list(value_cols))
            )
    out: dict[str, tuple[str, str]] = {}
    for column, parameter in value_cols.items():
        mine = keyed.get(column_key(column)) or keyed.get(column_key(parameter))
        if mine:
            out[column] = (mine, "option")
        elif row and column in row:
            out[column] = (row[column], "row")
        elif default:
            out[column] = (default, "all")
        else:
            out[column] = (canonical[parameter], "canonical")
    return out


def ignored_columns(columns: Iterable[str], read: Iterable[str]) -> list[str]:
    """The file's columns that the import did not read (weather, notes...), in file order."""
    taken = {*read, "_row"}
    return [c for c in columns if c not in taken]
