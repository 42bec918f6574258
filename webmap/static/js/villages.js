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
      row(T.workers, p.workers), row(T.opening_hours, p.opening_hours || T.closed), row(T.visit_minutes, p.visit_minutes)),
    desc ? h("p", null, desc) : null, ocopList(p.ocop));
}

const CRAFT_COLORS = { high: "#b42318", medium: "#dc8a1c", low: "#2e7d32" };

export function craftColor(code) {
  const c = crafts[code];
  return CRAFT_COLORS[c ? c.pollution : "low"];
}

export function villageMarker(feature, latlng) {
  return L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 1.5, fillColor: craftColor(feature.properties.craft), fillOpacity: 0.95 });
}
