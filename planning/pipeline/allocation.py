"""Relocation: polluting craft-village workshops assigned to candidate sites.

Fetches demand (polluting villages) and sites (a siting scenario's candidates or the
stored clusters) through ``layers``, commute times on the cached road graph (or
straight lines at a stated speed); solves the capacitated p-median or maximal coverage
model with the pure ``planning.allocation``; saves an ``allocation`` scenario (not
committed here).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import Geod

from gis.errors import ValidationError
from gis.messages import Message, msg
from gis.network import travel_matrix
from gis.progress import Progress, silent
from gis.settings import Settings
from layers.clusters import clusters_by_ref
from layers.regulations import load_document
from layers.roads import cached_graph
from layers.scenarios import (
    get_scenario,
    input_versions,
    save_scenario,
    scenario_features,
)
from layers.villages import SRID, relocation_candidates
from planning import rules
from planning.allocation import max_coverage, p_median
from planning.craft_rules import appendix2_status
from planning.pipeline._inputs import load_model
from planning.pipeline.tours import FALLBACK_KMH, MAX_SNAP_M

__all__ = ["AllocationRequest", "run_allocation", "site_label"]

logger = logging.getLogger(__name__)


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
    # Households (or workers, as ``demand`` says) assumed for a village without that count;
    # None: such villages are skipped, and named in the result.
    default_demand: float | None = None

    def __post_init__(self) -> None:
        if self.model not in ("p_median", "max_coverage"):
            raise ValidationError(msg("allocation.bad_model", model=self.model))
        if self.model == "max_coverage" and not self.max_commute_min:
            raise ValidationError(msg("allocation.coverage_needs_commute"))
        if self.demand not in ("households", "workers"):
            raise ValidationError(msg("allocation.bad_demand_kind", demand=self.demand))
        if self.basis not in ("decree08", "class_weights"):
            raise ValidationError(msg("allocation.bad_basis", basis=self.basis))
        if self.p < 1:
            raise ValidationError(msg("allocation.p_below_one"))
        if self.default_demand is not None and not 0 < self.default_demand < 1e6:
            raise ValidationError(msg("allocation.bad_default_demand", value=self.default_demand))


def _villages(frame: pd.DataFrame) -> list[dict[str, str]]:
    """The ``ref`` and ``name`` of each row, for a result that names villages."""
    return [
        {"ref": str(r), "name": str(n)} for r, n in zip(frame["ref"], frame["name"], strict=True)
    ]


def _demand(
    conn: Any,
    request: AllocationRequest,
    model: dict[str, Any],
    appendix: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Villages to relocate, their demand and the land they need (ha).

    Basis ``decree08``: villages whose craft Decree 08/2022 Appendix II lists (demand =
    households or workers x relocate_share); crafts listed only with a stage, or not found
    in the part of the appendix read, are left out and named in ``frame.attrs["left_out"]``.
    Basis ``class_weights``: the team's pollution-class weights (labelled as such).

    A village without the count the demand needs is skipped (``frame.attrs["skipped"]``:
    ref and name of each), unless ``request.default_demand`` is given: then it counts with
    that many households or workers (``frame["defaulted"]`` marks it).
    """
    reloc = model["relocation"]
    by_law = request.basis == "decree08"
    column = request.demand
    classes = None if by_law else list(reloc["relocate_classes"])
    frame = relocation_candidates(conn, column, classes, request.bbox)
    left_out: dict[str, list[dict[str, str]]] = {}
    if by_law:
        status = {c: appendix2_status(c, appendix or {}) for c in frame["craft"].unique()}
        frame["basis_items"] = [", ".join(status[c]["items"]) for c in frame["craft"]]
        kinds = frame["craft"].map(lambda c: status[c]["status"])
        left_out = {
            k: _villages(frame[kinds == k].sort_values("ref"))
            for k in ("if_stage", "unknown")
            if (kinds == k).any()
        }
        frame = frame[kinds == "listed"].reset_index(drop=True)
    missing = frame["amount"].isna()
    frame["defaulted"] = missing
    skipped: list[dict[str, str]] = []
    if request.default_demand is not None:
        frame["amount"] = frame["amount"].astype(float).fillna(float(request.default_demand))
    else:
        skipped = _villages(frame[missing])
        frame = frame[~missing].reset_index(drop=True)
    if skipped:
        logger.warning("%d villages without %s skipped", len(skipped), column)
    if not len(frame):
        counted = msg(f"allocation.count.{column}")
        raise ValidationError(
            msg("allocation.no_villages_counted", column=counted, skipped=len(skipped))
            if skipped
            else msg("allocation.no_villages", column=counted)
        )
    workshops = frame["households"].astype(float).fillna(frame["amount"].astype(float)) * float(
        reloc["relocate_share"]
    )
    weight = 1.0 if by_law else frame["pollution_class"].map(reloc["class_weight"]).astype(float)
    frame["demand"] = frame["amount"].astype(float) * float(reloc["relocate_share"]) * weight
    frame["need_ha"] = workshops * float(reloc["ha_per_workshop"])
    frame.attrs["left_out"] = left_out
    frame.attrs["skipped"] = skipped
    return frame


