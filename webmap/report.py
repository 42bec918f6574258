"""The planner's report as a document: a stored scenario turned into readable sections.

Everything a reader sees is built here in the request's language (page strings through
gettext, stored rule results through :mod:`webmap.rule_results`): criterion and constraint
names, transforms in words, hectares, rounded numbers with units, dates in the local format.
The template only lays the sections out; :func:`report_pdf` prints the same HTML to A4 with
WeasyPrint, fetching nothing but the app's own static files.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_decimal
from flask_babel import gettext as _

from gis.messages import Message, msg
from planning.rules import LOCAL_TZ
from webmap.messages import N_, as_text, render

__all__ = ["number", "report_pdf", "report_sections", "when"]


#: The OpenStreetMap land-use classes the siting model scores, as the report names them.
LANDUSE_WORDS = {
    "industrial": N_("industrial land"),
    "commercial": N_("commercial land"),
    "farm": N_("farm land"),
    "farmland": N_("farmland"),
    "meadow": N_("meadow"),
    "grass": N_("grass land"),
    "scrub": N_("scrub"),
    "quarry": N_("quarry"),
    "orchard": N_("orchard"),
    "retail": N_("retail land"),
    "forest": N_("forest"),
}


def number(value: Any, lang: str, digits: int = 2) -> str:
    """``value`` rounded to ``digits`` decimals in the language's notation ('' for none)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if not isinstance(value, int | float):
        return str(value)
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return format_decimal(round(float(value), digits), format=pattern, locale=lang)


def when(value: Any, lang: str, *, with_time: bool = True) -> str:
    """A stored timestamp (ISO text, datetime or POSIX seconds) in local time, per language."""
    if value in (None, ""):
        return "–"
    if isinstance(value, int | float):
        stamp = dt.datetime.fromtimestamp(value, tz=dt.UTC)
    elif isinstance(value, str):
        stamp = dt.datetime.fromisoformat(value)
    else:
        stamp = value
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(LOCAL_TZ)
    pattern = "dd/MM/yyyy" if lang == "vi" else "yyyy-MM-dd"
    if with_time:
        pattern += " HH:mm"
    return format_datetime(stamp, pattern, locale=lang)


def _criterion_names() -> dict[str, str]:
    return {
        "road_distance_m": _("Distance to a main road"),
        "village_distance_m": _("Distance to the craft villages"),
        "residential_distance_m": _("Distance from homes"),
        "facility_distance_m": _("Distance from schools and clinics"),
        "slope_deg": _("Slope"),
        "elevation_m": _("Elevation"),
        "landuse": _("Current land use"),
    }


def _constraint_names(constraints: Mapping[str, Any]) -> dict[str, str]:
    return {
        "flood_prone": _(
            "Low land, flood-prone (below %(m)s m)", m=constraints.get("min_elevation_m", "?")
        ),
        "facility_buffer": _(
            "Near schools and clinics (within %(m)s m)", m=constraints.get("facility_buffer_m", "?")
        ),
        "residential_buffer": _(
            "Near homes (within %(m)s m)", m=constraints.get("residential_buffer_m", "?")
        ),
        "unknown_terrain": _("No elevation data"),
        "excluded_landuse": _("Land use that cannot host a cluster (homes, parks, military…)"),
        "existing_clusters": _("Existing industrial clusters"),
        "outside_study_area": _("Outside the study area"),
        "water": _("Water and wetland"),
    }


def _unit(unit: str | None) -> str:
    return {"m": "m", "degree": "°", "score": "", None: ""}.get(unit, unit or "")


def _transform_text(spec: Mapping[str, Any], unit: str, lang: str) -> str:
    kind = spec.get("kind")
    low, high, half = spec.get("low"), spec.get("high"), spec.get("half")
    u = _unit(unit)
    if kind == "linear":
        return _(
            "score 0 at %(low)s %(u)s, 1 at %(high)s %(u)s, straight line between",
            low=number(low, lang),
            high=number(high, lang),
            u=u,
        )
    if kind == "decay":
        return _("score 1 at zero, halving every %(half)s %(u)s", half=number(half, lang), u=u)
    if kind == "threshold":
        limit = number(low if low is not None else high, lang)
        if low is not None:
            return _("score 1 from %(v)s %(u)s up, else 0", v=limit, u=u)
        return _("score 1 up to %(v)s %(u)s, else 0", v=limit, u=u)
    return _("score of the land-use class (table below)")


