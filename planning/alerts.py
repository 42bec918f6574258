"""Alert episodes: runs of consecutive hours at or above a level lasting long enough. Pure."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["episodes"]


def episodes(
    hourly: pd.Series, *, level: float, min_hours: int, strict: bool = True
) -> pd.DataFrame:
    """Runs of consecutive hours above ``level`` lasting ``min_hours`` or more.

    Above means greater than ``level`` when ``strict``, else at least ``level``. A missing
    hour breaks a run. Returns ``start``, ``end`` (last hour), ``hours``, ``peak``.

    Examples
    --------
    >>> idx = pd.date_range("2026-01-01", periods=6, freq="h")
    >>> runs = episodes(pd.Series([1, 9, 9, 9, 1, 9.0], index=idx), level=5, min_hours=2)
    >>> runs[["hours", "peak"]].values.tolist()
    [[3.0, 9.0]]
    """
    series = hourly.sort_index()
    full = pd.date_range(series.index.min().floor("h"), series.index.max().floor("h"), freq="h")
    values = series.groupby(series.index.floor("h")).max().reindex(full)
    above = (values > level) if strict else (values >= level)
    above = above.fillna(False).to_numpy(bool)
    rows = []
    start = None
    for i, flag in enumerate(np.append(above, False)):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= min_hours:
                rows.append(
                    (full[start], full[i - 1], i - start, float(values.iloc[start:i].max()))
                )
            start = None
    return pd.DataFrame(rows, columns=["start", "end", "hours", "peak"])
