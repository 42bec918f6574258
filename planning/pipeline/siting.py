"""Siting: multi-criteria suitability of a study area, candidate regions and their checks.

Fetches clusters, roads and polluting villages through ``layers`` and the planner's
files through ``planning.pipeline._inputs``; computes the weighted overlay, candidate
regions and sensitivity with the pure ``planning.siting``; checks the best candidates
against Decree 32/2024 (``planning.pipeline.compliance``); saves a ``siting`` scenario
and its suitability COG. Not committed here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from rasterio import features
from rasterio.windows import Window

from gis.crs import METRIC_CRS, METRIC_EPSG, WGS84
from gis.errors import ValidationError
from gis.messages import Message, msg
from gis.progress import Progress, silent
from gis.raster import write_cog
from gis.settings import Settings
from layers.clusters import clusters_in_bbox
from layers.regulations import load_document
from layers.roads import roads_in_bbox
from layers.scenarios import add_raster, input_versions, save_scenario
from layers.villages import villages_in_bbox
from planning import siting
from planning.compliance import area_limits
from planning.pipeline._inputs import (
    MAX_CELLS,
    dem_on_grid,
    distance_m,
    footprint,
    grid_for_bbox,
    load_model,
    polygonal,
    rasterize,
    read_layer,
)
from planning.pipeline.compliance import check_cluster_site
from planning.surfaces import Grid

__all__ = [
    "SitingRequest",
    "check_coverage",
    "criteria_for",
    "criterion_label",
    "input_coverage",
    "load_model",
    "overlay_files",
    "parcel_rules",
    "run_siting",
]

logger = logging.getLogger(__name__)


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
    #: Given ``weights`` are relative (the page's): scaled to sum to one, the scaling recorded.
    #: Without it they must already sum to one (the CLI's contract).
    normalise: bool = False

    def __post_init__(self) -> None:
        x0, y0, x1, y1 = self.bbox
        if not (x0 < x1 and y0 < y1):
            raise ValidationError(msg("siting.bbox_empty", bbox=list(self.bbox)))
        if not (100 <= x0 and x1 <= 112 and 7 <= y0 and y1 <= 24):
            raise ValidationError(msg("siting.bbox_outside_vietnam", bbox=list(self.bbox)))
        if not 1 <= self.cell_m <= 1000:
            raise ValidationError(msg("siting.bad_cell_size", cell_m=self.cell_m))
        if self.kind not in ("general", "craft_village"):
            raise ValidationError(msg("siting.bad_kind", kind=self.kind))
        for name in ("dem", "landuse", "roads"):
            path = getattr(self, name)
            if path is not None and not Path(path).exists():
                raise ValidationError(msg("siting.file_missing", option=name, path=str(path)))

    def memory_mb(self) -> int:
        """Memory this run is estimated to need (MB): cells x (16 B per criterion + 32 B).

        Each criterion holds its raw layer and its score per cell (float64), plus the mask,
        the suitability (float32) and the candidate labels; 350 MB for the process and its
        libraries. A 20 M-cell run of the seven criteria: about 3.2 GB (issue 18 measured
        3.1 GB for that run; the per-cell figures are not measured here).
        """
        grid = grid_for_bbox(self.bbox, self.cell_m).padded(_margin_cells(self.cell_m))
        criteria = len(self.criteria) if self.criteria else len(siting.CRITERIA)
        per_cell = 16 * criteria + 32
        return int(350 + grid.width * grid.height * per_cell / 2**20)


def criteria_for(
    request: SitingRequest, model: dict[str, Any]
) -> tuple[list[siting.Criterion], dict[str, Any]]:
    """The criteria with their transforms and weights (direct, AHP, or the model's)."""
    names = request.criteria or list(model["criteria"])
    unknown = [n for n in names if n not in siting.CRITERIA]
    if unknown:
        raise ValidationError(
            msg("siting.criteria_unknown", names=list(unknown), known=list(siting.CRITERIA))
        )
    info: dict[str, Any] = {"weights_from": "model"}
    if request.ahp is not None:
        result = siting.ahp_weights(request.ahp, names=[criterion_label(n) for n in names])
        if len(result.weights) != len(names):
            raise ValidationError(
                msg(
                    "siting.ahp_size",
                    rows=len(result.weights),
                    criteria=len(names),
                    names=list(names),
                )
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
            raise ValidationError(msg("siting.weights_not_in_run", names=list(extra)))
        weights = {n: float(request.weights.get(n, 0.0)) for n in names}
        info = {"weights_from": "given"}
        if request.normalise:
            weights = _normalised(weights)
            info["weights_given"] = {n: float(request.weights.get(n, 0.0)) for n in names}
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


def criterion_label(name: str) -> Message:
    """A criterion's name as users read it (a message: translated where it is shown)."""
    return msg(f"criterion.{name}") if name in siting.CRITERIA else msg("word.unknown")


def _normalised(weights: dict[str, float]) -> dict[str, float]:
    """Relative weights scaled to sum to one; negative or all-zero weights are refused."""
    negative = [criterion_label(n) for n, w in weights.items() if w < 0]
    if negative:
        raise ValidationError(msg("siting.weights_negative", names=negative))
    total = sum(weights.values())
    if not total > 0:
        raise ValidationError(msg("siting.weights_all_zero"))
    return {n: w / total for n, w in weights.items()}


#: The share of the study area an input must cover; below it the run is refused (the cells
#: an input misses are left out of the analysis, so a mostly uncovered area says nothing).
MIN_COVERED = 0.5
#: Which inputs the criteria need (the roads table and national roads cover the country).
_NEEDS = {
    "dem": {"slope_deg", "elevation_m"},
    "landuse": {"landuse", "residential_distance_m", "facility_distance_m"},
}
_FOOTPRINT_LAYER = {"dem": None, "landuse": "landuse_a"}


def input_coverage(files: dict[str, Path | None]) -> dict[str, dict[str, Any]]:
    """The lon/lat box each siting input covers: ``{input: {"file", "bounds"}}`` (files given)."""
    return {
        name: {
            "file": Path(path).name,
            "bounds": list(footprint(Path(path), _FOOTPRINT_LAYER[name])),
        }
        for name, path in files.items()
        if path is not None and name in _FOOTPRINT_LAYER and Path(path).exists()
    }


def check_coverage(request: SitingRequest, names: list[str]) -> dict[str, dict[str, Any]]:
    """The inputs the criteria ``names`` need, each with its box and the study area share covered.

    Raises
    ------
    ValidationError
        When an input needed covers less than :data:`MIN_COVERED` of the study area (the
        message names the input, its file and the area it covers).
    """
    files = {"dem": request.dem, "landuse": request.landuse}
    coverage = input_coverage({k: v for k, v in files.items() if _NEEDS[k] & set(names)})
    study = shapely.box(*request.bbox)
    for name, entry in coverage.items():
        share = study.intersection(shapely.box(*entry["bounds"])).area / study.area
        entry["covered_pct"] = round(100 * share, 1)
        if share < MIN_COVERED:
            west, south, east, north = entry["bounds"]
            raise ValidationError(
                msg(
                    "siting.outside_input",
                    input=msg(f"input.{name}"),
                    file=entry["file"],
                    covered_pct=entry["covered_pct"],
                    extent=msg("coverage.extent", west=west, east=east, south=south, north=north),
                    min_pct=round(100 * MIN_COVERED),
                )
            )
    return coverage


#: Metres the analysis grid reaches beyond the study area (the model's default), so that a
#: candidate across the study area's edge keeps its whole extent.
EDGE_MARGIN_M = 1500.0


def _margin_cells(cell_m: float, margin_m: float = EDGE_MARGIN_M) -> int:
    return int(np.ceil(float(margin_m) / float(cell_m)))


def parcel_rules(model: dict[str, Any]) -> tuple[siting.ParcelRules, float]:
    """The model's parcel rules (minimum width, compactness) and its edge margin in metres."""
    spec = model.get("candidates") or {}
    rules = siting.ParcelRules(
        min_width_m=float(spec.get("min_width_m", 0.0)),
        min_compactness=float(spec.get("min_compactness", 0.0)),
    )
    margin = float(spec.get("edge_margin_m", EDGE_MARGIN_M))
    if not 0 <= margin <= 10_000:
        raise ValidationError(msg("siting.bad_edge_margin", margin_m=margin))
    return rules, margin


def _study_cells(request: SitingRequest, grid: Grid) -> NDArray[np.bool_]:
    """The cells of ``grid`` whose centres are in the study area (a lon/lat box)."""
    t = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)
    ring = shapely.box(*request.bbox).segmentize(0.01)
    area = shapely.transform(ring, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
    return np.asarray(rasterize([area], grid, all_touched=False) > 0, dtype=bool)


def _metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs(METRIC_CRS) if len(gdf) else gpd.GeoDataFrame(geometry=[], crs=METRIC_CRS)


def _input_versions(conn: Any, request: SitingRequest) -> dict[str, Any]:
    versions = input_versions(conn)
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


def _landuse_files(
    request: SitingRequest,
    model: dict[str, Any],
    wide: tuple[float, float, float, float],
    needed: set[str],
    notes: list[Message],
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Land-use polygons, water polygons and schools/clinics (metric CRS) from the land-use file."""
    landuse = water = facilities = gpd.GeoDataFrame(geometry=[], crs=METRIC_CRS)
    if request.landuse is not None:
        landuse = read_layer(Path(request.landuse), "landuse_a", wide, notes)
        water = read_layer(Path(request.landuse), "natural_a", wide, notes)
        facilities = pd.concat(
            [
                read_layer(Path(request.landuse), "pois", wide, notes),
                read_layer(Path(request.landuse), "pois_a", wide, notes),
            ],
            ignore_index=True,
        )
        facilities = (
            facilities[facilities["fclass"].isin(model["facility_classes"])]
            if len(facilities)
            else facilities
        )
        notes.append(
            msg(
                "siting.landuse_read",
                file=Path(request.landuse).name,
                polygons=len(landuse),
                facilities=len(facilities),
            )
        )
    elif needed & {"landuse", "residential_distance_m", "facility_distance_m"}:
        raise ValidationError(msg("siting.landuse_needed"))
    return landuse, water, facilities


def _landuse_scores(
    landuse: gpd.GeoDataFrame, model: dict[str, Any], grid: Grid
) -> tuple[NDArray[np.float32], NDArray[np.bool_] | None]:
    """The land-use score of each cell, and the cells of excluded classes (None: no land use)."""
    if not len(landuse):
        return np.full(grid.shape, model["landuse_other"], dtype="float32"), None
    scores = model["landuse_scores"]
    codes = {cls: i + 1 for i, cls in enumerate(sorted(landuse["fclass"].dropna().unique()))}
    classes = features.rasterize(
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
    bad_codes = [codes[c] for c in model["constraints"]["excluded_landuse"] if c in codes]
    return lut[classes], np.isin(classes, bad_codes)


def _terrain(request: SitingRequest, grid: Grid, notes: list[Message]) -> NDArray[np.float32]:
    """The DEM on the grid; slope and elevation criteria cannot run without one."""
    if request.dem is None:
        raise ValidationError(msg("siting.dem_needed"))
    return dem_on_grid(Path(request.dem), grid, notes)


def _layers(
    conn: Any,
    request: SitingRequest,
    model: dict[str, Any],
    grid: Grid,
    needed: set[str],
    notes: list[Message],
    progress: Progress,
) -> tuple[dict[str, NDArray[Any]], NDArray[np.bool_], dict[str, int]]:
    """Raw criterion rasters, the constraint mask (True = excluded), excluded-cell counts.

    ``grid`` reaches beyond the study area; the counts are of the study area's cells.
    """
    margin = 0.1  # degrees (~11 km) around the study area, so distances see features outside it
    # (the grid's own margin, EDGE_MARGIN_M, is well inside it)
    x0, y0, x1, y1 = request.bbox
    wide = (x0 - margin, y0 - margin, x1 + margin, y1 + margin)
    cons = model["constraints"]
    layers: dict[str, NDArray[Any]] = {}
    mask = np.zeros(grid.shape, dtype=bool)
    excluded: dict[str, int] = {}

    inside = _study_cells(request, grid)

    def exclude(name: str, cells: NDArray[np.bool_]) -> None:
        excluded[name] = int((cells & ~mask & inside).sum())
        mask[cells] = True

    progress(0.1, "landuse")
    landuse, water, facilities = _landuse_files(request, model, wide, needed, notes)
    layers["landuse"], bad_landuse = _landuse_scores(landuse, model, grid)
    if bad_landuse is not None:
        exclude("excluded_landuse", bad_landuse)
    residential = (
        landuse[landuse["fclass"] == "residential"].geometry if len(landuse) else gpd.GeoSeries([])
    )
    if len(water):
        wet = water[water["fclass"].isin(cons["excluded_water"])]
        exclude("water", rasterize(wet.geometry, grid, all_touched=False) > 0)
    progress(0.25, "distances")
    if "residential_distance_m" in needed or cons.get("residential_buffer_m"):
        layers["residential_distance_m"] = distance_m(residential, grid)
        exclude(
            "residential_buffer",
            layers["residential_distance_m"] < float(cons["residential_buffer_m"]),
        )
    if "facility_distance_m" in needed or cons.get("facility_buffer_m"):
        layers["facility_distance_m"] = distance_m(facilities.geometry, grid)
        exclude("facility_buffer", layers["facility_distance_m"] < float(cons["facility_buffer_m"]))
    clusters = _metric(clusters_in_bbox(conn, wide))
    if len(clusters):
        exclude(
            "existing_clusters",
            distance_m(clusters.geometry, grid) <= float(cons["cluster_buffer_m"]),
        )
    if "road_distance_m" in needed:
        roads = _metric(roads_in_bbox(conn, wide))
        if request.roads is not None:
            extra = read_layer(Path(request.roads), None, wide, notes)
            if "loai_duong" in extra.columns:  # LegoCity national roads mix in railways
                extra = extra[~extra["loai_duong"].astype(str).str.contains("sắt", na=False)]
            roads = pd.concat([roads, extra[["geometry"]]], ignore_index=True)
        if not len(roads):
            raise ValidationError(msg("siting.no_roads"))
        notes.append(msg("siting.roads_read", lines=len(roads)))
        layers["road_distance_m"] = distance_m(roads.geometry, grid)
    if "village_distance_m" in needed:
        villages = _metric(villages_in_bbox(conn, wide, polluting_only=True))
        if not len(villages):
            raise ValidationError(msg("siting.no_polluting_villages"))
        notes.append(msg("siting.villages_read", villages=len(villages)))
        layers["village_distance_m"] = distance_m(villages.geometry, grid)
    progress(0.4, "terrain")
    if needed & {"slope_deg", "elevation_m"} or request.dem is not None:
        dem = _terrain(request, grid, notes)
        layers["elevation_m"] = dem
        layers["slope_deg"] = siting.slope_deg(cast("NDArray[np.float64]", dem), grid.cell)
        exclude("unknown_terrain", ~np.isfinite(dem))
        exclude("flood_prone", dem < float(cons["min_elevation_m"]))
    return layers, mask, excluded


def run_siting(
    conn: Any,
    settings: Settings,
    request: SitingRequest,
    *,
    progress: Progress = silent,
    save: bool = True,
    actor: str = "cli",
) -> dict[str, Any]:
    """Suitability raster, candidate regions and sensitivity; saved as a scenario."""
    model = load_model(settings.sample_data, request.overrides)
    criteria, weight_info = criteria_for(request, model)
    coverage = check_coverage(request, [c.name for c in criteria])
    threshold = float(
        request.threshold if request.threshold is not None else model["candidates"]["threshold"]
    )
    if not 0 < threshold < 1:
        raise ValidationError(msg("siting.bad_threshold", threshold=threshold))
    min_ha, max_ha = area_limits(
        load_document(settings.sample_data / "regulations", "decree32_clusters"), request.kind
    )
    rules, margin_m = parcel_rules(model)
    grid = grid_for_bbox(request.bbox, request.cell_m).padded(
        _margin_cells(request.cell_m, margin_m)
    )
    if grid.width * grid.height > MAX_CELLS:
        raise ValidationError(
            msg(
                "siting.grid_too_large",
                cell_m=request.cell_m,
                width=grid.width,
                height=grid.height,
                max_cells=MAX_CELLS,
            )
        )
    notes = [
        msg(
            "siting.grid",
            crs=f"EPSG:{METRIC_EPSG}",
            cell_m=grid.cell,
            width=grid.width,
            height=grid.height,
        )
    ]
    progress(0.05, "grid")
    layers, mask, excluded = _layers(
        conn, request, model, grid, {c.name for c in criteria}, notes, progress
    )
    progress(0.55, "overlay")
    suitability = np.empty(grid.shape, dtype="float32")

    def read(r0: int, r1: int) -> dict[str, NDArray[Any]]:
        return {**{c.name: layers[c.name][r0:r1] for c in criteria}, "_mask": mask[r0:r1]}

    for r0, block in siting.overlay_blocks(read, grid.height, criteria):
        suitability[r0 : r0 + block.shape[0]] = block
    inside = _study_cells(request, grid)
    usable = np.isfinite(suitability) & inside
    if not usable.any():
        raise ValidationError(
            msg(
                "siting.all_excluded",
                excluded=[f"{name}: {cells}" for name, cells in excluded.items()],
            )
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
        criteria_layers=cast("dict[str, NDArray[np.float64]]", {**raw, **scores}),
        rules=rules,
        inside=inside,
    )
    sens = pd.DataFrame()
    if len(candidates) >= 2:
        table = candidates.set_index("rank")[[f"mean_score_{c.name}" for c in criteria]]
        table.columns = [c.name for c in criteria]
        sens = siting.sensitivity(table, criteria)
    progress(0.78, "decree32")
    checks = []
    for rank, geom in zip(
        candidates["rank"][:5], candidates.to_crs(WGS84).geometry[:5], strict=False
    ):
        check = check_cluster_site(
            conn,
            settings,
            geometry=polygonal(geom),
            kind=request.kind,
            mountainous=False,
            landuse=request.landuse,
        )
        checks.append({"rank": int(rank), "verdict": check["verdict"], "results": check["results"]})
    result = {
        "kind": request.kind,
        "area_limits_ha": [min_ha, max_ha],
        "threshold": threshold,
        "candidate_rules": {
            "min_width_m": rules.min_width_m,
            "min_compactness": rules.min_compactness,
            "edge_margin_m": margin_m,
        },
        "candidates_at_edge": int(candidates["touches_edge"].sum()) if len(candidates) else 0,
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
        "coverage": coverage,
        "excluded_cells": excluded,
        "cells": int(inside.sum()),
        "usable_cells": int(usable.sum()),
        "mean_suitability": float(np.nanmean(np.where(inside, suitability, np.nan))),
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
        {"candidate": candidates},
        created_by=actor,
    )
    path = write_cog(
        settings.raster_path(f"siting-{scenario_id}"),
        {"suitability": suitability, **{k: np.asarray(v) for k, v in scores.items()}},
        transform=grid.transform,
        crs=METRIC_CRS,
    )
    try:
        add_raster(conn, scenario_id, "suitability", path, epsg=METRIC_EPSG, cell_size_m=grid.cell)
        progress(1.0, "done")
    except BaseException:  # the transaction rolls the scenario back: its file goes too
        Path(path).unlink(missing_ok=True)
        raise
    return {**out, "scenario_id": scenario_id, "path": str(path)}


def overlay_files(
    inputs: dict[str, Path],
    criteria: list[siting.Criterion],
    out_path: Path,
    *,
    block_rows: int = 256,
    compress: str | None = "deflate",
    progress: Progress = silent,
) -> Path:
    """Weighted overlay of criterion GeoTIFFs (one grid) into a tiled float32 GeoTIFF.

    The overlay runs strip by strip.

    Memory stays at two strips of every input (the next strip is read while this one is
    computed), however large the rasters.
    """
    siting.check_weights(criteria)
    missing = [c.name for c in criteria if c.name not in inputs]
    if missing:
        raise ValidationError(msg("siting.no_raster", names=list(missing)))
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
                    msg("siting.raster_off_grid", file=str(inputs[name]), grid_of=str(first.name))
                )
        width, height = first.width, first.height

        def read(r0: int, r1: int) -> dict[str, NDArray[Any]]:
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
                    _constant(block), r1 - r0, criteria, block_rows=r1 - r0
                )
                dst.write(out, 1, window=Window(0, r0, width, r1 - r0))
                progress((k + 1) / len(strips), "overlay")
    finally:
        for src in sources.values():
            src.close()
    return Path(out_path)


def _constant(
    block: dict[str, NDArray[Any]],
) -> Callable[[int, int], dict[str, NDArray[Any]]]:
    """A strip reader that returns ``block`` (the strip already read)."""

    def read(_r0: int, _r1: int) -> dict[str, NDArray[Any]]:
        return block

    return read
