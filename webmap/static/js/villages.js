/* Craft villages on the planner and tourist maps: crafts, markers coloured by how much the
   craft pollutes, popups with the village's facts and OCOP products. */
import { h } from "./dom.js";
import { T, config, getJSON, row } from "./common.js";

let crafts = {};

export async function loadCrafts() {
  crafts = await getJSON("/api/crafts");
  return crafts;
}

export function craftName(code) {
  const c = crafts[code];
  return c ? c[config.lang] : code;
}

export function stars(n) {
  return "★".repeat(n) + "☆".repeat(5 - n);
}

/* The OCOP products of a village as a list, or nothing when it has none. */
export function ocopList(products) {
  if (!(products || []).length) return null;
  return [h("strong", null, T.ocop), h("ul", null, products.map((o) =>
    h("li", null, o.name, " ", h("span", { class: "stars", "aria-label": o.stars + " " + T.stars }, stars(o.stars)))))];
}

/* Recognition statuses (Decree 52/2018/NĐ-CP), in the order the filter offers them. */
export const RECOGNITIONS = ["traditional_craft_village", "craft_village", "village_with_craft", "unknown"];

export function recognitionName(code) {
  return T.recognitions[code || "unknown"] || code;
}

/* A date (YYYY-MM-DD) as the page's language writes it. */
export function localDate(iso) {
  if (!iso) return null;
  const [y, m, d] = String(iso).slice(0, 10).split("-");
  return config.lang === "vi" ? d + "/" + m + "/" + y : y + "-" + m + "-" + d;
}

/* The recorded recognition: status, date (or year) and deciding act. */
export function recognitionRows(p) {
  return [row(T.recognition, recognitionName(p.recognition)),
    row(T.recognition_date, localDate(p.recognition_date) || p.recognition_year),
    row(T.recognition_decision, p.recognition_decision)];
}

/* A select of the recognition statuses; calls onChange with the chosen code ("" for all). */
export function recognitionFilter(onChange) {
  const select = h("select", { id: "recognition-filter" },
    h("option", { value: "" }, T.all_recognitions),
    RECOGNITIONS.map((code) => h("option", { value: code }, recognitionName(code))));
  select.addEventListener("change", () => onChange(select.value));
  return h("label", { class: "filter" }, T.recognition + " ", select);
}

/* Whether a village's recognition passes the filter's choice. */
export function recognitionMatches(p, code) {
  return !code || (p.recognition || "unknown") === code;
}

export function villagePopup(p) {
  const desc = config.lang === "vi" ? p.description_vi : p.description_en;
  return h("div", { class: "popup" }, h("h3", null, p.name),
    h("dl", null, row(T.craft, craftName(p.craft)), recognitionRows(p), row(T.commune, p.commune_name),
      row(T.district, p.district_name), row(T.province, p.province_name), row(T.households, p.households),
      row(T.workers, p.workers), row(T.opening_hours, hoursText(p.opening_hours)), row(T.visit_minutes, p.visit_minutes)),
    desc ? h("p", null, desc) : null, ocopList(p.ocop));
}

const CRAFT_COLORS = { high: "#b42318", medium: "#dc8a1c", low: "#2e7d32" };

export function craftColor(code) {
  const c = crafts[code];
  return CRAFT_COLORS[c ? c.pollution : "low"];
}

/* A village's look on the map, from its properties: the marker's, and the tiles' (one style). */
export function villageStyle(p) {
  return { radius: 7, color: "#fff", weight: 1.5, fill: true, fillColor: craftColor(p.craft), fillOpacity: 0.95 };
}

export function villageMarker(feature, latlng) {
  return L.circleMarker(latlng, villageStyle(feature.properties));
}

/* Craft symbols (one per family of crafts) for the tourist map and its legend. The glyphs
   are in every common font (DejaVu included), so they show on any phone. */
export const CRAFT_GROUPS = [
  { key: "ceramics", symbol: "⚱", crafts: ["ceramics", "glass", "stone"] },
  { key: "textiles", symbol: "✂", crafts: ["silk", "weaving", "embroidery", "dyeing", "leather"] },
  { key: "wood", symbol: "♣", crafts: ["wood"] },
  { key: "metal", symbol: "⚒", crafts: ["bronze_casting", "silver_gold", "metal_working"] },
  { key: "art", symbol: "✎", crafts: ["lacquer", "mother_of_pearl", "painting", "toys_crafts"] },
  { key: "bamboo", symbol: "☘", crafts: ["rattan_bamboo", "conical_hat"] },
  { key: "food", symbol: "☕", crafts: ["food_processing", "liquor", "incense"] },
  { key: "music", symbol: "♫", crafts: ["musical_instruments"] },
  { key: "flowers", symbol: "❀", crafts: ["horticulture"] },
  { key: "other", symbol: "●", crafts: [] },
];

export function craftGroup(code) {
  return CRAFT_GROUPS.find((g) => g.crafts.includes(code)) || CRAFT_GROUPS[CRAFT_GROUPS.length - 1];
}

export function craftPollution(code) {
  const c = crafts[code];
  return c ? c.pollution : "low";
}

/* A village as its craft symbol on the map (the element is built with DOM methods). */
export function craftIcon(code, extraClass) {
  const group = craftGroup(code);
  return L.divIcon({ className: "craft-icon " + (extraClass || "craft-" + group.key),
    html: h("span", { "aria-hidden": "true" }, group.symbol), iconSize: [26, 26], iconAnchor: [13, 13] });
}

/* OSM opening_hours in words of the page language ("Monday to Saturday: 08:00–17:00;
   Sunday: closed"). Rules of the form "Mo-Sa 08:00-17:00", "Su off", "Mo,We 08:00-12:00"
   separated by ";"; anything else is shown as it is. */
const DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
const RULE = /^((?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?(?:,(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?)*)\s+(off|\d\d:\d\d-\d\d:\d\d(?:,\d\d:\d\d-\d\d:\d\d)*)$/;

function ruleDays(spec) {
  const days = [];
  for (const part of spec.split(",")) {
    const [a, b] = part.split("-").map((d) => DAYS.indexOf(d));
    for (let i = a; ; i = (i + 1) % 7) { days.push(i); if (i === (b === undefined ? a : b)) break; }
  }
  return days;
}

export function hoursText(text) {
  if (!text) return T.closed;
  const week = Array(7).fill("");
  for (const rule of text.split(";").map((r) => r.trim()).filter(Boolean)) {
    const m = RULE.exec(rule);
    if (!m) return text;
    const times = m[2] === "off" ? "" : m[2].replace(/-/g, "–").replace(/,/g, ", ");
    ruleDays(m[1]).forEach((d) => { week[d] = times; });
  }
  const say = (times) => times || T.day_closed;
  if (week.every((t) => t === week[0])) return T.every_day + ": " + say(week[0]);
  const parts = [];
  for (let first = 0, i = 1; i <= 7; i++) {
    if (i < 7 && week[i] === week[first]) continue;
    const days = i - 1 === first ? T.weekdays[first]
      : T.day_range.replace("{first}", T.weekdays[first]).replace("{last}", T.weekdays[i - 1]);
    parts.push(days + ": " + say(week[first]));
    first = i;
  }
  return parts.join("; ");
}
