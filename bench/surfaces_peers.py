"""Benchmark: IDW of 2,000 stations onto 1,000 x 1,000 cells beside a plain cKDTree IDW, and
ordinary kriging of 1,000 observations onto 200 x 200 beside PyKrige's vectorised backend,
from the same run, with the cross-validation error and the largest difference between
the surfaces (equal answers, so equal cross-validation error).

Every figure is the median (min-max) of 3 runs, ours and the peer's alternating.

Run on purpose:  .venv/bin/python bench/surfaces_peers.py   (writes its section of
docs/benchmarks.md)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import alternate, machine, quick, ratio, spread, write_section  # noqa: E402
from planning.surfaces import Grid, _kriging_model, idw, kriging, kriging_loo  # noqa: E402

#: Runs of every contender (median, min and max reported), ours and the peer's alternating.
RUNS = 3


def _kept(out: dict, name: str, fn):
    """``fn`` as a contender of :func:`bench.report.alternate`, keeping its last answer."""

    def run() -> None:
        out[name] = fn()

    return run


def _loads(loads: list[float]) -> str:
    return f"1-minute load {min(loads):.1f}-{max(loads):.1f} before the rounds"


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
    state = machine()
    rng = np.random.default_rng(42)
    lines = [
        f"Every figure: median (min-max) of {RUNS} runs in seconds, ours and the peer's in turn "
        f"(the first to go changes every round); the ratio is ours / peer's per round. "
        f"{state} at the start.",
        "",
    ]
    # IDW: 2,000 stations, 1,000 x 1,000 cells of 50 m.
    x, y = rng.uniform(0, 50_000, 2000), rng.uniform(0, 50_000, 2000)
    values = 40 + 25 * np.sin(x / 7000) * np.cos(y / 9000) + rng.normal(0, 2, 2000)
    grid = Grid(0.0, 50_000.0, 50.0, 1000, 1000)
    out: dict = {}
    times, loads = alternate(
        {
            "ours": _kept(out, "ours", lambda: idw(x, y, values, grid)),
            "peer": _kept(out, "peer", lambda: plain_idw(x, y, values, grid)),
        },
        runs=RUNS,
    )
    lines += [
        f"### IDW, 2,000 stations onto 1,000 x 1,000 cells (k = 12, power 2; {_loads(loads)})",
        "",
        "| method | s | ours / peer | max abs difference |",
        "|---|---|---|---|",
        f"| ours (planning.surfaces.idw, blocks of rows, parallel tree queries) | "
        f"{spread(times['ours'], '{:.2f}')} | {ratio(times['ours'], times['peer'])} | - |",
        f"| plain cKDTree IDW (one query) | {spread(times['peer'], '{:.2f}')} | | "
        f"{np.abs(out['ours'] - out['peer']).max():.2e} |",
    ]
    # Kriging: 1,000 observations onto 200 x 200; the peer's fit and execute are timed apart.
    x, y = rng.uniform(0, 40_000, 1000), rng.uniform(0, 40_000, 1000)
    values = 50 + 20 * np.sin(x / 6000) + 10 * np.cos(y / 5000) + rng.normal(0, 1.5, 1000)
    grid = Grid(0.0, 40_000.0, 200.0, 200, 200)
    xs, ys = grid.centres()
    model = _kriging_model(x, y, values, "spherical")
    out = {}
    times, loads = alternate(
        {
            "ours": _kept(out, "ours", lambda: kriging(x, y, values, grid)),
            "fit": lambda: _kriging_model(x, y, values, "spherical"),
            "peer": _kept(
                out, "peer", lambda: model.execute("grid", xs, ys[::-1], backend="vectorized")
            ),
            "loo": _kept(out, "loo", lambda: kriging_loo(x, y, values)),
        },
        runs=RUNS,
    )
    surface, ref = out["ours"][0], out["peer"][0]
    diff = float(np.abs(surface - np.asarray(ref)[::-1]).max())
    peer_total = [f + e for f, e in zip(times["fit"], times["peer"], strict=True)]
    lines += [
        "",
        f"### Ordinary kriging, 1,000 observations onto 200 x 200 (spherical; {_loads(loads)})",
        "",
        "| method | s | ours / peer (fit + execute) | note |",
        "|---|---|---|---|",
        f"| ours (planning.surfaces.kriging: fit + one inverse + blocks) | "
        f"{spread(times['ours'], '{:.2f}')} | {ratio(times['ours'], peer_total)} | "
        f"max abs difference to PyKrige {diff:.1e}, so the same LOO error |",
        f"| PyKrige vectorised execute + its fit | {spread(times['peer'], '{:.2f}')} + "
        f"{spread(times['fit'], '{:.2f}')} | | |",
        f"| ours, leave-one-out RMSE of all 1,000 stations (closed form) | "
        f"{spread(times['loo'], '{:.2f}')} | | RMSE {out['loo']:.3f} |",
        "",
        f"{machine()} at the end.",
    ]
    text = "\n".join(lines)
    print(text)
    write_section("Pollution surfaces", text)


if __name__ == "__main__":
    main()
