"""Planners' analyses with IO: fetch layers from PostGIS and files, align them to one
metric grid, run the pure siting / compliance / allocation functions, save scenarios.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import yaml

from gis.crs import METRIC_CRS
from gis.db import fetch_one
from gis.errors import ValidationError
from planning import siting
from planning.surfaces import Grid

__all__ = [
    "AllocationRequest",
    "Progress",
    "SitingRequest",
    "check_cluster_site",
    "compare_scenarios",
    "run_allocation",
    "delete_scenario",
    "get_scenario",
    "list_scenarios",
    "load_model",
    "run_siting",
    "save_scenario",
    "scenario_features",
    "write_features",
]

logger = logging.getLogger(__name__)

#: ``progress(fraction 0-1, message)``: the CLI draws a bar, the web updates a job row.
Progress = Callable[[float, str], None]
#: Cells a siting grid may have (a 45 x 45 km study area at 10 m).
MAX_CELLS = 20_000_000


def _no_progress(_fraction: float, _message: str) -> None:
    return None


def load_model(sample_data: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The default siting model (``data/siting/defaults.yaml``) with ``overrides`` merged in."""
    model = yaml.safe_load((sample_data / "siting" / "defaults.yaml").read_text(encoding="utf-8"))
    for key, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(model.get(key), dict):
            for sub, sv in value.items():
                if isinstance(sv, dict) and isinstance(model[key].get(sub), dict):
                    model[key][sub] = {**model[key][sub], **sv}
                else:
                    model[key][sub] = sv
        else:
            model[key] = value
    return model


@dataclass
class SitingRequest:
    """One siting run: the study area (lon/lat bbox), grid, inputs and model."""

    bbox: tuple[float, float, float, float]
    name: str = "siting"
    cell_m: float = 30.0
    kind: str = "general"  # or "craft_village": 5-75 ha instead of 10-75 ha
    dem: Path | None = None
    landuse: Path | None = None  # an OSM-style GeoPackage: layers landuse_a, natural_a, pois
    roads: Path | None = None  # extra road lines (the roads table is always used)
    weights: dict[str, float] | None = None
    ahp: list[list[float]] | None = None  # pairwise matrix in the order of ``criteria``
    criteria: list[str] | None = None  # which criteria (default: every one in the model)
    threshold: float | None = None
    overrides: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        x0, y0, x1, y1 = self.bbox
        if not (x0 < x1 and y0 < y1):
            raise ValidationError(
                f"study area bbox {self.bbox} is empty: give minlon,minlat,maxlon,maxlat"
            )
        if not (100 <= x0 and x1 <= 112 and 7 <= y0 and y1 <= 24):
            raise ValidationError(
                f"study area bbox {self.bbox} is not in Vietnam (lon 100-112, lat 7-24)"
            )
        if not 1 <= self.cell_m <= 1000:
            raise ValidationError(f"cell size {self.cell_m} m: use 1-1000 m")
        if self.kind not in ("general", "craft_village"):
            raise ValidationError(f"cluster kind {self.kind!r}: use general or craft_village")
        for name in ("dem", "landuse", "roads"):
            path = getattr(self, name)
            if path is not None and not Path(path).exists():
                raise ValidationError(f"{name} file {path} does not exist")


def _criteria(
    request: SitingRequest, model: dict[str, Any]
) -> tuple[list[siting.Criterion], dict[str, Any]]:
    """The criteria with their transforms and weights (direct, AHP, or the model's)."""
    names = request.criteria or list(model["criteria"])
    unknown = [n for n in names if n not in siting.CRITERIA]
    if unknown:
        raise ValidationError(f"unknown criteria {unknown}; known: {', '.join(siting.CRITERIA)}")
    info: dict[str, Any] = {"weights_from": "model"}
    if request.ahp is not None:
        result = siting.ahp_weights(request.ahp, names=names)
        if len(result.weights) != len(names):
            raise ValidationError(
                f"AHP matrix has {len(result.weights)} rows for {len(names)} criteria {names}"
            )
        weights = dict(zip(names, result.weights, strict=True))
        info = {
            "weights_from": "ahp",
            "ahp": {
                "lambda_max": result.lambda_max,
                "ci": result.consistency_index,
                "cr": result.consistency_ratio,
            },
        }
    elif request.weights is not None:
        extra = sorted(set(request.weights) - set(names))
        if extra:
            raise ValidationError(f"weights given for criteria not in the run: {extra}")
        weights = {n: float(request.weights.get(n, 0.0)) for n in names}
        info = {"weights_from": "given"}
    else:
        weights = {n: float(model["criteria"][n].get("weight", 0.0)) for n in names}
        total = sum(weights.values())
        if request.criteria and total > 0:  # a subset of the model: rescale its weights
            weights = {n: w / total for n, w in weights.items()}
    criteria = []
    for n in names:
        spec = {
            k: v for k, v in model["criteria"].get(n, {"kind": "identity"}).items() if k != "weight"
        }
        criteria.append(siting.Criterion(n, siting.Transform(**spec), weights[n]))
    siting.check_weights(criteria)
    return criteria, info


def _grid(bbox: tuple[float, float, float, float], cell: float) -> Grid:
    from pyproj import Transformer

    t = Transformer.from_crs(4326, METRIC_CRS, always_xy=True)
    x0, y0, x1, y1 = t.transform_bounds(*bbox)
    x0, y0 = np.floor(x0 / cell) * cell, np.floor(y0 / cell) * cell
    width, height = int(np.ceil((x1 - x0) / cell)), int(np.ceil((y1 - y0) / cell))
    if width * height > MAX_CELLS:
        raise ValidationError(
            f"study area at {cell:g} m is {width} x {height} cells, more than {MAX_CELLS:,}: "
            "use a larger cell size or a smaller area"
        )
    return Grid(float(x0), float(y0 + height * cell), cell, width, height)


