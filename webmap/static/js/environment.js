/* Environment dashboard: stations coloured by latest VN_AQI band, time series with limits, zones.
   The page's entry module: once the map stands it starts editing (environmental officers). */
import { h, append, show } from "./dom.js";
import { T, config, getJSON, items, layerData, makeMap, popup, ready, row, swatch, addBoundaries, tileLayer } from "./common.js";
import { initEditing } from "./editing.js";
import { initAlerts } from "./env_alerts.js";
import { initSurfaces } from "./env_surfaces.js";
import { initTrends } from "./env_trends.js";
import { initZones, methodText } from "./env_zones.js";
import { initStations } from "./env_stations.js";
import { initUpload } from "./env_upload.js";
import { number, showDay } from "./env_time.js";

const $ = (id) => document.getElementById(id);

export const map = makeMap("map", [21.08, 105.95]);
// Zones beyond the page_tiles_above setting come from their vector tiles (zones is then null).
let [stations, zones] = await Promise.all([items("stations"), layerData("zones")]);
let latest = await getJSON("/api/stations/latest");
await addBoundaries(map, "province");
const ZONE_STYLE = { color: "#c62828", weight: 1, fillOpacity: 0.2 };
const zonePopup = (p) => h("div", { class: "popup" }, h("h3", null, p.name), methodText(p.method) + " · " + showDay(p.zone_date));
const zoneLayer = zones ? L.geoJSON(zones, { style: ZONE_STYLE, onEachFeature: (f, l) => l.bindPopup(() => zonePopup(f.properties)) })
  : tileLayer(map, "zones", { zIndex: 405, style: Object.assign({ fill: true }, ZONE_STYLE), popup: zonePopup });
zoneLayer.addTo(map);
const select = $("parameter");
let chart = null;
let current = null;