def _purpose(kind: str, results: Mapping[str, Any], lang: str) -> str:
    limits = results.get("area_limits_ha") or ["?", "?"]
    if kind == "siting":
        return _(
            "Where to site a new industrial cluster: suitability of the study area and "
            "candidate parcels of %(lo)s to %(hi)s ha, checked against Decree 32/2024.",
            lo=number(limits[0], lang, 0),
            hi=number(limits[1], lang, 0),
        )
    if kind == "allocation":
        return _("Which industrial clusters should take the polluting workshops of the villages.")
    return _("Is this industrial cluster site lawful under Decree 32/2024?")


def _study_area(bbox: list[float] | None, lang: str) -> str:
    if not bbox or len(bbox) != 4:
        return "–"
    w, s, e, n = bbox
    km_x = (e - w) * 111.32 * math.cos(math.radians((s + n) / 2))
    km_y = (n - s) * 110.57
    return _(
        "%(w)s–%(e)s° E, %(s)s–%(n)s° N (about %(x)s × %(y)s km, %(km2)s km²)",
        w=number(w, lang, 3),
        e=number(e, lang, 3),
        s=number(s, lang, 3),
        n=number(n, lang, 3),
        x=number(km_x, lang, 1),
        y=number(km_y, lang, 1),
        km2=number(km_x * km_y, lang, 0),
    )


def _text(value: Any, lang: str) -> str:
    if isinstance(value, Mapping) and "code" in value:
        return render(Message.from_dict(value), lang)
    return as_text(value, lang)


def _siting(scenario: Mapping[str, Any], lang: str) -> dict[str, Any]:
    r = scenario.get("results") or {}
    params = scenario.get("params") or {}
    model = params.get("model") or {}
    names = _criterion_names()
    stated = params.get("weights") or {
        n: spec.get("weight") for n, spec in (model.get("criteria") or {}).items()
    }
    criteria = [
        {
            "name": names.get(c.get("name"), c.get("name")),
            "unit": _unit(c.get("unit")),
            "transform": _transform_text(c.get("transform") or {}, c.get("unit"), lang),
            "stated": number(stated.get(c.get("name")), lang, 3),
            "weight": number(c.get("weight"), lang, 3),
            "weight_pct": number(100 * float(c.get("weight") or 0), lang, 1),
        }
        for c in r.get("criteria") or []
    ]
    cell_m = float(params.get("cell_m") or 0)
    constraint_names = _constraint_names(model.get("constraints") or {})
    excluded = [
        {
            "name": constraint_names.get(k, k.replace("_", " ")),
            "cells": number(v, lang, 0),
            "ha": number(v * cell_m * cell_m / 10_000, lang, 1) if cell_m else "–",
        }
        for k, v in (r.get("excluded_cells") or {}).items()
        if v
    ]
    ahp = None
    if r.get("ahp") and params.get("ahp"):
        order = [names.get(n, n) for n in (params.get("criteria") or [])]
        ahp = {
            "names": order,
            "rows": [[number(v, lang, 2) for v in row] for row in params["ahp"]],
            "cr": number(r["ahp"].get("cr"), lang, 3),
        }
    landuse_scores = [
        {"cls": _(LANDUSE_WORDS[k]) if k in LANDUSE_WORDS else k, "score": number(v, lang, 2)}
        for k, v in sorted((model.get("landuse_scores") or {}).items(), key=lambda kv: -kv[1])
    ]
    return {
        "criteria": criteria,
        "weights_from": {
            "model": _("the model's default weights"),
            "given": _("weights given by the planner"),
            "ahp": _("AHP pairwise comparison"),
        }.get(str(r.get("weights_from")), "–"),
        "excluded": excluded,
        "ahp": ahp,
        "landuse_scores": landuse_scores,
        "landuse_other": number(model.get("landuse_other"), lang, 2),
        "sensitivity": _sensitivity(r, names, lang),
        "threshold": number(r.get("threshold"), lang, 2),
        "cell_m": number(cell_m, lang, 0),
        "area_limits": [number(v, lang, 0) for v in (r.get("area_limits_ha") or [])],
        "usable_pct": number(
            100 * (r.get("usable_cells") or 0) / r["cells"] if r.get("cells") else None, lang, 1
        ),
        "mean_suitability": number(r.get("mean_suitability"), lang, 2),
        "count": r.get("candidates"),
        "parcel_rules": _parcel_rules(r, lang),
    }


