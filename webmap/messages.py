"""Render :class:`gis.messages.Message` objects in the user's language.

``TEXTS`` maps every message code to its English template (marked with ``N_`` so that
``pybabel extract`` collects it); the Vietnamese text is in the gettext catalogue
(``webmap/translations/vi/LC_MESSAGES/messages.po``), the one source of truth for both
Python and JavaScript strings. Templates use ``str.format`` fields named after the
message's parameters, with no format specs: numbers, dates and nested messages are
formatted here, per language.

The same renderer serves the web (the request's language) and the command line
(``--lang``); it needs no Flask application context.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
from collections.abc import Iterable
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from gis.messages import Message
from layers.registry import LAYERS
from planning.rules import LOCAL_TZ
from webmap.i18n import LANGUAGES, TRANSLATIONS

__all__ = [
    "TEXTS",
    "N_",
    "as_text",
    "format_number",
    "replace_text",
    "localize",
    "message_json",
    "render",
    "render_all",
    "translations",
]

logger = logging.getLogger(__name__)


def N_(text: str) -> str:  # noqa: N802 (gettext's conventional name for "mark only")
    """Mark a string for extraction without translating it now."""
    return text


# Every code a message below webmap/ may carry, with its English template. Keep sorted by code.
TEXTS: dict[str, str] = {
    "accounts.password_short": N_("the password needs at least {minimum} characters"),
    "accounts.bad_role": N_("role '{role}': use one of {choices}"),
    "accounts.bad_username": N_("user name '{username}': 3-40 of a-z, 0-9, '_', '.', '-'"),
    "accounts.no_active_user": N_("no active user '{username}'"),
    "accounts.no_user": N_("no user '{username}'"),
    "accounts.user_exists": N_("user '{username}' exists already"),
    "admin.area_out_of_range": N_(
        "'{name}' covers {area_km2} km²: a {level} covers {minimum}–{maximum} km²"
    ),
    "admin.area_outlier": N_(
        "'{name}' covers {area_km2} km², far from the median {level} of the file ({median_km2} "
        "km²): check its level"
    ),
    "admin.level_commune": N_("commune"),
    "admin.level_district": N_("district"),
    "admin.level_province": N_("province"),
    "admin.no_code_column": N_("no code column (use --code-field)"),
    "admin.wrong_level_name": N_("'{name}' is not a {level}: its name says another level"),
    "admin.wrong_osm_level": N_(
        "'{name}' has OSM admin_level {admin_level}; a {level} of this version has {expected}"
    ),
    "air.assessed_periods": N_(
        "{station}, {parameter} {period}: {assessed} periods assessed, {exceeded} above the "
        "limit; {incomplete} incomplete and not assessed (completeness rule of this project: "
        "75%); {no_limit} on dates with no limit recorded (unknown)"
    ),
    "air.exceedance": N_(
        "{parameter} {period} mean at {when}: {value} {unit}, above the limit of {limit} "
        "{unit} ({source})"
    ),
    "air.no_measurements": N_("no air measurements for station '{station}' in that period"),
    "alerts.cannot_move": N_("alert {id} is {status} and cannot become {to}"),
    "alerts.no_alert": N_("no alert {id}"),
    "alerts.no_rule": N_("no alert rule {id}"),
    "alerts.rule_exists": N_("an alert rule named '{name}' exists already"),
    "alerts.rule_kind": N_(
        "a rule is either a parameter above a threshold or a VN_AQI level for some hours, not both"
    ),
    "alerts.status.acknowledged": N_("acknowledged"),
    "alerts.status.closed": N_("closed (resolved)"),
    "alerts.status.open": N_("open"),
    "alerts.unknown_station": N_("no monitoring station '{station}'"),
    "allocation.bad_default_demand": N_(
        "default demand {value}: give a number of households or workers above 0"
    ),
    "allocation.candidate_site": N_("Candidate {rank} of siting #{scenario_id} “{scenario}”"),
    "allocation.count.households": N_("households"),
    "allocation.count.workers": N_("workers"),
    "allocation.no_villages_counted": N_(
        "none of the polluting craft villages here has a known number of {column} ({skipped} "
        "villages without one): give a default demand to count them"
    ),
    "allocation.villages_stranded": N_("these villages reach no site: {villages}"),
    "allocation.villages_stranded_within": N_(
        "these villages reach no site within {minutes} minutes: {villages}; raise the maximum "
        "commute or use maximal coverage"
    ),
    "allocation.bad_basis": N_("basis '{basis}': use decree08 or class_weights"),
    "allocation.bad_capacities": N_("capacities must be {sites} non-negative numbers"),
    "allocation.bad_demand": N_("demand must be finite and not negative"),
    "allocation.bad_demand_kind": N_("demand '{demand}': use households or workers"),
    "allocation.bad_model": N_("model '{model}': use p_median or max_coverage"),
    "allocation.bad_sizes": N_("sizes must be {demand_points} non-negative numbers"),
    "allocation.capacity_short": N_(
        "the villages need {need_ha} ha but the {p} largest sites offer {offer_ha} ha: open "
        "more sites, use maximal coverage, or drop the capacity limit"
    ),
    "allocation.class_weights_basis": N_(
        "The team's pollution-class weights (high 3, medium 2, low 1): this project's "
        "override, not law"
    ),
    "allocation.cost_shape": N_("cost matrix {shape} does not match {demand_points} demand points"),
    "allocation.coverage_needs_commute": N_(
        "maximal coverage needs a maximum commute in minutes (max_commute_min / --max-commute)"
    ),
    "allocation.coverage_needs_max_cost": N_(
        "maximal coverage needs a positive maximum cost (commute)"
    ),
    "allocation.coverage_no_solution": N_("maximal coverage has no solution ({status})"),
    "allocation.far_from_network": N_(
        "{far} of {total} villages and sites are more than {max_m} m from road network '{network}'"
    ),
    "allocation.median_beyond_commute": N_(
        "no {p} sites are within {max_cost} minutes of every village ({status}): open more "
        "sites, raise the maximum commute or use maximal coverage"
    ),
    "allocation.median_infeasible": N_(
        "no {p} sites can take every village within {max_cost} minutes and within their free "
        "land ({status}): open more sites, raise the maximum commute, untick the capacity or "
        "use maximal coverage"
    ),
    "allocation.median_no_solution": N_(
        "p-median has no solution ({status}): check the cost matrix"
    ),
    "allocation.median_no_solution_capacity": N_(
        "p-median has no solution ({status}): total capacity of any p sites is below the demand"
    ),
    "allocation.no_demand": N_("no demand points to allocate"),
    "allocation.status.infeasible": N_("no plan meets every condition"),
    "allocation.status.unbounded": N_("the problem is unbounded"),
    "allocation.status.not_solved": N_("the solver found no plan in its time"),
    "allocation.no_network": N_("no road network '{network}' is loaded"),
    "allocation.no_sites": N_("no candidate sites"),
    "allocation.no_villages": N_(
        "no polluting craft villages with a known number of {column} to relocate"
    ),
    "allocation.not_siting": N_("scenario {scenario} is a {kind} scenario, not siting"),
    "allocation.p_below_one": N_("p (sites to open) must be at least 1"),
    "allocation.p_too_large": N_("p = {p} sites to open, but there are {sites} candidate sites"),
    "allocation.stranded": N_("demand points {points} reach no site"),
    "allocation.stranded_within": N_("demand points {points} reach no site within {max_cost}"),
    "allocation.unknown_clusters": N_("unknown cluster refs {refs}"),
    "aqi.bad_concentration": N_("concentration must be a non-negative number, got {value}"),
    "aqi.day_incomplete": N_(
        "{day}: {hours} of 24 hours of particulate data, {needed} needed (completeness rule of "
        "this project, 75%, not of the decision): no daily index"
    ),
    "body.ahp_size": N_("{field} has {n} rows; 2 to {maximum} are accepted"),
    "body.ahp_square": N_(
        "{field} must be a square matrix: a list of rows, each with as many numbers as "
        "there are rows"
    ),
    "body.ahp_value": N_(
        "{field} is {value}: judgements must be numbers from 1/9 to 9 (Saaty's scale)"
    ),
    "body.bad_text": N_("{field} is not valid Unicode text (a lone surrogate)"),
    "body.bbox_range": N_("{field} is outside -180..180 longitude / -90..90 latitude"),
    "body.bbox_shape": N_("{field} must be [minlon, minlat, maxlon, maxlat]"),
    "body.crs_member": N_(
        "a GeoJSON 'crs' member is not accepted: send WGS 84 lon/lat coordinates (RFC 7946)"
    ),
    "body.empty": N_("{field} must not be empty"),
    "body.flag": N_("{field} must be true, false or null"),
    "body.greater_than": N_("{field} must be greater than {limit}"),
    "body.greater_than_equal": N_("{field} must be at least {limit}"),
    "body.invalid_member": N_("{field} is not valid"),
    "body.less_than": N_("{field} must be less than {limit}"),
    "body.less_than_equal": N_("{field} must be at most {limit}"),
    "body.missing": N_("{field} is required"),
    "body.names_list": N_("{field} must be a list of names"),
    "body.not_bool": N_("{field} must be true or false"),
    "body.not_choice": N_("{field} {value}: use one of {choices}"),
    "body.not_feature": N_("the body must be one GeoJSON Feature"),
    "body.not_finite": N_("{value} is not a number JSON allows: numbers must be finite"),
    "body.not_finite_member": N_("{field} must be a finite number"),
    "body.not_json": N_("the body is not JSON: {detail} at line {line} column {column}"),
    "body.not_list": N_("{field} must be a list"),
    "body.not_number": N_("{field} must be a number, got {value}"),
    "body.not_object": N_("the request body must be a JSON object"),
    "body.not_object_member": N_("{field} must be an object"),
    "body.not_text": N_("{field} must be text"),
    "body.not_utf8": N_("the body is not UTF-8 text (byte {byte})"),
    "body.nul": N_("{field} contains a NUL character"),
    "body.number_too_long": N_(
        "a number in the body has {digits} digits; at most {maximum} are accepted"
    ),
    "body.since_until": N_("give both since and until (local days), since not after until"),
    "body.too_deep": N_("the body is nested more than {depth} levels deep"),
    "body.too_long": N_("{field} is longer than {maximum} characters"),
    "body.too_many": N_("{field} has more than {maximum} items"),
    "body.weights_object": N_("{field} must be an object name -> number"),
    "cite.article": N_("Art. {article}"),
    "cite.article_appendix": N_("Art. {article}, Appendix {appendix}"),
    "cite.article_clause": N_("Art. {article} cl. {clause}"),
    "cite.circular": N_("Circular {number}"),
    "cite.decision": N_("Decision {number}"),
    "cite.decree": N_("Decree {number}"),
    "cite.planning_option": N_("LangNghe planning option (not law)"),
    "cite.table": N_("Table {table}"),
    "cli.aborted": N_("aborted"),
    "cli.ahp.consistency": N_(
        "lambda_max {lambda_max}, consistency index {ci}, consistency ratio {cr}"
    ),
    "cli.alerts.created": N_("{count} new alerts"),
    "cli.alerts.rule_added": N_("rule {id} added"),
    "cli.alerts.rule_kind": N_("give either --parameter and --above, or --aqi-at-least"),
    "cli.allocate.by_line": N_("straight line x {factor} at {speed} km/h ({reason})"),
    "cli.allocate.by_network": N_("road network {network}"),
    "cli.allocate.cost": N_("scenario {id}: travel cost by {how}"),
    "cli.allocate.defaulted": N_(
        "{count} villages without a number of {column} counted with the default of {value}: "
        "{villages}"
    ),
    "cli.allocate.skipped": N_(
        "{count} villages skipped, without a number of {column} (give --default-demand to "
        "count them): {villages}"
    ),
    "cli.allocate.summary": N_(
        "sites: {sites}; demand covered {covered}% ({served}/{villages} villages); "
        "commute mean {mean} min, max {max} min"
    ),
    "cli.bad_bbox": N_("expected minlon,minlat,maxlon,maxlat (four numbers), got {value}"),
    "cli.bad_date": N_("expected a date YYYY-MM-DD, got {value}"),
    "cli.bad_point": N_("expected lon,lat, got {value}"),
    "cli.bad_weight": N_("weight {value}: expected name=number"),
    "cli.check.one_polygon": N_("{file}: expected one polygon, found {count} features"),
    "cli.check.summary": N_("{verdict}: {area} ha, unit {unit} ({level}, {version})"),
    "cli.db.data_folder": N_("data folder: {path}"),
    "cli.db.external_not_stopped": N_(
        "DATABASE_URL is set: the external server is not ours to stop"
    ),
    "cli.db.migrated": N_("applied {count} migrations: {names}"),
    "cli.db.mode_embedded": N_("embedded"),
    "cli.db.mode_external": N_("external"),
    "cli.db.not_running": N_("database ({mode}) NOT running: {dsn}"),
    "cli.db.pending": N_("pending migrations: {names}"),
    "cli.db.running": N_("database ({mode}) running: {dsn}"),
    "cli.db.status": N_("mode: {mode}; dsn: {dsn}; running: {running}"),
    "cli.db.stopped": N_("embedded database stopped"),
    "cli.db.up_to_date": N_("applied 0 migrations (up to date)"),
    "cli.error": N_("Error: {text}"),
    "cli.exceedances.count": N_("{count} exceedances; unverified limits are marked verified=False"),
    "cli.exposure.indicator": N_("indicator"),
    "cli.exposure.inside": N_("inside"),
    "cli.exposure.percentile": N_("percentile"),
    "cli.exposure.population": N_("population"),
    "cli.exposure.rank": N_("rank"),
    "cli.exposure.score": N_("score"),
    "cli.exposure.summary": N_(
        "{zones} zones on {date}: {villages} villages, {schools} schools, {clinics} clinics, "
        "about {people} people inside"
    ),
    "cli.level.commune": N_("commune"),
    "cli.level.district": N_("district"),
    "cli.level.province": N_("province"),
    "cli.note": N_("  note: {text}"),
    "cli.progress.allocate": N_("allocation"),
    "cli.progress.import": N_("import {layer}"),
    "cli.progress.roads": N_("roads {network}"),
    "cli.progress.routing": N_("routing index of {network}"),
    "cli.progress.sample": N_("sample data"),
    "cli.progress.siting": N_("siting"),
    "cli.scenario_saved": N_("scenario {id}"),
    "cli.scenarios.confirm_delete": N_("delete scenario {id}?"),
    "cli.scenarios.deleted": N_("scenario {id} deleted ({files} raster files removed)"),
    "cli.scenarios.export_suffix": N_("{path}: use a .geojson or .gpkg file name"),
    "cli.scenarios.exported": N_("{count} features -> {path}"),
    "cli.scenarios.features": N_("{count} features"),
    "cli.serve.listening": N_("LangNghe GIS on {url}"),
    "cli.siting.stable": N_("leader stable under +-20% weights"),
    "cli.siting.summary": N_(
        "scenario {id}: {count} candidates ({low}-{high} ha, threshold {threshold}); raster {file}"
    ),
    "cli.siting.unstable": N_(
        "the leader changes when a weight moves by 20%: see the sensitivity table"
    ),
    "cli.surface.loo": N_("  leave-one-out RMSE {method}: {rmse}"),
    "cli.surface.saved": N_("{file} (scenario {id}, bands: {bands})"),
    "cli.tour.back": N_("  back {end}; {km} km, {minutes} min travelling"),
    "cli.tour.day": N_("{day} from {start} ({method})"),
    "cli.tour.dropped": N_("  not visited: {name}: {reason}"),
    "cli.tour.on_the_way": N_("(+{minutes} min on the way)"),
    "cli.trends.no_values": N_("no {parameter} values for station {station}"),
    "cli.trends.none": N_("no trend: {reason}"),
    "cli.trends.not_significant": N_("not significant"),
    "cli.trends.result": N_(
        "Theil-Sen {slope} per year [{low}, {high}], Mann-Kendall tau {tau}, p = {p} ({verdict})"
    ),
    "cli.trends.significant": N_("significant"),
    "cli.users.active": N_("active"),
    "cli.users.created": N_("user {username} ({role}) created, id {id}"),
    "cli.users.disabled": N_("disabled"),
    "cli.users.enabled": N_("user {username} enabled"),
    "cli.users.revoked": N_("{count} tokens revoked"),
    "cli.users.tokens": N_("{count} tokens"),
    "cli.users.was_disabled": N_("user {username} disabled"),
    "cli.water.values": N_("{station} on {date}: {values}"),
    "cli.zones.sources_stored": N_("{count} source zones stored"),
    "cli.zones.surface_stored": N_(
        "{count} {parameter} zones above {limit} ({document}, {band}) on {date}"
    ),
    "clusters.area_measured": N_("area_ha not given: {area_ha} ha measured from the polygon"),
    "clusters.area_mismatch": N_("stated {stated_ha} ha but the polygon measures {area_ha} ha"),
    "clusters.area_needs_crs": N_("the polygons have no CRS: their area cannot be measured"),
    "clusters.not_found": N_("industrial cluster '{ref}' does not exist"),
    "crs.both_needed": N_("both inputs need a CRS; got None"),
    "crs.mismatch": N_("CRS mismatch: {left} vs {right}"),
    "crs.missing": N_("the data has no CRS: say which with --crs (e.g. EPSG:4326)"),
    "crs.unknown": N_("not a coordinate reference system: '{value}'"),
    "crs.unsupported": N_(
        "unsupported CRS '{name}': use WGS 84 (EPSG:4326), VN-2000 (EPSG:4756, its TM-3 grids "
        "such as EPSG:9208, or its UTM grids) or UTM 48N/49N (EPSG:32648/32649)"
    ),
    "db.cannot_connect": N_("cannot connect to the database"),
    "db.cannot_connect_embedded": N_("cannot connect to the database. Run `langnghe db start`."),
    "db.embedded_trusts": N_(
        "the embedded cluster in {pgdata} trusts connections without a password; production "
        "refuses it. Run `langnghe db start` once to secure it"
    ),
    "db.server_trusts": N_(
        "the database at {host} let us in without a password (trust in pg_hba.conf); "
        "production refuses it. Run `langnghe db start` to secure the embedded cluster, or "
        "fix pg_hba.conf"
    ),
    "db.superuser_role": N_(
        "the web server's database role '{user}' is a superuser; production needs a role with "
        "only the rights on the project's tables (see README, Production server)"
    ),
    "db.unreachable": N_("the database is not reachable"),
    "db.busy": N_("the server is busy: no database connection came free in {seconds} s; try again"),
    "decree08.appendix2_if_stage": N_(
        "{craft}: listed in Appendix II (item {items}) only with that production stage "
        "(dyeing, tanning, smelting): to confirm for each facility ({source})"
    ),
    "decree08.appendix2_listed": N_(
        "{craft}: listed in Appendix II (item {items}): not encouraged in craft villages, the "
        "legal basis for relocation ({source})"
    ),
    "decree08.appendix2_unknown": N_(
        "{craft}: no item of Appendix II found for it in the part read (up to item "
        "{read_up_to}); the rest of the list was not found, so unknown ({source})"
    ),
    "decree32.area": N_("area"),
    "decree32.area_craft": N_(
        "{label} {area_ha} ha; {min_ha} to {max_ha} ha allowed for a craft-village cluster"
    ),
    "decree32.area_general": N_(
        "{label} {area_ha} ha; {min_ha} to {max_ha} ha allowed for a general cluster"
    ),
    "decree32.area_mountainous": N_(
        "{label} {area_ha} ha; {min_ha} to {max_ha} ha allowed in a mountainous unit"
    ),
    "decree32.area_not_positive": N_("cluster area must be positive, got {area_ha} ha"),
    "decree32.area_unknown_craft_share": N_(
        "{label} {area_ha} ha is allowed only for a craft-village cluster, and the share of "
        "its industrial land for craft-village producers is not recorded"
    ),
    "decree32.area_unknown_mountainous": N_(
        "{label} {area_ha} ha is allowed only in a mountainous unit, and that is not known"
    ),
    "decree32.confirm_investor": N_("To confirm: an eligible infrastructure investor"),
    "decree32.confirm_land_use_plan": N_(
        "To confirm: the land is consistent with the land-use plan"
    ),
    "decree32.confirm_provincial_plan": N_(
        "To confirm: the cluster is in the province's list or plan of industrial clusters"
    ),
    "decree32.craft_village_cluster_fail": N_(
        "Industrial land for craft-village producers: {share_pct}%, below {min_pct}%: not a "
        "craft-village cluster, so the general area rules apply"
    ),
    "decree32.craft_village_cluster_pass": N_(
        "Industrial land for craft-village producers: {share_pct}% (at least {min_pct}%): a "
        "craft-village cluster"
    ),
    "decree32.craft_village_cluster_unknown": N_(
        "The share of industrial land for craft-village producers is not recorded: whether "
        "this is a craft-village cluster (at least {min_pct}%) is unknown"
    ),
    "decree32.expansion": N_(
        "Expanding {ref}: total {total_ha} ha (at most {max_total_ha} ha), occupancy "
        "{occupancy_pct}% (at least {min_occupancy_pct}%), essential shared infrastructure "
        "finished: {infrastructure}"
    ),
    "decree32.green_strip": N_("Green isolation strip {width_m} m wide; at least {min_width_m} m"),
    "decree32.green_strip_unknown": N_(
        "Green isolation strip width not recorded: unknown whether it is at least {min_width_m} m"
    ),
    "decree32.housing_distance": N_(
        "Nearest house, school or clinic {nearest_m} m; at least {min_m} m"
    ),
    "decree32.housing_distance_nf": N_(
        "Nearest house, school or clinic {nearest_m} m; the minimum distance of QCVN "
        "01:2025/BTNMT Table 1 was not found, so the result is unknown"
    ),
    "decree32.invalid_polygon": N_("the cluster polygon is not valid: {reason}"),
    "decree32.not_polygon": N_("a cluster must be a polygon, got {found}"),
    "decree32.polygon_or_ref": N_("give either a drawn polygon or the ref of a stored cluster"),
    "decree32.residents": N_("Residential land inside the cluster: {residential_inside_ha} ha"),
    "decree32.residents_unknown": N_("No residential land data for this place"),
    "decree32.service_land_option": N_(
        "Planning option of this project, not law (no source found): service land share "
        "{share_pct}%; chosen maximum {max_pct}%"
    ),
    "decree32.total_after_expansion": N_("total after expansion"),
    "decree32.unit_caveat": N_(
        "Computed on the {unit_level} level: districts ended on {ended}, and how this "
        "district-based test applies now was not found"
    ),
    "decree32.unit_clusters": N_(
        "{clusters} existing clusters in {unit}: average occupancy {occupancy_pct}% (needs "
        "more than {min_occupancy_pct}%) or unleased industrial land {unleased_ha} ha (needs "
        "at most {max_unleased_ha} ha); data missing for: {missing}"
    ),
    "decree32.unit_no_clusters": N_("No existing clusters in {unit}"),
    "decree32.unit_unknown": N_("The administrative unit of the site is not known"),
    "decree52.artisans_confirm": N_(
        "To confirm: the craft is tied to named artisans or to the village's name"
    ),
    "decree52.craft_age": N_(
        "Craft practised here since {since}: {years} years (over {min_years} needed); still "
        "practised: {practised}"
    ),
    "decree52.craft_age_unknown": N_(
        "When the craft began here, or whether it is still practised, is not recorded: the "
        "{min_years}-year criterion is unknown"
    ),
    "decree52.cultural_identity_confirm": N_(
        "To confirm: the craft carries the national cultural identity"
    ),
    "decree52.environment_confirm": N_(
        "To confirm: the village meets the environmental protection conditions in force"
    ),
    "decree52.households_share": N_(
        "{craft_households} of {households} households work in the trades ({share_pct}%); at "
        "least {min_pct}% needed"
    ),
    "decree52.households_unknown": N_(
        "Households in the trades not recorded: unknown whether at least {min_pct}% work in them"
    ),
    "decree52.production": N_(
        "Stable production since {since}: {years} years to the date of the check (at least "
        "{min_years} continuous years)"
    ),
    "decree52.production_unknown": N_(
        "Start of stable production not recorded: the {min_years}-year criterion is unknown"
    ),
    "decree52.recognition": N_(
        "Recorded recognition: {recognition}, on {date}, decision {decision}"
    ),
    "edit.bad_position": N_("a position must be [lon, lat], got {value}"),
    "edit.changed_after": N_(
        "{table} {fid} changed after entry {audit}: revert the later edits first"
    ),
    "edit.coordinates_not_finite": N_("coordinates must be finite numbers"),
    "edit.crs_member": N_(
        "a GeoJSON 'crs' member is not accepted: send WGS 84 lon/lat coordinates (RFC 7946)"
    ),
    "edit.empty_geometry": N_("the {geometry_type} is empty"),
    "edit.exists_again": N_("{table} {fid} exists again: nothing to restore"),
    "edit.field_problem": N_("{field}: {reason}"),
    "edit.geometry_required": N_("{layer} need a geometry"),
    "edit.geometry_type": N_("{layer} take {expected} geometries, not {found}"),
    "edit.if_match_required": N_("send If-Match with the feature's ETag (read it with GET first)"),
    "edit.key_changed": N_("{field} cannot change ('{value}'); create a new feature instead"),
    "edit.key_exists": N_("{layer} {key} exists already: update it instead"),
    "edit.key_not_text": N_("{field} must be text"),
    "edit.key_required": N_("{fields} is required"),
    "edit.malformed_coordinates": N_("the {geometry_type} coordinates are malformed or empty"),
    "edit.no_audit_entry": N_("audit entry {audit} does not exist"),
    "edit.no_feature": N_("no feature {fid} in {layer}"),
    "edit.not_feature": N_("the body must be one GeoJSON Feature"),
    "edit.not_finite": N_("{value} is not a number JSON allows: coordinates must be finite"),
    "edit.not_json": N_("the body is not JSON: {detail} at line {line} column {column}"),
    "edit.not_revertible": N_(
        "audit entry {audit} is an {action}; only feature edits can be reverted"
    ),
    "edit.position_out_of_range": N_(
        "position [{lon}, {lat}] is outside lon -180..180, lat -90..90"
    ),
    "edit.properties_not_object": N_("'properties' must be an object"),
    "edit.rejected": N_("{problems}"),
    "edit.ring_not_closed": N_(
        "every polygon ring needs at least 4 positions, the last equal to the first"
    ),
    "edit.route_geometry": N_(
        "a route's line is drawn from its stops: send 'stops' and no geometry"
    ),
    "edit.route_village_gone": N_(
        "village '{ref}' of the route no longer exists: cannot restore its stops"
    ),
    "edit.scenario_not_restorable": N_(
        "audit entry {audit_id} records a deleted scenario; its files are gone, it cannot be"
        " restored"
    ),
    "edit.stale": N_("feature {fid} changed since you read it: read it again and redo the edit"),
    "edit.unknown_properties": N_("unknown properties {names}; {layer} have {known}"),
    "encoding.ambiguous": N_(
        "{path}: the text reads as Vietnamese in more than one encoding ({shares} of {words} words "
        "with diacritics): state the encoding (--encoding, or Encoding on the upload form)"
    ),
    "encoding.ascii": N_("{encoding}: the text has no letter outside ASCII"),
    "encoding.detected": N_(
        "{encoding}, detected from the words: Vietnamese syllables {percent}% ({words} words with "
        "diacritics; other encodings: {others})"
    ),
    "encoding.format": N_("{encoding}: the encoding of this file format"),
    "encoding.given": N_(
        "{encoding}, as given: Vietnamese syllables {percent}% ({words} words with diacritics)"
    ),
    "encoding.invalid_bytes": N_(
        "{path}: the text is not valid {encoding}: state another encoding, or leave it to be "
        "detected"
    ),
    "encoding.none_plausible": N_(
        "{path}: no encoding gives Vietnamese text: Vietnamese syllables among the {words} words "
        "with diacritics: {shares} (at least {minimum}%); state the encoding (--encoding, or "
        "Encoding on the upload form) or save the file as UTF-8"
    ),
    "encoding.share": N_("{encoding} {percent}%"),
    "encoding.stated": N_(
        "{encoding}, as the file's .cpg states: Vietnamese syllables {percent}% ({words} words "
        "with diacritics)"
    ),
    "encoding.unknown": N_("encoding '{encoding}': use one of {choices}"),
    "encoding.utf8": N_("{encoding}: the text is valid UTF-8"),
    "error.internal": N_("Internal error: the request could not be completed"),
    "exposure.crs_differ": N_("inputs are in different CRSs {crs}: project them to one metric CRS"),
    "exposure.explain.headline": N_(
        "About {people} people inside the zones: each {level}'s population is spread evenly "
        "over its area and counted for the part of it inside the zones (the 'inside' column: "
        "the rows add up to the headline, a place under two zones counts once); {unknown} of "
        "the {exposed} units touched have no population and count as unknown"
    ),
    "exposure.explain.indicator": N_(
        "Indicator: the share of a {level}'s area inside the zones, weighted by the zones' "
        "severity (high x3, medium x2, low x1): 0 outside every zone, at most 3"
    ),
    "exposure.explain.percentile": N_(
        "Percentile: the share of all {units} units ({level}, {version} boundaries) whose "
        "indicator is at or below this unit's (0 outside every zone); the rank follows the "
        "score = percentile x population / 100, so a populous unit half inside ranks above a "
        "less populous one wholly inside"
    ),
    "exposure.level.commune": N_("commune"),
    "exposure.level.district": N_("district"),
    "exposure.level.province": N_("province"),
    "exposure.facilities_from_pois": N_(
        "schools and clinics from the points-of-interest layer ({points} in the zones' box)"
    ),
    "exposure.needs_metric_crs": N_("exposure needs a projected (metric) CRS, e.g. EPSG:32648"),
    "exposure.no_units": N_("no administrative units to rank: import them first"),
    "exposure.no_units_loaded": N_(
        "no {level} units of {version} loaded here: population and ranking unknown"
    ),
    "exposure.no_zones": N_("no pollution zones to assess"),
    "exposure.no_zones_of_kind": N_("no pollution zones of kind {kind} on {day}"),
    "exposure.no_zones_on": N_("no pollution zones on {day}"),
    "exposure.no_zones_stored": N_("no pollution zones stored yet"),
    "exposure.no_zones_yet": N_(
        "no pollution zones stored yet: run `langnghe zones sources` or build them from a surface"
    ),
    "exposure.not_loaded": N_("not loaded"),
    "exposure.pois_not_loaded": N_(
        "schools and clinics not loaded (import points of interest: langnghe import pois)"
    ),
    "geometry.too_many_vertices": N_(
        "the geometry has {vertices} vertices; at most {limit} are accepted here"
    ),
    "hours.closed": N_("closed"),
    "hours.day_range": N_("{first} to {last}"),
    "hours.days_times": N_("{days}: {times}"),
    "hours.every_day": N_("every day"),
    "hours.week": N_("{parts}"),
    "http.400": N_("The request is not valid"),
    "http.401": N_("Sign in to do this"),
    "http.403": N_("Your account may not do this"),
    "http.403_detail": N_(
        "This page needs another role. Sign in with an account that has it, "
        "or ask an administrator."
    ),
    "http.404": N_("Page not found"),
    "http.404_detail": N_(
        "There is nothing at this address. Check the link, or go back to one of the maps."
    ),
    "http.405": N_("This method is not allowed here"),
    "http.413": N_("The request is too large"),
    "http.429": N_("Too many requests; try again shortly"),
    "http.500": N_("Internal error; it has been logged"),
    "http.500_logged": N_("Internal error; it has been logged as {request_id}"),
    "http.503": N_("The service is not available right now; try again shortly"),
    "http.csrf": N_(
        "The form's security token is missing or expired: reload the page and try again"
    ),
    "http.database_unavailable": N_("The database is not reachable right now; try again shortly"),
    "http.error": N_("Error {status}"),
    "import.bad_on_duplicate": N_("--on-duplicate takes one of {choices}, not '{value}'"),
    "problem.kind.area_measured": N_("area measured from the geometry"),
    "problem.kind.area_mismatch": N_("stated area differs from the geometry's"),
    "problem.kind.area_out_of_range": N_("area out of range"),
    "problem.kind.area_outlier": N_("unusual area"),
    "problem.kind.bad_coordinate": N_("bad coordinate"),
    "problem.kind.bad_wkt": N_("unreadable geometry (WKT)"),
    "problem.kind.choice": N_("value not among the choices"),
    "problem.kind.craft_inferred": N_("craft inferred from the name"),
    "problem.kind.duplicate": N_("duplicate row"),
    "problem.kind.duplicate_coordinates": N_("same coordinates as another row"),
    "problem.kind.empty_geometry": N_("empty geometry"),
    "problem.kind.existing_key_skipped": N_("already stored, skipped"),
    "problem.kind.geometry_type": N_("wrong geometry type"),
    "problem.kind.invalid_geometry": N_("invalid geometry"),
    "problem.kind.latlon_swapped": N_("latitude and longitude swapped"),
    "problem.kind.likely_duplicate": N_("likely duplicate"),
    "problem.kind.negative": N_("negative value"),
    "problem.kind.no_coordinates": N_("no coordinates"),
    "problem.kind.non_finite": N_("coordinate not finite"),
    "problem.kind.nul": N_("NUL character in the text"),
    "problem.kind.out_of_range": N_("value out of range"),
    "problem.kind.outside_stated_district": N_("outside the stated district"),
    "problem.kind.outside_stated_province": N_("outside the stated province"),
    "problem.kind.outside_vietnam": N_("outside Vietnam"),
    "problem.kind.province_normalised": N_("province name normalised"),
    "problem.kind.province_unchecked": N_("province not checked"),
    "problem.kind.range": N_("value out of range"),
    "problem.kind.required": N_("missing value"),
    "problem.kind.test_row": N_("test row"),
    "problem.kind.too_long": N_("text too long"),
    "problem.kind.too_many_vertices": N_("too many vertices"),
    "problem.kind.type": N_("wrong type of value"),
    "problem.kind.unit": N_("unknown unit"),
    "problem.kind.unknown_category": N_("unknown category"),
    "problem.kind.unknown_station": N_("unknown station"),
    "problem.kind.unknown_village": N_("unknown village"),
    "problem.kind.wrong_level": N_("wrong administrative level"),
    "import.code_file": N_("{severity} {problem_code}"),
    "import.code_rows": N_("{severity} {problem_code}: {rows} rows"),
    "import.columns_ignored": N_("columns not read (no field of this layer): {columns}"),
    "import.database_refused": N_(
        "{path}: the database refused the import, nothing was written: {detail}"
    ),
    "import.duplicate_keep": N_(
        "'{name}' is likely '{stored}' ({key}, {distance_m} m away, a similar name): "
        "added beside it (--on-duplicate keep)"
    ),
    "import.duplicate_merge": N_(
        "'{name}' is likely '{stored}' ({key}, {distance_m} m away, a similar name): "
        "merged into it, not added"
    ),
    "import.duplicate_skip": N_(
        "'{name}' is likely '{stored}' ({key}, {distance_m} m away, a similar name): skipped"
    ),
    "import.duplicates_summary": N_(
        "likely duplicates of stored features: {found} ({merged} merged, {skipped} skipped, "
        "{kept} added anyway)"
    ),
    "import.field_format": N_("--field takes TARGET=SOURCE, got '{value}'"),
    "import.field_source_missing": N_("--field {field}=...: the file has no column '{column}'"),
    "import.field_unknown": N_("--field: this layer has no field '{field}' (fields: {fields})"),
    "import.fields_mapped": N_("columns read as fields: {pairs}"),
    "import.file_rows": N_("{path}: rows {first}–{last} ({encoding})"),
    "import.key_skipped": N_("this key is stored already: left as it is (--on-duplicate skip)"),
    "import.more_problems": N_("... and {more} more (use --report FILE for all)"),
    "import.no_files": N_("no file to import in {paths} (CSV, GeoJSON, GeoPackage or Shapefile)"),
    "import.note": N_("note: {note}"),
    "import.problem": N_("{severity}: {problem}"),
    "import.summary": N_(
        "{layer} from {path}: {total} rows read, {inserted} inserted, {updated} updated, "
        "{unchanged} unchanged, {rejected} rejected"
    ),
    "import.summary_dry_run": N_(
        "DRY RUN (nothing written): {layer} from {path}: {total} rows read, {inserted} "
        "inserted, {updated} updated, {unchanged} unchanged, {rejected} rejected"
    ),
    "import.unit_format": N_(
        "--unit takes UNIT or COLUMN=UNIT (UNIT alone once at most), got '{value}'"
    ),
    "io.bad_csv": N_("{path}: not a readable CSV: {detail}"),
    "io.bad_vector": N_("{path}: cannot read as a vector file: {detail}"),
    "io.bad_wkt": N_("not readable WKT: '{text}'"),
    "io.coordinate_missing": N_("coordinate is missing"),
    "io.coordinate_not_finite": N_("coordinate is NaN or infinite: '{value}'"),
    "io.crs_conflict": N_("{path}: the file says {file_crs} but --crs says {given}"),
    "io.empty_file": N_("{path}: the file is empty"),
    "io.encoding_utf8_format": N_(
        "{path}: {suffix} files are always UTF-8; an encoding can be stated only for CSV files and "
        "Shapefiles"
    ),
    "io.file_not_found": N_("{path}: file not found"),
    "io.no_crs": N_("{path}: the file states no CRS; say which with --crs (e.g. EPSG:4326)"),
    "io.no_geometry_columns": N_(
        "{path}: no geometry columns; expected lon/lat (or longitude/latitude, x/y) or a WKT column"
    ),
    "io.not_utf8": N_("{path}: not UTF-8 text (byte {byte}); save it as UTF-8"),
    "io.unsupported_type": N_(
        "{path}: unsupported file type '{suffix}'; use CSV, GeoJSON, GeoPackage or Shapefile"
    ),
    "job.bad_call": N_("a stored job names {name}, which is not an analysis of this system"),
    "job.bad_fields": N_("job fields {fields}: use {choices}"),
    "job.cancelled": N_("cancelled"),
    "job.done": N_("done"),
    "job.internal_error": N_("internal error: see the server log"),
    "job.not_found": N_("job {job} does not exist"),
    "job.retrying": N_(
        "the worker running this job stopped answering for {seconds} s; the job is queued "
        "again (run {run} of {runs})"
    ),
    "job.started": N_("started"),
    "job.too_large": N_(
        "this analysis needs about {needed_mb} MB of memory; the largest job a worker takes "
        "is {limit_mb} MB: choose a smaller study area or larger cells"
    ),
    "job.waiting_memory": N_("waiting for memory on the worker"),
    "job.worker_lost": N_(
        "the worker running this job stopped answering for {seconds} s, after {runs} runs; "
        "the job has stopped"
    ),
    "layers.unknown_collection": N_("unknown collection '{name}'; collections: {known}"),
    "layers.unknown_layer": N_("unknown layer '{name}'; layers: {known}"),
    "measurements.canonical_units": N_(
        "no units in the file: each parameter's canonical unit assumed (µg/m3 for air, mg/L "
        "for water); give --unit otherwise"
    ),
    "measurements.duplicate": N_("duplicate {parameter} value for the same station and time"),
    "measurements.flagged_negative": N_("{parameter} value {value} flagged negative (kept)"),
    "measurements.flagged_out_of_range": N_(
        "{parameter} value {value} flagged out_of_range (kept)"
    ),
    "measurements.kept_stored": N_(
        "{values} values differ from stored ones: kept the stored values (use --replace to "
        "replace them)"
    ),
    "measurements.key_columns": N_(
        "{path}: needs a station column ({station_columns}) and a time column "
        "({time_columns}); found {found}"
    ),
    "measurements.no_unit": N_(
        "{path}: no unit column and no unit given (--unit): the values' unit is unknown"
    ),
    "measurements.no_value_columns": N_(
        "no measurement columns: expected parameter/value columns (long) or columns named "
        "after parameters such as PM2.5, NO2, CO (wide)"
    ),
    "measurements.not_datetime": N_("not a date-time: '{value}'"),
    "measurements.read_long": N_("layout long; {values} values read"),
    "measurements.read_wide": N_("layout wide; {values} values read"),
    "measurements.rows_unreadable": N_(
        "{file}: {rows} rows cannot be read, nothing was written: {problems}"
    ),
    "measurements.rows_unreadable_more": N_(
        "{file}: {rows} rows cannot be read, nothing was written: {problems} (and {more} more)"
    ),
    "measurements.station_created": N_("created station {ref} ({name})"),
    "measurements.stations_without_coordinates": N_(
        "{count} stations have no coordinates; their values are kept: {stations}"
    ),
    "measurements.unit_column": N_(
        "unit for '{column}': the file has no such value column (value columns: {columns})"
    ),
    "measurements.unit_missing": N_("unit missing"),
    "measurements.unit_unconvertible": N_("unit '{unit}' cannot be converted for this parameter"),
    "measurements.unknown_parameter": N_("unknown parameter '{parameter}'"),
    "measurements.unknown_station": N_("unknown station '{ref}': import stations first"),
    "mode.car": N_("car"),
    "mode.motorbike": N_("motorbike"),
    "mode.walk": N_("on foot"),
    "ocop.unknown_village": N_("no village with ref '{ref}': import villages first"),
    "param.bbox_finite": N_("bbox values must be finite numbers"),
    "param.bbox_numbers": N_("bbox values must be numbers, got {value}"),
    "param.bbox_range": N_("bbox is outside -180..180 longitude / -90..90 latitude"),
    "param.bbox_shape": N_("bbox must be minlon,minlat,maxlon,maxlat (4 numbers)"),
    "param.boolean": N_("{name} must be true or false"),
    "param.choice": N_("{name} must be one of: {choices}"),
    "param.clock": N_("{name} must be HH:MM"),
    "param.clock_range": N_("{name} must be HH:MM between 00:00 and 23:59"),
    "param.compare_count": N_("compare 2 to 10 scenarios"),
    "param.compare_ids": N_("ids must be scenario numbers separated by commas, got '{value}'"),
    "param.csv_only": N_("{name}: only .csv files are accepted"),
    "param.date": N_("{name} must be a date YYYY-MM-DD, got {value}"),
    "param.finite": N_("{name} must be a finite number"),
    "param.interval_order": N_("datetime interval starts after it ends"),
    "param.iso_instant": N_("{name} must be an ISO date or date-time, got {value}"),
    "param.kq_kf_positive": N_("kq and kf must be positive"),
    "param.nul": N_("the request contains a NUL character"),
    "param.number": N_("{name} must be a number"),
    "param.number_got": N_("{name} must be a number, got {value}"),
    "param.out_of_range": N_("{name} must be between {minimum} and {maximum}, got {value}"),
    "param.parameter_too_long": N_("parameter is too long"),
    "param.period_too_long": N_("the period is longer than 366 days"),
    "param.point": N_("{name} must be lon,lat"),
    "param.point_range": N_("{name} must be lon -180..180, lat -90..90"),
    "param.polygon_body": N_("body must be a GeoJSON Polygon or MultiPolygon"),
    "param.polygon_invalid": N_("invalid polygon: {reason}"),
    "param.polygon_malformed": N_("the polygon's coordinates are malformed"),
    "param.polygon_range": N_("polygon coordinates must be lon -180..180, lat -90..90"),
    "param.q_too_long": N_("q is longer than 100 characters"),
    "param.ref_too_long": N_("ref is longer than 100 characters"),
    "param.since_after_until": N_("since must be before until"),
    "param.since_until_both": N_("give both since and until, since before until"),
    "param.tile": N_("tile {x}/{y} does not exist at zoom {z}"),
    "param.tour_too_many": N_("at most 25 villages in one day"),
    "param.upload_field": N_("send the CSV as the multipart field 'file'"),
    "param.vmax_positive": N_("vmax must be positive"),
    "param.whole_number": N_("{name} must be a whole number, got {value}"),
    "param.zoom": N_("zoom must be between 0 and {max_zoom}, got {value}"),
    "period.1h": N_("1-hour"),
    "period.24h": N_("24-hour"),
    "period.8h": N_("8-hour"),
    "period.year": N_("annual"),
    "pois.no_category": N_("no category (a category, loai or OSM fclass / amenity column)"),
    "pois.unknown_category": N_(
        "category '{value}' is not in the vocabulary of points of interest"
    ),
    "pollution.needs_hourly_index": N_("the values need a date-time index of hours"),
    "positions.columns": N_(
        "a positions file needs a station code column (code), a longitude column (lon) and a"
        " latitude column (lat); its columns: {found}"
    ),
    "positions.duplicate": N_("the code {ref} is given twice"),
    "positions.outside": N_("{lon}, {lat} is outside Vietnam"),
    "positions.swapped": N_("{lon}, {lat} is outside Vietnam: longitude and latitude look swapped"),
    "positions.unknown": N_("no station has the code '{ref}'"),
    "problem.file": N_("file: {reason}"),
    "problem.file_field": N_("file, field '{field}': {reason}"),
    "problem.row": N_("row {row}: {reason}"),
    "problem.row_column": N_("row {row}, column {field}: {reason}"),
    "problem.row_field": N_("row {row}, field '{field}': {reason}"),
    "recognition.craft_village": N_("craft village"),
    "recognition.traditional_craft_village": N_("traditional craft village"),
    "recognition.unknown": N_("not recorded"),
    "recognition.village_with_craft": N_("village with a craft (not recognised)"),
    "report.checks": N_("Checks against stored data"),
    "report.columns": N_("{columns}"),
    "report.counts": N_("Counts"),
    "report.duplicates": N_("Likely duplicates"),
    "report.encoding": N_("Encoding"),
    "report.field_pair": N_("{column} → {field}"),
    "report.fields": N_("Fields read (column → field)"),
    "report.ignored": N_("Columns not read"),
    "report.no_duplicates": N_("no likely duplicate found"),
    "report.notes": N_("Notes"),
    "report.rejected": N_("Rows rejected"),
    "report.unit": N_("{column}: {unit} ({source})"),
    "report.unit_from_all": N_("given for every column"),
    "report.unit_from_canonical": N_("none stated: the parameter's standard unit"),
    "report.unit_from_column": N_("from the unit column"),
    "report.unit_from_option": N_("given for this column"),
    "report.unit_from_row": N_("from the file's units row"),
    "report.units": N_("Units"),
    "report.warnings": N_("Warnings (rows kept)"),
    "request.body_over_limit": N_(
        "the request body is larger than {limit} bytes, the most accepted here"
    ),
    "request.body_too_large": N_(
        "the request body is {size} bytes; at most {limit} bytes are accepted here"
    ),
    "roads.dangling_edges": N_("edges refer to nodes that are not in the file"),
    "roads.near_ends": N_(
        "{ends} dangling line ends lie within {snap_m} m of another line and were not joined "
        "(the file shares vertices): --snap-m joins them"
    ),
    "roads.network_missing": N_(
        "no road network '{network}' is loaded: run `langnghe import roads FILE`"
    ),
    "roads.no_class": N_(
        "no road class column (highway, loai_duong, fclass, type): every edge gets the default "
        "speeds and one-way streets are unknown"
    ),
    "roads.no_edges": N_("{path}: no road edges found"),
    "roads.noded": N_(
        "noded {lines} input lines at their shared vertices and {crossings} exact crossings"
    ),
    "roads.non_lines": N_("{features} non-line features ignored"),
    "roads.railways": N_("{lines} railway lines left out"),
    "roads.routes_redrawn": N_("{routes} curated tourism routes redrawn on the new network"),
    "roads.snapped": N_(
        "{vertices} dangling line ends moved onto another line (at most {max_m} m, "
        "on average {mean_m} m)"
    ),
    "roads.summary": N_(
        "roads '{network}' from {path} ({reader}): {nodes} nodes, {edges} directed edges kept; "
        "{dropped_nodes} nodes and {dropped_edges} edges outside the largest strongly "
        "connected component dropped"
    ),
    "roads.unmatched_edges": N_("{edges} edges match no line of the file: import refused"),
    "roads.unsupported_file": N_(
        "{path}: unsupported road file; use .osm.pbf, .osm, .graphml, .gpkg, .geojson"
    ),
    "route.far_snap": N_(
        "point {point} is {distance_m} m from the nearest road: the answer may be off"
    ),
    "route.no_path": N_("no path between these points on network '{network}'"),
    "route.too_far": N_(
        "point {point} is {distance_m} m from the nearest road of the network (at most "
        "{limit_m} m): pick a point near a road"
    ),
    "routes.kept_far_stop": N_(
        "route {route} kept as stored: stop {stop} is {distance_m} m from the new network "
        "(limit {limit_m} m)"
    ),
    "routes.kept_no_path": N_("route {route} kept as stored: a leg has no path on the new network"),
    "routes.no_list": N_("{path}: expected a top-level 'routes:' list"),
    "routes.not_mapping": N_("a route must be a mapping"),
    "routes.stop_without_village": N_("stop without a village: {stop}"),
    "routes.too_few_stops": N_("a route needs at least 2 stops"),
    "routes.unknown_villages": N_("unknown village ref(s): {refs}"),
    "routes.unreadable": N_("{path}: cannot read routes: {detail}"),
    "rule.article_not_recorded": N_("article not recorded"),
    "rule.date_needed": N_("a date is needed to choose the rule in force"),
    "rule.source": N_(
        "{document}, {article}, in force {effective_from} to {effective_to}, {verified}"
    ),
    "rule.source_open": N_("{document}, {article}, in force from {effective_from}, {verified}"),
    "rule.unverified": N_("unverified (secondary source)"),
    "rule.verified": N_("verified against the primary text"),
    "scenario.no_file": N_("scenario {id} has no file '{name}'"),
    "scenario.no_raster": N_("scenario {id} has no suitability image"),
    "scenario.bad_export_type": N_("{file}: write .geojson or .gpkg"),
    "scenario.compare_kinds": N_("compare scenarios of one kind; got {kinds}"),
    "scenario.not_found": N_("scenario {scenario} does not exist"),
    "scenario.not_surface": N_("scenario {scenario} is not a saved surface"),
    "severity.error": N_("error"),
    "severity.warning": N_("warning"),
    "siting.ahp_inconsistent": N_(
        "AHP consistency ratio {ratio} is above {max_ratio}: the comparisons contradict each "
        "other. The judgement furthest from the derived weights is {first} vs {second} (given "
        "{given}, the weights imply {implied}); revise it and try again"
    ),
    "siting.ahp_not_positive": N_("AHP matrix entries must be positive numbers (1/9 .. 9)"),
    "siting.ahp_not_reciprocal": N_(
        "AHP matrix is not reciprocal: [{first}, {second}] = {given} but [{second}, {first}] = "
        "{mirrored} (should be {expected})"
    ),
    "siting.ahp_not_square": N_(
        "AHP matrix must be square with at least 2 rows, got shape {shape}"
    ),
    "siting.ahp_size": N_("the AHP matrix has {rows} rows for {criteria} criteria ({names})"),
    "siting.ahp_too_large": N_(
        "AHP matrix of {n} criteria is larger than the {supported} supported"
    ),
    "siting.all_excluded": N_(
        "every cell of the study area is excluded by the constraints ({excluded}): widen the "
        "area or relax the keep-away distances"
    ),
    "siting.bad_cell_size": N_("cell size {cell_m} m: use 1-1000 m"),
    "siting.bad_kind": N_("cluster kind '{kind}': use general or craft_village"),
    "siting.bad_threshold": N_("candidate threshold {threshold} must be between 0 and 1"),
    "siting.bbox_empty": N_("study area bbox {bbox} is empty: give minlon,minlat,maxlon,maxlat"),
    "siting.bbox_outside_vietnam": N_(
        "study area bbox {bbox} is not in Vietnam (lon 100-112, lat 7-24)"
    ),
    "siting.cell_too_coarse": N_(
        "cell size {cell_m} m is too coarse for regions of at most {max_ha} ha"
    ),
    "siting.criteria_twice": N_("criteria named twice: {names}"),
    "siting.criteria_unknown": N_("unknown criteria {names}; known: {known}"),
    "siting.criterion_unknown": N_("criterion '{name}' is unknown; known: {known}"),
    "siting.decay_half": N_("decay transform needs half > 0"),
    "siting.dem_needed": N_(
        "criteria slope_deg and elevation_m need a DEM (--dem): give one or leave them out"
    ),
    "siting.dem_partial": N_(
        "the DEM does not cover part of the study area ({outside_pct}%): slope and elevation "
        "are unknown there, those cells are left out"
    ),
    "siting.dem_resampled": N_(
        "DEM {file}: {crs}, {resolution} {unit} cells, resampled (bilinear) to {grid_crs} "
        "{cell_m} m; {voids} void cells filled from their surroundings"
    ),
    "siting.file_missing": N_("{option} file {path} does not exist"),
    "siting.grid": N_("grid: {crs}, {cell_m} m cells, {width} x {height}"),
    "siting.grid_too_large": N_(
        "study area at {cell_m} m is {width} x {height} cells, more than {max_cells}: use a "
        "larger cell size or a smaller area"
    ),
    "siting.landuse_needed": N_(
        "criteria landuse, residential_distance_m and facility_distance_m need a land-use "
        "file (--landuse): give one or leave them out of the run"
    ),
    "siting.landuse_read": N_(
        "land use {file}: {polygons} polygons, {facilities} schools/clinics in and around the "
        "study area; rasterised at cell centres"
    ),
    "siting.layer_missing": N_("{file} has no layer '{layer}': skipped"),
    "siting.layer_no_crs": N_("{file} layer {layer} has no CRS: set one before using it"),
    "siting.linear_equal": N_("linear transform needs low != high"),
    "siting.negative_weights": N_("weights must not be negative"),
    "siting.no_criteria": N_("no criteria given"),
    "siting.no_polluting_villages": N_(
        "criterion village_distance_m: no polluting craft villages in or near the study area"
    ),
    "siting.no_raster": N_("no raster for criteria {names}"),
    "siting.no_roads": N_(
        "criterion road_distance_m: no roads in or near the study area (load a road network "
        "or give --roads)"
    ),
    "siting.no_suitable_land": N_(
        "every cell is masked or unknown: no suitable land in the study area"
    ),
    "siting.raster_off_grid": N_("{file} is not on the grid of {grid_of}: align the rasters first"),
    "siting.raster_shapes": N_(
        "criterion rasters differ in shape {shapes}: align them to one grid first"
    ),
    "siting.roads_read": N_("roads: {lines} lines in and around the study area"),
    "siting.threshold_one_bound": N_(
        "threshold transform needs exactly one of low (keep above) or high (keep below)"
    ),
    "siting.transform_needs": N_("{kind} transform needs {missing}"),
    "siting.transform_unknown": N_("transform kind '{kind}' is unknown; use one of {choices}"),
    "siting.villages_read": N_(
        "craft villages: {villages} polluting (high/medium class) villages in and around the area"
    ),
    "siting.weights_not_in_run": N_("weights given for criteria not in the run: {names}"),
    "siting.weights_sum": N_("weights must sum to 1, they sum to {total} ({weights})"),
    "stations.no_coordinates": N_("station has no coordinates (kept)"),
    "stations.not_found": N_("station {station} does not exist"),
    "stations.not_water": N_("station '{ref}' measures {medium}, not water"),
    "stations.unknown": N_("unknown station '{ref}'"),
    "status.confirm": N_("to confirm"),
    "status.fail": N_("fail"),
    "status.pass": N_("pass"),
    "status.unknown": N_("unknown"),
    "step.candidates": N_("finding candidate regions"),
    "step.cross_validation": N_("leave-one-out cross-validation"),
    "step.decree32": N_("checking the top candidates against Decree 32/2024"),
    "step.demand_sites": N_("reading the villages to relocate and the candidate sites"),
    "step.distances": N_("computing distances to roads and villages"),
    "step.done": N_("done"),
    "step.grid": N_("building the study grid"),
    "step.interpolating": N_("interpolating between the stations"),
    "step.landuse": N_("reading land use"),
    "step.overlay": N_("overlaying the criteria"),
    "step.saving": N_("saving the scenario"),
    "step.solving": N_("solving the allocation model"),
    "step.station_means": N_("averaging each station over the period"),
    "step.terrain": N_("reading the terrain"),
    "step.travel_times": N_("computing travel times"),
    "surface.completeness": N_(
        "{stations} stations with values in at least {needed} of the period's {period_hours} "
        "hours (completeness rule of this project: 75%); {left_out} left out as incomplete"
    ),
    "surface.few_stations": N_(
        "only {stations} stations: a surface from fewer than {minimum} stations is a "
        "rough guess between them, not a map of the area"
    ),
    "surface.few_stations_idw_only": N_(
        "only {stations} stations: a surface from fewer than {minimum} stations is a rough "
        "guess between them, not a map of the area (and kriging, which needs {kriging}, was "
        "not made: IDW only)"
    ),
    "surface.idw_only": N_("kriging needs at least {minimum} stations, got {stations}: IDW only"),
    "surface.kriging_too_few": N_(
        "kriging needs at least {minimum} stations with complete values, got {stations}: choose IDW"
    ),
    "surface.not_a_surface": N_("scenario {id} is not a pollution surface"),
    "surface.station_incomplete": N_(
        "{station}: values in {hours} of {period_hours} hours, fewer than {needed}: left out of "
        "the surface (completeness rule of this project: 75%)"
    ),
    "surface.too_few_stations": N_(
        "{parameter}: {stations} stations with coordinates have complete values in that period "
        "({left_out} left out as incomplete); a surface needs at least {minimum}"
    ),
    "tiles.no_groups": N_("the layer {collection} has no points to count in groups"),
    "tiles.group_by_most": N_("by names at most {most} properties, each once, of: {choices}"),
    "tour.avoid_needs_network": N_(
        "avoiding pollution zones needs a road network: this route is not changed by it"
    ),
    "tour.dropped_budget": N_(
        "dropped: the day's time budget is too short (lowest priority first)"
    ),
    "tour.dropped_closed": N_("closed (or open too briefly) on that day"),
    "tour.dropped_no_fit": N_("does not fit in the day"),
    "tour.dropped_unreachable": N_("unreachable on the road network"),
    "tour.method_network": N_("road network '{network}', {mode} profile"),
    "tour.method_network_zones": N_(
        "road network '{network}', {mode} profile, edges in pollution zones x{factor}"
    ),
    "tour.method_straight_line": N_(
        "straight line x {detour_factor} detour factor at {speed_kmh} km/h (no road network loaded)"
    ),
    "tour.no_match": N_("no village matches the selection"),
    "tour.no_opening_hours": N_("{name}: no opening hours listed, assumed open"),
    "tour.no_stops": N_("no stop selected: pick at least one village"),
    "tour.opening_hours_unreadable": N_("cannot read opening hours '{opening_hours}': {detail}"),
    "tour.pick_villages": N_("pick villages (refs) or a theme"),
    "tour.start_off_network": N_(
        "the start point is {distance_km} km from the road network (at most {max_km} km): "
        "pick a point on land near a road"
    ),
    "tour.time_matrix_shape": N_(
        "the travel time matrix must be square with one row per stop plus the start (first)"
    ),
    "tour.unknown_mode": N_("unknown travel mode '{mode}': use one of {choices}"),
    "tour.unknown_theme": N_("unknown theme '{theme}'; themes: {choices}"),
    "tour.unknown_villages": N_("unknown village(s): {refs}"),
    "tour.walk_over_limit": N_(
        "a {distance_km} km walk is longer than the {limit_km} km a day on foot we plan for: "
        "take a motorbike or drop a stop"
    ),
    "trend.falling": N_("fall"),
    "trend.month_incomplete": N_(
        "{month}: {days} of {days_in_month} days with a daily mean (18 of 24 hours), fewer "
        "than {needed}: no monthly mean, left out of the trend (completeness rule of this "
        "project: 75%)"
    ),
    "trend.no_values": N_("no {parameter} values stored for station {station}"),
    "trend.none": N_("no trend: {reason}"),
    "trend.not_significant": N_("not a significant trend (p ≥ 0.05): the change may be chance"),
    "trend.rising": N_("rise"),
    "trend.significant": N_("a significant trend (p < 0.05)"),
    "trend.summary": N_(
        "{parameter} over {months} complete months: the monthly means {direction} by "
        "{slope} a year (Theil-Sen; 95% between {low} and {high} a year); Mann-Kendall "
        "tau {tau}, p = {p}: {verdict}"
    ),
    "trend.too_few_months": N_("a trend needs at least {minimum} monthly means, got {months}"),
    "unit.degrees": N_("degrees"),
    "unit.metres": N_("metres"),
    "upload.bad_file_name": N_(
        "the file name must be 1 to {maximum} characters, with no NUL character"
    ),
    "validate.above_maximum": N_("{value} is above the maximum {maximum}"),
    "validate.bad_pattern": N_("{value} does not match the pattern {pattern}"),
    "validate.bad_syntax": N_("{value} is not valid {syntax} syntax"),
    "validate.below_minimum": N_("{value} is below the minimum {minimum}"),
    "validate.duplicate": N_("duplicate of row {first} ({key})"),
    "validate.empty_geometry": N_("geometry is missing or empty"),
    "validate.geometry_repaired": N_("invalid geometry repaired ({reason})"),
    "validate.geometry_type": N_("geometry is a {found}; this layer takes {expected}"),
    "validate.invalid_geometry": N_("invalid geometry: {reason}"),
    "validate.invalid_geometry_repair": N_(
        "invalid geometry: {reason}; re-run with --repair to repair it"
    ),
    "validate.latlon_fixed": N_("latitude and longitude were swapped (x={x}, y={y}); fixed"),
    "validate.latlon_swapped": N_(
        "latitude and longitude look swapped (x={x}, y={y}); re-run with --fix-swapped to swap them"
    ),
    "validate.non_finite": N_("coordinate is NaN or infinite"),
    "validate.not_choice": N_("'{value}' is not one of: {choices}"),
    "validate.not_date": N_("not a date (YYYY-MM-DD): '{value}'"),
    "validate.not_finite": N_("not a finite number: '{value}'"),
    "validate.not_number": N_("not a number: '{value}'"),
    "validate.not_whole": N_("not a whole number: '{value}'"),
    "validate.not_yes_no": N_("not yes/no: '{value}'"),
    "validate.nul": N_("contains a NUL character"),
    "validate.out_of_range": N_(
        "coordinate out of range (lon={lon}, lat={lat}): lon must be -180..180, lat -90..90"
    ),
    "validate.outside_vietnam": N_(
        "point outside Vietnam (lon={lon}, lat={lat}); Vietnam lies at 8-24 N, 102-110 E"
    ),
    "validate.required": N_("required value is missing"),
    "validate.too_long": N_("longer than {maximum} characters"),
    "villages.craft_inferred": N_("craft {craft} inferred from the name"),
    "villages.craft_other": N_("no craft found in the name: set to 'other'"),
    "villages.duplicate_coordinates": N_("same coordinates as row {first} (kept, flagged)"),
    "villages.not_found": N_("craft village '{ref}' does not exist"),
    "villages.outside_district": N_("the point lies outside its stated district (kept, flagged)"),
    "villages.outside_province": N_("the point lies outside its stated province (kept, flagged)"),
    "villages.profile_test_row": N_("test row of the source project ({field} >= {minimum})"),
    "villages.province_names_normalised": N_(
        "{rows} province names written as the loaded boundaries write them (without Tỉnh / "
        "Thành phố)"
    ),
    "villages.province_unchecked": N_(
        "{rows} rows not checked against a province boundary: none is loaded for their "
        "province (admin version {version})"
    ),
    "villages.test_name": N_("looks like a test row: name '{name}'"),
    "wastewater.facility_date_unknown": N_(
        "the facility's commissioning or EIA date is not recorded: from {cutover} to {until} "
        "it decides between QCVN 40:2011 and QCVN 40:2025 ({source})"
    ),
    "wastewater.fail": N_(
        "{parameter} {value}: above {limit} (column {column}, Kq {kq}, Kf {kf}; {source})"
    ),
    "wastewater.kf_assumed": N_(
        "{kf} (assumed without flow data: this project's option, not the regulation's)"
    ),
    "wastewater.kf_unknown": N_(
        "Kf unknown: no discharge-flow data, and no Kf without flow data is recorded ({source})"
    ),
    "wastewater.kq_unknown": N_(
        "Kq unknown: no flow data and the receiving water is not recorded ({source})"
    ),
    "wastewater.no_standard": N_("no standard recorded for {day}"),
    "wastewater.not_found": N_("no column {column} value found in {document}"),
    "wastewater.pass": N_(
        "{parameter} {value}: within {limit} (column {column}, Kq {kq}, Kf {kf}; {source})"
    ),
    "wastewater.sector_standard": N_(
        "on {day} the sector standard {document} applied instead of QCVN 40, and its values "
        "were not found"
    ),
    "wastewater.unknown": N_("{parameter}: unknown, {why}"),
    "water.body_unknown": N_(
        "Class unknown: the station's water body (river or lake) is not recorded ({source})"
    ),
    "water.class": N_("Class {water_class} ({source})"),
    "water.class_d": N_("Class D, worse than C: {limited_by} break class C ({source})"),
    "water.class_unknown": N_(
        "Class unknown: as far as measured the sample meets class {best}, but not measured: "
        "{missing}; limits not found: {limits_not_found} ({source})"
    ),
    "water.health_exceedance": N_(
        "{parameter} {value} mg/L, above the health limit of {limit} mg/L ({source})"
    ),
    "water.lake_table_not_found": N_(
        "Class unknown: lakes and ponds have their own table, whose values were not found; the "
        "river table is not applied ({source})"
    ),
    "water.no_measurements": N_("station '{station}' has no measurements"),
    "water.no_standard": N_("No surface-water standard recorded for {day}: class unknown"),
    "water.no_values_on": N_("station '{station}' has no usable values on {day}"),
    "water.values_not_found": N_(
        "Class unknown: on {day} the rule in force was {source}, and its values were not found "
        "(the later rule is not applied to older samples)"
    ),
    "weekday.fr": N_("Friday"),
    "weekday.mo": N_("Monday"),
    "weekday.sa": N_("Saturday"),
    "weekday.su": N_("Sunday"),
    "weekday.th": N_("Thursday"),
    "weekday.tu": N_("Tuesday"),
    "weekday.we": N_("Wednesday"),
    "word.no": N_("no"),
    "word.none": N_("none"),
    "word.not_applicable": N_("not applicable"),
    "word.unknown": N_("unknown"),
    "word.yes": N_("yes"),
    "worker.started": N_(
        "worker {name}: up to {memory_mb} MB, {concurrency} jobs at once, jobs of up to "
        "{limit_mb} MB"
    ),
    "zones.compare_dates": N_(
        "give two dates, the earlier as before and the later as after (YYYY-MM-DD)"
    ),
    "zones.fresh": N_("{kind} of {date}: {zones} zones made {made}, up to date with their inputs"),
    "zones.kind.observed": N_("Observed zones"),
    "zones.kind.source_buffer": N_("Source zones"),
    "zones.kind.surface_exceedance": N_("Exceedance zones"),
    "zones.method.source_buffer": N_(
        "a buffer of {distance_m} m around the village, the distance of its craft {craft}"
        " (data/zones/source_buffers.yaml)"
    ),
    "zones.method.surface_exceedance": N_(
        "where the {band} surface {scenario} is above {limit} ({document})"
    ),
    "zones.needs_metric_crs": N_(
        "zones are computed in a projected (metric) CRS; reproject first (e.g. EPSG:32648)"
    ),
    "zones.no_band": N_("surface {scenario} has bands {bands}, not '{band}'"),
    "zones.no_limit": N_("no QCVN 05 24-hour limit for {parameter} on {day}: give --limit"),
    "criterion.road_distance_m": N_("Distance to a main road"),
    "criterion.village_distance_m": N_("Distance to the craft villages"),
    "criterion.residential_distance_m": N_("Distance from homes"),
    "criterion.facility_distance_m": N_("Distance from schools and clinics"),
    "criterion.slope_deg": N_("Slope"),
    "criterion.elevation_m": N_("Elevation"),
    "criterion.landuse": N_("Current land use"),
    "input.dem": N_("the elevation model (DEM)"),
    "input.landuse": N_("the land-use map"),
    "coverage.extent": N_("longitude {west}° to {east}° E, latitude {south}° to {north}° N"),
    "siting.outside_input": N_(
        "{input} ({file}) covers {extent}, which holds only {covered_pct}% (at least {min_pct}% "
        "needed) of the study area: move the study area into it"
    ),
    "siting.weights_negative": N_("weights must not be negative: {names}"),
    "siting.weights_all_zero": N_(
        "all weights are zero: give at least one criterion a weight above zero"
    ),
    "zones.surface_fresh": N_(
        "{kind} of {date} from surface {scenario} ({parameter} from {start}): {zones} zones "
        "made {made}, up to date with the measurements"
    ),
    "zones.surface_fresh_any": N_(
        "{kind} of {date} from surface {scenario} ({parameter}): {zones} zones made {made}, "
        "up to date with the measurements"
    ),
    "zones.surface_stale": N_(
        "{kind} of {date} from surface {scenario} ({parameter} from {start}): {zones} zones "
        "made {made}; {parameter} measurements of that period or later arrived {changed}, "
        "after them: out of date, make the surface and its zones again"
    ),
    "zones.surface_stale_any": N_(
        "{kind} of {date} from surface {scenario} ({parameter}): {zones} zones made {made}; "
        "{parameter} measurements arrived {changed}, after them: out of date, make the surface "
        "and its zones again"
    ),
    "siting.bad_parcel_rules": N_(
        "parcel rules: minimum width {min_width_m} m must be 0 or more and minimum "
        "compactness {min_compactness} between 0 and 1"
    ),
    "siting.bad_edge_margin": N_("edge margin {margin_m} m: use 0-10000 m"),
    "zones.stale": N_(
        "{kind} of {date}: {zones} zones made {made}; the villages changed {changed}, "
        "after them: out of date, make them again"
    ),
    "scenario.name_empty": N_("the scenario needs a name"),
    "coverage.of_study_area": N_("{extent}; it covers {covered_pct}% (of the study area)"),
}


@functools.cache
def translations(lang: str) -> NullTranslations:
    """The gettext catalogue of a language (English is the source text)."""
    if lang == "en" or lang not in LANGUAGES:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [lang])


def format_number(value: float | int, lang: str) -> str:
    """A number in the language's notation (grouping, decimal comma in Vietnamese)."""
    if not math.isfinite(value) or abs(value) >= 1e15:  # too large for grouping: as Python says
        return f"{value:g}"
    if isinstance(value, int) or float(value).is_integer():
        return format_decimal(int(value), format="#,##0", locale=Locale.parse(lang))
    return format_decimal(value, format="#,##0.###", locale=Locale.parse(lang))


