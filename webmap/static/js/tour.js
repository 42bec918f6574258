/* Tourist page: the villages that welcome visitors (clustered, by craft symbol), curated
   routes, village cards, and "plan my day": priorities, order, date, start time, lunch.
   Phone first. */
import { h, join, show } from "./dom.js";
import { T, config, items, makeMap, ready, addBoundaries, groupBelow, groupLayer, tiled, tileLayer } from "./common.js";
import {
  CRAFT_GROUPS, craftIcon, craftGroup, craftName, craftPollution, hoursText, loadCrafts, ocopList, recognitionFilter,
  recognitionMatches, recognitionName, villagePopup,
} from "./villages.js";

const $ = (id) => document.getElementById(id);
$("planner").addEventListener("submit", (event) => event.preventDefault());

export const map = makeMap("map", [21.0, 105.85]);
await loadCrafts();
// Many villages (beyond the page_tiles_above setting): only the welcoming ones are downloaded,
// the hazards are drawn from the tiles.
const manyVillages = tiled("villages");
const [villages, routes] = await Promise.all([items("villages", manyVillages ? "&visitable=true" : ""), items("routes")]);
await addBoundaries(map, "province");

/* Stops are only the villages that welcome visitors; polluting working sites (recycling,
   smelting...) are a hazard layer the visitor may turn on, never a stop. */
const isHazard = (p) => p.visitable !== true && craftPollution(p.craft) === "high";
const welcome = villages.features.filter((f) => f.properties.visitable === true);
const hazards = villages.features.filter((f) => isHazard(f.properties));
const byRef = Object.fromEntries(welcome.map((f) => [f.properties.ref, f.properties]));
const name = (p) => config.lang === "vi" ? p.name_vi : p.name_en;

/* The day: picked stops in the visitor's order, each must-see or nice to have. */
export const picked = [];
let start = null;
let startMarker = null;
let planned = null;

function refreshPicked() {
  document.querySelectorAll(".card").forEach((c) => c.classList.toggle("picked", picked.some((s) => s.ref === c.dataset.ref)));
  $("picked-empty").hidden = picked.length > 0;
  show($("picked"), picked.map((stop, i) => h("li", { dataset: { ref: stop.ref } },
    h("span", { class: "stop-name" }, byRef[stop.ref].name),
    h("select", { class: "priority", "aria-label": T.priority, onchange: (e) => { stop.must = e.target.value === "must"; } },
      h("option", { value: "must", selected: stop.must }, T.must_see),
      h("option", { value: "nice", selected: !stop.must }, T.nice_to_have)),
    h("button", { type: "button", class: "up", "aria-label": T.move_up, title: T.move_up, disabled: i === 0, onclick: () => move(i, -1) }, "↑"),
    h("button", { type: "button", class: "down", "aria-label": T.move_down, title: T.move_down, disabled: i === picked.length - 1, onclick: () => move(i, 1) }, "↓"),
    h("button", { type: "button", class: "remove", "aria-label": T.remove, title: T.remove, onclick: () => togglePick(stop.ref) }, "×"))));
}
function move(i, step) {
  const [stop] = picked.splice(i, 1);
  picked.splice(i + step, 0, stop);
  $("keep-order").checked = true;  // the visitor set the order: keep it
  refreshPicked();
}
function togglePick(ref) {
  const i = picked.findIndex((s) => s.ref === ref);
  if (i >= 0) picked.splice(i, 1); else picked.push({ ref, must: false });
  refreshPicked();
}
const addButton = (ref, onclick) => h("button", { type: "button", class: "add", dataset: { ref }, onclick }, T.add);

