"""Pollution surfaces: inverse-distance weighting and ordinary kriging onto a metric grid.

Each comes with leave-one-out cross-validation so an officer can see which to trust.

Pure: station coordinates (metres, one projected CRS) and values in, arrays out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from planning.pollution import COMPLETENESS

__all__ = ["Grid", "hours_needed", "idw", "idw_loo", "kriging", "kriging_loo", "period_hours"]


def period_hours(start: dt.datetime, end: dt.datetime) -> int:
    """Whole clock hours in ``[start, end)`` (at least 1).

    Examples
    --------
    >>> period_hours(dt.datetime(2026, 10, 5), dt.datetime(2026, 10, 6))
    24
    """
    return max(1, int(np.ceil((end - start).total_seconds() / 3600)))


def hours_needed(hours: int) -> int:
    """The hours with values a station needs in a period of ``hours`` (75%, rounded up).

    The 75% is this project's completeness rule, not a regulation's.

    Examples
    --------
    >>> hours_needed(24), hours_needed(168)
    (18, 126)
    """
    return int(np.ceil(hours * COMPLETENESS))


@dataclass(frozen=True)
class Grid:
    """A north-up grid: cell centres from (x0 + cell/2, y1 - cell/2), ``cell`` metres."""

    x0: float
    y1: float
    cell: float
    width: int
    height: int

    @classmethod
    def around(
        cls, x: NDArray[np.float64], y: NDArray[np.float64], *, cell: float, margin: float
    ) -> Grid:
        """The grid covering the points plus ``margin`` metres."""
        x0, x1 = float(x.min() - margin), float(x.max() + margin)
        y0, y1 = float(y.min() - margin), float(y.max() + margin)
        return cls(x0, y1, cell, int(np.ceil((x1 - x0) / cell)), int(np.ceil((y1 - y0) / cell)))

    @property
    def transform(self) -> Any:
        """The affine transform of the grid (rasterio)."""
        from rasterio.transform import from_origin

        return from_origin(self.x0, self.y1, self.cell, self.cell)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return self.height, self.width

    def padded(self, cells: int) -> Grid:
        """The same grid with ``cells`` more cells on every side."""
        return Grid(
            self.x0 - cells * self.cell,
            self.y1 + cells * self.cell,
            self.cell,
            self.width + 2 * cells,
            self.height + 2 * cells,
        )

    def centres(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Cell-centre coordinates (1-D x, 1-D y; y descending)."""
        xs = self.x0 + self.cell * (np.arange(self.width, dtype=np.float64) + 0.5)
        ys = self.y1 - self.cell * (np.arange(self.height, dtype=np.float64) + 0.5)
        return xs, ys


def idw(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    values: NDArray[np.float64],
    grid: Grid,
    *,
    power: float = 2.0,
    neighbours: int = 12,
    block_rows: int = 256,
) -> NDArray[np.float64]:
    """Inverse-distance weighted surface; exact at the stations. Works block by block of rows."""
    values = np.asarray(values, dtype=float)
    tree = cKDTree(np.column_stack([x, y]))
    k = min(neighbours, len(values))
    xs, ys = grid.centres()
    out = np.empty((grid.height, grid.width))
    for top in range(0, grid.height, block_rows):
        gx, gy = np.meshgrid(xs, ys[top : top + block_rows])
        dist, idx = tree.query(np.column_stack([gx.ravel(), gy.ravel()]), k=k, workers=-1)
        dist, idx = dist.reshape(gx.size, k), idx.reshape(gx.size, k)
        exact = dist[:, 0] < 1e-9
        weights = 1.0 / np.maximum(dist, 1e-12) ** power
        block = (weights * values[idx]).sum(1) / weights.sum(1)
        block[exact] = values[idx[exact, 0]]
        out[top : top + block_rows] = block.reshape(gx.shape)
    return out


def idw_loo(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    values: NDArray[np.float64],
    *,
    power: float = 2.0,
    neighbours: int = 12,
) -> float:
    """Leave-one-out RMSE of IDW at the stations."""
    values = np.asarray(values, dtype=float)
    tree = cKDTree(np.column_stack([x, y]))
    k = min(neighbours + 1, len(values))
    dist, idx = tree.query(np.column_stack([x, y]), k=k)
    dist, idx = dist[:, 1:], idx[:, 1:]  # drop each station itself
    weights = 1.0 / np.maximum(dist, 1e-12) ** power
    predicted = (weights * values[idx]).sum(1) / weights.sum(1)
    return float(np.sqrt(np.mean((predicted - values) ** 2)))


def _kriging_model(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    values: NDArray[np.float64],
    variogram: str,
    nlags: int = 15,
) -> Any:
    from pykrige.ok import OrdinaryKriging

    return OrdinaryKriging(
        np.asarray(x, float),
        np.asarray(y, float),
        np.asarray(values, float),
        variogram_model=variogram,
        nlags=nlags,
        verbose=False,
        enable_plotting=False,
    )