def _dem(path: Path, grid: Grid, notes: list[str]) -> np.ndarray:
    """The DEM resampled onto the grid (bilinear); voids filled from their surroundings first."""
    import rasterio
    from rasterio.fill import fillnodata
    from rasterio.warp import Resampling, reproject

    with rasterio.open(path) as src:
        data = src.read(1, masked=True)
        voids = int(data.mask.sum()) if np.ma.is_masked(data) else 0
        filled = data.filled(0).astype("float32")
        if voids:
            filled = fillnodata(
                filled, mask=(~np.ma.getmaskarray(data)).astype("uint8"), max_search_distance=50
            )
        out = np.full(grid.shape, np.nan, dtype="float32")
        reproject(
            filled,
            out,
            src_transform=src.transform,
            src_crs=src.crs,
            dst_transform=grid.transform,
            dst_crs=METRIC_CRS,
            dst_nodata=np.nan,
            resampling=Resampling.bilinear,
        )
        unit = "degrees" if src.crs.is_geographic else "metres"
        notes.append(
            f"DEM {path.name}: {src.crs.to_string()}, {src.res[0]:g} {unit} cells, resampled (bilinear) to "
            f"EPSG:32648 {grid.cell:g} m; {voids:,} void cells filled from their surroundings"
        )
    outside = float(np.isnan(out).mean())
    if outside > 0:
        notes.append(
            f"DEM does not cover {outside:.1%} of the study area: slope and elevation unknown there, "
            "those cells are left out"
        )
    return out


def _read_layer(path: Path, layer: str | None, bbox, notes: list[str]) -> gpd.GeoDataFrame:
    import pyogrio

    layers = [name for name, _ in pyogrio.list_layers(path)]
    if layer is not None and layer not in layers:
        notes.append(f"{path.name} has no layer {layer!r}: skipped")
        return gpd.GeoDataFrame(geometry=[], crs=4326)
    gdf = gpd.read_file(path, layer=layer, bbox=bbox, engine="pyogrio")
    if gdf.crs is None:
        raise ValidationError(
            f"{path.name} layer {layer or layers[0]} has no CRS: set one before using it"
        )
    return gdf.to_crs(METRIC_CRS)


def _rasterize(
    geoms, grid: Grid, *, value=1, fill=0, dtype="uint8", all_touched: bool = True
) -> np.ndarray:
    from rasterio import features

    shapes = [(g, value) for g in geoms if g is not None and not g.is_empty]
    if not shapes:
        return np.full(grid.shape, fill, dtype=dtype)
    return features.rasterize(
        shapes,
        out_shape=grid.shape,
        transform=grid.transform,
        fill=fill,
        dtype=dtype,
        all_touched=all_touched,
    )


#: Distances see features up to this far outside the study area (metres; capped at 400 cells).
DISTANCE_MARGIN_M = 8000.0


def _distance_m(geoms, grid: Grid) -> np.ndarray:
    """Metres from each cell to the nearest of ``geoms``, counting features outside the grid too
    (they are rasterised on a grid padded by :data:`DISTANCE_MARGIN_M`).
    """
    pad = int(min(np.ceil(DISTANCE_MARGIN_M / grid.cell), 400))
    present = _rasterize(geoms, grid.padded(pad)) > 0
    return siting.distance_to(present, grid.cell)[pad : pad + grid.height, pad : pad + grid.width]


def _db_layer(conn, query: str, bbox) -> gpd.GeoDataFrame:
    from gis.postgis import read_geodataframe

    gdf = read_geodataframe(conn, query, (*bbox,))
    return gdf.to_crs(METRIC_CRS) if len(gdf) else gpd.GeoDataFrame(geometry=[], crs=METRIC_CRS)


def _input_versions(conn, request: SitingRequest) -> dict[str, Any]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT layer, version FROM layer_versions WHERE layer IN ('craft_villages', 'industrial_clusters', 'roads')"
        )
        versions: dict[str, Any] = dict(cur.fetchall())
    for name in ("dem", "landuse", "roads"):
        path = getattr(request, name)
        if path is not None:
            stat = Path(path).stat()
            versions[f"{name}_file"] = {
                "path": str(path),
                "bytes": stat.st_size,
                "mtime": int(stat.st_mtime),
            }
    return versions


