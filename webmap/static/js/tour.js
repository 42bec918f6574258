/* Tourist page: routes on the map, village cards with craft, hours and OCOP stars. Phone first. */
import { h, join, show } from "./dom.js";
import { T, config, items, makeMap, ready, addBoundaries } from "./common.js";
import { craftName, loadCrafts, ocopList, recognitionFilter, recognitionMatches, recognitionName, villageMarker,
  villagePopup } from "./villages.js";

const $ = (id) => document.getElementById(id);
$("planner").addEventListener("submit", (event) => event.preventDefault());

export const map = makeMap("map", [21.0, 105.85]);
await loadCrafts();
const [villages, routes] = await Promise.all([items("villages"), items("routes")]);
await addBoundaries(map, "province");

/* Plan my day: picked villages, a start point, a budget, a mode. */
const picked = [];
const byRef = Object.fromEntries(villages.features.map((f) => [f.properties.ref, f.properties]));
let start = null;
let startMarker = null;
let planned = null;

function togglePick(ref) {
  const i = picked.indexOf(ref);
  if (i >= 0) picked.splice(i, 1); else picked.push(ref);
  document.querySelectorAll(".card").forEach((c) => c.classList.toggle("picked", picked.includes(c.dataset.ref)));
  show($("picked"), picked.map((r) => h("li", null, byRef[r].name)));
}
const addButton = (ref, onclick) => h("button", { type: "button", class: "add", dataset: { ref }, onclick }, T.add);

const markers = {};
const lines = L.geoJSON(routes, { style: { color: "#ef6c00", weight: 4, opacity: 0.8 } }).addTo(map);
const villageLayer = L.geoJSON(villages, { pointToLayer: villageMarker,  // drawn after the routes, so villages stay clickable
  onEachFeature: (f, l) => {
    // pick villages on the map as well as from the list
    l.bindPopup(() => h("div", null, villagePopup(f.properties),
      addButton(f.properties.ref, () => { togglePick(f.properties.ref); map.closePopup(); })), { maxWidth: 280, maxHeight: 260 });
    markers[f.properties.ref] = l;
  } }).addTo(map);
const name = (p) => config.lang === "vi" ? p.name_vi : p.name_en;
const onRoute = new Set();
routes.features.forEach((r) => r.properties.stops.forEach((s) => onRoute.add(s.ref)));

show($("routes"), routes.features.map((r) => h("button", {
  onclick: () => map.fitBounds(L.geoJSON(r).getBounds().pad(0.2)),
}, name(r.properties) + " · " + r.properties.stops.length + " " + T.stops.toLowerCase())));

const visible = villages.features.filter((f) => onRoute.has(f.properties.ref) || (f.properties.ocop || []).length);
show($("cards"), visible.map(({ properties: p }) => h("article", { class: "card", dataset: { ref: p.ref } },
  h("h3", null, p.name),
  h("div", { class: "meta" }, craftName(p.craft) + " · " + (p.province_name || "")),
  p.recognition && p.recognition !== "unknown" ? h("div", { class: "meta recognition" }, recognitionName(p.recognition)) : null,
  h("div", { class: "meta" }, T.opening_hours + ": " + (p.opening_hours || T.closed) + (p.visit_minutes ? " · " + p.visit_minutes + " " + T.minutes : "")),
  h("p", null, config.lang === "vi" ? p.description_vi : p.description_en),
  ocopList(p.ocop),
  addButton(p.ref, (event) => { event.stopPropagation(); togglePick(p.ref); }))));
// Show only the villages of one recognition status (Decree 52/2018/NĐ-CP), on the map and in the cards.
$("cards").before(recognitionFilter((code) => {
  Object.entries(markers).forEach(([ref, marker]) => {
    if (recognitionMatches(byRef[ref], code)) villageLayer.addLayer(marker); else villageLayer.removeLayer(marker);
  });
  document.querySelectorAll(".card").forEach((c) => { c.hidden = !recognitionMatches(byRef[c.dataset.ref], code); });
  document.body.dataset.villagesShown = String(villageLayer.getLayers().length);
}));
$("cards").addEventListener("click", (event) => {
  const card = event.target.closest(".card");
  if (card && markers[card.dataset.ref]) { map.setView(markers[card.dataset.ref].getLatLng(), 14); markers[card.dataset.ref].openPopup(); }
});
if (lines.getLayers().length) map.fitBounds(lines.getBounds().pad(0.1));

map.on("click", (event) => {
  if (event.originalEvent && event.originalEvent.target.closest && event.originalEvent.target.closest(".leaflet-popup")) return;
  start = event.latlng;
  if (startMarker) startMarker.remove();
  startMarker = L.circleMarker(start, { radius: 8, color: "#1565c0", fillOpacity: 0.9 }).addTo(map);
});
function query() {
  const q = new URLSearchParams({ villages: picked.join(","), budget: $("budget").value, mode: $("mode").value,
    avoid_pollution: $("avoid").checked ? "true" : "false", lang: config.lang });
  if (start) q.set("start", start.lng.toFixed(6) + "," + start.lat.toFixed(6));
  return q.toString();
}
function planResult(plan) {
  return [
    h("ol", null, plan.stops.map((s) => h("li", null, h("b", null, s.arrive + "–" + s.leave), " " + s.name))),
    h("p", null, T.back_at + " " + plan.end + " · " + (plan.distance_m / 1000).toFixed(1) + " " + T.km),
    plan.dropped.length ? h("p", { class: "warn" }, T.not_visited + ": " + plan.dropped.map((d) => d.name + " (" + d.reason.text + ")").join("; ")) : null,
    plan.zone_m_without_option !== undefined ? h("p", { class: "hint" }, T.in_zones + ": " + Math.round(plan.zone_m) + " m (" +
      Math.round(plan.zone_m_without_option) + " m " + T.without_option + ")") : null,
    h("p", { class: "hint" }, T.method + ": " + plan.method.text),
    join([h("a", { id: "gpx-link", href: "/api/tour.gpx?" + query(), download: true }, T.gpx),
      h("a", { id: "geojson-link", href: "/api/tour.geojson?" + query(), download: true }, "GeoJSON"),
      h("a", { id: "print-link", href: "/tour/print?" + query(), target: "_blank" }, T.print)], " · "),
  ];
}
$("plan-button").addEventListener("click", async () => {
  const out = $("plan-result");
  if (!picked.length) { out.textContent = T.pick_one; return; }
  out.textContent = T.planning;
  const response = await fetch("/api/tour?" + query());
  const plan = await response.json();
  if (!response.ok) { out.textContent = plan.description; return; }
  if (planned) planned.remove();
  if (plan.geometry) { planned = L.geoJSON(plan.geometry, { style: { color: "#1565c0", weight: 5 } }).addTo(map); map.fitBounds(planned.getBounds().pad(0.15)); }
  show(out, planResult(plan));
});
ready();
