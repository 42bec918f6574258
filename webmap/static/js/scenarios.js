/* Saved scenarios on the planner page: the list filtered by kind and owner, a scenario renamed,
   annotated or deleted by its owner or an admin (the server decides and audits), and two
   scenarios of one kind compared side by side: parameters and weights in two columns with the
   differences marked, two synchronised maps (suitability image and features), their candidates. */
import { h, show } from "./dom.js";
import { T, config, csrfToken, getJSON } from "./common.js";
import { fmt } from "./siting_form.js";
import { relocationStyle } from "./relocation.js";

const $ = (id) => document.getElementById(id);
const KINDS = ["siting", "allocation", "compliance"];

async function call(url, method, body) {
  const response = await fetch(url, { method, body: body ? JSON.stringify(body) : undefined,
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken } });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.description || String(response.status));
  return data;
}

/* A stored timestamp as the page's language writes dates: 01/12/2026 14:05 or 2026-12-01 14:05. */
export function localDate(iso) {
  const d = new Date(iso);
  const two = (n) => String(n).padStart(2, "0");
  const time = two(d.getHours()) + ":" + two(d.getMinutes());
  return config.lang === "vi" ? two(d.getDate()) + "/" + two(d.getMonth() + 1) + "/" + d.getFullYear() + " " + time
    : d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " + time;
}

const value = (v) => v === null || v === undefined || v === "" ? "–" : typeof v === "boolean" ? (v ? T.yes : T.no)
  : typeof v === "number" ? fmt(v, 3) : Array.isArray(v) ? v.map(value).join(", ") : String(v);

/* The rows a comparison shows for a kind: [label, value of a scenario]. */
function rows(kind, scenarios) {
  const p = (s) => s.params || {};
  const r = (s) => s.results || {};
  if (kind === "siting") {
    const names = [...new Set(scenarios.flatMap((s) => (r(s).criteria || []).map((c) => c.name)))];
    const weight = (s, n) => { const c = (r(s).criteria || []).find((x) => x.name === n); return c ? fmt(100 * c.weight, 1) + " %" : "–"; };
    return [
      [T.cluster_kind, (s) => T.kinds[r(s).kind] || r(s).kind],
      [T.cell_size, (s) => value(p(s).cell_m) + " m"],
      [T.study_area, (s) => value((p(s).bbox || []).map((x) => fmt(x, 3)))],
      [T.weights_from, (s) => T.weights_sources[r(s).weights_from] || r(s).weights_from],
      ...names.map((n) => [T.weight_of + " " + (T.criteria[n] || n), (s) => weight(s, n)]),
      [T.threshold, (s) => value(r(s).threshold)],
      [T.candidates_count, (s) => value(r(s).candidates)],
      [T.mean_suitability, (s) => value(r(s).mean_suitability)],
      [T.leader, (s) => r(s).leader_stable ? T.stable : T.changes],
    ];
  }
  if (kind === "allocation") {
    return [
      [T.model, (s) => T.models[r(s).model || p(s).model] || value(r(s).model || p(s).model)],
      [T.sites_open, (s) => value(r(s).p || p(s).p)],
      [T.max_commute, (s) => value(p(s).max_commute_min)],
      [T.capacity, (s) => value(p(s).capacity)],
      [T.sites_chosen, (s) => value(r(s).sites_chosen_names || r(s).sites_chosen)],
      [T.covered, (s) => value(r(s).demand_covered_pct) + " %"],
      [T.villages_served, (s) => value(r(s).villages_served)],
      [T.villages_skipped, (s) => value((r(s).skipped_villages || []).length)],
      [T.default_demand, (s) => value(r(s).default_demand)],
      [T.commute, (s) => value(r(s).mean_commute_min) + " / " + value(r(s).max_commute_min) + " " + T.minutes],
    ];
  }
  return [[T.verdict, (s) => T.verdicts[r(s).verdict] || value(r(s).verdict)],
    [T.area, (s) => value((r(s).facts || {}).area_ha) + " ha"]];
}

