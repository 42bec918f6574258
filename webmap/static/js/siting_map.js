/* Siting results on the planner map: the suitability layer (in the layer switcher, with its
   colour ramp, low and high labels and an opacity slider) and each candidate's popup: every
   criterion's value with its unit, the Decree 32 verdict, and why it ranks where it does. */
import { h } from "./dom.js";
import { T, config } from "./common.js";

const LOCALE = config.lang === "vi" ? "vi-VN" : "en-GB";
const fmt = (value, digits) => value === null || value === undefined || !Number.isFinite(Number(value)) ? "–"
  : new Intl.NumberFormat(LOCALE, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(Number(value));
// How each criterion's raw value reads: its unit and decimals (land use is a 0-1 class score).
const UNITS = {
  road_distance_m: [" m", 0], village_distance_m: [" m", 0], residential_distance_m: [" m", 0],
  facility_distance_m: [" m", 0], slope_deg: ["°", 1], elevation_m: [" m", 1], landuse: ["", 2],
};
const rawValue = (name, value) => {
  const [unit, digits] = UNITS[name] || ["", 2];
  return name === "landuse" ? fmt(value, digits) + " (" + T.score_scale + ")" : fmt(value, digits) + unit;
};

let legend = null;   // one legend for the page; it follows the suitability layer shown
let current = null;  // the suitability layer the legend and slider act on

function legendControl(map) {
  const slider = h("input", { type: "range", id: "suitability-opacity", min: "0", max: "100", value: "75",
    "aria-label": T.opacity });
  slider.addEventListener("input", () => { if (current) current.setOpacity(Number(slider.value) / 100); });
  const ramp = h("div", { class: "ramp suitability-ramp", id: "suitability-ramp" });
  // On a phone it starts folded to its title (open, it would cover the candidates).
  const box = h("details", { class: "legend suitability-legend", id: "suitability-legend", hidden: true,
    open: matchMedia("(min-width: 600px)").matches }, h("summary", null, T.suitability), ramp,
    h("div", { class: "ramp-ends" }, h("span", { id: "suitability-low" }, T.low + " (0)"),
      h("span", { id: "suitability-high" }, T.high + " (1)")),
    h("label", { class: "opacity" }, T.opacity + " ", slider));
  const control = L.control({ position: "bottomleft" });
  control.onAdd = () => { L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box); return box; };
  control.addTo(map);
  return { box, ramp, slider };
}

/* The suitability image of a scenario on the map and in the layer switcher; its legend shows
   while it is on the map. */
export function suitabilityLayer({ map, control, overlay }) {
  legend = legend || legendControl(map);
  const layer = L.imageOverlay(overlay.url, overlay.bounds, { opacity: Number(legend.slider.value) / 100,
    alt: T.suitability, className: "suitability-image" });
  legend.ramp.style.background = "linear-gradient(to right, " + (overlay.ramp || ["#d73027", "#1a9850"]).join(", ") + ")";
  layer.on("add", () => { current = layer; legend.box.hidden = false; document.body.dataset.suitabilityShown = "1"; });
  layer.on("remove", () => { if (current === layer) { legend.box.hidden = true; document.body.dataset.suitabilityShown = "0"; } });
  layer.addTo(map);
  if (control) control.addOverlay(layer, T.suitability);
  return layer;
}

/* What the popup needs of the whole run: its candidates (by rank), Decree 32 checks, criteria. */
export function candidateContext(scenario, features) {
  const r = scenario.results || {};
  return {
    candidates: features.features.filter((f) => f.properties.role === "candidate").map((f) => f.properties)
      .sort((a, b) => a.rank - b.rank),
    checks: Object.fromEntries((r.compliance || []).map((c) => [c.rank, c.verdict])),
    criteria: (r.criteria || []).filter((c) => c.weight > 0),
  };
}

function rankWords(p, context) {
  const all = context.candidates;
  const i = all.findIndex((c) => c.rank === p.rank);
  const words = [T.rank_of.replace("{rank}", p.rank).replace("{count}", all.length)];
  const before = all[i - 1];
  const after = all[i + 1];
  if (before) words.push(T.below.replace("{diff}", fmt(before.mean_score - p.mean_score, 3))
    .replace("{rank}", before.rank).replace("{score}", fmt(before.mean_score, 2)));
  if (after) words.push(T.above.replace("{diff}", fmt(p.mean_score - after.mean_score, 3))
    .replace("{rank}", after.rank).replace("{score}", fmt(after.mean_score, 2)));
  return words.join("; ");
}

/* The popup of one candidate (its feature's properties) among the run's others. */
export function candidatePopup(p, context) {
  const scored = context.criteria.map((c) => ({ ...c, score: p["mean_score_" + c.name] }))
    .filter((c) => Number.isFinite(c.score));
  const byScore = [...scored].sort((a, b) => b.score - a.score);
  const name = (c) => T.criterion_names[c.name] || c.name;
  const best = byScore[0];
  const worst = byScore[byScore.length - 1];
  const verdict = context.checks[p.rank];
  return h("div", { class: "popup candidate-popup", dataset: { rank: p.rank } },
    h("h3", null, T.candidate + " " + p.rank),
    h("p", null, fmt(p.area_ha, 1) + " ha · " + T.score + " " + fmt(p.mean_score, 2) + " · " + T.compactness + " " +
      fmt(p.compactness, 2)),
    p.touches_edge ? h("p", { class: "edge-flag" }, T.crosses_edge.replace("{pct}", fmt(p.inside_pct, 0))) : null,
    h("table", { class: "criterion-values" },
      h("thead", null, h("tr", null, h("th", null, T.criterion), h("th", { class: "num" }, T.value),
        h("th", { class: "num" }, T.score))),
      h("tbody", null, context.criteria.map((c) => h("tr", { dataset: { criterion: c.name } },
        h("td", null, name(c)), h("td", { class: "num" }, rawValue(c.name, p["mean_" + c.name])),
        h("td", { class: "num" }, fmt(p["mean_score_" + c.name], 2)))))),
    h("p", { class: "decree32" }, h("b", null, T.decree32 + ": "),
      verdict ? h("span", { class: verdict }, T.decree32_verdicts[verdict] || verdict) : T.not_checked),
    h("p", { class: "why-rank" }, h("b", null, T.why_rank + ": "), rankWords(p, context),
      best ? [h("br"), T.strongest + ": " + name(best) + " (" + fmt(best.score, 2) + ")"] : null,
      worst && worst !== best ? [h("br"), T.weakest + ": " + name(worst) + " (" + fmt(worst.score, 2) + ")"] : null));
}