/* The map: curated routes, the welcoming villages clustered, the hazard layer off. */
const markers = {};
const lines = L.geoJSON(routes, { style: { color: "#ef6c00", weight: 4, opacity: 0.8 } }).addTo(map);
const cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
L.geoJSON({ type: "FeatureCollection", features: welcome }, {
  pointToLayer: (f, latlng) => L.marker(latlng, { icon: craftIcon(f.properties.craft), title: f.properties.name }),
  onEachFeature: (f, l) => {
    l.bindPopup(() => h("div", null, villagePopup(f.properties),
      addButton(f.properties.ref, () => { togglePick(f.properties.ref); map.closePopup(); })), { maxWidth: 280, maxHeight: 260 });
    markers[f.properties.ref] = l;
  },
}).eachLayer((l) => cluster.addLayer(l));
map.addLayer(cluster);
const hazardPopup = (p) => h("div", null, villagePopup(p), h("p", { class: "warn" }, T.hazard_note));
const hazardStyle = (p) => isHazard(p) ? { radius: 6, color: "#fff", weight: 1.5, fill: true, fillColor: "#b42318", fillOpacity: 0.95 } : [];
/* Many villages: the hazards are drawn from the villages' tiles (the others hidden by the
   style) and, below the group_below_zoom setting, as counted groups of hazards: the groups
   count the villages by craft and by visitable, a group here is those of a high-polluting
   craft that do not welcome visitors. */
const below = manyVillages ? groupBelow("villages") : 0;
const hazardCount = (g) => Object.entries(g.by).reduce((n, [craft, visits]) => craftPollution(craft) !== "high" ? n
  : n + Object.entries(visits).reduce((m, [visitable, k]) => visitable === "true" ? m : m + k, 0), 0);
const hazardTiles = () => [
  below ? groupLayer(map, "villages", { zIndex: 450, maxWidth: 280, below, by: "craft,visitable", className: "group-hazard",
    style: hazardStyle, popup: hazardPopup, count: hazardCount, label: T.hazard_group }) : null,
  tileLayer(map, "villages", { zIndex: 450, maxWidth: 280, minZoom: below, popup: hazardPopup, style: hazardStyle }),
].filter(Boolean);
const hazardLayer = manyVillages ? L.layerGroup(hazardTiles())
  : L.geoJSON({ type: "FeatureCollection", features: hazards }, {
    pointToLayer: (f, latlng) => L.marker(latlng, { icon: craftIcon(f.properties.craft, "craft-hazard"), title: f.properties.name }),
    onEachFeature: (f, l) => l.bindPopup(() => hazardPopup(f.properties), { maxWidth: 280, maxHeight: 260 }),
  });
$("hazards").addEventListener("change", (e) => { if (e.target.checked) hazardLayer.addTo(map); else hazardLayer.remove(); });

const used = new Set(welcome.map((f) => craftGroup(f.properties.craft).key));
show($("legend-items"),
  CRAFT_GROUPS.filter((g) => used.has(g.key)).map((g) => h("li", null, h("span", { class: "craft-icon craft-" + g.key }, g.symbol), " ", T.groups[g.key])),
  h("li", null, h("span", { class: "craft-icon craft-hazard" }, "⚠"), " ", T.hazard),
  below ? h("li", { id: "hazard-group-entry" }, h("span", { class: "group group-hazard group-swatch", "aria-hidden": "true" }, "12"),
    " ", T.hazard_group_legend) : null,
  h("li", null, h("i", { class: "line-route" }), " ", T.curated_route),
  h("li", null, h("i", { class: "line-plan" }), " ", T.your_route),
  h("li", null, h("span", { class: "poi-icon poi-P" }, "P"), " ", T.parking),
  h("li", null, h("span", { class: "poi-icon poi-B" }, "B"), " ", T.bus));

// The hazard groups' entry is shown at the zooms that draw them.
const groupEntry = $("hazard-group-entry");
const showGroupEntry = () => { if (groupEntry) groupEntry.hidden = map.getZoom() >= below; };
map.on("zoomend", showGroupEntry);
showGroupEntry();

const onRoute = new Set();
routes.features.forEach((r) => r.properties.stops.forEach((s) => onRoute.add(s.ref)));
show($("routes"), routes.features.map((r) => h("button", {
  type: "button", onclick: () => map.fitBounds(L.geoJSON(r).getBounds().pad(0.2)),
}, name(r.properties) + " · " + r.properties.stops.length + " " + T.stops.toLowerCase())));