/* A small map of one scenario: its suitability image and features; returns the Leaflet map. */
async function scenarioMap(node, s, style) {
  const m = L.map(node, { attributionControl: false, zoomSnap: 0.25 });
  const features = await getJSON(s.links.features);
  if (s.overlay) L.imageOverlay(s.overlay.url, s.overlay.bounds, { opacity: 0.8 }).addTo(m);
  const layer = L.geoJSON(features, s.kind === "allocation" ? relocationStyle(s) : style).addTo(m);
  const bounds = s.overlay ? L.latLngBounds(s.overlay.bounds) : layer.getLayers().length ? layer.getBounds() : null;
  if (bounds) m.fitBounds(bounds); else m.setView([21.03, 105.85], 10);
  layer.eachLayer((l) => { const q = l.feature.properties; if (q.role === "candidate") l.bindTooltip(String(q.rank), { permanent: true, direction: "center", className: "rank-label" }); });
  return { map: m, features };
}

function candidates(features) {
  const list = features.features.filter((f) => f.properties.role === "candidate").map((f) => f.properties);
  if (!list.length) return null;
  return h("table", { class: "compare-candidates" },
    h("thead", null, h("tr", null, h("th", null, "#"), h("th", null, "ha"), h("th", null, T.score))),
    h("tbody", null, list.map((c) => h("tr", null, h("td", null, String(c.rank)), h("td", null, fmt(c.area_ha, 1)),
      h("td", null, fmt(c.mean_score, 3))))));
}

/* Open the comparison of two scenarios of one kind over the map. */
export async function compare(ids, style) {
  const box = $("compare");
  const both = await Promise.all(ids.map((id) => getJSON("/api/scenarios/" + id)));
  const kind = both[0].kind;
  const table = rows(kind, both).map(([label, get]) => {
    const [a, b] = both.map(get);
    return h("tr", { class: a !== b ? "differs" : null }, h("th", { scope: "row" }, label), h("td", null, a), h("td", null, b));
  });
  const maps = both.map(() => h("div", { class: "compare-map" }));
  show(box,
    h("div", { class: "compare-head" }, h("h2", null, T.comparison + " · " + (T.scenario_kinds[kind] || kind)),
      h("button", { type: "button", id: "compare-close", onclick: () => { box.hidden = true; box.replaceChildren(); } }, T.close)),
    h("p", { class: "hint" }, T.differences_marked),
    h("table", { class: "compare-table" },
      h("thead", null, h("tr", null, h("th", null, ""), both.map((s) => h("th", null, "#" + s.id + " " + s.name,
        h("br"), h("small", null, s.created_by + " · " + localDate(s.created_at)))))),
      h("tbody", null, table)),
    h("div", { class: "compare-maps" }, maps.map((m, i) => h("div", null, h("h3", null, "#" + both[i].id + " " + both[i].name), m,
      h("div", { class: "compare-list", dataset: { of: both[i].id } })))));
  box.hidden = false;
  const drawn = await Promise.all(both.map((s, i) => scenarioMap(maps[i], s, style)));
  drawn.forEach((d, i) => show(box.querySelector(".compare-list[data-of='" + both[i].id + "']"), candidates(d.features)));
  // Synchronised: moving one map moves the other to the same view.
  let syncing = false;
  drawn.forEach((d, i) => d.map.on("move", () => {
    if (syncing) return;
    syncing = true;
    drawn[1 - i].map.setView(d.map.getCenter(), d.map.getZoom(), { animate: false });
    syncing = false;
  }));
  drawn[1].map.setView(drawn[0].map.getCenter(), drawn[0].map.getZoom(), { animate: false });
  document.body.dataset.compared = ids.join(",");
  box.scrollIntoView({ block: "start" });
}

/* The scenario list with its filters and the compare button; `open(id)` shows one on the map.
   Returns { refresh(): reload the list, manage(scenario): the rename/notes/delete form }. */
