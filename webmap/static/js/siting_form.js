/* The siting form's weights: direct weights with the effective (normalised) weight shown beside
   each, or an AHP pairwise comparison of the weighted criteria with its consistency ratio; and
   where the siting inputs cover (the DEM and land-use footprints, drawn on the map). The server
   refuses negative or all-zero weights, an AHP matrix above CR 0.1 (naming the pair furthest from
   the derived weights) and a study area outside the inputs; the page says so as soon as it knows. */
import { append, h, show } from "./dom.js";
import { T, config, csrfToken } from "./common.js";

const $ = (id) => document.getElementById(id);
const locale = () => (config.lang === "vi" ? "vi-VN" : "en-GB");
export const fmt = (value, digits = 2) => Number(value).toLocaleString(locale(), { maximumFractionDigits: digits });
// Saaty's scale: 9 (the first much more important) ... 1 (equal) ... 1/9 (the second).
const SCALE = [9, 7, 5, 3, 1, 1 / 3, 1 / 5, 1 / 7, 1 / 9];
const scaleText = (v) => (v >= 1 ? String(v) : "1/" + Math.round(1 / v));

async function post(url, body) {
  const response = await fetch(url, { method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken } });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.description || String(response.status));
  return data;
}

/* Build the weights fieldset and the coverage note from /api/siting/inputs; returns
   { request(): the weights part of a siting request (throws with the reason when refused) }. */