def _layers(
    conn,
    request: SitingRequest,
    model: dict[str, Any],
    grid: Grid,
    needed: set[str],
    notes: list[str],
    progress: Progress,
) -> tuple[dict[str, np.ndarray], np.ndarray, dict[str, int]]:
    """Raw criterion rasters and the constraint mask (True = excluded), with excluded-cell counts."""
    from pyproj import Transformer

    margin = 0.1  # degrees (~11 km) around the study area, so distances see features outside it
    x0, y0, x1, y1 = request.bbox
    wide = (x0 - margin, y0 - margin, x1 + margin, y1 + margin)
    env = "ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))"
    cons = model["constraints"]
    layers: dict[str, np.ndarray] = {}
    mask = np.zeros(grid.shape, dtype=bool)
    excluded: dict[str, int] = {}

    def exclude(name: str, cells: np.ndarray) -> None:
        excluded[name] = int((cells & ~mask).sum())
        mask[cells] = True

    # Study area itself: cells outside the lon/lat box are out.
    t = Transformer.from_crs(4326, METRIC_CRS, always_xy=True)
    ring = shapely.box(*request.bbox).segmentize(0.01)
    area = shapely.transform(ring, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
    exclude("outside_study_area", _rasterize([area], grid, all_touched=False) == 0)
    progress(0.1, "layers: landuse")
    landuse = water = facilities = gpd.GeoDataFrame(geometry=[], crs=METRIC_CRS)
    if request.landuse is not None:
        landuse = _read_layer(Path(request.landuse), "landuse_a", wide, notes)
        water = _read_layer(Path(request.landuse), "natural_a", wide, notes)
        facilities = pd.concat(
            [
                _read_layer(Path(request.landuse), "pois", wide, notes),
                _read_layer(Path(request.landuse), "pois_a", wide, notes),
            ],
            ignore_index=True,
        )
        facilities = (
            facilities[facilities["fclass"].isin(model["facility_classes"])]
            if len(facilities)
            else facilities
        )
        notes.append(
            f"land use {Path(request.landuse).name}: {len(landuse)} polygons, {len(facilities)} schools/clinics "
            "in and around the study area; rasterised at cell centres"
        )
    elif needed & {"landuse", "residential_distance_m", "facility_distance_m"}:
        raise ValidationError(
            "criteria landuse, residential_distance_m and facility_distance_m need a land-use file "
            "(--landuse): give one or leave them out of the run"
        )
    if len(landuse):
        scores = model["landuse_scores"]
        codes = {cls: i + 1 for i, cls in enumerate(sorted(landuse["fclass"].dropna().unique()))}
        from rasterio import features as rfeatures

        classes = rfeatures.rasterize(
            [
                (g, codes[c])
                for g, c in zip(landuse.geometry, landuse["fclass"], strict=True)
                if c in codes
            ],
            out_shape=grid.shape,
            transform=grid.transform,
            fill=0,
            dtype="int16",
        )
        lut = np.full(len(codes) + 1, model["landuse_other"], dtype="float32")
        for cls, code in codes.items():
            lut[code] = scores.get(cls, model["landuse_other"])
        layers["landuse"] = lut[classes]
        bad_codes = [codes[c] for c in cons["excluded_landuse"] if c in codes]
        exclude("excluded_landuse", np.isin(classes, bad_codes))
        residential = landuse[landuse["fclass"] == "residential"].geometry
    else:
        layers["landuse"] = np.full(grid.shape, model["landuse_other"], dtype="float32")
        residential = []
    if len(water):
        wet = water[water["fclass"].isin(cons["excluded_water"])]
        exclude("water", _rasterize(wet.geometry, grid, all_touched=False) > 0)
    progress(0.25, "layers: distances")
    if "residential_distance_m" in needed or cons.get("residential_buffer_m"):
        layers["residential_distance_m"] = _distance_m(residential, grid)
        exclude(
            "residential_buffer",
            layers["residential_distance_m"] < float(cons["residential_buffer_m"]),
        )
    if "facility_distance_m" in needed or cons.get("facility_buffer_m"):
        layers["facility_distance_m"] = _distance_m(facilities.geometry, grid)
        exclude("facility_buffer", layers["facility_distance_m"] < float(cons["facility_buffer_m"]))
    clusters = _db_layer(
        conn, f"SELECT ref, ST_AsBinary(geom) AS geom FROM industrial_clusters WHERE {env}", wide
    )
    if len(clusters):
        exclude(
            "existing_clusters",
            _distance_m(clusters.geometry, grid) <= float(cons["cluster_buffer_m"]),
        )
    if "road_distance_m" in needed:
        roads = _db_layer(
            conn, f"SELECT id, ST_AsBinary(geom) AS geom FROM roads WHERE {env}", wide
        )
        if request.roads is not None:
            extra = _read_layer(Path(request.roads), None, wide, notes)
            if "loai_duong" in extra.columns:  # LegoCity national roads mix in railways
                extra = extra[~extra["loai_duong"].astype(str).str.contains("sắt", na=False)]
            roads = pd.concat([roads, extra[["geometry"]]], ignore_index=True)
        if not len(roads):
            raise ValidationError(
                "criterion road_distance_m: no roads in or near the study area (load a road "
                "network or give --roads)"
            )
        notes.append(f"roads: {len(roads)} lines in and around the study area")
        layers["road_distance_m"] = _distance_m(roads.geometry, grid)
    if "village_distance_m" in needed:
        villages = _db_layer(
            conn,
            "SELECT v.ref, ST_AsBinary(v.geom) AS geom FROM craft_villages v JOIN craft_types c ON c.code = v.craft "
            "WHERE c.pollution_class IN ('high', 'medium') "
            "AND ST_Intersects(v.geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))",
            wide,
        )
        if not len(villages):
            raise ValidationError(
                "criterion village_distance_m: no polluting craft villages in or near the study area"
            )
        notes.append(
            f"craft villages: {len(villages)} polluting (high/medium class) villages in and around the area"
        )
        layers["village_distance_m"] = _distance_m(villages.geometry, grid)
    progress(0.4, "layers: terrain")
    if needed & {"slope_deg", "elevation_m"} or request.dem is not None:
        if request.dem is None:
            raise ValidationError(
                "criteria slope_deg and elevation_m need a DEM (--dem): give one or leave them out"
            )
        dem = _dem(Path(request.dem), grid, notes)
        layers["elevation_m"] = dem
        layers["slope_deg"] = siting.slope_deg(dem, grid.cell)
        exclude("unknown_terrain", ~np.isfinite(dem))
        exclude("flood_prone", dem < float(cons["min_elevation_m"]))
    return layers, mask, excluded


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """A valid (multi)polygon: reprojection can make raster outlines touch themselves."""
    fixed = shapely.make_valid(geom)
    if fixed.geom_type == "GeometryCollection":
        fixed = shapely.union_all(
            [g for g in fixed.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        )
    return fixed


def run_siting(
    conn,
    settings,
    request: SitingRequest,
    *,
    progress: Progress = _no_progress,
    save: bool = True,
    actor: str = "cli",
) -> dict[str, Any]:
    """Suitability raster, candidate regions and sensitivity; saved as a scenario."""
    from layers.regulations import load_document
    from planning.compliance import area_limits

    model = load_model(settings.sample_data, request.overrides)
    criteria, weight_info = _criteria(request, model)
    threshold = float(
        request.threshold if request.threshold is not None else model["candidates"]["threshold"]
    )
    if not 0 < threshold < 1:
        raise ValidationError(f"candidate threshold {threshold} must be between 0 and 1")
    min_ha, max_ha = area_limits(
        load_document(settings.sample_data / "regulations", "decree32_clusters"), request.kind
    )
    grid = _grid(request.bbox, request.cell_m)
    notes: list[str] = [f"grid: EPSG:32648, {grid.cell:g} m cells, {grid.width} x {grid.height}"]
    progress(0.05, "grid")
    layers, mask, excluded = _layers(
        conn, request, model, grid, {c.name for c in criteria}, notes, progress
    )
    progress(0.55, "overlay")
    suitability = np.empty(grid.shape, dtype="float32")

    def read(r0: int, r1: int) -> dict[str, np.ndarray]:
        return {**{c.name: layers[c.name][r0:r1] for c in criteria}, "_mask": mask[r0:r1]}

    for r0, block in siting.overlay_blocks(read, grid.height, criteria):
        suitability[r0 : r0 + block.shape[0]] = block
    usable = np.isfinite(suitability)
    if not usable.any():
        raise ValidationError(
            f"every cell of the study area is excluded by the constraints ({excluded}): "
            "widen the area or relax the keep-away distances"
        )
    progress(0.7, "candidates")
    scores = {f"score_{c.name}": c.transform(layers[c.name]) for c in criteria}
    raw = {c.name: layers[c.name] for c in criteria}
    candidates = siting.candidate_regions(
        suitability,
        grid.transform,
        METRIC_CRS,
        threshold=threshold,
        min_ha=min_ha,
        max_ha=max_ha,
        criteria_layers={**raw, **scores},
    )
    sens = pd.DataFrame()
    if len(candidates) >= 2:
        table = candidates.set_index("rank")[[f"mean_score_{c.name}" for c in criteria]]
        table.columns = [c.name for c in criteria]
        sens = siting.sensitivity(table, criteria)
    progress(0.78, "Decree 32 checks of the top candidates")
    checks = []
    for rank, geom in zip(
        candidates["rank"][:5], candidates.to_crs(4326).geometry[:5], strict=False
    ):
        check = check_cluster_site(
            conn,
            settings,
            geometry=_polygonal(geom),
            kind=request.kind,
            mountainous=False,
            landuse=request.landuse,
        )
        checks.append({"rank": int(rank), "verdict": check["verdict"], "results": check["results"]})
    result = {
        "kind": request.kind,
        "area_limits_ha": [min_ha, max_ha],
        "threshold": threshold,
        "compliance": checks,
        "criteria": [
            {
                "name": c.name,
                "weight": round(c.weight, 6),
                "transform": asdict(c.transform),
                "unit": siting.CRITERIA[c.name],
            }
            for c in criteria
        ],
        **weight_info,
        "excluded_cells": excluded,
        "cells": grid.width * grid.height,
        "usable_cells": int(usable.sum()),
        "mean_suitability": float(np.nanmean(suitability)),
        "candidates": len(candidates),
        "notes": notes,
        "sensitivity": json.loads(sens.to_json(orient="records")) if len(sens) else [],
        "leader_stable": bool(len(sens) == 0 or not sens["leader_changed"].any()),
    }
    out = {
        **result,
        "candidates_gdf": candidates,
        "suitability": suitability,
        "grid": grid,
        "layers": layers,
    }
    if not save:
        return out
    progress(0.85, "saving")
    params = {
        **{k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(request).items()},
        "model": model,
    }
    scenario_id = save_scenario(
        conn,
        "siting",
        request.name,
        params,
        _input_versions(conn, request),
        result,
        {
            "candidate": candidates.drop(
                columns=[c for c in candidates.columns if c.startswith("mean_score_")]
            )
        },
        created_by=actor,
    )
    from gis.raster import write_cog

    path = write_cog(
        settings.raster_path(f"siting-{scenario_id}"),
        {"suitability": suitability, **scores},
        transform=grid.transform,
        crs=METRIC_CRS,
    )
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO rasters (scenario_id, kind, path, epsg, cell_size_m) VALUES (%s, 'suitability', %s, 32648, %s)",
            (scenario_id, str(path), grid.cell),
        )
    conn.commit()
    progress(1.0, "done")
    return {**out, "scenario_id": scenario_id, "path": str(path)}


def overlay_files(
    inputs: dict[str, Path],
    criteria: list[siting.Criterion],
    out_path: Path,
    *,
    block_rows: int = 256,
    compress: str | None = "deflate",
    progress: Progress = _no_progress,
) -> Path:
    """Weighted overlay of criterion GeoTIFFs (one grid) into a tiled float32 GeoTIFF, strip by strip.

    Memory stays at two strips of every input (the next strip is read while this one is
    computed), however large the rasters.
    """
    from concurrent.futures import ThreadPoolExecutor

    import rasterio
    from rasterio.windows import Window

    siting.check_weights(criteria)
    missing = [c.name for c in criteria if c.name not in inputs]
    if missing:
        raise ValidationError(f"no raster file for criteria {missing}")
    sources = {c.name: rasterio.open(inputs[c.name]) for c in criteria}
    try:
        first = next(iter(sources.values()))
        for name, src in sources.items():
            if (src.width, src.height, src.transform, src.crs) != (
                first.width,
                first.height,
                first.transform,
                first.crs,
            ):
                raise ValidationError(
                    f"{inputs[name]} is not on the grid of {first.name}: align the rasters first"
                )
        width, height = first.width, first.height

        def read(r0: int, r1: int) -> dict[str, np.ndarray]:
            window = Window(0, r0, width, r1 - r0)
            return {
                name: src.read(1, window=window, out_dtype="float32")
                for name, src in sources.items()
            }

        profile = {
            "driver": "GTiff",
            "width": width,
            "height": height,
            "count": 1,
            "dtype": "float32",
            "crs": first.crs,
            "transform": first.transform,
            "nodata": np.nan,
            "tiled": True,
            "blockxsize": 256,
            "blockysize": 256,
            "BIGTIFF": "IF_SAFER",
            **({"compress": compress} if compress else {}),
        }
        strips = [(r0, min(height, r0 + block_rows)) for r0 in range(0, height, block_rows)]
        with (
            rasterio.open(out_path, "w", **profile) as dst,
            ThreadPoolExecutor(max_workers=1) as reader,
        ):
            pending = reader.submit(read, *strips[0])
            for k, (r0, r1) in enumerate(strips):
                block = pending.result()
                if k + 1 < len(strips):
                    pending = reader.submit(read, *strips[k + 1])
                ((_, out),) = siting.overlay_blocks(
                    lambda _a, _b, b=block: b, r1 - r0, criteria, block_rows=r1 - r0
                )
                dst.write(out, 1, window=Window(0, r0, width, r1 - r0))
                progress((k + 1) / len(strips), "overlay")
    finally:
        for src in sources.values():
            src.close()
    return Path(out_path)


# --- scenarios -------------------------------------------------------------------------


def save_scenario(
    conn,
    kind: str,
    name: str,
    params: dict,
    input_versions: dict,
    results: dict,
    features: dict[str, gpd.GeoDataFrame] | None = None,
    *,
    created_by: str = "system",
) -> int:
    """Insert a scenario and its features (one transaction with the caller's; not committed here)."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO scenarios (kind, name, params, input_versions, results, created_by) "
            "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            (
                kind,
                name,
                json.dumps(params, default=str, ensure_ascii=False),
                json.dumps(input_versions, default=str),
                json.dumps(results, default=str, ensure_ascii=False),
                created_by,
            ),
        )
        (scenario_id,) = cur.fetchone()
        for role, gdf in (features or {}).items():
            if not len(gdf):
                continue
            wgs = gdf.to_crs(4326)
            props = json.loads(
                wgs.drop(columns="geometry").to_json(orient="records", force_ascii=False)
            )
            rows = [
                (scenario_id, role, json.dumps(p, ensure_ascii=False), g.wkb_hex)
                for p, g in zip(props, wgs.geometry, strict=True)
            ]
            cur.executemany(
                "INSERT INTO scenario_features (scenario_id, role, properties, geom) "
                "VALUES (%s, %s, %s, ST_SetSRID(ST_GeomFromWKB(decode(%s, 'hex')), 4326))",
                rows,
            )
    return int(scenario_id)


def list_scenarios(conn, kind: str | None = None) -> list[dict[str, Any]]:
    """Saved scenarios, newest first (without their features)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT s.id, s.kind, s.name, s.created_by, s.created_at, "
            "(SELECT count(*) FROM scenario_features f WHERE f.scenario_id = s.id) "
            "FROM scenarios s WHERE %s::text IS NULL OR s.kind = %s ORDER BY s.id DESC",
            (kind, kind),
        )
        return [
            {
                "id": i,
                "kind": k,
                "name": n,
                "created_by": b,
                "created_at": t.isoformat(),
                "features": f,
            }
            for i, k, n, b, t, f in cur.fetchall()
        ]


