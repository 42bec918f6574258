"""The translated strings of each page's scripts.

Every string a script in ``webmap/static/js`` shows is listed here once, under the module
that shows it, marked with ``N_`` so that ``pybabel extract`` collects it: the gettext
catalogue (``messages.po``) is the one source of truth for JavaScript text as for Python's.
A page receives, translated into the request's language, the strings of the modules it
loads and no others (``tests/webmap/test_page_scripts.py`` checks this against the scripts'
imports and the ``T.<key>`` names they use).

A value is a string, or a dictionary of strings for lookups by data value (a job status,
a verdict, a criterion, a cluster status).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from webmap.messages import N_

__all__ = ["CHOICES", "MODULE_STRINGS", "PAGES", "Page", "page_strings", "page_texts"]

_CLUSTER_KINDS = {
    "craft_village_cluster": N_("Craft-village cluster"),
    "general_cluster": N_("General cluster"),
}

#: Strings by script module (``webmap/static/js/<module>.js``); a module without strings
#: (``dom``) has no entry.
MODULE_STRINGS: dict[str, dict[str, Any]] = {
    "common": {
        "basemap_off": N_("Basemap off: showing our layers only"),
        "basemap_error": N_("Basemap unreachable: showing our layers only"),
        "dismiss": N_("Dismiss"),
        "zoom_in": N_("Zoom in"),
        "zoom_out": N_("Zoom out"),
        "layers": N_("Layers"),
    },
    "villages": {
        "craft": N_("Craft"),
        "commune": N_("Commune"),
        "district": N_("District"),
        "province": N_("Province"),
        "households": N_("Households"),
        "workers": N_("Workers"),
        "opening_hours": N_("Opening hours"),
        "closed": N_("not listed"),
        "visit_minutes": N_("Visit (minutes)"),
        "ocop": N_("OCOP products"),
        "stars": N_("stars"),
        "recognition": N_("Recognition"),
        "recognition_date": N_("Recognised on"),
        "recognition_decision": N_("Recognising decision"),
        "all_recognitions": N_("All villages"),
        "recognitions": {
            "traditional_craft_village": N_("traditional craft village"),
            "craft_village": N_("craft village"),
            "village_with_craft": N_("village with a craft (not recognised)"),
            "unknown": N_("not recorded"),
        },
        "every_day": N_("every day"),
        "day_closed": N_("closed"),
        "day_range": N_("{first} to {last}"),
        "weekdays": {
            "0": N_("Monday"),
            "1": N_("Tuesday"),
            "2": N_("Wednesday"),
            "3": N_("Thursday"),
            "4": N_("Friday"),
            "5": N_("Saturday"),
            "6": N_("Sunday"),
        },
    },
    "planner": {
        # Leaflet.draw's own words (L.drawLocal), which are English unless we give them
        "draw_polygon": N_("Draw a polygon"),
        "draw_rectangle": N_("Draw a rectangle"),
        "draw_cancel": N_("Cancel"),
        "draw_cancel_title": N_("Cancel drawing"),
        "draw_finish": N_("Finish"),
        "draw_finish_title": N_("Finish drawing"),
        "draw_undo": N_("Delete last point"),
        "draw_undo_title": N_("Delete the last point drawn"),
        "draw_polygon_start": N_("Click to start drawing the area."),
        "draw_polygon_cont": N_("Click to continue drawing the area."),
        "draw_polygon_end": N_("Click the first point to close the area."),
        "draw_rectangle_start": N_("Click and drag to draw a rectangle."),
        "draw_shape_end": N_("Release the mouse to finish drawing."),
        "draw_cross_error": N_("The edges of an area must not cross."),
        "edit_save": N_("Save"),
        "edit_save_title": N_("Save the changes"),
        "edit_cancel_title": N_("Cancel editing and undo every change"),
        "edit_clear": N_("Clear all"),
        "edit_clear_title": N_("Remove every drawn area"),
        "edit_layers": N_("Edit the drawn area"),
        "edit_none": N_("Nothing drawn to edit"),
        "remove_layers": N_("Remove the drawn area"),
        "remove_none": N_("Nothing drawn to remove"),
        "edit_tip": N_("Drag the handles to change the area."),
        "edit_subtip": N_("Cancel undoes the changes."),
        "remove_tip": N_("Click an area to remove it."),
        "choropleth": N_("Villages per administrative unit"),
        "kind": N_("Kind"),
        "status": N_("Status"),
        "statuses": {
            "planned": N_("planned"),
            "operating": N_("operating"),
            "expanding": N_("expanding"),
        },
        "area_ha": N_("Area (ha)"),
        "occupancy": N_("Occupancy (%)"),
        "wastewater": N_("Wastewater treatment"),
        "yes": N_("yes"),
        "no": N_("no"),
        "unknown": N_("unknown"),
        "no_results": N_("No village found"),
        "inside": N_("Inside the drawn polygon"),
        "no_admin": N_("No administrative boundaries loaded"),
        "legend": N_("Legend"),
        **_CLUSTER_KINDS,
        "pollution_high": N_("Village, high-polluting craft"),
        "pollution_medium": N_("Village, medium-polluting craft"),
        "pollution_low": N_("Village, low-polluting craft"),
        "group_zoom": N_("{n} villages here: click to zoom in"),
        "group_legend": N_("Villages grouped at this zoom: how many (click to zoom in)"),
        "poi_sensitive": N_("School, clinic, hospital"),
        "poi_visitor": N_("Car park, bus stop, market, temple..."),
        "poi_other": N_("Other point of interest"),
    },
    "planning": {
        "planning_title": N_("Planning"),
        "sign_in_to_plan": N_(
            "Sign in with a planner account to run siting, relocation and Decree 32 checks"
        ),
        "job_status": {
            "queued": N_("Waiting to start…"),
            "running": N_("Running…"),
            "done": N_("Done"),
            "failed": N_("Failed"),
            "cancelled": N_("Cancelled"),
        },
        "job_cancelling": N_("Stopping at the next step…"),
        "verdicts": {"pass": N_("pass"), "fail": N_("fail"), "unknown": N_("unknown")},
        "siting": N_("Siting"),
        "relocation": N_("Relocation"),
        "draw_first": N_("Draw a polygon on the map first"),
        "stored_clusters": N_("Stored clusters"),
        "candidates_of": N_("Candidates of siting"),
        "candidates": N_("candidates"),
        "leader_stable": N_("the best candidate stays first when any weight moves by 20 percent"),
        "leader_changes": N_("the best candidate changes when a weight moves by 20 percent"),
        "report": N_("Printable report"),
        "check": N_("Decree 32 check"),
        "dossier": N_("Printable dossier"),
    },
    "relocation": {
        "reloc_candidate_site": N_("Candidate {rank} of siting #{id} “{scenario}”"),
        "reloc_legend": N_("Relocation"),
        "reloc_site_chosen": N_("site chosen"),
        "reloc_site_not_chosen": N_("candidate site not chosen"),
        "reloc_line": N_("a village and the site it moves to (the site's colour)"),
        "reloc_widths": N_("line width: workshops that move (under 20, 20 to 100, over 100)"),
        "reloc_not_served": N_("village not served (no site within the commute)"),
        "reloc_workshops": N_("Workshops that move"),
        "reloc_defaulted": N_("default demand"),
        "reloc_skipped": N_("{n} villages skipped: no number of {what}"),
        "reloc_defaulted_n": N_(
            "{n} villages without a number of {what}, counted with {value} {what} each"
        ),
        "sites_chosen": N_("Sites chosen"),
        "covered": N_("Demand covered"),
        "commute": N_("commute mean / max"),
        "minutes": N_("min"),
        "method": N_("Computed with"),
        "road_network": N_("road network"),
        "straight_line": N_("straight line"),
    },
    "siting_map": {
        "suitability": N_("Suitability"),
        "low": N_("low"),
        "high": N_("high"),
        "opacity": N_("Opacity"),
        "candidate": N_("Candidate"),
        "score": N_("score"),
        "score_scale": N_("class score 0-1"),
        "compactness": N_("compactness"),
        "crosses_edge": N_(
            "Crosses the study area's edge ({pct} percent of it inside); its whole extent is shown"
        ),
        "criterion": N_("Criterion"),
        "value": N_("Mean value"),
        "criterion_names": {
            "road_distance_m": N_("Distance to a main road"),
            "village_distance_m": N_("Distance to the craft villages"),
            "residential_distance_m": N_("Distance from homes"),
            "facility_distance_m": N_("Distance from schools and clinics"),
            "slope_deg": N_("Slope"),
            "elevation_m": N_("Elevation"),
            "landuse": N_("Current land use"),
        },
        "decree32": N_("Decree 32/2024"),
        "decree32_verdicts": {
            "pass": N_("passes"),
            "fail": N_("fails"),
            "unknown": N_("not decided"),
            "confirm": N_("to confirm"),
        },
        "not_checked": N_("not checked (the five best candidates are checked)"),
        "why_rank": N_("Why this rank"),
        "rank_of": N_("rank {rank} of {count}"),
        "below": N_("{diff} below candidate {rank} ({score})"),
        "above": N_("{diff} above candidate {rank} ({score})"),
        "strongest": N_("strongest criterion"),
        "weakest": N_("weakest criterion"),
    },
    "siting_form": {
        "criteria": {
            "road_distance_m": N_("Near a road"),
            "village_distance_m": N_("Near the polluting villages"),
            "residential_distance_m": N_("Away from housing"),
            "facility_distance_m": N_("Away from schools and clinics"),
            "slope_deg": N_("Flat land"),
            "elevation_m": N_("Above flood-prone ground"),
            "landuse": N_("Compatible land use"),
        },
        "no_input": N_("this server has no input for it"),
        "given_weight": N_("Weight given"),
        "effective_weight": N_("Weight used"),
        "criterion": N_("Criterion"),
        "direct_weights": N_("Weights"),
        "ahp_weights": N_("AHP pairwise comparison"),
        "ahp_hint": N_(
            "For each pair: 9 = the first is far more important, 1 = equally important, 1/9 ="
            " the second is far more important. The criteria compared are those with a weight"
            " above zero."
        ),
        "ahp_two": N_("AHP needs at least two criteria with a weight above zero"),
        "ahp_effective": N_("Weights used: from the AHP comparisons"),
        "consistency_ratio": N_("Consistency ratio CR"),
        "weights_negative": N_("Weights must not be negative"),
        "weights_all_zero": N_(
            "All weights are zero: give at least one criterion a weight above zero"
        ),
        "weights_sum_one": N_("The weights sum to 1 and are used as given"),
        "weights_scaled": N_("The weights used are those given divided by their sum (sum given:"),
        "input_coverage": N_("Siting input coverage"),
        "inputs_cover": N_("Where the siting inputs cover"),
        "roads_input": N_("Roads"),
    },
    "scenarios": {
        "covered": N_("Demand covered"),
        "commute": N_("commute mean / max"),
        "minutes": N_("min"),
        "score": N_("score"),
        "verdicts": {"pass": N_("pass"), "fail": N_("fail"), "unknown": N_("unknown")},
        "criteria": {
            "road_distance_m": N_("Near a road"),
            "village_distance_m": N_("Near the polluting villages"),
            "residential_distance_m": N_("Away from housing"),
            "facility_distance_m": N_("Away from schools and clinics"),
            "slope_deg": N_("Flat land"),
            "elevation_m": N_("Above flood-prone ground"),
            "landuse": N_("Compatible land use"),
        },
        "scenario_kinds": {
            "siting": N_("siting"),
            "allocation": N_("relocation"),
            "compliance": N_("Decree 32 check"),
        },
        "no_scenarios": N_("No saved scenario yet"),
        "kinds": {"general": N_("General cluster"), "craft_village": N_("Craft-village cluster")},
        "weights_sources": {
            "model": N_("the model's default weights"),
            "given": N_("weights given by the planner"),
            "ahp": N_("AHP pairwise comparison"),
        },
        "all_kinds": N_("all kinds"),
        "all_owners": N_("everyone"),
        "pick_to_compare": N_("Tick to compare"),
        "compare_same_kind": N_("Compare two scenarios of the same kind"),
        "compare_two": N_("Tick exactly two scenarios"),
        "comparison": N_("Comparison"),
        "close": N_("Close"),
        "differences_marked": N_("Rows that differ are highlighted; the two maps move together."),
        "scenario_name": N_("Name"),
        "notes": N_("Notes"),
        "save": N_("Save"),
        "saved": N_("Saved"),
        "delete": N_("Delete"),
        "deleted": N_("Deleted"),
        "delete_yes": N_("Yes, delete it"),
        "cancel": N_("Cancel"),
        "delete_confirm": N_(
            "Delete this scenario, its features and its image? This cannot be undone from the page:"
        ),
        "yes": N_("yes"),
        "no": N_("no"),
        "cluster_kind": N_("Cluster kind"),
        "cell_size": N_("Cell size"),
        "study_area": N_("Study area (W, S, E, N)"),
        "weights_from": N_("Weights from"),
        "weight_of": N_("Weight:"),
        "threshold": N_("Suitability threshold"),
        "candidates_count": N_("Candidate sites"),
        "mean_suitability": N_("Mean suitability"),
        "leader": N_("Best candidate under 20% weight changes"),
        "stable": N_("stays first"),
        "changes": N_("changes"),
        "model": N_("Model"),
        "sites_open": N_("Sites to open"),
        "max_commute": N_("Maximum commute (min)"),
        "capacity": N_("Site capacity respected"),
        "sites_chosen": N_("Sites chosen"),
        "villages_served": N_("Villages served"),
        "villages_skipped": N_("Villages skipped (no household or worker count)"),
        "default_demand": N_("Default demand for a village without that count"),
        "models": {
            "p_median": N_("p-median: least total travel"),
            "max_coverage": N_("Maximal coverage within a commute"),
        },
        "verdict": N_("Verdict"),
        "area": N_("Area"),
    },
    "editing": {
        "edit": N_("Edit"),
        "save": N_("Save"),
        "cancel": N_("Cancel"),
        "saved": N_("Saved"),
        "stale_edit": N_(
            "Someone changed this feature while you were editing: reload the page and edit again"
        ),
        "reshape_hint": N_("Drag the corners on the map to reshape the cluster"),
        "drag_hint": N_("Drag the marker on the map to move the village"),
        # "choices" comes from CHOICES, for the page's editable layers.
    },
    "new_cluster": {
        "new_cluster": N_("New planned cluster from the drawn polygon"),
        "field_ref": N_("Code"),
        "field_name": N_("Name"),
        "cluster_kind": N_("Cluster kind"),
        **_CLUSTER_KINDS,
        "save_drawn": N_("Save as a new cluster"),
        "draw_first": N_("Draw a polygon on the map first"),
        "saved": N_("Saved"),
    },
    "environment": {
        "aqi": N_("VN_AQI (hourly)"),
        "latest": N_("Latest values"),
        "synthetic": N_("synthetic data"),
        "unverified": N_("unverified breakpoints"),
        "water_class": N_("Surface water class"),
        "exceedances": N_("Latest QCVN 05 exceedances"),
        "assessed_periods": N_("Periods assessed and not assessed"),
        "zones_on": N_("zones on"),
        "villages_lc": N_("villages"),
        "schools": N_("schools"),
        "clinics": N_("clinics"),
        "not_loaded": N_("not loaded"),
        "people": N_("people inside"),
        "unit": N_("Commune"),
        "percentile": N_("Percentile"),
        "population": N_("Population"),
        "no_units": N_("No commune boundaries with population loaded"),
        "indicator": N_("Indicator"),
        "inside": N_("Inside (people)"),
        "show_unit": N_("Show on the map"),
        "rows_to_map": N_("Click a commune to see it on the map."),
        "no_zones": N_("No pollution zones yet"),
        "daily_aqi": N_("Daily VN_AQI (Decision 1459/QĐ-TCMT), coloured by band"),
        "days_without_index": N_("{count} days without an index (fewer than 18 hours of PM)"),
        "no_data_period": N_("no data in this period"),
        "local_time": N_("Local time"),
        "hourly": N_("Hourly values"),
        "mean_24h": N_("24-hour mean"),
        "hanoi_time": N_("Hà Nội time, UTC+7"),
        "days_without_mean": N_(
            "{count} days without a 24-hour mean (fewer than {hours} of 24 hours, this "
            "project's 75% completeness rule, as in the CSV export): left as gaps"
        ),
        "limit_1h": N_("1-hour limit"),
        "limit_24h": N_("24-hour limit"),
        "verified": N_("verified"),
        "not_verified": N_("not verified"),
        "at": N_("at"),
        "no_series": N_("No values in this period"),
        "medium": {
            "air": N_("Air monitoring station"),
            "water": N_("Water monitoring station"),
            "soil": N_("Soil monitoring station"),
            "noise": N_("Noise monitoring station"),
        },
    },
    "env_alerts": {
        "acknowledge": N_("Acknowledge"),
        "add_rule": N_("Add rule"),
        "alert_peak": N_("peak"),
        "all_rules": N_("All rules"),
        "all_stations": N_("all stations"),
        "all_statuses": N_("All statuses"),
        "aqi_label": N_("VN_AQI at least"),
        "cancel_edit": N_("Cancel"),
        "close_alert": N_("Close"),
        "delete_rule": N_("Delete"),
        "delete_rule_confirm": N_("Click again to delete the rule and its alerts"),
        "edit_rule": N_("Edit rule"),
        "for_hours": N_("for at least (hours)"),
        "hours_short": N_("h"),
        "kind_aqi": N_("hourly VN_AQI at or above a level"),
        "kind_threshold": N_("a parameter above a threshold"),
        "new_alerts": N_("Rule saved; rules evaluated: {count} new alerts"),
        "no_matching_alerts": N_("No alert matches"),
        "no_rules": N_("No alert rule yet"),
        "note": N_("Note"),
        "on_map": N_("map"),
        "parameter_label": N_("Parameter"),
        "pause": N_("Pause"),
        "resume": N_("Resume"),
        "rule_active": N_("active"),
        "rule_aqi": N_("hourly VN_AQI ≥ {level} for {hours} h"),
        "rule_kind": N_("Kind"),
        "rule_name": N_("Name"),
        "rule_paused": N_("paused"),
        "rule_threshold": N_("{parameter} > {threshold} for {hours} h"),
        "save_rule": N_("Save"),
        "show_on_map": N_("Show on the map"),
        "sign_in_for_rules": N_(
            "Sign in as an environmental officer to add rules and handle alerts"
        ),
        "station_ref": N_("Station code (empty: all)"),
        "threshold_label": N_("above"),
        "alert_statuses": {
            "open": N_("open"),
            "acknowledged": N_("acknowledged"),
            "closed": N_("closed (resolved)"),
        },
    },
    "env_surfaces": {
        "all_data": N_("all data"),
        "cell_label": N_("Cell (m)"),
        "confirm_delete": N_("Click again to delete"),
        "delete_surface": N_("Delete"),
        "from_day": N_("From"),
        "job_waiting": N_("Waiting to start…"),
        "limit_mark": N_("limit"),
        "limit_not_verified": N_("not verified"),
        "limit_source": N_("QCVN 05 24-hour limit"),
        "limit_verified": N_("verified"),
        "loo": N_("leave-one-out error"),
        "make_surface": N_("Make a surface"),
        "method_label": N_("Method"),
        "no_limit": N_("No QCVN 05 24-hour limit for this parameter on this date"),
        "no_surfaces": N_("No surface yet"),
        "parameter_label": N_("Parameter"),
        "saved_surfaces": N_("Saved surfaces"),
        "stations_used": N_("{count} stations"),
        "to_day": N_("To"),
        "methods": {
            "auto": N_("IDW, and kriging from 5 stations"),
            "idw": N_("IDW (inverse distance)"),
            "kriging": N_("kriging"),
        },
        "job_states": {
            "queued": N_("Waiting to start…"),
            "running": N_("Running…"),
            "done": N_("Done"),
            "failed": N_("Failed"),
        },
    },
    "env_trends": {
        "days_with_mean": N_("Days with a daily mean"),
        "left_out": N_("left out"),
        "month": N_("Month"),
        "monthly_mean": N_("Monthly mean"),
        "months_left_out": N_("Months left out for completeness"),
        "needed": N_("needed"),
        "trend_method": N_(
            "Monthly means of the valid daily means (18 of 24 hours) in Hà Nội calendar months; "
            "a month needs three quarters of its days (this project's completeness rule). "
            "Theil-Sen slope with its 95 percent range; Mann-Kendall test without correction "
            "for seasons or serial correlation, so the p-value is indicative."
        ),
    },
    "env_zones": {
        "all_data": N_("all data"),
        "changes_title": N_("Zones changed"),
        "make_exceedance": N_("Make exceedance zones"),
        "make_sources": N_("Make source zones"),
        "no_zones_yet": N_("No pollution zones yet"),
        "refresh_zones": N_("Make them again"),
        "surface_label": N_("Surface"),
        "zone_date": N_("Date of the zones"),
        "zones_from_surface": N_("{count} zones where {parameter} is above {limit} ({document})"),
        "zones_made": N_("{count} source zones made for {date}"),
        "change": {
            "new": N_("new"),
            "grew": N_("grew"),
            "shrank": N_("shrank"),
            "gone": N_("gone"),
            "unchanged": N_("unchanged"),
        },
    },
    "env_stations": {
        "no_data": N_("no data"),
        "parameters_count": N_("{count} parameters"),
        "data_ranges": N_("Data by parameter"),
        "no_position": N_("no position"),
        "place": N_("Place on the map"),
        "shown_of": N_("{shown} of {total} stations"),
        "unplaced_count": N_("{count} without a position"),
        "all": N_("all"),
        "place_title": N_("Place {name} ({ref})"),
        "place_hint": N_(
            "Drag the marker, click the map or type the coordinates (WGS 84 degrees), then save:"
            " the change is kept in the audit log"
        ),
        "lon": N_("Longitude"),
        "lat": N_("Latitude"),
        "save_position": N_("Save the position"),
        "cancel": N_("Cancel"),
        "placed": N_("{name} placed"),
        "media": {
            "air": N_("air"),
            "water": N_("water"),
            "soil": N_("soil"),
            "noise": N_("noise"),
        },
    },
    "env_upload": {
        "uploading": N_("Uploading…"),
        "inserted": N_("inserted"),
        "updated": N_("updated"),
        "unchanged": N_("unchanged"),
        "rejected": N_("rows rejected"),
        "created_stations": N_("{count} stations created"),
        "created_unplaced": N_("{count} of them have no position: place them on the map"),
        "place": N_("Place on the map"),
        "notes": N_("Details"),
        "positions_done": N_("{placed} stations placed, {moved} moved, {unchanged} unchanged"),
        "placed_list": N_("Placed"),
        "still_unplaced": N_("{count} stations still have no position"),
        "all_placed": N_("Every station has a position"),
    },
    "tour": {
        "add": N_("Add to my day"),
        "stops": N_("Stops"),
        "opening_hours": N_("Opening hours"),
        "minutes": N_("min"),
        "visit": N_("visit"),
        "priority": N_("Priority"),
        "must_see": N_("must-see"),
        "nice_to_have": N_("nice to have"),
        "move_up": N_("Move up"),
        "move_down": N_("Move down"),
        "remove": N_("Remove"),
        "start": N_("Start"),
        "lunch": N_("Lunch break"),
        "walk_limit": N_("Walking limit for a day"),
        "hazard": N_("Polluting site (not a stop)"),
        "hazard_note": N_("A working site with pollution: not proposed as a stop."),
        "hazard_group": N_("{n} polluting sites here: click to zoom in"),
        "hazard_group_legend": N_(
            "Polluting sites grouped at this zoom: how many (click to zoom in)"
        ),
        "curated_route": N_("Curated route"),
        "your_route": N_("Your route"),
        "parking": N_("Car park near a stop"),
        "bus": N_("Bus stop near a stop"),
        "nearby": N_("Nearby"),
        "groups": {
            "ceramics": N_("Ceramics, glass, stone"),
            "textiles": N_("Silk, weaving, embroidery"),
            "wood": N_("Woodwork"),
            "metal": N_("Bronze, silver, metal"),
            "art": N_("Lacquer, inlay, painting, toys"),
            "bamboo": N_("Bamboo, rattan, hats"),
            "food": N_("Food, liquor, incense"),
            "music": N_("Musical instruments"),
            "flowers": N_("Flowers and plants"),
            "other": N_("Other crafts"),
        },
        "pick_one": N_("Pick at least one village"),
        "planning": N_("Planning…"),
        "back_at": N_("Back at"),
        "km": N_("km"),
        "not_visited": N_("Not visited"),
        "in_zones": N_("Inside pollution zones"),
        "without_option": N_("without the option"),
        "method": N_("Computed with"),
        "gpx": N_("Download GPX"),
        "print": N_("Printable day plan"),
    },
    "audit": {
        "undo": N_("Undo"),
        "undone": N_("Undone"),
        "undo_refused": N_(
            "Cannot undo: the feature changed after this edit (undo the later edits first)"
        ),
    },
}

#: The labels of the values an edit form's field may take, per editable collection (editing.js
#: reads them as ``T.choices``; the fields themselves and their labels come from the layer
#: declarations, in ``config.layers``).
CHOICES: dict[str, dict[str, dict[str, str]]] = {
    "clusters": {
        "status": {
            "planned": N_("planned"),
            "operating": N_("operating"),
            "expanding": N_("expanding"),
        },
    },
    "zones": {"severity": {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}},
}


@dataclass(frozen=True)
class Page:
    """What a page's scripts load, and the layers its edit form may edit.

    ``modules`` lists every module the page loads: its entry first, then what that imports.
    """

    modules: tuple[str, ...]
    editable: tuple[str, ...] = ()


#: The pages, by the name their template and view use.
PAGES: dict[str, Page] = {
    "planner": Page(
        (
            "planner",
            "dom",
            "common",
            "villages",
            "planning",
            "siting_map",
            "siting_form",
            "scenarios",
            "relocation",
            "editing",
            "new_cluster",
        ),
        editable=("clusters", "villages"),
    ),
    "environment": Page(
        (
            "environment",
            "dom",
            "common",
            "editing",
            "env_alerts",
            "env_time",
            "env_surfaces",
            "env_trends",
            "env_zones",
            "env_stations",
            "env_upload",
        ),
        editable=("stations", "zones"),
    ),
    "tour": Page(("tour", "dom", "common", "villages")),
    "audit": Page(("audit", "dom", "common")),
}


def _translate(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _translate(item) for key, item in value.items()}
    return gettext(value)


def _merge(into: dict[str, Any], strings: dict[str, Any]) -> None:
    for key, value in strings.items():
        if isinstance(value, dict):
            _merge(into.setdefault(key, {}), value)
        else:
            into[key] = value


def page_texts(page: str) -> dict[str, Any]:
    """The English strings of one page's scripts (its modules', its edit forms' choices)."""
    spec = PAGES[page]
    strings: dict[str, Any] = {}
    for module in spec.modules:
        _merge(strings, MODULE_STRINGS.get(module, {}))
    if "editing" in spec.modules:
        strings["choices"] = {}
        for collection in spec.editable:
            _merge(strings["choices"], CHOICES.get(collection, {}))
    return strings


def page_strings(page: str | None) -> dict[str, Any]:
    """The strings of one page's scripts in the request's language ({} without scripts)."""
    return _translate(page_texts(page)) if page in PAGES else {}