// Times are shown in Hà Nội time with the zone said; the browser's own zone plays no part.
export const ZONE = "Asia/Ho_Chi_Minh";
const locale = config.lang === "vi" ? "vi-VN" : "en-GB";
const clock = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
/** The parts of an instant on the Hà Nội clock: {day, month, year, hour, minute}. */
function parts(ms) {
  return Object.fromEntries(clock.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
}
const stamp = { format: (d) => { const p = parts(d); return p.day + "/" + p.month + "/" + p.year + " " + p.hour + ":" + p.minute; } };
const tick = { format: (d) => { const p = parts(d); return p.day + "/" + p.month + " " + p.hour; } };
const dayKey = { format: (d) => { const p = parts(d); return p.year + "-" + p.month + "-" + p.day; } };
const relative = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
const HOUR = 3600e3;
const GREY = "#9e9e9e";

/** "22/01/2019 15:00 (giờ Hà Nội, UTC+7)": the zone in words (`zone` false: where a heading says it). */
export function localStamp(iso, zone = true) {
  return stamp.format(new Date(iso)) + (zone ? " (" + T.hanoi_time + ")" : "");
}

/** How long ago, in the page's language ("7 năm trước", "3 hours ago"). */
export function age(iso, now = Date.now()) {
  const hours = (Date.parse(iso) - now) / HOUR;
  for (const [unit, size] of [["year", 24 * 365], ["month", 24 * 30], ["day", 24], ["hour", 1]]) {
    if (Math.abs(hours) >= size) return relative.format(Math.round(hours / size), unit);
  }
  return relative.format(Math.round(hours * 60), "minute");
}

/** A local calendar day "YYYY-MM-DD" of an instant. */
const localDay = (ms) => dayKey.format(new Date(ms));
/** The instant a local day starts ("YYYY-MM-DD" in Hà Nội, UTC+7 all year). */
const dayStart = (day) => day + "T00:00:00+07:00";
const nextDay = (day) => localDay(Date.parse(dayStart(day)) + 36 * HOUR);

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

const mediumName = (f) => (T.medium || {})[f.properties.medium] || f.properties.medium;

async function showStation(feature) {
  current = feature;
  const info = latest.stations[String(feature.id)] || { values: {} };
  $("station-title").textContent = feature.properties.name;
  const params = Object.keys(info.values);
  document.dispatchEvent(new CustomEvent("langnghe:station", { detail: { id: feature.id, name: feature.properties.name, parameters: params } }));
  const keep = select.value;
  show(select, params.map((p) => h("option", null, p)));
  select.value = params.includes(keep) ? keep : (params.includes("PM2.5") ? "PM2.5" : params[0]);
  const box = show($("latest"), h("h3", null, T.latest + " (" + T.hanoi_time + ")"),
    h("div", { class: "popup" }, h("dl", null, params.map((p) => row(p, number(info.values[p].value, config.lang, 2) + " " +
      info.values[p].unit + " · " + localStamp(info.values[p].time, false) + " · " + age(info.values[p].time))))),
    feature.properties.synthetic ? h("p", { class: "warn" }, T.synthetic) : null);
  if (feature.properties.medium === "water") append(box, waterClass(await getJSON("/api/stations/" + feature.id + "/water")));
  $("series-since").value = "";
  $("series-until").value = "";
  await plot();
  if (feature.properties.medium === "air") {
    append(box, exceedances(await getJSON("/api/exceedances?limit=8&station=" + encodeURIComponent(feature.properties.ref))));
  }
}

/** Hourly points with a null at every missing hour, so that Chart.js leaves gaps as gaps. */
export function withGaps(points) {
  const out = [];
  for (const p of points) {
    const x = Date.parse(p.t);
    const last = out.length ? out[out.length - 1].x : null;
    for (let t = last === null ? x : last + HOUR; t < x; t += HOUR) out.push({ x: t, y: null });
    out.push({ x, y: p.v });
  }
  return out;
}

/** The server's 24-hour means (the CSV export's rule: a day short of 18 hours has none) as a step
    across each local day; a day without a mean is a gap, not a line joining its neighbours. */
export function dailyMeans(means) {
  const out = [];
  for (const d of means) {
    const start = Date.parse(d.start);
    if (d.mean === null) { out.push({ x: start, y: null }); continue; }
    if (out.length && out[out.length - 1].x < start) out.push({ x: start, y: null });
    out.push({ x: start, y: d.mean }, { x: start + 24 * HOUR, y: d.mean });
  }
  return out;
}

function limitLine(limit, xs, color, label) {
  const short = label + " " + limit.value + " " + (limit.unit || "") + " · " + limit.document + " · " +
    (limit.verified ? T.verified : T.not_verified);
  return { label: short + (limit.source && limit.source.text ? " (" + limit.source.text + ")" : ""), short, limit: true,
    data: [{ x: Math.min(...xs), y: limit.value },
    { x: Math.max(...xs), y: limit.value }], borderColor: color, borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5 };
}

let plots = 0;  // the latest plot wins: an earlier one still waiting for its answer stops
async function plot() {
  if (!current || !select.value) return;
  const mine = ++plots;
  const since = $("series-since").value;
  const until = $("series-until").value;
  const range = since && until ? "&since=" + encodeURIComponent(dayStart(since)) + "&until=" +
    encodeURIComponent(dayStart(nextDay(until))) : "";
  const data = await getJSON("/api/stations/" + current.id + "/series?parameter=" + encodeURIComponent(select.value) + range);
  if (mine !== plots) return;
  const info = (latest.stations[String(current.id)] || { values: {} }).values[data.parameter];
  const unit = info ? info.unit : ((data.limits[0] || {}).unit || "");
  const hourly = withGaps(data.points);
  const datasets = [{ label: T.hourly + " " + data.parameter, data: hourly, borderColor: "#7a2e0e", pointRadius: 0,
    borderWidth: 1.2, spanGaps: false }];
  const means = dailyMeans(data.means_24h || []);
  const short = (data.means_24h || []).filter((d) => d.mean === null).length;
  if (means.some((m) => m.y !== null)) {
    datasets.push({ label: T.mean_24h + " " + data.parameter, data: means, borderColor: "#1565c0", pointRadius: 0,
      borderWidth: 2, spanGaps: false });
  }
  const xs = hourly.map((d) => d.x);
  const one = data.limits.find((l) => l.averaging === "1h");
  const day = data.limits.find((l) => l.averaging === "24h");
  if (xs.length && one) datasets.push(limitLine(one, xs, "#c62828", T.limit_1h));
  if (xs.length && day) datasets.push(limitLine(day, xs, "#6a1b9a", T.limit_24h));
  if (data.points.length) {
    $("series-since").value = localDay(Date.parse(data.points[0].t));
    $("series-until").value = localDay(Date.parse(data.points[data.points.length - 1].t));
  }
  const series = means.some((m) => m.y !== null) ? 2 : 1;  // the limit lines: in full under the chart
  show($("chart-limits"), datasets.slice(series).map((d) => h("li", null, d.label)),
    short ? h("li", { id: "days-without-mean" }, T.days_without_mean.replace("{count}", String(short))
      .replace("{hours}", String(data.hours_needed))) : null);
  const span = xs.length ? xs[xs.length - 1] - xs[0] : 0;
  const step = span <= 3 * 24 * HOUR ? 6 * HOUR : span <= 14 * 24 * HOUR ? 24 * HOUR : undefined;
  if (chart) chart.destroy();
  chart = new Chart($("chart"), { type: "line", data: { datasets }, plugins: [limitLabels],
    options: { animation: false, maintainAspectRatio: false, parsing: false, spanGaps: false,
      plugins: { title: { display: !data.points.length, text: T.no_series },
        legend: { labels: { boxWidth: 12, filter: (item) => item.datasetIndex < series } } },
      scales: {
        x: { type: "linear", bounds: "data",  // ticks on whole hours, the axis ends at the data
          title: { display: true, text: T.local_time + " (" + T.hanoi_time + ")" },
          ticks: { stepSize: step, callback: (v) => tick.format(new Date(v)) + "h" } },
        y: { title: { display: true, text: data.parameter + " (" + unit + ")" } } } } });
  const shown = { since: $("series-since").value, until: $("series-until").value };
  const period = shown.since && shown.until ? "&since=" + encodeURIComponent(dayStart(shown.since)) + "&until=" +
    encodeURIComponent(dayStart(nextDay(shown.until))) : "";
  const link = $("series-csv");
  link.href = "/api/stations/" + current.id + "/series.csv?parameter=" + encodeURIComponent(data.parameter) + period;
  link.hidden = !data.points.length;
  await aqiStrip(xs, period, mine);
}

/* Each limit line says what it is on the chart itself: its label at its left end. */
const limitLabels = {
  id: "limitLabels",
  afterDatasetsDraw(c) {
    const { ctx } = c;
    ctx.save();
    ctx.font = "11px sans-serif";
    c.data.datasets.forEach((d, i) => {
      if (!d.limit) return;
      const meta = c.getDatasetMeta(i);
      if (!meta.data.length) return;
      const p = meta.data[0];
      ctx.fillStyle = d.borderColor;
      ctx.fillText(d.short, c.chartArea.left + 4, p.y - 4);
    });
    ctx.restore();
  },
};

let strip = null;
/* Daily VN_AQI as bars coloured by band, on the chart's days (air stations only). */
async function aqiStrip(xs, period, mine) {
  if (strip) { strip.destroy(); strip = null; }
  const note = $("aqi-strip-note");
  note.textContent = "";
  $("aqi-strip").hidden = true;
  if (!current || current.properties.medium !== "air" || !xs.length) return;
  const answer = await getJSON("/api/stations/" + current.id + "/aqi?" + period.slice(1) + (period ? "" : aqiDefault(xs)));
  if (mine !== plots) return;
  const days = answer.days.filter((d) => d.aqi !== null);
  const missing = answer.days.length - days.length;
  note.textContent = T.daily_aqi + (missing ? " · " + T.days_without_index.replace("{count}", String(missing)) : "") +
    (answer.verified ? "" : " · " + T.unverified);
  if (!days.length) return;
  $("aqi-strip").hidden = false;
  const bars = days.map((d) => ({ x: Date.parse(dayStart(d.day)) + 12 * HOUR, y: d.aqi, band: d.band, dominant: d.dominant }));
  strip = new Chart($("aqi-strip"), { type: "bar",
    data: { datasets: [{ label: T.daily_aqi, data: bars, backgroundColor: days.map((d) => d.color), borderColor: "#555",
      borderWidth: 0.5, barPercentage: 1, categoryPercentage: 0.9 }] },
    options: { animation: false, maintainAspectRatio: false, parsing: false,
      plugins: { legend: { display: false },
        tooltip: { callbacks: { label: (item) => "VN_AQI " + item.raw.y + " · " + item.raw.band + " · " + item.raw.dominant } } },
      scales: { x: { type: "linear", min: Math.min(...xs), max: Math.max(...xs), offset: false,
        ticks: { stepSize: 24 * HOUR, callback: (v) => tick.format(new Date(v)).slice(0, 5) } },
      y: { beginAtZero: true, title: { display: true, text: "VN_AQI" } } } } });
  document.body.dataset.strip = String(days.length);
}
/** Without a chosen period: the days the chart shows. */
const aqiDefault = (xs) => "since=" + encodeURIComponent(dayStart(localDay(Math.min(...xs)))) + "&until=" +
  encodeURIComponent(dayStart(nextDay(localDay(Math.max(...xs)))));
select.addEventListener("change", plot);
$("series-period").addEventListener("submit", (event) => { event.preventDefault(); plot(); });

function aqiText(f) {
  const info = latest.stations[String(f.id)];
  if (info && info.aqi) {
    return T.aqi + ": " + info.aqi.value + " (" + info.aqi.band + ", " + info.aqi.dominant + ") · " +
      localStamp(info.aqi.time) + " · " + age(info.aqi.time);
  }
  return f.properties.medium === "air" ? T.aqi + ": " + T.no_data_period : null;
}

function latestLine(f) {
  const info = latest.stations[String(f.id)];
  return info && info.time ? T.latest + " " + T.at + " " + localStamp(info.time) + " · " + age(info.time) : null;
}

const colour = (f) => {
  const info = latest.stations[String(f.id)];
  return info && info.aqi ? info.aqi.color : GREY;
};

const layer = L.geoJSON(stations, {
  filter: (f) => f.geometry !== null,
  pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 9, color: "#333", weight: 1, fillColor: colour(f), fillOpacity: 0.9 }),
  onEachFeature: (f, l) => {
    l.bindPopup(() => h("div", { class: "popup" }, h("h3", null, f.properties.name), h("p", null, mediumName(f)),
      aqiText(f) ? h("p", null, aqiText(f)) : null, latestLine(f) ? h("p", null, h("small", null, latestLine(f))) : null));
    l.on("click", () => showStation(f));
  },
}).addTo(map);
export { layer as stationLayer };
// The legend folds to its title on a narrow screen, so that it does not cover the map.
const legend = L.control({ position: "bottomright" });
const legendBox = h("details", { class: "legend", open: !matchMedia("(max-width: 700px)").matches });
legend.onAdd = () => { L.DomEvent.disableClickPropagation(legendBox); return legendBox; };
legend.addTo(map);
function drawLegend() {
  const any = Object.values(latest.stations).find((s) => s.aqi);
  show(legendBox, h("summary", null, h("strong", null, T.aqi)),
    latest.bands.map((b) => [swatch(b.color, b.min + "–" + b.max + " " + (config.lang === "vi" ? b.name_vi : b.name_en), true), h("br")]),
    swatch(GREY, T.no_data_period, true),
    any && !any.aqi.verified ? [h("br"), h("small", null, T.unverified)] : null);
  // The sample's warning only while synthetic stations are coloured (they have data in the period).
  $("synthetic-warning").hidden = !stations.features.some((f) => f.properties.synthetic &&
    latest.stations[String(f.id)] && latest.stations[String(f.id)].aqi);
}
drawLegend();