export function initSitingForm({ map, control, inputs }) {
  const field = $("siting-weights");
  const available = inputs.criteria.filter((c) => c.available);
  const mode = () => (document.querySelector("input[name=weight-mode]:checked") || {}).value || "direct";
  let ahpResult = null;  // {weights, cr} of the matrix shown, or {error}

  const rows = available.map((c) => h("tr", { dataset: { criterion: c.name } },
    h("th", { scope: "row" }, T.criteria[c.name] || c.name),
    h("td", null, h("input", { type: "number", min: 0, max: 1, step: 0.05, value: String(c.weight),
      dataset: { criterion: c.name }, "aria-label": T.given_weight + ": " + (T.criteria[c.name] || c.name),
      oninput: update })),
    h("td", null, h("output", { dataset: { effective: c.name } }))));
  const unavailable = inputs.criteria.filter((c) => !c.available)
    .map((c) => h("li", null, (T.criteria[c.name] || c.name) + ": " + T.no_input));
  append(field,
    h("div", { class: "weight-mode" },
      h("label", null, h("input", { type: "radio", name: "weight-mode", value: "direct", checked: true, onchange: update }), " ", T.direct_weights),
      h("label", null, h("input", { type: "radio", name: "weight-mode", value: "ahp", id: "weight-mode-ahp", onchange: update }), " ", T.ahp_weights)),
    h("table", { class: "weights", id: "weights-table" },
      h("thead", null, h("tr", null, h("th", null, T.criterion), h("th", null, T.given_weight), h("th", null, T.effective_weight))),
      h("tbody", null, rows)),
    unavailable.length ? h("ul", { class: "hint" }, unavailable) : null,
    h("p", { id: "weights-note", class: "hint", role: "status" }),
    h("div", { id: "ahp-panel", hidden: true },
      h("p", { class: "hint" }, T.ahp_hint),
      h("div", { id: "ahp-pairs" }),
      h("p", { id: "ahp-cr", role: "status" })));

  const given = () => Object.fromEntries([...field.querySelectorAll("input[type=number][data-criterion]")]
    .map((el) => [el.dataset.criterion, Number(el.value)]));
  const weighted = () => Object.entries(given()).filter(([, w]) => w > 0).map(([n]) => n);

  function direct() {
    const weights = given();
    const negative = Object.entries(weights).filter(([, w]) => !(w >= 0)).map(([n]) => T.criteria[n] || n);
    const total = Object.values(weights).reduce((s, w) => s + (w > 0 ? w : 0), 0);
    if (negative.length) return { error: T.weights_negative + ": " + negative.join(", ") };
    if (!(total > 0)) return { error: T.weights_all_zero };
    return { weights: Object.fromEntries(Object.entries(weights).map(([n, w]) => [n, w / total])), total };
  }

  function pairs(names) {
    return names.flatMap((a, i) => names.slice(i + 1).map((b) => [a, b]));
  }
  function matrix(names) {
    const a = names.map(() => names.map(() => 1));
    field.querySelectorAll("#ahp-pairs select").forEach((el) => {
      const i = names.indexOf(el.dataset.first);
      const j = names.indexOf(el.dataset.second);
      if (i < 0 || j < 0) return;
      a[i][j] = Number(el.value);
      a[j][i] = 1 / Number(el.value);
    });
    return a;
  }
  function drawPairs(names) {
    const keep = Object.fromEntries([...field.querySelectorAll("#ahp-pairs select")]
      .map((el) => [el.dataset.first + "|" + el.dataset.second, el.value]));
    show($("ahp-pairs"), pairs(names).map(([a, b]) => h("label", { class: "ahp-pair" },
      h("span", null, (T.criteria[a] || a) + " : " + (T.criteria[b] || b)), " ",
      h("select", { dataset: { first: a, second: b }, onchange: checkAhp },
        SCALE.map((v) => h("option", { value: String(v), selected: String(v) === (keep[a + "|" + b] || "1") }, scaleText(v)))))));
  }
  let asked = 0;
  async function checkAhp() {
    const names = weighted();
    const ticket = ++asked;
    if (names.length < 2) { ahpResult = { error: T.ahp_two }; paint(); return; }
    try {
      const r = await post("/api/siting/ahp", { criteria: names, ahp: matrix(names) });
      if (ticket === asked) ahpResult = r.refused ? { error: r.refused } : r;
    } catch (error) {
      if (ticket === asked) ahpResult = { error: error.message };
    }
    if (ticket === asked) paint();
  }

  function paint() {
    const ahp = mode() === "ahp";
    $("ahp-panel").hidden = !ahp;
    const state = ahp ? ahpResult || {} : direct();
    field.querySelectorAll("output[data-effective]").forEach((el) => {
      const w = state.weights ? state.weights[el.dataset.effective] : undefined;
      el.textContent = w === undefined ? "–" : fmt(100 * w, 1) + " %";
    });
    const note = $("weights-note");
    note.className = state.error ? "error" : "hint";
    note.textContent = state.error ? state.error : ahp ? T.ahp_effective
      : Math.abs(state.total - 1) < 1e-9 ? T.weights_sum_one : T.weights_scaled + " " + fmt(state.total, 3) + ")";
    if (ahp) {
      $("ahp-cr").className = state.error ? "error" : "";
      $("ahp-cr").textContent = state.error ? "" : state.cr === undefined ? "" : T.consistency_ratio + " = " + fmt(state.cr, 3) + " ≤ " + fmt(state.max_cr, 1);
    }
    document.body.dataset.weightsState = state.error ? "refused" : "ok";
  }
  function update() {
    if (mode() === "ahp") { drawPairs(weighted()); checkAhp(); }
    paint();
  }
  update();

  // Where the inputs cover: a note and dashed boxes on the map (in the layer switcher).
  const boxes = L.layerGroup();
  const notes = Object.entries(inputs.coverage || {}).map(([, c]) => {
    const [w, s, e, n] = c.bounds;
    L.rectangle([[s, w], [n, e]], { color: "#455a64", weight: 1.5, dashArray: "6 4", fill: false, interactive: false })
      .bindTooltip(c.title + " · " + c.file, { sticky: true }).addTo(boxes);
    return h("li", null, h("b", null, c.title), " (" + c.file + "): " + c.extent);
  });
  if (notes.length) {
    boxes.addTo(map);
    if (control) control.addOverlay(boxes, T.input_coverage);
  }
  const roads = inputs.inputs.roads ? [h("li", null, h("b", null, T.roads_input), " (" + inputs.inputs.roads + ")")] : [];
  show($("siting-inputs"), h("strong", null, T.inputs_cover), h("ul", null, notes, roads));

  return {
    request() {
      if (mode() === "ahp") {
        if (!ahpResult || ahpResult.error) throw new Error((ahpResult && ahpResult.error) || T.ahp_two);
        const names = weighted();
        return { criteria: names, ahp: matrix(names) };
      }
      const state = direct();
      if (state.error) throw new Error(state.error);
      const weights = given();
      const names = Object.keys(weights).filter((n) => weights[n] > 0);
      return { criteria: names, weights: Object.fromEntries(names.map((n) => [n, weights[n]])), normalise: true };
    },
  };
}
