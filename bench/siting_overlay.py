"""Benchmark: weighted overlay of 6 criteria on a 10,000 x 10,000 raster, strip by strip
(planning.pipeline.siting.overlay_files), beside numpy's plain expression and numexpr on
whole arrays, from the same run; peak memory of each (own process). Then distance-to-features
on 4,000 x 4,000 beside scipy.ndimage.distance_transform_edt.

Run on purpose:  .venv/bin/python bench/siting_overlay.py [--quick]   (writes its section of
docs/benchmarks.md). Every figure is the median (min-max) of 3 runs, the methods alternating;
``--quick`` makes the overlay 4,000 x 4,000. Inputs (2.4 GB of GeoTIFF at the full size) are
generated once under /tmp/langnghe-bench-overlay (-4000 for --quick) and reused.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import alternate, machine, quick, ratio, spread, write_section  # noqa: E402
from planning.siting import Criterion, Transform, distance_to  # noqa: E402

SIZE = 10_000
#: ``--quick``: a 4,000 x 4,000 overlay (its inputs in a folder of their own).
QUICK_SIZE = 4_000
#: Rounds of every method (median, min and max reported), the methods' order alternating.
RUNS = 3
FOLDER = Path("/tmp/langnghe-bench-overlay")
CRITERIA = [
    Criterion("road_distance_m", Transform("linear", low=3000, high=0), 0.25),
    Criterion("village_distance_m", Transform("decay", half=4000), 0.20),
    Criterion("residential_distance_m", Transform("linear", low=100, high=1000), 0.15),
    Criterion("facility_distance_m", Transform("linear", low=300, high=1500), 0.10),
    Criterion("slope_deg", Transform("linear", low=8, high=0), 0.15),
    Criterion("landuse", Transform("identity"), 0.15),
]
SCALE = {
    "road_distance_m": 6000,
    "village_distance_m": 10000,
    "residential_distance_m": 2000,
    "facility_distance_m": 3000,
    "slope_deg": 15,
    "landuse": 1,
}


def _folder(size: int) -> Path:
    return FOLDER if size == SIZE else FOLDER.with_name(f"{FOLDER.name}-{size}")


def _inputs(size: int) -> dict[str, Path]:
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    folder = _folder(size)
    folder.mkdir(exist_ok=True)
    paths = {c.name: folder / f"{c.name}.tif" for c in CRITERIA}
    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:32648",
        "transform": from_origin(500_000, 2_400_000, 10, 10),
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "BIGTIFF": "YES",
    }
    rng = np.random.default_rng(0)
    for name, path in paths.items():
        if path.exists():
            continue
        with rasterio.open(path, "w", **profile) as dst:
            for r0 in range(0, size, 1000):
                rows = min(1000, size - r0)
                block = rng.random((rows, size), dtype=np.float32) * SCALE[name]
                dst.write(block, 1, window=Window(0, r0, size, rows))
    return paths


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _numpy_expression(a: dict[str, np.ndarray]) -> np.ndarray:
    return (
        0.25 * np.clip(1 - a["road_distance_m"] / 3000, 0, 1)
        + 0.20 * np.exp(-np.log(2) / 4000 * a["village_distance_m"])
        + 0.15 * np.clip((a["residential_distance_m"] - 100) / 900, 0, 1)
        + 0.10 * np.clip((a["facility_distance_m"] - 300) / 1200, 0, 1)
        + 0.15 * np.clip(1 - a["slope_deg"] / 8, 0, 1)
        + 0.15 * np.clip(a["landuse"], 0, 1)
    ).astype("float32")


def run_one(method: str, size: int) -> None:
    import numexpr
    import rasterio

    from planning.pipeline.siting import overlay_files
    from planning.siting import _expression

    paths = _inputs(size)
    out = _folder(size) / f"out-{method}.tif"
    start = time.perf_counter()
    compute = None
    if method == "ours":
        overlay_files(paths, CRITERIA, out, compress=None)
    else:
        with rasterio.open(paths["landuse"]) as ref:
            profile = {**ref.profile}
        arrays = {}
        for name, path in paths.items():
            with rasterio.open(path) as src:
                arrays[name] = src.read(1)
        t0 = time.perf_counter()
        result = (
            _numpy_expression(arrays)
            if method == "numpy"
            else numexpr.evaluate(_expression(CRITERIA), local_dict=arrays).astype("float32")
        )
        compute = time.perf_counter() - t0
        with rasterio.open(out, "w", **profile) as dst:
            dst.write(result, 1)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {"method": method, "seconds": seconds, "compute_s": compute, "peak_mb": _peak_mb()}
        )
    )


def _one(method: str, size: int) -> dict:
    """One run of ``method`` in a process of its own (its peak memory is its own)."""
    done = subprocess.run(
        [sys.executable, __file__, "--run", method, str(size)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    size = QUICK_SIZE if quick() else SIZE  # make bench BENCH_ARGS=--quick
    import numexpr
    from scipy import ndimage

    state = machine()
    _inputs(size)
    _one("ours", size)  # once first, unmeasured: it warms the page cache
    runs: dict[str, list[dict]] = {"ours": [], "numexpr": [], "numpy": []}

    def contender(method: str):
        return lambda: runs[method].append(_one(method, size))

    _wall, loads = alternate({m: contender(m) for m in runs}, runs=RUNS)
    mpix = size * size / 1e6
    lines = [
        f"Every figure: median (min-max) of {RUNS} runs, each method in a process of its own, "
        "the methods' order reversed every other round (after one unmeasured run of ours that "
        f"warms the page cache); the ratio is ours / the peer's per round. {state} at the "
        f"start; 1-minute load {min(loads):.1f}-{max(loads):.1f} before the rounds.",
        "",
        f"### Weighted overlay, 6 criteria, {size:,} x {size:,} float32 (read, compute, write; "
        f"numexpr {numexpr.__version__}, {numexpr.detect_number_of_cores()} cores)",
        "",
        "| method | total s | ours / this | Mpx/s | compute-only s | peak memory MB |",
        "|---|---|---|---|---|---|",
    ]
    ours_s = [r["seconds"] for r in runs["ours"]]
    for method, rows in runs.items():
        seconds = [r["seconds"] for r in rows]
        computes = [r["compute_s"] for r in rows if r["compute_s"] is not None]
        lines.append(
            f"| {method} | {spread(seconds, '{:.2f}')} | "
            f"{'-' if method == 'ours' else ratio(ours_s, seconds)} | "
            f"{spread([mpix / s for s in seconds])} | "
            f"{spread(computes, '{:.2f}') if computes else '-'} | "
            f"{spread([r['peak_mb'] for r in rows], '{:.0f}')} |"
        )
    # Distance to features, 4,000 x 4,000.
    rng = np.random.default_rng(1)
    present = np.zeros((4000, 4000), dtype=bool)
    present[rng.integers(0, 4000, 3000), rng.integers(0, 4000, 3000)] = True
    present[2000, :] = True  # a road across
    out: dict[str, np.ndarray] = {}

    def ours() -> None:
        out["ours"] = distance_to(present, 10.0)

    def peer() -> None:
        out["peer"] = ndimage.distance_transform_edt(~present) * 10.0

    times, loads = alternate({"ours": ours, "peer": peer}, runs=RUNS)
    assert np.allclose(out["ours"], out["peer"], rtol=1e-6)
    lines += [
        "",
        f"### Distance to features, 4,000 x 4,000 (1-minute load {min(loads):.1f}-"
        f"{max(loads):.1f} before the rounds)",
        "",
        "| method | s | ours / scipy |",
        "|---|---|---|",
        f"| ours (planning.siting.distance_to) | {spread(times['ours'], '{:.2f}')} | "
        f"{ratio(times['ours'], times['peer'])} |",
        f"| scipy distance_transform_edt | {spread(times['peer'], '{:.2f}')} | |",
        "",
        f"{machine()} at the end.",
    ]
    text = "\n".join(lines)
    print(text)
    write_section("Siting rasters", text)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--run":
        run_one(sys.argv[2], int(sys.argv[3]))
    else:
        main()