def get_scenario(conn, scenario_id: int) -> dict[str, Any]:
    """One scenario with its parameters, input versions, results and rasters."""
    out = fetch_one(
        conn,
        "SELECT id, kind, name, params, input_versions, results, created_by, created_at "
        "FROM scenarios WHERE id = %s",
        (scenario_id,),
        missing=f"scenario {scenario_id} does not exist",
    )
    with conn.cursor() as cur:
        cur.execute(
            "SELECT kind, path, epsg, cell_size_m FROM rasters WHERE scenario_id = %s ORDER BY id",
            (scenario_id,),
        )
        rasters = [
            {"kind": k, "path": p, "epsg": e, "cell_size_m": c} for k, p, e, c in cur.fetchall()
        ]
    out["created_at"] = out["created_at"].isoformat()
    return {**out, "rasters": rasters}


def scenario_features(conn, scenario_id: int, role: str | None = None) -> gpd.GeoDataFrame:
    """The scenario's features (EPSG:4326) with their properties as columns."""
    from gis.postgis import read_geodataframe

    get_scenario(conn, scenario_id)
    gdf = read_geodataframe(
        conn,
        "SELECT id AS feature_id, role, properties::text AS properties, ST_AsBinary(geom) AS geom "
        "FROM scenario_features WHERE scenario_id = %s AND (%s::text IS NULL OR role = %s) "
        "ORDER BY id",
        (scenario_id, role, role),
    )
    if not len(gdf):
        return gpd.GeoDataFrame(
            columns=["feature_id", "role", "geometry"], geometry="geometry", crs=4326
        )
    props = pd.DataFrame([json.loads(p) for p in gdf["properties"]], index=gdf.index)
    return gpd.GeoDataFrame(
        pd.concat([gdf.drop(columns="properties"), props], axis=1), geometry="geometry", crs=4326
    )