def _param(value: Any, lang: str) -> str:
    if isinstance(value, Message):
        return render(value, lang)
    if isinstance(value, bool):
        return render(Message("word.yes" if value else "word.no"), lang)
    if isinstance(value, int | float):
        return format_number(value, lang)
    if isinstance(value, dt.datetime):
        local = value.astimezone(LOCAL_TZ) if value.tzinfo else value
        pattern = "dd/MM/yyyy HH:mm" if lang == "vi" else "yyyy-MM-dd HH:mm"
        return f"{format_datetime(local, pattern, locale=lang)} ({_tz_label(local)})"
    if isinstance(value, dt.date):
        return format_date(value, "dd/MM/yyyy" if lang == "vi" else "yyyy-MM-dd", locale=lang)
    if isinstance(value, tuple | list):
        # sentences (messages) are separated by semicolons, words and numbers by commas
        sep = "; " if any(isinstance(v, Message) and v.params for v in value) else ", "
        return sep.join(_param(v, lang) for v in value)
    if value is None:
        return render(Message("word.unknown"), lang)
    return str(value)


def _layer_title(value: Any, lang: str) -> str:
    """A ``layer`` parameter that names a declared layer reads as its title in ``lang``."""
    declared = LAYERS.get(value) if isinstance(value, str) else None
    if declared is None or not declared.title:
        return _param(value, lang)
    return translations(lang).gettext(declared.title)


