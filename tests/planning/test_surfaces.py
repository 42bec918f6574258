"""IDW and ordinary kriging: exactness, cross-validation, variogram recovery (pure)."""

from __future__ import annotations

import numpy as np
import pytest

from planning.surfaces import Grid, idw, idw_loo, kriging, kriging_loo


def _spherical(h, sill, rng, nugget):
    h = np.asarray(h, float)
    return np.where(
        h < rng, nugget + (sill - nugget) * (1.5 * h / rng - 0.5 * (h / rng) ** 3), sill
    )


def test_idw_is_exact_at_the_stations():
    grid = Grid(0.0, 1000.0, 100.0, 10, 10)
    xs, ys = grid.centres()
    x, y = xs[[1, 5, 8]], ys[[2, 4, 9]]
    values = np.array([10.0, 50.0, 30.0])
    surface = idw(x, y, values, grid, block_rows=3)  # several blocks
    assert surface[2, 1] == 10.0 and surface[4, 5] == 50.0 and surface[9, 8] == 30.0
    assert surface.min() >= 10.0 and surface.max() <= 50.0  # IDW never leaves the data range


def test_kriging_recovers_a_known_variogram():
    """One realisation of a Gaussian field with a spherical variogram (sill 1, range 6 km,
    no nugget), 500 points over 25 km: the fitted sill and range are within 25% and the
    fitted semivariance within 0.2 at 1.5-9 km lags (the stated tolerance).
    """
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 25_000, 500), rng.uniform(0, 25_000, 500)
    d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    cov = np.where(d < 6000, 1 - 1.5 * d / 6000 + 0.5 * (d / 6000) ** 3, 0.0)
    values = 10 + np.linalg.cholesky(cov + 1e-8 * np.eye(500)) @ rng.standard_normal(500)
    grid = Grid.around(x, y, cell=2500, margin=0)
    surface, variance, fitted = kriging(x, y, values, grid)
    assert fitted["sill"] == pytest.approx(1.0, rel=0.25) and fitted["range"] == pytest.approx(
        6000, rel=0.25
    )
    lags = np.array([1500, 3000, 6000, 9000])
    assert (
        np.abs(
            _spherical(lags, fitted["sill"], fitted["range"], fitted["nugget"])
            - _spherical(lags, 1, 6000, 0)
        ).max()
        <= 0.2
    )
    assert (
        surface.shape == variance.shape == (grid.height, grid.width) and (variance >= -1e-9).all()
    )


def test_cross_validation_tells_which_method_to_trust():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 20_000, 80), rng.uniform(0, 20_000, 80)
    smooth = np.sin(x / 4000) + np.cos(y / 5000)
    assert kriging_loo(x, y, smooth) < idw_loo(x, y, smooth)  # a smooth field: kriging wins
    assert idw_loo(x, y, smooth) > 0
    _, variance, _ = kriging(x, y, smooth, Grid.around(x, y, cell=500, margin=3000))
    assert variance[0, 0] > np.median(
        variance
    )  # uncertainty grows away from the stations (a corner)


def test_fast_kriging_equals_pykrige_and_its_loo_equals_refitting_without_each_station():
    from pykrige.ok import OrdinaryKriging

    from planning.surfaces import _kriging_model

    rng = np.random.default_rng(11)
    x, y = rng.uniform(0, 20_000, 40), rng.uniform(0, 20_000, 40)
    values = 50 + 20 * np.sin(x / 5000) + 10 * np.cos(y / 4000) + rng.normal(0, 1, 40)
    grid = Grid(0.0, 20_000.0, 1000.0, 20, 20)
    surface, variance, _ = kriging(x, y, values, grid)
    model = _kriging_model(x, y, values, "spherical")
    xs, ys = grid.centres()
    ref, ref_var = model.execute("grid", xs, ys[::-1], backend="vectorized")
    np.testing.assert_allclose(surface, np.asarray(ref)[::-1], rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(variance, np.asarray(ref_var)[::-1], rtol=1e-6, atol=1e-6)
    # Dubrule's closed form against solving the system 40 times, each without one station.
    errors = []
    for i in range(40):
        keep = np.arange(40) != i
        fixed = OrdinaryKriging(
            x[keep],
            y[keep],
            values[keep],
            variogram_model="spherical",
            variogram_parameters=list(model.variogram_model_parameters),
        )
        errors.append(float(fixed.execute("points", x[i : i + 1], y[i : i + 1])[0][0]) - values[i])
    assert kriging_loo(x, y, values) == pytest.approx(
        float(np.sqrt(np.mean(np.square(errors)))), rel=1e-6
    )