def write_features(gdf: gpd.GeoDataFrame, path: Path | str) -> Path:
    """Write scenario features as GeoJSON (one collection) or GeoPackage (one layer per role)."""
    path = Path(path)
    if path.suffix == ".gpkg":
        if path.exists():
            path.unlink()
        for role, part in gdf.groupby("role", sort=True):
            part.dropna(axis=1, how="all").to_file(
                path, layer=str(role), driver="GPKG", engine="pyogrio"
            )
        if not len(gdf):
            gdf.to_file(path, layer="empty", driver="GPKG", engine="pyogrio")
    elif path.suffix == ".geojson":
        gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    else:
        raise ValidationError(f"{path.name}: write .geojson or .gpkg")
    return path


def delete_scenario(conn, scenario_id: int) -> list[str]:
    """Delete a scenario, its features and raster rows (committed), then its raster files; returns the files removed."""
    get_scenario(conn, scenario_id)
    with conn.cursor() as cur:
        cur.execute("SELECT path FROM rasters WHERE scenario_id = %s", (scenario_id,))
        paths = [p for (p,) in cur.fetchall()]
        cur.execute("DELETE FROM scenarios WHERE id = %s", (scenario_id,))
    conn.commit()
    removed = []
    for p in paths:
        if Path(p).exists():
            Path(p).unlink()
            removed.append(p)
    return removed


# --- Decree 32 compliance ------------------------------------------------------------------


def _metric_area_ha(geom: shapely.Geometry) -> float:
    return float(gpd.GeoSeries([geom], crs=4326).to_crs(METRIC_CRS).area.iloc[0]) / 10_000


def _cluster_row(conn, ref: str) -> dict[str, Any]:
    out = fetch_one(
        conn,
        "SELECT ref, kind, area_ha, occupancy_pct, wastewater_treatment, craft_land_share_pct, "
        "service_land_share_pct, industrial_land_ha, mountainous, ST_AsBinary(geom) AS geom "
        "FROM industrial_clusters "
        "WHERE ref = %s",
        (ref,),
        missing=f"industrial cluster {ref!r} does not exist",
    )
    out["geom"] = shapely.from_wkb(bytes(out["geom"]))
    for k in (
        "area_ha",
        "occupancy_pct",
        "craft_land_share_pct",
        "service_land_share_pct",
        "industrial_land_ha",
    ):
        out[k] = None if out[k] is None else float(out[k])
    return out


def _unit_and_clusters(conn, settings, geom: shapely.Geometry, skip: set[str]):
    from planning.compliance import UnitCluster

    with conn.cursor() as cur:
        cur.execute(
            "SELECT name, ST_AsBinary(geom) FROM admin_units WHERE version = %s AND level = %s "
            "AND ST_Covers(geom, ST_SetSRID(ST_GeomFromWKB(%s), 4326)) LIMIT 1",
            (
                settings.cluster_unit_version,
                settings.cluster_unit_level,
                shapely.point_on_surface(geom).wkb,
            ),
        )
        row = cur.fetchone()
        if row is None:
            return None, None
        cur.execute(
            "SELECT ref, area_ha, occupancy_pct, industrial_land_ha FROM industrial_clusters "
            "WHERE ST_Covers(ST_GeomFromWKB(%s, 4326), ST_PointOnSurface(geom)) AND NOT (ref = ANY(%s)) ORDER BY ref",
            (bytes(row[1]), list(skip)),
        )
        clusters = tuple(
            UnitCluster(r, *(None if v is None else float(v) for v in (a, o, i)))
            for r, a, o, i in cur.fetchall()
        )
    return row[0], clusters


def _landuse_facts(
    path: Path | None, geom: shapely.Geometry, model: dict[str, Any]
) -> tuple[float | None, float | None]:
    """(residential land inside ha, metres to the nearest house/school/clinic) from a land-use file."""
    if path is None:
        return None, None
    notes: list[str] = []
    x0, y0, x1, y1 = geom.bounds
    wide = (x0 - 0.05, y0 - 0.05, x1 + 0.05, y1 + 0.05)
    landuse = _read_layer(Path(path), "landuse_a", wide, notes)
    pois = pd.concat(
        [
            _read_layer(Path(path), "pois", wide, notes),
            _read_layer(Path(path), "pois_a", wide, notes),
        ]
    )
    site = gpd.GeoSeries([geom], crs=4326).to_crs(METRIC_CRS).iloc[0]
    residential = (
        landuse[landuse["fclass"] == "residential"].geometry if len(landuse) else gpd.GeoSeries([])
    )
    inside = float(residential.intersection(site).area.sum()) / 10_000 if len(residential) else 0.0
    sensitive = list(residential) + (
        list(pois[pois["fclass"].isin(model["facility_classes"])].geometry) if len(pois) else []
    )
    outside = [g for g in sensitive if not g.intersects(site)]
    nearest = min((site.distance(g) for g in outside), default=None)
    if any(g.intersects(site) for g in sensitive):
        nearest = 0.0
    return inside, None if nearest is None else float(nearest)


