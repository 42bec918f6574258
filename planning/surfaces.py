"""Pollution surfaces: inverse-distance weighting and ordinary kriging onto a metric grid,
each with leave-one-out cross-validation so an officer can see which to trust.

Pure: station coordinates (metres, one projected CRS) and values in, arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

__all__ = ["Grid", "idw", "idw_loo", "kriging", "kriging_loo"]


@dataclass(frozen=True)
class Grid:
    """A north-up grid: cell centres from (x0 + cell/2, y1 - cell/2), ``cell`` metres."""

    x0: float
    y1: float
    cell: float
    width: int
    height: int

    @classmethod
    def around(cls, x: NDArray[np.float64], y: NDArray[np.float64], *, cell: float, margin: float) -> Grid:
        """The grid covering the points plus ``margin`` metres."""
        x0, x1 = float(x.min() - margin), float(x.max() + margin)
        y0, y1 = float(y.min() - margin), float(y.max() + margin)
        return cls(x0, y1, cell, int(np.ceil((x1 - x0) / cell)), int(np.ceil((y1 - y0) / cell)))

    def centres(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Cell-centre coordinates (1-D x, 1-D y; y descending)."""
        xs = self.x0 + self.cell * (np.arange(self.width) + 0.5)
        ys = self.y1 - self.cell * (np.arange(self.height) + 0.5)
        return xs, ys


def idw(x: NDArray, y: NDArray, values: NDArray, grid: Grid, *, power: float = 2.0, neighbours: int = 12,
        block_rows: int = 256) -> NDArray[np.float64]:
    """Inverse-distance weighted surface; exact at the stations. Works block by block of rows."""
    values = np.asarray(values, dtype=float)
    tree = cKDTree(np.column_stack([x, y]))
    k = min(neighbours, len(values))
    xs, ys = grid.centres()
    out = np.empty((grid.height, grid.width))
    for top in range(0, grid.height, block_rows):
        gx, gy = np.meshgrid(xs, ys[top:top + block_rows])
        dist, idx = tree.query(np.column_stack([gx.ravel(), gy.ravel()]), k=k)
        dist, idx = dist.reshape(gx.size, k), idx.reshape(gx.size, k)
        exact = dist[:, 0] < 1e-9
        weights = 1.0 / np.maximum(dist, 1e-12) ** power
        block = (weights * values[idx]).sum(1) / weights.sum(1)
        block[exact] = values[idx[exact, 0]]
        out[top:top + block_rows] = block.reshape(gx.shape)
    return out


def idw_loo(x: NDArray, y: NDArray, values: NDArray, *, power: float = 2.0, neighbours: int = 12) -> float:
    """Leave-one-out RMSE of IDW at the stations."""
    values = np.asarray(values, dtype=float)
    tree = cKDTree(np.column_stack([x, y]))
    k = min(neighbours + 1, len(values))
    dist, idx = tree.query(np.column_stack([x, y]), k=k)
    dist, idx = dist[:, 1:], idx[:, 1:]  # drop each station itself
    weights = 1.0 / np.maximum(dist, 1e-12) ** power
    predicted = (weights * values[idx]).sum(1) / weights.sum(1)
    return float(np.sqrt(np.mean((predicted - values) ** 2)))


def _kriging_model(x: NDArray, y: NDArray, values: NDArray, variogram: str, nlags: int = 15):
    from pykrige.ok import OrdinaryKriging

    return OrdinaryKriging(np.asarray(x, float), np.asarray(y, float), np.asarray(values, float),
                           variogram_model=variogram, nlags=nlags, verbose=False, enable_plotting=False)


def kriging(x: NDArray, y: NDArray, values: NDArray, grid: Grid, *, variogram: str = "spherical"
            ) -> tuple[NDArray[np.float64], NDArray[np.float64], dict[str, float]]:
    """Ordinary kriging (PyKrige): the surface, its kriging variance, and the fitted variogram."""
    model = _kriging_model(x, y, values, variogram)
    xs, ys = grid.centres()
    surface, variance = model.execute("grid", xs, ys[::-1], backend="vectorized")
    params = dict(zip(("sill", "range", "nugget"), _variogram_params(model), strict=False))
    return np.asarray(surface)[::-1], np.asarray(variance)[::-1], params


def _variogram_params(model) -> list[float]:
    p = list(model.variogram_model_parameters)
    # PyKrige reports (partial sill, range, nugget) for the bounded models: the sill is their sum.
    return [p[0] + p[2], p[1], p[2]] if len(p) == 3 else p


def kriging_loo(x: NDArray, y: NDArray, values: NDArray, *, variogram: str = "spherical") -> float:
    """Leave-one-out RMSE of ordinary kriging at the stations."""
    values = np.asarray(values, dtype=float)
    errors = []
    for i in range(len(values)):
        keep = np.arange(len(values)) != i
        model = _kriging_model(np.asarray(x)[keep], np.asarray(y)[keep], values[keep], variogram)
        predicted, _ = model.execute("points", np.array([x[i]], float), np.array([y[i]], float))
        errors.append(float(predicted[0]) - values[i])
    return float(np.sqrt(np.mean(np.square(errors))))