def _parcel_rules(r: Mapping[str, Any], lang: str) -> str | None:
    """The candidate rules of the run in words (None for runs made before they existed)."""
    rules = r.get("candidate_rules")
    if not rules:
        return None
    return _(
        "Each candidate is a usable parcel: at least %(w)s m wide everywhere (a disk of that "
        "width fits in it, measured in whole cells) and compact enough (Polsby-Popper "
        "compactness at least %(c)s; a square scores 0.79, a strip ten times longer than wide "
        "0.26). The suitability was computed %(m)s m beyond the study area, so that its edge "
        "does not cut a candidate: %(k)s candidates cross the edge and are marked in the table "
        "with the share inside the study area.",
        w=number(rules.get("min_width_m"), lang, 0),
        c=number(rules.get("min_compactness"), lang, 2),
        m=number(rules.get("edge_margin_m"), lang, 0),
        k=number(r.get("candidates_at_edge") or 0, lang, 0),
    )


def _sensitivity(r: Mapping[str, Any], names: Mapping[str, str], lang: str) -> dict[str, Any]:
    rows = r.get("sensitivity") or []
    changed = [row for row in rows if row.get("leader_changed")]
    if not rows:
        words = _("Fewer than two candidates: there is no ranking to test.")
    elif not changed:
        words = _(
            "Each weight was moved 20 percent up and down (%(n)s cases); candidate 1 stays "
            "first in every case, so the ranking does not hinge on one weight.",
            n=len(rows),
        )
    else:
        words = _(
            "Each weight was moved 20 percent up and down (%(n)s cases); in %(k)s of them "
            "another candidate comes first: %(which)s.",
            n=len(rows),
            k=len(changed),
            which="; ".join(
                f"{names.get(x.get('criterion'), x.get('criterion'))} "
                f"{x.get('change_pct', 0):+d} % → {x.get('leader')}"
                for x in changed
            ),
        )
    table = []
    for row in rows:
        ranks = sorted(
            (int(k.removeprefix("rank_of_")), v) for k, v in row.items() if k.startswith("rank_of_")
        )
        order = [str(c) for c, _rank in sorted(ranks, key=lambda cr: cr[1])]
        table.append(
            {
                "criterion": names.get(row.get("criterion"), row.get("criterion")),
                "change": f"{row.get('change_pct', 0):+d} %",
                "weight": number(row.get("weight"), lang, 3),
                "order": ", ".join(order),
                "leader": row.get("leader"),
                "changed": _("yes") if row.get("leader_changed") else _("no"),
            }
        )
    return {"words": words, "table": table}


def candidate_rows(
    features: list[Mapping[str, Any]], verdicts: Mapping[int, str], lang: str
) -> list[dict[str, Any]]:
    """One row per candidate: rank, area, scores and criterion means rounded with units."""
    rows = []
    for f in sorted(features, key=lambda f: f.get("rank") or 0):
        rows.append(
            {
                "rank": f.get("rank"),
                "area": number(f.get("area_ha"), lang, 1),
                "score": number(f.get("mean_score"), lang, 2),
                "min_score": number(f.get("min_score"), lang, 2),
                "road": number(f.get("mean_road_distance_m"), lang, 0),
                "village": number(f.get("mean_village_distance_m"), lang, 0),
                "homes": number(f.get("mean_residential_distance_m"), lang, 0),
                "slope": number(f.get("mean_slope_deg"), lang, 1),
                "elevation": number(f.get("mean_elevation_m"), lang, 1),
                "verdict": verdicts.get(int(f.get("rank") or 0), ""),
                "compactness": number(f.get("compactness"), lang, 2),
                "edge": bool(f.get("touches_edge")),
                "edge_text": number(f.get("inside_pct"), lang, 0) + " %"
                if f.get("touches_edge")
                else "–",
            }
        )
    return rows


def _inputs(scenario: Mapping[str, Any], lang: str) -> list[dict[str, str]]:
    labels = {
        "dem_file": _("Elevation model (DEM)"),
        "landuse_file": _("Land use"),
        "roads_file": _("Roads"),
        "craft_villages": _("Craft villages layer"),
        "industrial_clusters": _("Industrial clusters layer"),
        "admin_units": _("Administrative boundaries layer"),
    }
    coverage = {
        "dem_file": _("the file's own extent; cells outside it have no elevation"),
        "landuse_file": _("the file's own extent (OpenStreetMap)"),
        "roads_file": _("national and provincial roads"),
    }
    # The footprint each input had in the run (siting runs since issue 16), in words.
    for name, entry in ((scenario.get("results") or {}).get("coverage") or {}).items():
        west, south, east, north = entry.get("bounds") or (None,) * 4
        coverage[f"{name}_file"] = render(
            msg(
                "coverage.of_study_area",
                extent=msg("coverage.extent", west=west, east=east, south=south, north=north),
                covered_pct=entry.get("covered_pct"),
            ),
            lang,
        )
    out = []
    for key, value in (scenario.get("input_versions") or {}).items():
        if isinstance(value, Mapping):
            out.append(
                {
                    "what": labels.get(key, key),
                    "name": Path(str(value.get("path", ""))).name,
                    "date": when(value.get("mtime"), lang, with_time=False),
                    "coverage": coverage.get(key, "–"),
                }
            )
        else:
            out.append(
                {
                    "what": labels.get(key, key),
                    "name": _("database, version %(v)s", v=value),
                    "date": "–",
                    "coverage": _("the whole layer"),
                }
            )
    return out