def check_cluster_site(
    conn,
    settings,
    *,
    geometry: shapely.Geometry | None = None,
    ref: str | None = None,
    kind: str | None = None,
    mountainous: bool | None = None,
    expansion_of: str | None = None,
    craft_land_share_pct: float | None = None,
    service_land_share_pct: float | None = None,
    infrastructure_done: bool | None = None,
    landuse: Path | None = None,
    save_as: str | None = None,
    actor: str = "cli",
) -> dict[str, Any]:
    """Decree 32/2024 results for a drawn polygon (``geometry``, WGS 84) or a stored cluster (``ref``)."""
    from layers.regulations import load_document
    from planning.compliance import ClusterFacts, UnitCluster, check_cluster
    from planning.rules import local_date

    if (geometry is None) == (ref is None):
        raise ValidationError("give either a drawn polygon or the ref of a stored cluster")
    skip = set()
    industrial_land_ha = None
    if ref is not None:
        row = _cluster_row(conn, ref)
        geometry = row["geom"]
        industrial_land_ha = row["industrial_land_ha"]
        skip.add(ref)
        kind = kind or row["kind"]
        mountainous = row["mountainous"] if mountainous is None else mountainous
        craft_land_share_pct = (
            row["craft_land_share_pct"] if craft_land_share_pct is None else craft_land_share_pct
        )
        service_land_share_pct = (
            row["service_land_share_pct"]
            if service_land_share_pct is None
            else service_land_share_pct
        )
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        raise ValidationError(f"a cluster must be a polygon, got {geometry.geom_type}")
    if not geometry.is_valid:
        raise ValidationError(
            f"the cluster polygon is not valid: {shapely.is_valid_reason(geometry)}"
        )
    base = None
    if expansion_of is not None:
        row = _cluster_row(conn, expansion_of)
        skip.add(expansion_of)
        base = UnitCluster(
            row["ref"],
            _metric_area_ha(row["geom"]),
            row["occupancy_pct"],
            row["industrial_land_ha"],
        )
        kind = kind or row["kind"]
        if infrastructure_done is None and row["wastewater_treatment"] is False:
            infrastructure_done = False
    unit, clusters = _unit_and_clusters(conn, settings, geometry, skip)
    model = load_model(settings.sample_data)
    residential_ha, nearest = _landuse_facts(landuse, geometry, model)
    facts = ClusterFacts(
        area_ha=_metric_area_ha(geometry),
        kind=kind or "general",
        mountainous=mountainous,
        residential_inside_ha=residential_ha,
        craft_land_share_pct=craft_land_share_pct,
        service_land_share_pct=service_land_share_pct,
        nearest_sensitive_m=nearest,
        industrial_land_ha=industrial_land_ha,
        unit=unit,
        unit_level=settings.cluster_unit_level,
        unit_clusters=clusters,
        expansion_of=base,
        infrastructure_done=infrastructure_done,
        checked_on=local_date(dt.datetime.now(dt.UTC)),
    )
    folder = settings.sample_data / "regulations"
    results = [
        r.as_dict()
        for r in check_cluster(
            facts,
            load_document(folder, "decree32_clusters"),
            load_document(folder, "qcvn01_2025_safety_distances"),
            load_document(folder, "qcvn01_2021_bxd_planning"),
        )
    ]
    statuses = [r["status"] for r in results]  # "confirm" items are listed, not judged
    verdict = "fail" if "fail" in statuses else "unknown" if "unknown" in statuses else "pass"
    facts_out = {
        **asdict(facts),
        "checked_on": facts.checked_on.isoformat() if facts.checked_on else None,
        "unit_level": settings.cluster_unit_level,
        "unit_version": settings.cluster_unit_version,
    }
    out = {
        "verdict": verdict,
        "results": results,
        "facts": facts_out,
        "geometry": shapely.geometry.mapping(geometry),
    }
    if save_as:
        params = {
            "ref": ref,
            "kind": kind,
            "mountainous": mountainous,
            "expansion_of": expansion_of,
            "landuse": str(landuse) if landuse else None,
        }
        site = gpd.GeoDataFrame(
            {"verdict": [verdict], "area_ha": [round(facts.area_ha, 2)]},
            geometry=[geometry],
            crs=4326,
        )
        out["scenario_id"] = save_scenario(
            conn,
            "compliance",
            save_as,
            params,
            {},
            {k: v for k, v in out.items() if k != "geometry"},
            {"site": site},
            created_by=actor,
        )
        conn.commit()
    return out


# --- relocation (location-allocation) -----------------------------------------------------


@dataclass
class AllocationRequest:
    """Relocate polluting craft-village workshops to candidate sites."""

    name: str = "allocation"
    model: str = "p_median"  # or "max_coverage"
    p: int = 1
    sites_from: int | None = None  # a siting scenario's candidates; else the stored clusters
    site_refs: tuple[str, ...] = ()  # stored clusters to consider (default: all with room)
    max_commute_min: float | None = None  # coverage radius; for p-median an upper limit
    capacity: bool = True
    demand: str = "households"  # or "workers"
    # Which villages relocate: "decree08" (default: crafts listed in Decree 08/2022 Appendix
    # II, Art. 35) or "class_weights" (the team's pollution-class weights, an override).
    basis: str = "decree08"
    bbox: tuple[float, float, float, float] | None = None  # villages inside (default: all)
    network: str = "default"
    mode: str = "motorbike"

    def __post_init__(self) -> None:
        if self.model not in ("p_median", "max_coverage"):
            raise ValidationError(f"model {self.model!r}: use p_median or max_coverage")
        if self.model == "max_coverage" and not self.max_commute_min:
            raise ValidationError(
                "maximal coverage needs a maximum commute in minutes (max_commute_min / --max-commute)"
            )
        if self.demand not in ("households", "workers"):
            raise ValidationError(f"demand {self.demand!r}: use households or workers")
        if self.basis not in ("decree08", "class_weights"):
            raise ValidationError(f"basis {self.basis!r}: use decree08 or class_weights")
        if self.p < 1:
            raise ValidationError("p (sites to open) must be at least 1")