def _tz_label(value: dt.datetime) -> str:
    offset = value.utcoffset()
    if offset is None:
        return "?"
    hours = int(offset.total_seconds() // 3600)
    return f"UTC{hours:+d}"


def render(message: Message, lang: str) -> str:
    """The message as a sentence in ``lang`` ('vi' or 'en').

    An unknown code is a programming error: it is logged and rendered as the generic
    internal-error text, never as the raw code.
    """
    template = TEXTS.get(message.code)
    if template is None:
        logger.error("message code without a text: %s", message.code)
        template = TEXTS["error.internal"]
    text = translations(lang).gettext(template)
    values = {
        k: _layer_title(v, lang) if k == "layer" else _param(v, lang)
        for k, v in message.params.items()
    }
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        logger.exception("message %s does not fit its template", message.code)
        return translations(lang).gettext(TEXTS["error.internal"])


def render_all(messages: Iterable[Message], lang: str) -> list[str]:
    """Render several messages."""
    return [render(m, lang) for m in messages]


def message_json(message: Message, lang: str) -> dict[str, Any]:
    """The API form of a message: its code, its parameters and its text in ``lang``."""
    return {**message.as_dict(), "text": render(message, lang)}


def localize(value: Any, lang: str) -> Any:
    """A copy of a JSON-ready structure with every :class:`Message` in its API form.

    Dicts, lists and tuples are walked; a message becomes ``{"code", "params", "text"}``
    (see :func:`message_json`); everything else is returned as it is.

    Examples
    --------
    >>> localize({"notes": [Message("word.yes")], "n": 3}, "vi")
    {'notes': [{'code': 'word.yes', 'params': {}, 'text': 'có'}], 'n': 3}
    """
    if isinstance(value, Message):
        return message_json(value, lang)
    if isinstance(value, dict):
        return {k: localize(v, lang) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [localize(v, lang) for v in value]
    return value


def as_text(value: Message | str | None, lang: str) -> str:
    """A message rendered in ``lang``; a plain string (or ``None``: empty) as it is."""
    if isinstance(value, Message):
        return render(value, lang)
    return "" if value is None else str(value)


def replace_text(message: Message, old: str, new: str) -> Message:
    """The message with ``old`` replaced by ``new`` in every text parameter (nested too).

    The web uses it to name an uploaded file as the user knows it, never by its temporary path.

    Examples
    --------
    >>> replace_text(Message("io.empty_file", {"path": "/tmp/x/a.csv"}), "/tmp/x/", "").params
    {'path': 'a.csv'}
    """

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(old, new)
        if isinstance(value, Message):
            return replace_text(value, old, new)
        if isinstance(value, tuple):
            return tuple(swap(v) for v in value)
        return value

    return Message(message.code, {k: swap(v) for k, v in message.params.items()})