#: The bounded variogram models as numexpr expressions of distance ``d`` (PyKrige's formulas
#: and parameter order: partial sill ``p``, range ``r``, nugget ``n``); about 5x faster than
#: evaluating PyKrige's numpy functions on cells x stations distances.
_GAMMA = {
    "spherical": "where(d <= r, p * (1.5 * d / r - 0.5 * (d / r) ** 3) + n, p + n)",
    "exponential": "p * (1 - exp(-d / (r / 3))) + n",
    "gaussian": "p * (1 - exp(-(d ** 2) / (r * 4 / 7) ** 2)) + n",
}


def _neg_gamma(
    model: Any, d: NDArray[np.float64], out: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """-gamma(d) of the fitted model, written into ``out`` when given."""
    import numexpr

    name = model.variogram_model
    if name in _GAMMA:
        p, r, n = (float(v) for v in model.variogram_model_parameters)
        found = numexpr.evaluate(
            f"-({_GAMMA[name]})", local_dict={"d": d, "p": p, "r": r, "n": n}, out=out
        )
        return np.asarray(found, dtype=np.float64)
    value = -model.variogram_function(model.variogram_model_parameters, d)
    if out is None:
        return np.asarray(value, dtype=np.float64)
    out[...] = value
    return out


def _ok_inverse(x: NDArray[np.float64], y: NDArray[np.float64], model: Any) -> NDArray[np.float64]:
    """Inverse of the ordinary-kriging matrix [[-gamma(d_ij), 1], [1, 0]] (PyKrige's convention)."""
    from scipy.spatial.distance import cdist

    n = len(x)
    pts = np.column_stack([x, y])
    a = np.zeros((n + 1, n + 1))
    a[:n, :n] = _neg_gamma(model, cdist(pts, pts))
    np.fill_diagonal(a[:n, :n], 0.0)
    a[n, :n] = a[:n, n] = 1.0
    return np.asarray(np.linalg.inv(a), dtype=np.float64)


def kriging(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    values: NDArray[np.float64],
    grid: Grid,
    *,
    variogram: str = "spherical",
    block_rows: int = 64,
) -> tuple[NDArray[np.float64], NDArray[np.float64], dict[str, float]]:
    """Ordinary kriging: the surface, its kriging variance, and the fitted variogram.

    PyKrige fits the variogram; the system is inverted once and the grid is solved block by
    block of rows as one matrix product each (the same equations as PyKrige's vectorised
    backend, without its cells x stations x stations intermediate). Exact at the stations.
    """
    from scipy.spatial.distance import cdist

    x, y, values = (np.asarray(v, dtype=float) for v in (x, y, values))
    model = _kriging_model(x, y, values, variogram)
    a_inv = _ok_inverse(x, y, model)
    n = len(values)
    weights = a_inv[:, :n] @ values  # (b A^-1)[:n] . z = b . (A^-1[:, :n] z): A^-1 is symmetric
    pts = np.column_stack([x, y])
    xs, ys = grid.centres()
    surface = np.empty((grid.height, grid.width))
    variance = np.empty((grid.height, grid.width))
    for top in range(0, grid.height, block_rows):
        gx, gy = np.meshgrid(xs, ys[top : top + block_rows])
        d = cdist(np.column_stack([gx.ravel(), gy.ravel()]), pts)
        b = np.ones((d.shape[0], n + 1))
        _neg_gamma(model, d, out=b[:, :n])
        b[:, :n][d <= 1e-10] = 0.0  # a cell centre on a station takes its value
        surface[top : top + block_rows] = (b @ weights).reshape(
            gx.shape
        )  # estimate: one matrix-vector product
        variance[top : top + block_rows] = np.einsum("ij,ij->i", b @ a_inv, -b).reshape(gx.shape)
    params = dict(zip(("sill", "range", "nugget"), _variogram_params(model), strict=False))
    return surface, variance, params


def _variogram_params(model: Any) -> list[float]:
    p = list(model.variogram_model_parameters)
    # PyKrige reports (partial sill, range, nugget) for the bounded models: the sill is their sum.
    return [p[0] + p[2], p[1], p[2]] if len(p) == 3 else p


def kriging_loo(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    values: NDArray[np.float64],
    *,
    variogram: str = "spherical",
) -> float:
    """Leave-one-out RMSE of ordinary kriging at the stations, the variogram fitted on all.

    The closed form of Dubrule (1983), residual_i = (A^-1 z)_i / (A^-1)_ii, equals
    re-solving the system without station i (a test checks it against doing that).
    """
    x, y, values = (np.asarray(v, dtype=float) for v in (x, y, values))
    model = _kriging_model(x, y, values, variogram)
    a_inv = _ok_inverse(x, y, model)
    n = len(values)
    residual = (a_inv[:n, :n] @ values) / np.diag(a_inv)[:n]
    return float(np.sqrt(np.mean(np.square(residual))))