show($("cards"), welcome.map(({ properties: p }) => h("article", { class: "card", dataset: { ref: p.ref } },
  h("h3", null, p.name),
  h("div", { class: "meta" }, craftName(p.craft) + " · " + (p.province_name || "")),
  p.recognition && p.recognition !== "unknown" ? h("div", { class: "meta recognition" }, recognitionName(p.recognition)) : null,
  h("div", { class: "meta hours" }, T.opening_hours + ": " + hoursText(p.opening_hours)
    + (p.visit_minutes ? " · " + T.visit + " " + p.visit_minutes + " " + T.minutes : "")),
  h("p", null, config.lang === "vi" ? p.description_vi : p.description_en),
  ocopList(p.ocop),
  addButton(p.ref, (event) => { event.stopPropagation(); togglePick(p.ref); }))));
// Show only the villages of one recognition status (Decree 52/2018/NĐ-CP), on the map and in the cards.
$("cards").before(recognitionFilter((code) => {
  Object.entries(markers).forEach(([ref, marker]) => {
    if (recognitionMatches(byRef[ref], code)) cluster.addLayer(marker); else cluster.removeLayer(marker);
  });
  document.querySelectorAll(".card").forEach((c) => { c.hidden = !recognitionMatches(byRef[c.dataset.ref], code); });
  document.body.dataset.villagesShown = String(cluster.getLayers().length);
}));
$("cards").addEventListener("click", (event) => {
  const card = event.target.closest(".card");
  const marker = card && markers[card.dataset.ref];
  if (marker) cluster.zoomToShowLayer(marker, () => marker.openPopup());
});
if (lines.getLayers().length) map.fitBounds(lines.getBounds().pad(0.1));

const startIcon = () => L.divIcon({ className: "start-icon", html: h("span", null, T.start), iconSize: null, iconAnchor: [0, 0] });
map.on("click", (event) => {
  // a popup's or a tiled hazard's click (it opens that hazard's popup) sets no start
  if (event.originalEvent && event.originalEvent.target.closest
    && event.originalEvent.target.closest(".leaflet-popup, .leaflet-tiles-villages-pane")) return;
  start = event.latlng;
  if (startMarker) startMarker.remove();
  startMarker = L.marker(start, { icon: startIcon(), interactive: false }).addTo(map);
});
$("date").value = config.today || new Date().toISOString().slice(0, 10);

function query() {
  const q = new URLSearchParams({
    villages: picked.map((s) => s.ref).join(","), must: picked.filter((s) => s.must).map((s) => s.ref).join(","),
    order: $("keep-order").checked ? "given" : "best", date: $("date").value, start_time: $("start-time").value,
    lunch: $("lunch").checked ? "true" : "false", budget: $("budget").value, mode: $("mode").value,
    avoid_pollution: $("avoid").checked ? "true" : "false", lang: config.lang });
  if (start) q.set("start", start.lng.toFixed(6) + "," + start.lat.toFixed(6));
  return q.toString();
}

/* Car parks, bus stops... near a stop (from the points-of-interest layer), nearest first. */
const poiLetter = (category) => category === "parking" ? "P" : category.startsWith("bus") ? "B" : "i";
const poiLabel = (p) => (config.lang === "vi" ? p.category_vi : p.category_en) + (p.name ? " " + p.name : "");
function nearbyLine(nearby) {
  if (!nearby || !nearby.length) return null;
  return h("div", { class: "hint nearby" }, T.nearby + ": ",
    join(nearby.map((p) => h("span", null, h("span", { class: "poi-icon poi-" + poiLetter(p.category) }, poiLetter(p.category)),
      " " + poiLabel(p) + " · " + Math.round(p.distance_m) + " m")), ", "));
}

function scheduleItems(plan) {
  const out = [];
  const lunch = plan.lunch && h("li", { class: "lunch" }, h("b", null, plan.lunch.start + "–" + plan.lunch.end), " " + T.lunch);
  if (lunch && !plan.lunch.after) out.push(lunch);
  plan.stops.forEach((s, i) => {
    out.push(h("li", { class: "stop", dataset: { ref: s.ref } }, h("span", { class: "num" }, String(i + 1)),
      h("b", null, s.arrive + "–" + s.leave), " " + s.name + " ",
      h("span", { class: "tag " + s.priority }, s.priority === "must" ? T.must_see : T.nice_to_have),
      s.hours ? h("div", { class: "hint" }, T.opening_hours + ": " + s.hours.text) : null,
      nearbyLine(s.nearby)));
    if (lunch && plan.lunch.after === s.ref) out.push(lunch);
  });
  return out;
}