def _site_name(
    site: Mapping[str, Any] | None, ref: Any, names: Mapping[str, Any], lang: str
) -> str:
    """A site as people name it: the stored label, else the feature's cluster name or rank."""
    if ref in names:
        return _text(names[ref], lang)
    site = site or {}
    if site.get("rank") is not None:
        return _text(
            msg(
                "allocation.candidate_site",
                rank=int(site["rank"]),
                scenario_id=int(site.get("siting_scenario") or 0),
                scenario=str(site.get("siting_name") or ""),
            ),
            lang,
        )
    return str(site.get("name") or ref or "–")


def _allocation(
    scenario: Mapping[str, Any], features: Sequence[Mapping[str, Any]], lang: str
) -> dict[str, Any]:
    r = scenario.get("results") or {}
    names = r.get("site_names") or {}
    sites = {f.get("ref"): f for f in features if f.get("role") == "site"}

    def name(ref: Any) -> str:
        return _site_name(sites.get(ref), ref, names, lang) if ref else "–"

    chosen = [
        {
            "name": name(ref),
            "load": number((r.get("site_load_ha") or {}).get(ref), lang, 2),
            "capacity": number((sites.get(ref) or {}).get("capacity_ha"), lang, 2),
        }
        for ref in r.get("sites_chosen") or []
    ]
    assignments = [
        {
            "village": f.get("village") or f.get("village_ref"),
            "site": name(f.get("site_ref")) if f.get("site_ref") else _("not served"),
            "minutes": number(f.get("commute_min"), lang, 1),
            "need": number(f.get("need_ha"), lang, 2),
            "defaulted": bool(f.get("defaulted")),
        }
        for f in features
        if f.get("role") == "assignment"
    ]
    cost = r.get("cost") or {}
    method = {
        "straight_line": _(
            "straight-line distance × %(k)s (detour), at %(v)s km/h",
            k=number(cost.get("detour_factor"), lang, 2),
            v=number(cost.get("speed_kmh"), lang, 0),
        ),
        "network": _("shortest paths on the road network"),
    }.get(str(cost.get("method")), "–")
    column = as_text(msg(f"allocation.count.{r.get('demand_column') or 'households'}"), lang)
    skipped = [v.get("name") or v.get("ref") for v in r.get("skipped_villages") or []]
    defaulted = [v.get("name") or v.get("ref") for v in r.get("defaulted_villages") or []]
    return {
        "model": {
            "p_median": _("p-median (least total commute)"),
            "max_coverage": _("maximal coverage (most demand within the commute limit)"),
        }.get(str(r.get("model")), "–"),
        "p": r.get("p"),
        "chosen": chosen,
        "assignments": assignments,
        "covered_pct": number(r.get("demand_covered_pct"), lang, 1),
        "served": r.get("villages_served"),
        "villages": r.get("villages"),
        "mean_min": number(r.get("mean_commute_min"), lang, 1),
        "max_min": number(r.get("max_commute_min"), lang, 1),
        "method": method,
        "basis": r.get("demand_basis_text"),
        "left_out": r.get("demand_left_out") or [],
        "skipped": skipped,
        "skipped_text": _(
            "%(n)s villages without a number of %(what)s were skipped (no default demand was "
            "chosen)",
            n=number(len(skipped), lang, 0),
            what=column,
        ),
        "defaulted": defaulted,
        "default_text": _(
            "%(n)s villages without a number of %(what)s were counted with a default demand of "
            "%(v)s %(what)s each",
            n=number(len(defaulted), lang, 0),
            what=column,
            v=number(r.get("default_demand"), lang, 1),
        ),
        "sites_from": (r.get("sites_from") or {}).get("name"),
    }