def _demand(
    conn, request: AllocationRequest, model: dict[str, Any], appendix: dict[str, Any] | None = None
) -> pd.DataFrame:
    """Villages to relocate and their demand.

    Basis ``decree08``: villages whose craft Decree 08/2022 Appendix II lists (demand =
    households or workers x relocate_share); crafts listed only with a stage, or not found
    in the part of the appendix read, are left out and named in ``frame.attrs``. Basis
    ``class_weights``: the team's pollution-class weights (labelled as such).
    """
    from planning.craft_rules import appendix2_status

    reloc = model["relocation"]
    by_law = request.basis == "decree08"
    column = {"households": "households", "workers": "workers"}[
        request.demand
    ]  # a fixed name, never user text
    with conn.cursor() as cur:
        cur.execute(
            "SELECT v.ref, v.name, v.craft, c.pollution_class, v." + column + ", v.households, "
            "ST_X(v.geom), ST_Y(v.geom) FROM craft_villages v JOIN craft_types c ON c.code = v.craft "
            "WHERE (%s::text[] IS NULL OR c.pollution_class = ANY(%s)) AND (%s::float8 IS NULL OR "
            "ST_Intersects(v.geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))) ORDER BY v.ref",
            (
                *(None if by_law else list(reloc["relocate_classes"]),) * 2,
                *((request.bbox[0],) + tuple(request.bbox) if request.bbox else (None,) * 5),
            ),
        )
        rows = cur.fetchall()
    frame = pd.DataFrame(
        rows,
        columns=["ref", "name", "craft", "pollution_class", "amount", "households", "lon", "lat"],
    )
    left_out: dict[str, list[str]] = {}
    if by_law:
        status = {c: appendix2_status(c, appendix or {}) for c in frame["craft"].unique()}
        frame["basis_items"] = [", ".join(status[c]["items"]) for c in frame["craft"]]
        kinds = frame["craft"].map(lambda c: status[c]["status"])
        left_out = {
            k: sorted(frame.loc[kinds == k, "ref"])
            for k in ("if_stage", "unknown")
            if (kinds == k).any()
        }
        frame = frame[kinds == "listed"].reset_index(drop=True)
    missing = frame[frame["amount"].isna()]["ref"].tolist()
    if missing:
        logger.warning("villages without %s left out: %s", column, missing)
    frame = frame.dropna(subset=["amount"]).reset_index(drop=True)
    if not len(frame):
        raise ValidationError(
            "no polluting craft villages with a known number of " + column + " to relocate"
        )
    workshops = frame["households"].fillna(frame["amount"]).astype(float) * float(
        reloc["relocate_share"]
    )
    weight = 1.0 if by_law else frame["pollution_class"].map(reloc["class_weight"]).astype(float)
    frame["demand"] = frame["amount"].astype(float) * float(reloc["relocate_share"]) * weight
    frame["need_ha"] = workshops * float(reloc["ha_per_workshop"])
    frame.attrs["left_out"] = left_out
    return frame


def _sites(conn, request: AllocationRequest) -> pd.DataFrame:
    if request.sites_from is not None:
        scenario = get_scenario(conn, request.sites_from)
        if scenario["kind"] != "siting":
            raise ValidationError(
                f"scenario {request.sites_from} is a {scenario['kind']} scenario, not siting"
            )
        gdf = scenario_features(conn, request.sites_from, "candidate")
        points = gdf.geometry.representative_point()
        return pd.DataFrame(
            {
                "ref": [f"S{request.sites_from}-C{int(r)}" for r in gdf["rank"]],
                "name": [f"candidate {int(r)}" for r in gdf["rank"]],
                "capacity_ha": gdf["area_ha"],
                "lon": points.x,
                "lat": points.y,
                "geometry": gdf.geometry,
            }
        )
    from gis.postgis import read_geodataframe

    gdf = read_geodataframe(
        conn,
        "SELECT ref, name, area_ha, occupancy_pct, ST_AsBinary(geom) AS geom "
        "FROM industrial_clusters WHERE (cardinality(%s::text[]) = 0 OR ref = ANY(%s)) "
        "ORDER BY ref",
        (list(request.site_refs), list(request.site_refs)),
    )
    unknown = sorted(set(request.site_refs) - set(gdf["ref"]))
    if unknown:
        raise ValidationError(f"unknown cluster refs {unknown}")
    free = gdf["area_ha"].astype(float) * (1 - gdf["occupancy_pct"].fillna(0).astype(float) / 100)
    points = gdf.geometry.representative_point()
    return pd.DataFrame(
        {
            "ref": gdf["ref"],
            "name": gdf["name"],
            "capacity_ha": free,
            "lon": points.x,
            "lat": points.y,
            "geometry": gdf.geometry,
        }
    )


def _commute_minutes(
    conn, settings, request: AllocationRequest, villages: pd.DataFrame, sites: pd.DataFrame
) -> tuple[np.ndarray, dict[str, Any]]:
    """Minutes from each village to each site: on the road network when it reaches them, else
    straight line x detour factor at a stated speed.
    """
    from gis.network import travel_matrix
    from planning.pipeline import FALLBACK_KMH, MAX_SNAP_M, _graph

    graph = _graph(conn, request.network)
    reason = f"no road network {request.network!r} is loaded"
    if graph is not None:
        vi, vd = graph.snap(villages["lon"].to_numpy(), villages["lat"].to_numpy())
        si, sd = graph.snap(sites["lon"].to_numpy(), sites["lat"].to_numpy())
        far = int((vd > MAX_SNAP_M).sum() + (sd > MAX_SNAP_M).sum())
        if far == 0:
            minutes = travel_matrix(graph, vi, si, profile=request.mode) / 60.0
            return minutes, {
                "method": "network",
                "network": request.network,
                "mode": request.mode,
                "max_snap_m": round(float(max(vd.max(), sd.max())), 1),
            }
        reason = (
            f"{far} of {len(villages) + len(sites)} villages and sites are more than {MAX_SNAP_M:g} m from "
            f"road network {request.network!r}"
        )
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    shape = (len(villages), len(sites))
    vlon, slon = (
        np.broadcast_to(a, shape)
        for a in (villages["lon"].to_numpy()[:, None], sites["lon"].to_numpy()[None, :])
    )
    vlat, slat = (
        np.broadcast_to(a, shape)
        for a in (villages["lat"].to_numpy()[:, None], sites["lat"].to_numpy()[None, :])
    )
    _, _, metres = geod.inv(vlon, vlat, slon, slat)
    kmh = FALLBACK_KMH[request.mode]
    minutes = metres / 1000.0 * settings.detour_factor / kmh * 60.0
    return minutes, {
        "method": "straight_line",
        "detour_factor": settings.detour_factor,
        "speed_kmh": kmh,
        "mode": request.mode,
        "reason": reason,
    }