function planResult(plan) {
  const notes = [...plan.notes, ...plan.dropped.map((d) => ({ text: T.not_visited + ": " + d.name + " (" + d.reason.text + ")" }))];
  return [
    h("ul", { class: "schedule" }, h("li", { class: "start" }, h("b", null, plan.start.time), " " + T.start), scheduleItems(plan)),
    h("p", null, T.back_at + " " + plan.end + " · " + (plan.distance_m / 1000).toLocaleString(config.lang === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: 1 }) + " " + T.km),
    notes.length ? h("ul", { id: "plan-notes", class: "notes warn" }, notes.map((n) => h("li", null, n.text))) : null,
    h("p", { class: "hint", id: "zone-metres" }, T.in_zones + ": " + Math.round(plan.zone_m) + " m"
      + (plan.zone_m_without_option !== undefined ? " (" + Math.round(plan.zone_m_without_option) + " m " + T.without_option + ")" : "")),
    $("mode").value === "walk" ? h("p", { class: "hint" }, T.walk_limit + ": " + (plan.walk_limit_m / 1000) + " " + T.km) : null,
    h("p", { class: "hint" }, T.method + ": " + plan.method.text),
    join([h("a", { id: "gpx-link", href: "/api/tour.gpx?" + query(), download: true }, T.gpx),
      h("a", { id: "geojson-link", href: "/api/tour.geojson?" + query(), download: true }, "GeoJSON"),
      h("a", { id: "print-link", href: "/tour/print?" + query(), target: "_blank" }, T.print)], " · "),
  ];
}

/* The planned day on the map: the route (along the roads when a network is loaded), the
   stops numbered in visiting order and the start marked, all in view. */
function drawPlan(plan) {
  if (planned) planned.remove();
  planned = L.featureGroup().addTo(map);
  if (plan.geometry) L.geoJSON(plan.geometry, { style: { color: "#1565c0", weight: 5 } }).addTo(planned);
  plan.stops.forEach((s, i) => L.marker([s.lat, s.lon], {
    icon: L.divIcon({ className: "stop-icon", html: h("span", null, String(i + 1)), iconSize: [26, 26], iconAnchor: [13, 13] }),
    title: (i + 1) + ". " + s.name, zIndexOffset: 1000,
  }).addTo(planned));
  plan.stops.forEach((s) => (s.nearby || []).forEach((p) => L.marker([p.lat, p.lon], {
    icon: L.divIcon({ className: "poi-marker", html: h("span", { class: "poi-icon poi-" + poiLetter(p.category) }, poiLetter(p.category)),
      iconSize: [18, 18], iconAnchor: [9, 9] }),
    title: poiLabel(p),
  }).bindPopup(() => h("div", null, h("strong", null, poiLabel(p)), h("div", null, Math.round(p.distance_m) + " m"))).addTo(planned)));
  if (startMarker) startMarker.remove();
  startMarker = L.marker([plan.start.lat, plan.start.lon], { icon: startIcon(), interactive: false, zIndexOffset: 1100 }).addTo(planned);
  map.fitBounds(planned.getBounds().pad(0.15));
}

/* After planning, the list shows the visiting order (the dropped stops last). */
function reorderPicked(plan) {
  const rank = Object.fromEntries(plan.stops.map((s, i) => [s.ref, i]));
  picked.sort((a, b) => (rank[a.ref] ?? 99) - (rank[b.ref] ?? 99));
  refreshPicked();
}

$("plan-button").addEventListener("click", async () => {
  const out = $("plan-result");
  if (!picked.length) { out.textContent = T.pick_one; return; }
  out.textContent = T.planning;
  const response = await fetch("/api/tour?" + query());
  const plan = await response.json();
  if (!response.ok) { out.textContent = plan.description; return; }
  drawPlan(plan);
  reorderPicked(plan);
  show(out, planResult(plan));
  ready("planned");
});
refreshPicked();
ready();