def report_sections(
    scenario: Mapping[str, Any], features: Sequence[Mapping[str, Any]], lang: str
) -> dict[str, Any]:
    """The report's sections for ``scenario`` (results already with rendered rule texts).

    Parameters
    ----------
    scenario : mapping
        The stored scenario (``kind``, ``params``, ``results``, ``input_versions``...), its
        rule checks rendered (``text``, ``source_text``, ``status_text``).
    features : list of mapping
        The scenario's features' properties (candidates, sites, assignments).
    lang : str
        'vi' or 'en'.

    Returns
    -------
    dict
        ``cover``, ``siting``/``allocation``/``compliance`` as the kind has, ``inputs`` and
        ``notes``; every value is text to show as it is.
    """
    kind = scenario.get("kind", "")
    r = scenario.get("results") or {}
    params = scenario.get("params") or {}
    out: dict[str, Any] = {
        "cover": {
            "name": scenario.get("name"),
            "owner": scenario.get("created_by") or "–",
            "date": when(scenario.get("created_at"), lang),
            "area": _study_area(params.get("bbox") or params.get("study_bbox"), lang),
            "purpose": _purpose(kind, r, lang),
            "kind": {
                "siting": _("Siting of an industrial cluster"),
                "allocation": _("Relocation of polluting workshops"),
                "compliance": _("Decree 32/2024 check of a cluster"),
            }.get(kind, kind),
        },
        "inputs": _inputs(scenario, lang),
        "notes": [_text(n, lang) for n in r.get("notes") or [] if not isinstance(n, str)],
    }
    if kind == "siting":
        out["siting"] = _siting(scenario, lang)
        verdicts = {
            int(c.get("rank") or 0): _text(Message(f"status.{c.get('verdict')}"), lang)
            for c in r.get("compliance") or []
        }
        out["candidates"] = candidate_rows(
            [f for f in features if f.get("role") == "candidate"], verdicts, lang
        )
    elif kind == "allocation":
        out["allocation"] = _allocation(scenario, features, lang)
    elif kind == "compliance":
        out["compliance"] = _compliance_facts(r.get("facts") or {}, lang)
        facts = r.get("facts") or {}
        out["cover"]["area"] = _(
            "%(unit)s; %(ha)s ha",
            unit=facts.get("unit") or _("administrative unit not found"),
            ha=number(facts.get("area_ha"), lang, 2),
        )
    return out


def _compliance_facts(facts: Mapping[str, Any], lang: str) -> list[dict[str, str]]:
    """The facts a Decree 32 check used, as label and value, unknown ones said so."""
    unknown = _("not known")

    def value(key: str, digits: int, unit: str) -> str:
        v = facts.get(key)
        return unknown if v is None else f"{number(v, lang, digits)} {unit}".strip()

    kinds = {
        "general": _("general industrial cluster"),
        "craft_village": _("craft-village cluster"),
    }
    others = facts.get("unit_clusters")
    return [
        {"label": _("Area"), "value": value("area_ha", 2, "ha")},
        {"label": _("Kind of cluster"), "value": kinds.get(str(facts.get("kind")), unknown)},
        {"label": _("Administrative unit"), "value": facts.get("unit") or unknown},
        {
            "label": _("Other clusters in the unit"),
            "value": unknown if others is None else number(len(others), lang, 0),
        },
        {"label": _("Homes inside the site"), "value": value("residential_inside_ha", 2, "ha")},
        {
            "label": _("Nearest home, school or clinic"),
            "value": value("nearest_sensitive_m", 0, "m"),
        },
        {"label": _("Green isolation strip"), "value": value("green_strip_m", 0, "m")},
        {
            "label": _("Date of the check"),
            "value": when(facts.get("checked_on"), lang, with_time=False),
        },
    ]


def _static_fetcher(static: Path) -> Any:
    """A WeasyPrint URL fetcher that serves ``data:`` URIs and the app's static files only."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = static.resolve()

    class StaticOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if "/static/" not in url:
                raise ValueError(f"the report fetches only the app's static files, not {url}")
            name = url.split("/static/", 1)[1].split("?", 1)[0]
            file = (root / name).resolve()
            if not file.is_relative_to(root) or not file.is_file():
                raise ValueError(f"no static file {name}")
            return URLFetcherResponse(url, file.read_bytes())

    return StaticOnly()


def report_pdf(html: str, static: Path) -> bytes:
    """The report's HTML printed to A4 portrait (WeasyPrint), fonts from the static folder."""
    from weasyprint import HTML

    document = HTML(
        string=html, base_url="http://report.invalid/", url_fetcher=_static_fetcher(static)
    )
    return document.write_pdf()