/** Colour the stations by their latest value in the chosen local days (both empty: the default). */
export async function showPeriod(since, until) {
  const q = since && until ? "?since=" + encodeURIComponent(dayStart(since)) + "&until=" +
    encodeURIComponent(dayStart(nextDay(until))) : "";
  latest = await getJSON("/api/stations/latest" + q);
  layer.eachLayer((l) => l.setStyle({ fillColor: colour(l.feature) }));
  drawLegend();
  document.body.dataset.period = since + "/" + until;
}
$("map-period").addEventListener("submit", (event) => {
  event.preventDefault();
  showPeriod($("map-since").value, $("map-until").value);
});
if (layer.getLayers().length) map.fitBounds(layer.getBounds().pad(0.2));

/** Reload the stations and their latest values (after an upload or a station placed). */
export async function reloadStations() {
  stations = await items("stations");
  const since = $("map-since").value;
  const until = $("map-until").value;
  layer.clearLayers();
  layer.addData(stations);
  await showPeriod(since, until);
}

/** Show a station of the list: its panel, and on the map when it has a position. */
async function selectStation(id) {
  const feature = stations.features.find((f) => f.id === id);
  if (!feature) return;
  if (feature.geometry) {
    const [lon, lat] = feature.geometry.coordinates;
    map.setView([lat, lon], Math.max(map.getZoom(), 13));
    layer.eachLayer((l) => { if (l.feature.id === id) l.openPopup(); });
  }
  await showStation(feature);
  $("station-title").scrollIntoView({ block: "nearest" });
}
const stationList = await initStations({ map, onSelect: selectStation, onPlaced: reloadStations });
initUpload({ onUploaded: async () => { await reloadStations(); await stationList.reload(); },
  place: (ref) => stationList.startPlacing(ref) });
