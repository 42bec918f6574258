/* Environment dashboard: stations coloured by latest VN_AQI band, time series with limits, zones.
   The page's entry module: once the map stands it starts editing (environmental officers). */
import { h, append, show } from "./dom.js";
import { T, config, csrfToken, getJSON, items, makeMap, popup, ready, row, swatch, addBoundaries } from "./common.js";
import { initEditing } from "./editing.js";

const $ = (id) => document.getElementById(id);

export const map = makeMap("map", [21.08, 105.95]);
const [stations, zones, latest] = await Promise.all([items("stations"), items("zones"), getJSON("/api/stations/latest")]);
await addBoundaries(map, "province");
const zoneLayer = L.geoJSON(zones, { style: { color: "#c62828", weight: 1, fillOpacity: 0.2 },
  onEachFeature: (f, l) => l.bindPopup(() => h("div", { class: "popup" }, h("h3", null, f.properties.name),
    (f.properties.method || "") + " · " + (f.properties.zone_date || ""))) }).addTo(map);
const select = $("parameter");
let chart = null;
let current = null;

function waterClass(w) {
  return h("p", { id: "water-class" }, h("b", null, T.water_class), ": " + w.river.message.text,
    w.health.map((x) => [h("br"), x.message.text]));
}

function exceedances(ex) {
  return [h("h3", null, T.exceedances + " (" + ex.count + ")"),
    h("ul", { id: "exceedances" }, ex.exceedances.map((e) => h("li", null, e.message.text))),
    h("details", { id: "assessed-periods" }, h("summary", null, T.assessed_periods),
      ex.periods.map((p, i) => [i ? h("br") : null, h("small", null, p.message.text)]))];
}

async function showStation(feature) {
  current = feature;
  const info = latest.stations[String(feature.id)] || { values: {} };
  $("station-title").textContent = feature.properties.name;
  const params = Object.keys(info.values);
  const keep = select.value;
  show(select, params.map((p) => h("option", null, p)));
  select.value = params.includes(keep) ? keep : (params.includes("PM2.5") ? "PM2.5" : params[0]);
  const box = show($("latest"), h("h3", null, T.latest),
    h("div", { class: "popup" }, h("dl", null, params.map((p) => row(p, info.values[p].value.toFixed(2) + " " + info.values[p].unit)))),
    feature.properties.synthetic ? h("p", { class: "warn" }, T.synthetic) : null);
  if (feature.properties.medium === "water") append(box, waterClass(await getJSON("/api/stations/" + feature.id + "/water")));
  await plot();
  if (feature.properties.medium === "air") {
    append(box, exceedances(await getJSON("/api/exceedances?limit=8&station=" + encodeURIComponent(feature.properties.ref))));
  }
}

async function plot() {
  if (!current || !select.value) return;
  const data = await getJSON("/api/stations/" + current.id + "/series?parameter=" + encodeURIComponent(select.value));
  const datasets = [{ label: data.parameter, data: data.points.map((p) => ({ x: Date.parse(p.t), y: p.v })),
    borderColor: "#7a2e0e", pointRadius: 0, borderWidth: 1.2 }];
  const limit = data.limits.find((l) => l.averaging === "1h") || data.limits[0];
  if (limit && data.points.length) {
    const xs = datasets[0].data.map((d) => d.x);
    datasets.push({ label: T.limit + " " + limit.averaging + " " + limit.document + (limit.verified ? "" : " (VERIFY)"),
      data: [{ x: Math.min(...xs), y: limit.value }, { x: Math.max(...xs), y: limit.value }],
      borderColor: "#c62828", borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5 });
  }
  if (chart) chart.destroy();
  chart = new Chart($("chart"), { type: "line", data: { datasets },
    options: { animation: false, maintainAspectRatio: false, parsing: false,
      scales: { x: { type: "linear", ticks: { callback: (v) => new Date(v).toISOString().slice(5, 13).replace("T", " ") } } } } });
}
select.addEventListener("change", plot);