def _sites(conn: Any, request: AllocationRequest) -> pd.DataFrame:
    """Candidate sites: a siting scenario's candidates, or the stored clusters' free land.

    Each site has its ``ref`` (a cluster's, or ``S<scenario>-C<number>``) and what names it:
    a cluster's ``name``, or a candidate's ``rank`` with its siting scenario's ``siting_name``.
    """
    if request.sites_from is not None:
        scenario = get_scenario(conn, request.sites_from)
        if scenario["kind"] != "siting":
            raise ValidationError(
                msg("allocation.not_siting", scenario=request.sites_from, kind=scenario["kind"])
            )
        gdf = scenario_features(conn, request.sites_from, "candidate")
        points = gdf.geometry.representative_point()
        return pd.DataFrame(
            {
                "ref": [f"S{request.sites_from}-C{int(r)}" for r in gdf["rank"]],
                "name": pd.array([None] * len(gdf), dtype="string"),
                "rank": pd.array([int(r) for r in gdf["rank"]], dtype="Int64"),
                "siting_scenario": request.sites_from,
                "siting_name": str(scenario["name"]),
                "capacity_ha": gdf["area_ha"],
                "lon": points.x,
                "lat": points.y,
                "geometry": gdf.geometry,
            }
        )
    gdf = clusters_by_ref(conn, list(request.site_refs))
    unknown = sorted(set(request.site_refs) - set(gdf["ref"]))
    if unknown:
        raise ValidationError(msg("allocation.unknown_clusters", refs=unknown))
    free = gdf["area_ha"].astype(float) * (1 - gdf["occupancy_pct"].fillna(0).astype(float) / 100)
    points = gdf.geometry.representative_point()
    return pd.DataFrame(
        {
            "ref": gdf["ref"],
            "name": gdf["name"],
            "rank": pd.array([None] * len(gdf), dtype="Int64"),
            "siting_scenario": pd.array([None] * len(gdf), dtype="Int64"),
            "siting_name": pd.array([None] * len(gdf), dtype="string"),
            "capacity_ha": free,
            "lon": points.x,
            "lat": points.y,
            "geometry": gdf.geometry,
        }
    )


def site_label(site: Any) -> Message | str:
    """What names a site for people: a cluster's name, or its candidate number and scenario.

    ``site`` is a row (or mapping) with ``name``, ``rank``, ``siting_scenario`` and
    ``siting_name``; the web and the CLI render the message in the reader's language.
    """
    rank = site.get("rank")
    if rank is not None and not pd.isna(rank):
        return msg(
            "allocation.candidate_site",
            rank=int(rank),
            scenario_id=int(site.get("siting_scenario")),
            scenario=str(site.get("siting_name") or ""),
        )
    return str(site.get("name") or site.get("ref"))


def _commute_minutes(
    conn: Any,
    settings: Settings,
    request: AllocationRequest,
    villages: pd.DataFrame,
    sites: pd.DataFrame,
) -> tuple[NDArray[np.float64], dict[str, Any]]:
    """Minutes from each village to each site.

    On the road network when it reaches them all, else straight line x detour factor at a
    stated speed.
    """
    graph = cached_graph(conn, request.network)
    reason = msg("allocation.no_network", network=request.network)
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
        reason = msg(
            "allocation.far_from_network",
            far=far,
            total=len(villages) + len(sites),
            max_m=MAX_SNAP_M,
            network=request.network,
        )
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


def _stored(label: Message | str) -> Any:
    return label.as_dict() if isinstance(label, Message) else label