def run_allocation(
    conn,
    settings,
    request: AllocationRequest,
    *,
    progress: Progress = _no_progress,
    save: bool = True,
    actor: str = "cli",
) -> dict[str, Any]:
    """Solve the relocation model and save it as a scenario (sites, assignment lines)."""
    from planning.allocation import max_coverage, p_median

    from layers.regulations import load_document
    from planning import rules

    model = load_model(settings.sample_data)
    progress(0.1, "demand and sites")
    appendix = load_document(settings.sample_data / "regulations", "decree08_appendix2")
    villages = _demand(conn, request, model, appendix)
    basis = {
        "basis": request.basis,
        "source": rules.source(appendix).as_dict()
        if request.basis == "decree08"
        else {"code": "allocation.class_weights_basis", "params": {}},
        "left_out": villages.attrs.get("left_out", {}),
    }
    sites = _sites(conn, request)
    if request.p > len(sites):
        raise ValidationError(
            f"p = {request.p} sites to open, but there are only {len(sites)} candidate sites"
        )
    progress(0.3, "travel times")
    minutes, cost_info = _commute_minutes(conn, settings, request, villages, sites)
    capacity = sites["capacity_ha"].to_numpy(dtype=float) if request.capacity else None
    size = villages["need_ha"].to_numpy()
    if capacity is not None and request.model == "p_median":
        best = float(np.sort(capacity)[::-1][: request.p].sum())
        if best < size.sum():
            raise ValidationError(
                f"the villages need {size.sum():,.1f} ha but the {request.p} largest sites offer "
                f"{best:,.1f} ha: open more sites, use maximal coverage, or drop the capacity limit"
            )
    progress(0.5, "solving")
    if request.model == "p_median":
        result = p_median(
            minutes,
            villages["demand"].to_numpy(),
            request.p,
            capacity=capacity,
            size=size,
            max_cost=request.max_commute_min,
        )
    else:
        result = max_coverage(
            minutes,
            villages["demand"].to_numpy(),
            request.p,
            request.max_commute_min,
            capacity=capacity,
            size=size,
        )
    commute = result.costs(minutes)
    served = np.isfinite(commute)
    weights = villages["demand"].to_numpy()
    summary = {
        "model": request.model,
        "p": request.p,
        "cost": cost_info,
        "capacity": request.capacity,
        "sites_chosen": [sites["ref"].iloc[j] for j in result.sites],
        "demand_total": round(result.total_demand, 1),
        "demand_covered": round(result.covered_demand, 1),
        "demand_covered_pct": round(100 * result.covered_demand / result.total_demand, 1)
        if result.total_demand
        else 0.0,
        "villages": len(villages),
        "villages_served": int(served.sum()),
        "mean_commute_min": round(float(np.average(commute[served], weights=weights[served])), 1)
        if served.any()
        else None,
        "max_commute_min": round(float(np.nanmax(commute)), 1) if served.any() else None,
        "objective": round(result.objective, 3),
        "demand_basis": basis,
        "solver": "CBC via PuLP",
        "status": result.status,
    }
    loads = {
        sites["ref"].iloc[j]: round(float(size[np.asarray(result.assignment) == j].sum()), 2)
        for j in result.sites
    }
    summary["site_load_ha"] = loads
    progress(0.8, "saving")
    site_rows = gpd.GeoDataFrame(
        {
            "ref": sites["ref"],
            "name": sites["name"],
            "capacity_ha": sites["capacity_ha"].round(2),
            "chosen": [j in result.sites for j in range(len(sites))],
            "load_ha": [loads.get(r, 0.0) for r in sites["ref"]],
        },
        geometry=gpd.points_from_xy(sites["lon"], sites["lat"]),
        crs=4326,
    )
    lines = []
    for i, j in enumerate(result.assignment):
        v = villages.iloc[i]
        geom = (
            shapely.LineString([(v["lon"], v["lat"]), (sites["lon"].iloc[j], sites["lat"].iloc[j])])
            if j >= 0
            else shapely.Point(v["lon"], v["lat"])
        )
        lines.append(
            {
                "village_ref": v["ref"],
                "village": v["name"],
                "craft": v["craft"],
                "pollution_class": v["pollution_class"],
                "demand": round(float(v["demand"]), 1),
                "need_ha": round(float(v["need_ha"]), 2),
                "site_ref": sites["ref"].iloc[j] if j >= 0 else None,
                "commute_min": round(float(commute[i]), 1) if j >= 0 else None,
                "geometry": geom,
            }
        )
    assignment = gpd.GeoDataFrame(lines, geometry="geometry", crs=4326)
    out = {**summary, "sites_gdf": site_rows, "assignment_gdf": assignment}
    if save:
        params = asdict(request)
        with conn.cursor() as cur:
            cur.execute(
                "SELECT layer, version FROM layer_versions WHERE layer IN ('craft_villages', "
                "'industrial_clusters', 'roads')"
            )
            versions = dict(cur.fetchall())
        if request.sites_from is not None:
            versions["siting_scenario"] = request.sites_from
        out["scenario_id"] = save_scenario(
            conn,
            "allocation",
            request.name,
            params,
            versions,
            summary,
            {"site": site_rows, "assignment": assignment},
            created_by=actor,
        )
        conn.commit()
    progress(1.0, "done")
    return out


#: What a comparison shows of each scenario kind.
COMPARE_KEYS = {
    "allocation": (
        "model",
        "p",
        "sites_chosen",
        "demand_covered_pct",
        "villages_served",
        "mean_commute_min",
        "max_commute_min",
        "cost",
    ),
    "siting": (
        "kind",
        "threshold",
        "candidates",
        "mean_suitability",
        "leader_stable",
        "weights_from",
    ),
    "compliance": ("verdict",),
}


def compare_scenarios(conn, ids: list[int]) -> list[dict[str, Any]]:
    """The headline figures of several scenarios of one kind, side by side."""
    scenarios = [get_scenario(conn, i) for i in ids]
    kinds = {s["kind"] for s in scenarios}
    if len(kinds) != 1:
        raise ValidationError(f"compare scenarios of one kind; got {sorted(kinds)}")
    keys = COMPARE_KEYS.get(kinds.pop(), ())
    return [
        {"id": s["id"], "name": s["name"], **{k: s["results"].get(k) for k in keys}}
        for s in scenarios
    ]