initEditing({ map, editable: [{ collection: "stations", has: (l) => layer.hasLayer(l) },
  { collection: "zones", has: (l) => Boolean(zones) && zoneLayer.hasLayer(l) }] }).catch((error) => console.error("LangNghe:", error));

// The officer's panels, each in its own module.
await initAlerts({ map });
initTrends();

await initSurfaces({ map });
await initZones({ map });

// Exposure of the latest zones: communes ranked by indicator percentile x population, said in words
// (what the indicator is, what the percentile ranks against, how the headline count adds up).
// Schools and clinics are null when no points of interest are loaded: "not loaded", not 0.
const counted = (n, what) => n === null || n === undefined ? what + " " + T.not_loaded : n + " " + what;
const fmt = (v, digits) => v === null || v === undefined ? "?" : number(v, config.lang, digits);
let unitShown = null;
/** Zoom the map to a ranked unit and outline it (its boundary from the admin-units collection). */
export async function showUnit(u, ex) {
  const [w, s, e, n] = u.bbox;
  map.fitBounds([[s, w], [n, e]], { padding: [20, 20] });
  document.querySelectorAll("#exposure tr.selected").forEach((r) => { r.classList.remove("selected"); r.style.background = ""; });
  const tr = document.querySelector("#exposure tr[data-code='" + CSS.escape(String(u.code)) + "']");
  if (tr) { tr.classList.add("selected"); tr.style.background = "#fff3cd"; }
  const q = new URLSearchParams({ version: ex.unit_version, level: ex.unit_level, code: u.code, limit: 1 });
  const found = await getJSON("/collections/admin-units/items?" + q);
  if (unitShown) map.removeLayer(unitShown);
  unitShown = L.geoJSON(found, { interactive: false, style: { color: "#0d47a1", weight: 3, dashArray: "6 3", fillOpacity: 0.08 } })
    .addTo(map);
  document.body.dataset.unitShown = String(u.code);
}
function exposure(ex) {
  const ranking = ex.ranking.length
    ? h("table", { id: "exposure-ranking" }, h("thead", null, h("tr", null, h("th", null, "#"), h("th", null, T.unit),
      h("th", null, T.indicator), h("th", null, T.percentile), h("th", null, T.population), h("th", null, T.inside))),
    h("tbody", null, ex.ranking.map((u) => h("tr", { dataset: { code: u.code } }, h("td", null, u.rank),
      h("td", null, h("button", { type: "button", class: "link unit-link", title: T.show_unit, onclick: () => showUnit(u, ex)
        .catch((error) => console.error("LangNghe:", error)) }, u.name)),
      h("td", null, fmt(u.indicator, 2)), h("td", null, fmt(u.percentile, 1)), h("td", null, fmt(u.population, 0)),
      h("td", null, fmt(u.people_inside, 0))))))
    : h("p", { class: "hint" }, T.no_units);
  return [h("p", { id: "exposure-headline" }, ex.zones + " " + T.zones_on + " " + showDay(ex.date) + ": " + ex.villages_inside + " " +
    T.villages_lc + ", " + counted(ex.schools_inside, T.schools) + ", " + counted(ex.clinics_inside, T.clinics) + ", ≈" +
    fmt(ex.population_inside, 0) + " " + T.people),
  h("ul", { id: "exposure-explained", class: "hint" }, (ex.explanation || []).map((m) => h("li", null, m.text))),
  ex.ranking.length ? h("p", { class: "hint" }, T.rows_to_map) : null,
  ranking,
  (ex.notes || []).length ? h("ul", { class: "hint" }, ex.notes.map((m) => h("li", null, m.text))) : null];
}
async function loadExposure() {
  try {
    const ex = await getJSON("/api/exposure?top=10");
    if (!ex.zones) throw new Error("no zones");
    show($("exposure"), exposure(ex));
  } catch (error) {
    show($("exposure"), h("p", { class: "hint" }, T.no_zones));
  }
  document.body.dataset.exposure = String(Date.now());
}
await loadExposure();
// Zones made on the page: the map's zones and the exposure panel follow.
document.addEventListener("langnghe:zones", async () => {
  try {
    if (zones) { zoneLayer.clearLayers(); zoneLayer.addData(await items("zones")); } else if (zoneLayer.redraw) zoneLayer.redraw();
  } catch (error) { console.error("LangNghe:", error); }
  await loadExposure();
});

const first = stations.features.find((f) => latest.stations[String(f.id)] && latest.stations[String(f.id)].aqi);
if (first) await showStation(first);
ready();