const layer = L.geoJSON(stations, {
  filter: (f) => f.geometry !== null,
  pointToLayer: (f, ll) => {
    const info = latest.stations[String(f.id)];
    const color = info && info.aqi ? info.aqi.color : "#9e9e9e";
    return L.circleMarker(ll, { radius: 9, color: "#333", weight: 1, fillColor: color, fillOpacity: 0.9 });
  },
  onEachFeature: (f, l) => {
    const info = latest.stations[String(f.id)];
    const aqi = info && info.aqi ? T.aqi + ": " + info.aqi.value + " (" + info.aqi.band + ", " + info.aqi.dominant + ")" : f.properties.medium;
    l.bindPopup(() => h("div", { class: "popup" }, h("h3", null, f.properties.name), aqi));
    l.on("click", () => showStation(f));
  },
}).addTo(map);
const legend = L.control({ position: "bottomright" });
legend.onAdd = () => {
  const any = Object.values(latest.stations).find((s) => s.aqi);
  return h("div", { class: "legend" }, h("strong", null, T.aqi),
    latest.bands.map((b) => [h("br"), swatch(b.color, b.min + "–" + b.max + " " + (config.lang === "vi" ? b.name_vi : b.name_en), true)]),
    any && !any.aqi.verified ? [h("br"), h("small", null, T.unverified)] : null);
};
legend.addTo(map);
if (layer.getLayers().length) map.fitBounds(layer.getBounds().pad(0.2));
initEditing({ map, editable: [{ collection: "stations", has: (l) => layer.hasLayer(l) },
  { collection: "zones", has: (l) => zoneLayer.hasLayer(l) }] }).catch((error) => console.error("LangNghe:", error));

const alerts = await getJSON("/api/alerts?limit=20");
show($("alerts"), alerts.alerts.length ? alerts.alerts.map((a) =>
  h("li", null, h("b", null, a.rule), " · " + (a.station || a.station_ref) + " · " + a.start.slice(0, 16).replace("T", " ") +
    " · " + a.hours + " h · " + T.peak + " " + Number(a.peak).toFixed(1))) : h("li", null, T.no_alerts));

// Pollution surfaces: a slider walks the saved periods; each shows as an image over the map.
const surfaces = (await getJSON("/api/surfaces")).surfaces;
const slider = $("surface-slider");
let overlay = null;
function showSurface(i) {
  const s = surfaces[i];
  if (overlay) map.removeLayer(overlay);
  overlay = L.imageOverlay(s.url, s.bounds, { opacity: 0.6, alt: s.parameter }).addTo(map);
  const rmse = Object.entries(s.loo_rmse || {}).map(([m, v]) => m + " " + Number(v).toFixed(1)).join(", ");
  $("surface-label").textContent = s.parameter + " · " + (s.start || "").slice(0, 10) + " → " +
    (s.end || "").slice(0, 10) + " · " + s.method + " · 0–" + s.scale[1] + " · " + T.loo + ": " + rmse;
  show($("surface-notes"), (s.notes || []).map((n) => h("li", null, n.text)));
  document.body.dataset.surface = String(s.id);
}
if (surfaces.length) {
  slider.max = String(surfaces.length - 1);
  slider.value = String(surfaces.length - 1);
  slider.addEventListener("input", () => showSurface(Number(slider.value)));
  showSurface(surfaces.length - 1);
} else {
  show($("surfaces"), h("p", { class: "hint" }, T.no_surfaces));
}

// Exposure of the latest zones, communes ranked by indicator percentile x population.
function exposure(ex) {
  const ranking = ex.ranking.length
    ? h("table", null, h("thead", null, h("tr", null, h("th", null, "#"), h("th", null, T.unit), h("th", null, T.percentile),
      h("th", null, T.population))), h("tbody", null, ex.ranking.map((u) => h("tr", null, h("td", null, u.rank), h("td", null, u.name),
      h("td", null, u.percentile), h("td", null, u.population === null ? "?" : u.population.toLocaleString())))))
    : h("p", { class: "hint" }, T.no_units);
  return [h("p", null, ex.zones + " " + T.zones_on + " " + ex.date + ": " + ex.villages_inside + " " + T.villages_lc + ", " +
    ex.schools_inside + " " + T.schools + ", " + ex.clinics_inside + " " + T.clinics + ", ≈" +
    Math.round(ex.population_inside).toLocaleString() + " " + T.people), ranking];
}
try {
  const ex = await getJSON("/api/exposure?top=10");
  if (!ex.zones) throw new Error("no zones");
  show($("exposure"), exposure(ex));
} catch (error) {
  show($("exposure"), h("p", { class: "hint" }, T.no_zones));
}

const upload = $("upload");
if (upload) {
  upload.addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = $("upload-result");
    out.textContent = T.planning;  // "Planning…", as before
    const response = await fetch("/api/measurements", { method: "POST", body: new FormData(upload),
      headers: { "X-CSRFToken": csrfToken } });
    const body = await response.json();
    out.textContent = response.ok ? T.inserted + ": " + body.inserted + " · " + T.updated + ": " + body.updated +
      " · " + T.unchanged + ": " + body.unchanged : body.description;
    out.className = response.ok ? "" : "error";
  });
}
const first = stations.features.find((f) => latest.stations[String(f.id)] && latest.stations[String(f.id)].aqi);
if (first) await showStation(first);
ready();
