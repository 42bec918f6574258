"""Benchmark: weighted overlay of 6 criteria on a 10,000 x 10,000 raster, strip by strip
(planning.pipeline.siting.overlay_files), beside numpy's plain expression and numexpr on
whole arrays, from the same run; peak memory of each (own process). Then distance-to-features
on 4,000 x 4,000 beside scipy.ndimage.distance_transform_edt.

Run on purpose:  .venv/bin/python bench/siting_overlay.py   (appends to docs/benchmarks.md)
Inputs (2.4 GB of GeoTIFF) are generated once under /tmp/langnghe-bench-overlay and reused.
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

from bench.report import quick, write_section  # noqa: E402
from planning.siting import Criterion, Transform, distance_to  # noqa: E402

SIZE = 10_000
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


def _inputs() -> dict[str, Path]:
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    FOLDER.mkdir(exist_ok=True)
    paths = {c.name: FOLDER / f"{c.name}.tif" for c in CRITERIA}
    profile = {
        "driver": "GTiff",
        "width": SIZE,
        "height": SIZE,
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
            for r0 in range(0, SIZE, 1000):
                block = rng.random((1000, SIZE), dtype=np.float32) * SCALE[name]
                dst.write(block, 1, window=Window(0, r0, SIZE, 1000))
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


def run_one(method: str) -> None:
    import numexpr
    import rasterio

    from planning.pipeline.siting import overlay_files
    from planning.siting import _expression

    paths = _inputs()
    out = FOLDER / f"out-{method}.tif"
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


def main() -> None:
    quick()  # make bench BENCH_ARGS=--quick: the same sizes
    import numexpr
    from scipy import ndimage

    _inputs()
    rows = []
    for method in (
        "ours",
        "numexpr",
        "numpy",
        "ours",
    ):  # ours twice: the first warms the page cache
        done = subprocess.run(
            [sys.executable, __file__, "--run", method], capture_output=True, text=True, check=True
        )
        rows.append(json.loads(done.stdout.splitlines()[-1]))
    rows = rows[1:]
    mpix = SIZE * SIZE / 1e6
    lines = [
        f"### Weighted overlay, 6 criteria, {SIZE:,} x {SIZE:,} float32 (read, compute, write; "
        f"numexpr {numexpr.__version__}, {numexpr.detect_number_of_cores()} cores)",
        "",
        "| method | total s | Mpx/s | compute-only s | peak memory MB |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        compute = "-" if r["compute_s"] is None else f"{r['compute_s']:.2f}"
        lines.append(
            f"| {r['method']} | {r['seconds']:.2f} | {mpix / r['seconds']:.1f} | {compute} | "
            f"{r['peak_mb']:.0f} |"
        )
    # Distance to features, 4,000 x 4,000.
    rng = np.random.default_rng(1)
    present = np.zeros((4000, 4000), dtype=bool)
    present[rng.integers(0, 4000, 3000), rng.integers(0, 4000, 3000)] = True
    present[2000, :] = True  # a road across
    timings = {"ours (planning.siting.distance_to)": [], "scipy distance_transform_edt": []}
    for _ in range(3):
        t0 = time.perf_counter()
        ours = distance_to(present, 10.0)
        timings["ours (planning.siting.distance_to)"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        peer = ndimage.distance_transform_edt(~present) * 10.0
        timings["scipy distance_transform_edt"].append(time.perf_counter() - t0)
    assert np.allclose(ours, peer, rtol=1e-6)
    lines += [
        "",
        "### Distance to features, 4,000 x 4,000 (best of 3)",
        "",
        "| method | s |",
        "|---|---|",
    ]
    lines += [f"| {k} | {min(v):.2f} |" for k, v in timings.items()]
    text = "\n".join(lines)
    print(text)
    write_section("Siting rasters", text)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--run":
        run_one(sys.argv[2])
    else:
        main()
