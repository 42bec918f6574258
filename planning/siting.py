"""Multi-criteria suitability for siting an industrial cluster.

Pure: arrays (one metric grid, north up) and explicit parameters in, new arrays and
GeoDataFrames out. The pipeline fetches the layers; this module only scores them.

- each criterion raster goes through a :class:`Transform` to a 0-1 score;
- weights are given directly (they must sum to one) or derived from an AHP pairwise
  matrix (:func:`ahp_weights`; a consistency ratio above 0.1 is refused);
- :func:`overlay_blocks` combines the scores block by block (numexpr inside a block),
  so a raster larger than memory streams through in row strips;
- hard constraints are a boolean mask (True = excluded);
- :func:`candidate_regions` turns the suitable cells into ranked polygons of legal size,
  at least a minimum width across and compact enough (:class:`ParcelRules`);
- :func:`sensitivity` re-ranks the candidates with each weight moved by a fraction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import geopandas as gpd
import numexpr
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from rasterio import features
from rasterio.transform import Affine
from scipy import ndimage

from gis.errors import ValidationError
from gis.messages import Message, msg

__all__ = [
    "CRITERIA",
    "AhpResult",
    "Criterion",
    "ParcelRules",
    "Transform",
    "ahp_weights",
    "candidate_regions",
    "check_weights",
    "disk",
    "distance_to",
    "open_to_width",
    "overlay_blocks",
    "polsby_popper",
    "sensitivity",
    "slope_deg",
    "weighted_overlay",
]

#: The criteria a request may name, with the unit of their raw value.
CRITERIA = {
    "road_distance_m": "m",
    "village_distance_m": "m",
    "residential_distance_m": "m",
    "facility_distance_m": "m",
    "slope_deg": "degree",
    "elevation_m": "m",
    "landuse": "score",
}
#: Saaty's random consistency index by matrix size.
RANDOM_INDEX = (
    0.0,
    0.0,
    0.0,
    0.58,
    0.90,
    1.12,
    1.24,
    1.32,
    1.41,
    1.45,
    1.49,
    1.51,
    1.48,
    1.56,
    1.57,
    1.59,
)
MAX_CR = 0.1


@dataclass(frozen=True)
class Transform:
    """Raw criterion value -> 0-1 score.

    - ``linear``: 0 at ``low``, 1 at ``high`` (``high < low`` makes it decreasing), clipped;
    - ``threshold``: 1 where value >= ``low`` (or <= ``high`` when only ``high`` is set), else 0;
    - ``decay``: 1 at zero, halving every ``half`` units (distance decay: near is good);
    - ``identity``: the value is already a score (clipped to 0-1).
    """

    kind: str
    low: float | None = None
    high: float | None = None
    half: float | None = None

    def __post_init__(self) -> None:
        needs = {"linear": ("low", "high"), "decay": ("half",), "identity": (), "threshold": ()}
        if self.kind not in needs:
            raise ValidationError(
                msg("siting.transform_unknown", kind=self.kind, choices=list(needs))
            )
        missing = [n for n in needs[self.kind] if getattr(self, n) is None]
        if missing:
            raise ValidationError(msg("siting.transform_needs", kind=self.kind, missing=missing))
        if self.kind == "linear" and self.low == self.high:
            raise ValidationError(msg("siting.linear_equal"))
        if self.kind == "threshold" and (self.low is None) == (self.high is None):
            raise ValidationError(msg("siting.threshold_one_bound"))
        if self.kind == "decay" and not cast(float, self.half) > 0:
            raise ValidationError(msg("siting.decay_half"))

    def expression(self, name: str) -> str:
        """The transform as a numexpr expression of the variable ``name``."""
        if self.kind == "linear":
            lo, hi = float(cast(float, self.low)), float(cast(float, self.high))
            return (
                f"where({name} <= {min(lo, hi)!r}, {float(lo > hi)!r}, "
                f"where({name} >= {max(lo, hi)!r}, "
                f"{float(lo < hi)!r}, ({name} - {lo!r}) / {hi - lo!r}))"
            )
        if self.kind == "threshold":
            test = (
                f"{name} >= {float(self.low)!r}"
                if self.low is not None
                else f"{name} <= {float(cast(float, self.high))!r}"
            )
            return f"where({name} != {name}, {name}, where({test}, 1.0, 0.0))"  # NaN stays unknown
        if self.kind == "decay":
            return f"exp({float(-np.log(2) / float(cast(float, self.half)))!r} * {name})"
        return f"where({name} < 0, 0.0, where({name} > 1, 1.0, {name}))"

    def __call__(self, values: NDArray[np.float64]) -> NDArray[np.float32]:
        """Scores of ``values`` (NaN stays NaN)."""
        values = np.asarray(values, dtype="float32")
        scores = numexpr.evaluate(self.expression("v"), local_dict={"v": values})
        return np.asarray(scores, dtype=np.float32)


@dataclass(frozen=True)
class Criterion:
    """One named criterion, its transform and weight."""

    name: str
    transform: Transform
    weight: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in CRITERIA:
            raise ValidationError(
                msg("siting.criterion_unknown", name=self.name, known=list(CRITERIA))
            )


@dataclass(frozen=True)
class AhpResult:
    """AHP weights from a pairwise matrix, with its consistency."""

    weights: tuple[float, ...]
    lambda_max: float
    consistency_index: float
    consistency_ratio: float
    worst_pair: tuple[int, int] | None = field(default=None)


def ahp_weights(
    matrix: NDArray[np.float64] | list[list[float]],
    *,
    names: Sequence[str | Message] | None = None,
    max_cr: float = MAX_CR,
) -> AhpResult:
    """Weights (principal eigenvector) of a reciprocal pairwise comparison matrix.

    >>> r = ahp_weights([[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]])
    >>> [round(w, 3) for w in r.weights], round(r.consistency_ratio, 3)
    ([0.637, 0.258, 0.105], 0.033)
    """
    a = np.asarray(matrix, dtype=float)
    n = a.shape[0]
    names = list(names) if names else [f"#{i + 1}" for i in range(n)]
    if a.ndim != 2 or a.shape != (n, n) or n < 2:
        raise ValidationError(msg("siting.ahp_not_square", shape=str(a.shape)))
    if n >= len(RANDOM_INDEX):
        raise ValidationError(msg("siting.ahp_too_large", n=n, supported=len(RANDOM_INDEX) - 1))
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ValidationError(msg("siting.ahp_not_positive"))
    bad = np.argwhere(~np.isclose(a * a.T, 1.0, rtol=1e-3))
    if len(bad):
        i, j = bad[0]
        raise ValidationError(
            msg(
                "siting.ahp_not_reciprocal",
                first=names[i],
                second=names[j],
                given=float(a[i, j]),
                mirrored=float(a[j, i]),
                expected=round(1 / float(a[i, j]), 3),
            )
        )
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    lam = float(values[k].real)
    w = np.abs(vectors[:, k].real)
    w /= w.sum()
    ci = (lam - n) / (n - 1)
    cr = ci / RANDOM_INDEX[n] if RANDOM_INDEX[n] else 0.0
    # The pair whose judgement departs most from the ratio of the derived weights.
    dev = np.abs(np.log(a * (w[None, :] / w[:, None])))
    i, j = np.unravel_index(int(np.argmax(np.triu(dev, 1))), dev.shape)
    result = AhpResult(tuple(float(x) for x in w), lam, float(ci), float(cr), (int(i), int(j)))
    if cr > max_cr:
        raise ValidationError(
            msg(
                "siting.ahp_inconsistent",
                ratio=round(cr, 3),
                max_ratio=max_cr,
                first=names[i],
                second=names[j],
                given=round(float(a[i, j]), 3),
                implied=round(float(w[i] / w[j]), 3),
            )
        )
    return result


def check_weights(criteria: list[Criterion], *, tolerance: float = 1e-6) -> None:
    """Refuse negative weights, duplicates, and weights not summing to one."""
    names = [c.name for c in criteria]
    if not criteria:
        raise ValidationError(msg("siting.no_criteria"))
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValidationError(msg("siting.criteria_twice", names=twice))
    if any(c.weight < 0 for c in criteria):
        raise ValidationError(msg("siting.negative_weights"))
    total = sum(c.weight for c in criteria)
    if abs(total - 1.0) > tolerance:
        detail = ", ".join(f"{c.name}={c.weight:g}" for c in criteria)
        raise ValidationError(msg("siting.weights_sum", total=round(total, 6), weights=detail))


def _expression(criteria: list[Criterion]) -> str:
    return " + ".join(f"{float(c.weight)!r} * ({c.transform.expression(c.name)})" for c in criteria)


def weighted_overlay(
    layers: Mapping[str, NDArray[np.float64]],
    criteria: list[Criterion],
    mask: NDArray[np.bool_] | None = None,
) -> NDArray[np.float32]:
    """Suitability 0-1 of each cell: the weighted sum of criterion scores.

    NaN where masked or unknown.

    >>> c = [Criterion("slope_deg", Transform("linear", low=10, high=0), 0.5),
    ...      Criterion("landuse", Transform("identity"), 0.5)]
    >>> rasters = {"slope_deg": np.array([[0., 5, 20]]), "landuse": np.array([[1., 0.5, 1]])}
    >>> weighted_overlay(rasters, c).tolist()
    [[1.0, 0.5, 0.5]]
    """
    check_weights(criteria)
    missing = [c.name for c in criteria if c.name not in layers]
    if missing:
        raise ValidationError(msg("siting.no_raster", names=missing))
    shapes = {np.shape(layers[c.name]) for c in criteria}
    if len(shapes) != 1:
        raise ValidationError(msg("siting.raster_shapes", shapes=str(sorted(shapes))))
    local = {c.name: np.asarray(layers[c.name], dtype="float32") for c in criteria}
    out = np.asarray(numexpr.evaluate(_expression(criteria), local_dict=local), dtype=np.float32)
    if mask is not None:
        out[mask] = np.nan
    return out


def overlay_blocks(
    read: Callable[[int, int], dict[str, NDArray[np.float64]]],
    height: int,
    criteria: list[Criterion],
    *,
    block_rows: int = 512,
) -> Iterator[tuple[int, NDArray[np.float32]]]:
    """Stream the overlay strip by strip; memory stays at a few strips however tall the raster.

    ``read(row0, row1)`` gives the criterion blocks (and optionally ``"_mask"``); yields
    ``(row0, suitability block)``.
    """
    check_weights(criteria)
    expression = _expression(criteria)
    for row0 in range(0, height, block_rows):
        row1 = min(height, row0 + block_rows)
        block = read(row0, row1)
        mask = block.pop("_mask", None)
        out = numexpr.evaluate(expression, local_dict={c.name: block[c.name] for c in criteria})
        out = out.astype("float32", copy=False)
        if mask is not None:
            out[mask] = np.nan
        yield row0, out


def distance_to(present: NDArray[np.bool_], cell_m: float) -> NDArray[np.float32]:
    """Metres from each cell centre to the nearest ``present`` cell (exact Euclidean).

    Cells are square, ``cell_m`` on a side; with nothing present every distance is inf.

    >>> distance_to(np.array([[True, False, False]]), 30.0).tolist()
    [[0.0, 30.0, 60.0]]
    """
    if not present.any():
        return np.full(present.shape, np.inf, dtype="float32")
    return np.asarray(ndimage.distance_transform_edt(~present) * cell_m, dtype=np.float32)


def slope_deg(dem: NDArray[np.float64], cell_m: float) -> NDArray[np.float32]:
    """Slope in degrees by central differences (Horn's 3x3 would smooth more); NaN stays NaN.

    >>> slope_deg(np.array([[0., 10, 20], [0, 10, 20], [0, 10, 20]]), 10.0)[1, 1].round(1)
    np.float32(45.0)
    """
    gy, gx = np.gradient(np.asarray(dem, dtype="float64"), cell_m)
    return np.asarray(np.degrees(np.arctan(np.hypot(gx, gy))), dtype=np.float32)


def _label_areas(suitable: NDArray[np.bool_]) -> tuple[NDArray[np.int32], int]:
    labels, n = ndimage.label(suitable, structure=np.ones((3, 3), dtype=bool))
    return labels.astype("int32"), n


def disk(width_cells: float) -> NDArray[np.bool_]:
    """The grid cells of a disk about ``width_cells`` across (rounded to whole cells, >= 1).

    An odd width is centred on a cell, an even one on a cell corner.

    >>> disk(3.4).astype(int).tolist()
    [[1, 1, 1], [1, 1, 1], [1, 1, 1]]
    >>> int(disk(5).sum()), int(disk(4).sum()), disk(1.7).shape, disk(0.5).shape
    (21, 12, (2, 2), (1, 1))
    """
    n = max(1, int(round(float(width_cells))))
    c = np.arange(n) - (n - 1) / 2
    return np.asarray(c[:, None] ** 2 + c[None, :] ** 2 <= (n / 2) ** 2, dtype=bool)


def open_to_width(mask: NDArray[np.bool_], width_cells: float) -> NDArray[np.bool_]:
    """The cells of ``mask`` covered by a disk ``width_cells`` across that fits inside it.

    A morphological opening: strips narrower than the disk go, blocks it fits in stay (their
    convex corners rounded). Cells beyond the array count as not in the mask.

    >>> m = np.zeros((9, 12), bool); m[1:8, 1:8] = True; m[3:5, 8:12] = True  # block + strip
    >>> opened = open_to_width(m, 3)
    >>> bool(opened[1:8, 1:8].all()), bool(opened[:, 8:].any())
    (True, False)
    >>> one = np.zeros((9, 12), bool); one[1:8, 1:8] = True; one[4, 8:12] = True
    >>> bool((open_to_width(one, 2) == (one & (np.arange(12) < 8))).all())  # even width
    True
    """
    structure = disk(width_cells)
    if structure.size == 1:
        return np.asarray(mask, dtype=bool).copy()
    return np.asarray(ndimage.binary_opening(mask, structure=structure), dtype=bool)


def polsby_popper(
    geometry: gpd.GeoSeries | NDArray[np.object_], *, tolerance: float = 0.0
) -> NDArray[np.float64]:
    """Compactness 4 pi A / P^2 of each outline (1 for a disk, 0.785 for a square).

    Holes are filled first (the outline is what a parcel is). ``tolerance`` (metres) simplifies
    the outline first, so that the staircase of grid cells does not count as perimeter: with
    one cell, a raster square turned 45 degrees scores as a square, not as a saw.

    >>> round(float(polsby_popper(np.array([shapely.box(0, 0, 10, 10)]))[0]), 3)
    0.785
    >>> round(float(polsby_popper(np.array([shapely.box(0, 0, 100, 10)]))[0]), 3)
    0.26
    """
    geoms = np.asarray(getattr(geometry, "values", geometry), dtype=object)
    parts, index = shapely.get_parts(geoms, return_index=True)
    filled = shapely.polygons(shapely.get_exterior_ring(parts))
    if tolerance > 0:
        filled = shapely.simplify(filled, tolerance, preserve_topology=True)
    area = np.bincount(index, weights=shapely.area(filled), minlength=len(geoms))
    perimeter = np.bincount(index, weights=shapely.length(filled), minlength=len(geoms))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(perimeter > 0, 4 * np.pi * area / perimeter**2, 0.0)


def _split_large(
    suitability: NDArray[np.float64],
    region: NDArray[np.bool_],
    cells_max: int,
    cells_min: int,
    threshold: float,
    width_cells: float = 0.0,
    step: float = 0.02,
) -> list[NDArray[np.bool_]]:
    """Pieces of an over-size region that fit, taken by raising the threshold inside it."""
    pieces: list[NDArray[np.bool_]] = []
    t = threshold
    remaining = region
    while remaining.any() and t < 1.0:
        t += step
        labels, n = _label_areas(open_to_width(remaining & (suitability >= t), width_cells))
        if n == 0:
            break
        sizes = np.bincount(labels.ravel())[1:]
        keep = [i + 1 for i, s in enumerate(sizes) if cells_min <= s <= cells_max]
        for k in keep:
            pieces.append(labels == k)
        still = [i + 1 for i, s in enumerate(sizes) if s > cells_max]
        remaining = np.isin(labels, still) if still else np.zeros_like(region)
    return pieces


def _regions(
    suitable: NDArray[np.bool_],
    suitability: NDArray[np.float64],
    cells: tuple[int, int],
    threshold: float,
    width_cells: float,
    split_large: bool,
) -> NDArray[np.int32]:
    """Label raster of the regions of legal size (over-size ones split inside their box)."""
    cells_min, cells_max = cells
    labels, n = _label_areas(suitable)
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    fits = (sizes >= cells_min) & (sizes <= cells_max)
    fits[0] = False
    lut = np.zeros(n + 1, dtype="int32")
    lut[fits] = np.arange(1, int(fits.sum()) + 1, dtype="int32")
    out = lut[labels]
    next_id = int(fits.sum()) + 1
    if not split_large:
        return out
    large = np.flatnonzero(sizes > cells_max)
    boxes = ndimage.find_objects(labels)
    for k in large[large > 0]:
        box = boxes[k - 1]
        if box is None:
            continue
        for piece in _split_large(
            suitability[box], labels[box] == k, cells_max, cells_min, threshold, width_cells
        ):
            out[box][piece] = next_id
            next_id += 1
    return out


@dataclass(frozen=True)
class ParcelRules:
    """What a group of suitable cells must be to count as a parcel.

    ``min_width_m``: a disk this wide (rounded to whole cells) must fit everywhere in it (0:
    no rule; at 30 m cells 100 m is 3 cells, at 60 m 2 cells);
    ``min_compactness``: its Polsby-Popper compactness (outline simplified by one cell) at
    least this (0: no rule).
    """

    min_width_m: float = 0.0
    min_compactness: float = 0.0

    def __post_init__(self) -> None:
        if not (self.min_width_m >= 0 and 0 <= self.min_compactness < 1):
            raise ValidationError(
                msg(
                    "siting.bad_parcel_rules",
                    min_width_m=self.min_width_m,
                    min_compactness=self.min_compactness,
                )
            )


def candidate_regions(
    suitability: NDArray[np.float64],
    transform: Affine,
    crs: Any,
    *,
    threshold: float,
    min_ha: float,
    max_ha: float,
    criteria_layers: Mapping[str, NDArray[np.float64]] | None = None,
    split_large: bool = True,
    rules: ParcelRules | None = None,
    inside: NDArray[np.bool_] | None = None,
) -> gpd.GeoDataFrame:
    """Contiguous cells with suitability >= ``threshold`` (8-connected), of ``min_ha``-``max_ha``.

    With ``rules``, the suitable cells are first opened by a disk of ``min_width_m`` (strips
    narrower than it go) and regions less compact than ``min_compactness`` are dropped.
    Regions larger than ``max_ha`` are split by raising the threshold inside them (their
    best cores are kept). ``inside`` marks the study area's cells on a grid padded around it:
    a region is kept when it has a cell inside, and its extent is not cut at the study area's
    edge; without it the whole array is the study area. Each candidate carries its area,
    mean/min score, compactness, ``touches_edge`` (it reaches beyond the study area or the
    array's border), ``inside_pct`` and the mean of each raw criterion; rows are ranked by
    mean score (rank 1 = best).
    """
    rules = rules or ParcelRules()
    cell_ha = abs(transform.a * transform.e) / 10_000
    cell_m = float(np.sqrt(cell_ha * 1e4))
    cells_min, cells_max = int(np.ceil(min_ha / cell_ha)), int(np.floor(max_ha / cell_ha))
    if cells_max < 1:
        raise ValidationError(msg("siting.cell_too_coarse", cell_m=round(cell_m, 3), max_ha=max_ha))
    valid = np.isfinite(suitability)
    if not valid.any():
        raise ValidationError(msg("siting.no_suitable_land"))
    width_cells = rules.min_width_m / cell_m
    suitable = open_to_width(valid & (suitability >= threshold), width_cells)
    out = _regions(
        suitable, suitability, (cells_min, cells_max), threshold, width_cells, split_large
    )
    inside = np.ones(out.shape, dtype=bool) if inside is None else np.asarray(inside, bool)
    ids = np.unique(out[out > 0])
    inside_cells = ndimage.sum(inside, out, ids) if len(ids) else np.zeros(0)
    ids = ids[inside_cells > 0]
    columns = [
        "rank",
        "area_ha",
        "mean_score",
        "min_score",
        "compactness",
        "touches_edge",
        "inside_pct",
    ] + [f"mean_{name}" for name in (criteria_layers or {})]
    if len(ids) == 0:
        return gpd.GeoDataFrame(columns=columns + ["geometry"], geometry="geometry", crs=crs)
    polygons: dict[int, list[Any]] = {}
    kept = np.isin(out, ids)
    for geom, value in features.shapes(out, mask=kept, transform=transform, connectivity=8):
        polygons.setdefault(int(value), []).append(shapely.geometry.shape(geom))
    geometry = np.array(
        [shapely.make_valid(shapely.union_all(polygons[int(i)])) for i in ids], dtype=object
    )
    compactness = polsby_popper(geometry, tolerance=cell_m)
    if rules.min_compactness > 0:
        compact = compactness >= rules.min_compactness
        ids, geometry, compactness = ids[compact], geometry[compact], compactness[compact]
        if len(ids) == 0:
            return gpd.GeoDataFrame(columns=columns + ["geometry"], geometry="geometry", crs=crs)
    border = np.unique(np.concatenate([out[0], out[-1], out[:, 0], out[:, -1]]))
    outside = np.unique(out[~inside])
    counts = ndimage.sum(np.ones(out.shape), out, ids)
    score = np.nan_to_num(suitability, nan=0.0)
    frame = pd.DataFrame(
        {
            "candidate": ids,
            "area_ha": counts * cell_ha,
            "mean_score": ndimage.mean(score, out, ids),
            "min_score": ndimage.minimum(score, out, ids),
            "compactness": np.round(compactness, 3),
            "touches_edge": np.isin(ids, border) | np.isin(ids, outside),
            "inside_pct": np.round(100 * ndimage.sum(inside, out, ids) / counts, 1),
        }
    )
    for name, layer in (criteria_layers or {}).items():
        frame[f"mean_{name}"] = ndimage.mean(np.asarray(layer, dtype="float64"), out, ids)
    gdf = gpd.GeoDataFrame(frame, geometry=list(geometry), crs=crs).sort_values(
        "mean_score", ascending=False, kind="stable"
    )
    gdf.insert(0, "rank", np.arange(1, len(gdf) + 1))
    return gdf.reset_index(drop=True)


def sensitivity(
    candidate_scores: pd.DataFrame, criteria: list[Criterion], *, delta: float = 0.2, top: int = 5
) -> pd.DataFrame:
    """How the ranking of the top candidates moves when each weight changes by +-``delta``.

    ``candidate_scores``: one row per candidate (index = candidate id, in base rank order),
    one column per criterion with the candidate's mean 0-1 score on it. The other weights
    are rescaled so the sum stays one. Returns one row per (criterion, change) with the
    new ranks of the top candidates and whether the leader changed.
    """
    check_weights(criteria)
    names = [c.name for c in criteria]
    base = np.array([c.weight for c in criteria])
    scores = candidate_scores[names].to_numpy(dtype=float)
    top_ids = list(candidate_scores.index[:top])
    rows = []
    for i, name in enumerate(names):
        for sign in (-1, 1):
            w = base.copy()
            w[i] = base[i] * (1 + sign * delta)
            rest = base.sum() - base[i]
            if rest > 0:
                w[np.arange(len(w)) != i] *= (1 - w[i]) / rest
            total = scores @ w
            order = list(candidate_scores.index[np.argsort(-total, kind="stable")])
            ranks = {cid: order.index(cid) + 1 for cid in top_ids}
            rows.append(
                {
                    "criterion": name,
                    "change_pct": round(sign * delta * 100),
                    "weight": round(float(w[i]), 4),
                    **{f"rank_of_{cid}": r for cid, r in ranks.items()},
                    "leader": order[0],
                    "leader_changed": order[0] != top_ids[0],
                }
            )
    return pd.DataFrame(rows)