export function initScenarioList({ open, style, onError, onListed, onDeleted }) {
  const kindSelect = $("scenario-kind");
  const ownerSelect = $("scenario-owner");
  show(kindSelect, h("option", { value: "" }, T.all_kinds), KINDS.map((k) => h("option", { value: k }, T.scenario_kinds[k])));

  let asked = 0;
  async function refresh() {
    const ticket = ++asked;  // only the latest answer is shown (filters change while one loads)
    const all = (await getJSON("/api/scenarios")).scenarios.filter((s) => KINDS.includes(s.kind));
    if (ticket !== asked) return;
    const owners = [...new Set(all.map((s) => s.created_by))].sort();
    const keepOwner = ownerSelect.value;
    show(ownerSelect, h("option", { value: "" }, T.all_owners), owners.map((o) => h("option", { value: o }, o)));
    ownerSelect.value = owners.includes(keepOwner) ? keepOwner : "";
    const query = new URLSearchParams();
    if (kindSelect.value) query.set("kind", kindSelect.value);
    if (ownerSelect.value) query.set("owner", ownerSelect.value);
    const listed = (await getJSON("/api/scenarios?" + query)).scenarios.filter((s) => KINDS.includes(s.kind));
    if (ticket !== asked) return;
    const ticked = new Set([...document.querySelectorAll(".compare-pick:checked")].map((t) => t.value));
    show($("scenario-list"), listed.length ? listed.map((s) => h("li", { dataset: { id: s.id, kind: s.kind } },
      h("input", { type: "checkbox", class: "compare-pick", value: String(s.id), "aria-label": T.pick_to_compare + " #" + s.id,
        checked: ticked.has(String(s.id)), onchange: picked }),
      h("button", { type: "button", class: "link open-scenario", onclick: () => open(s.id).catch(onError) }, "#" + s.id + " " + s.name),
      h("br"), h("small", null, (T.scenario_kinds[s.kind] || s.kind) + " · " + s.created_by + " · " + localDate(s.created_at)),
      s.notes ? [h("br"), h("small", { class: "notes" }, s.notes)] : null))
      : h("li", { class: "hint" }, T.no_scenarios));
    picked();
    onListed(all);
  }
  function picked() {
    const ticks = [...document.querySelectorAll(".compare-pick:checked")];
    const kinds = new Set(ticks.map((t) => t.closest("li").dataset.kind));
    const ok = ticks.length === 2 && kinds.size === 1;
    $("scenario-compare").disabled = !ok;
    $("compare-hint").textContent = ticks.length === 2 && !ok ? T.compare_same_kind : ticks.length > 2 ? T.compare_two : "";
  }
  kindSelect.addEventListener("change", () => refresh().catch(onError));
  ownerSelect.addEventListener("change", () => refresh().catch(onError));
  $("scenario-compare").addEventListener("click", () =>
    compare([...document.querySelectorAll(".compare-pick:checked")].map((t) => Number(t.value)), style).catch(onError));

  function manage(s) {
    if (!s.may_change) return s.notes ? h("p", { class: "notes" }, s.notes) : null;
    const name = h("input", { id: "scenario-name", type: "text", value: s.name, maxlength: 200 });
    const notes = h("textarea", { id: "scenario-notes", rows: 3, maxlength: 4000 }, s.notes || "");
    const status = h("p", { id: "scenario-saved", role: "status" });
    // Deleting asks once more, on the page: the scenario, its features and its image go.
    const ask = h("p", { class: "confirm", hidden: true }, T.delete_confirm + " #" + s.id + " " + s.name + " ",
      h("button", { type: "button", id: "scenario-delete-confirm", class: "danger", onclick: async () => {
        try {
          await call("/api/scenarios/" + s.id, "DELETE");
          show($("scenario-view"), h("p", { role: "status", id: "scenario-deleted" }, T.deleted + " #" + s.id));
          document.body.dataset.deleted = String(s.id);
          onDeleted(s.id);
          await refresh();
        } catch (error) { status.textContent = error.message; status.className = "error"; }
      } }, T.delete_yes), " ",
      h("button", { type: "button", onclick: () => { ask.hidden = true; } }, T.cancel));
    return h("div", { class: "scenario-manage" },
      h("label", null, T.scenario_name, " ", name), h("label", null, T.notes, " ", notes),
      h("button", { type: "button", id: "scenario-save", onclick: async () => {
        try {
          await call("/api/scenarios/" + s.id, "PATCH", { name: name.value, notes: notes.value });
          status.textContent = T.saved; status.className = "";
          await refresh();
        } catch (error) { status.textContent = error.message; status.className = "error"; }
      } }, T.save), " ",
      h("button", { type: "button", id: "scenario-delete", class: "danger", onclick: () => { ask.hidden = false; } }, T.delete),
      ask,
      status);
  }
  return { refresh, manage };
}