def _optional(value: Any) -> Any:
    """A pandas missing value as None, numpy numbers as Python's."""
    if value is None or pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _check_reach(villages: pd.DataFrame, minutes: NDArray[np.float64], limit: float | None) -> None:
    """Refuse, naming them, villages that reach no site (within ``limit`` minutes)."""
    allowed = np.isfinite(minutes) & (minutes <= limit if limit is not None else True)
    stranded = villages.loc[~allowed.any(axis=1), "name"].astype(str).tolist()
    if stranded:
        raise ValidationError(
            msg("allocation.villages_stranded", villages=stranded)
            if limit is None
            else msg("allocation.villages_stranded_within", villages=stranded, minutes=limit)
        )


def run_allocation(
    conn: Any,
    settings: Settings,
    request: AllocationRequest,
    *,
    progress: Progress = silent,
    save: bool = True,
    actor: str = "cli",
) -> dict[str, Any]:
    """Solve the relocation model and save it as a scenario (sites, assignment lines)."""
    model = load_model(settings.sample_data)
    progress(0.1, "demand_sites")
    appendix = load_document(settings.sample_data / "regulations", "decree08_appendix2")
    villages = _demand(conn, request, model, appendix)
    basis = {
        "basis": request.basis,
        "source": rules.source(appendix).as_dict()
        if request.basis == "decree08"
        else {"code": "allocation.class_weights_basis", "params": {}},
        # crafts the basis does not list (or lists only with a stage): ref -> refs, and names
        "left_out": {k: [v["ref"] for v in vs] for k, vs in villages.attrs["left_out"].items()},
        "left_out_villages": villages.attrs["left_out"],
    }
    sites = _sites(conn, request)
    if request.p > len(sites):
        raise ValidationError(msg("allocation.p_too_large", p=request.p, sites=len(sites)))
    progress(0.3, "travel_times")
    minutes, cost_info = _commute_minutes(conn, settings, request, villages, sites)
    capacity = sites["capacity_ha"].to_numpy(dtype=float) if request.capacity else None
    size = villages["need_ha"].to_numpy()
    if capacity is not None and request.model == "p_median":
        best = float(np.sort(capacity)[::-1][: request.p].sum())
        if best < size.sum():
            raise ValidationError(
                msg(
                    "allocation.capacity_short",
                    need_ha=round(float(size.sum()), 1),
                    p=request.p,
                    offer_ha=round(best, 1),
                )
            )
    if request.model == "p_median":
        _check_reach(villages, minutes, request.max_commute_min)
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
        assert request.max_commute_min is not None  # AllocationRequest checks it
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
        # what names each chosen site: a cluster's name, or a candidate's number and scenario
        "site_names": {
            sites["ref"].iloc[j]: _stored(site_label(sites.iloc[j])) for j in result.sites
        },
        "sites_from": None
        if request.sites_from is None
        else {"id": request.sites_from, "name": str(sites["siting_name"].iloc[0])},
        "demand_column": request.demand,
        # villages without the count the demand needs: skipped, or counted with the default
        "skipped_villages": villages.attrs["skipped"],
        "default_demand": request.default_demand,
        "defaulted_villages": _villages(villages[villages["defaulted"]]),
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
        "solver": "HiGHS via OR-Tools",
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
            "rank": sites["rank"],
            "siting_scenario": sites["siting_scenario"],
            "siting_name": sites["siting_name"],
            "capacity_ha": sites["capacity_ha"].round(2),
            "chosen": [j in result.sites for j in range(len(sites))],
            "load_ha": [loads.get(r, 0.0) for r in sites["ref"]],
        },
        geometry=gpd.points_from_xy(sites["lon"], sites["lat"]),
        crs=SRID,
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
                "site_name": _optional(sites["name"].iloc[j]) if j >= 0 else None,
                "site_rank": _optional(sites["rank"].iloc[j]) if j >= 0 else None,
                "defaulted": bool(v["defaulted"]),
                "commute_min": round(float(commute[i]), 1) if j >= 0 else None,
                "geometry": geom,
            }
        )
    assignment = gpd.GeoDataFrame(lines, geometry="geometry", crs=SRID)
    out = {**summary, "sites_gdf": site_rows, "assignment_gdf": assignment}
    if save:
        params = asdict(request)
        versions = input_versions(conn)
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
    progress(1.0, "done")
    return out
