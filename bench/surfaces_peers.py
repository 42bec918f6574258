"""Benchmark: IDW of 2,000 stations onto 1,000 x 1,000 cells beside a plain cKDTree IDW, and
ordinary kriging of 1,000 observations onto 200 x 200 beside PyKrige's vectorised backend,
from the same run, with the cross-validation error and the largest difference between
the surfaces (equal answers, so equal cross-validation error).

Run on purpose:  .venv/bin/python bench/surfaces_peers.py   (appends to docs/benchmarks.md)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import quick, write_section  # noqa: E402
from planning.surfaces import Grid, _kriging_model, idw, kriging, kriging_loo  # noqa: E402


def _best(fn, repeat: int = 3):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def plain_idw(x, y, values, grid: Grid, k: int = 12, power: float = 2.0):
    xs, ys = grid.centres()
    gx, gy = np.meshgrid(xs, ys)
    dist, idx = cKDTree(np.column_stack([x, y])).query(
        np.column_stack([gx.ravel(), gy.ravel()]), k=k
    )
    w = 1.0 / np.maximum(dist, 1e-12) ** power
    return ((w * values[idx]).sum(1) / w.sum(1)).reshape(gx.shape)


def main() -> None:
    quick()  # make bench BENCH_ARGS=--quick: the same sizes
    rng = np.random.default_rng(42)
    lines = []
    # IDW: 2,000 stations, 1,000 x 1,000 cells of 50 m.
    x, y = rng.uniform(0, 50_000, 2000), rng.uniform(0, 50_000, 2000)
    values = 40 + 25 * np.sin(x / 7000) * np.cos(y / 9000) + rng.normal(0, 2, 2000)
    grid = Grid(0.0, 50_000.0, 50.0, 1000, 1000)
    ours_s, ours = _best(lambda: idw(x, y, values, grid))
    peer_s, peer = _best(lambda: plain_idw(x, y, values, grid))
    lines += [
        "### IDW, 2,000 stations onto 1,000 x 1,000 cells (k = 12, power 2; best of 3)",
        "",
        "| method | s | max abs difference |",
        "|---|---|---|",
        f"| ours (planning.surfaces.idw, blocks of rows, parallel tree queries) | {ours_s:.2f} | "
        f"- |",
        f"| plain cKDTree IDW (one query) | {peer_s:.2f} | {np.abs(ours - peer).max():.2e} |",
    ]
    # Kriging: 1,000 observations onto 200 x 200.
    x, y = rng.uniform(0, 40_000, 1000), rng.uniform(0, 40_000, 1000)
    values = 50 + 20 * np.sin(x / 6000) + 10 * np.cos(y / 5000) + rng.normal(0, 1.5, 1000)
    grid = Grid(0.0, 40_000.0, 200.0, 200, 200)
    ours_s, (surface, _var, _p) = _best(lambda: kriging(x, y, values, grid), repeat=2)
    model = _kriging_model(x, y, values, "spherical")
    xs, ys = grid.centres()
    peer_s, (ref, _ref_var) = _best(
        lambda: model.execute("grid", xs, ys[::-1], backend="vectorized"), repeat=2
    )
    fit_s, _ = _best(lambda: _kriging_model(x, y, values, "spherical"), repeat=2)
    loo_s, loo = _best(lambda: kriging_loo(x, y, values), repeat=2)
    diff = float(np.abs(surface - np.asarray(ref)[::-1]).max())
    lines += [
        "",
        "### Ordinary kriging, 1,000 observations onto 200 x 200 (spherical; best of 2)",
        "",
        "| method | s | note |",
        "|---|---|---|",
        f"| ours (planning.surfaces.kriging: fit + one inverse + blocks) | {ours_s:.2f} | "
        f"max abs difference to PyKrige {diff:.1e}, so the same LOO error |",
        f"| PyKrige vectorised execute (after its fit of {fit_s:.2f} s) | {peer_s:.2f} + "
        f"{fit_s:.2f} | |",
        f"| ours, leave-one-out RMSE of all 1,000 stations (closed form) | {loo_s:.2f} | RMSE "
        f"{loo:.3f} |",
    ]
    text = "\n".join(lines)
    print(text)
    write_section("Pollution surfaces", text)


if __name__ == "__main__":
    main()
