/* Environment dashboard: stations coloured by latest VN_AQI band, time series with limits, zones. */
"use strict";
(async function () {
  const { T, esc, getJSON, makeMap, items } = LN;
  const map = makeMap("map", [21.08, 105.95]);
  window.lnMap = map;
  const [stations, zones, latest] = await Promise.all([items("stations"), items("zones"), getJSON("/api/stations/latest")]);
  await LN.addBoundaries(map, "province");
  const zoneLayer = L.geoJSON(zones, { style: { color: "#c62828", weight: 1, fillOpacity: 0.2 },
    onEachFeature: (f, l) => l.bindPopup("<div class=popup><h3>" + esc(f.properties.name) + "</h3>" + esc(f.properties.method || "") +
      " · " + esc(f.properties.zone_date || "") + "</div>") }).addTo(map);
  const select = document.getElementById("parameter");
  let chart = null;
  let current = null;

  async function show(feature) {
    current = feature;
    const info = latest.stations[String(feature.id)] || { values: {} };
    document.getElementById("station-title").textContent = feature.properties.name;
    const params = Object.keys(info.values);
    const keep = select.value;
    select.innerHTML = params.map((p) => "<option>" + esc(p) + "</option>").join("");
    select.value = params.includes(keep) ? keep : (params.includes("PM2.5") ? "PM2.5" : params[0]);
    document.getElementById("latest").innerHTML = "<h3>" + esc(T.latest) + "</h3><div class=popup><dl>" +
      params.map((p) => LN.row(p, info.values[p].value.toFixed(2) + " " + info.values[p].unit)).join("") + "</dl></div>" +
      (feature.properties.synthetic ? "<p class=warn>" + esc(T.synthetic) + "</p>" : "");
    if (feature.properties.medium === "water") {
      const w = await getJSON("/api/stations/" + feature.id + "/water");
      document.getElementById("latest").insertAdjacentHTML("beforeend", "<p id=water-class><b>" + esc(T.water_class) +
        "</b>: " + esc(w.river.message.text) + w.health.map((h) => "<br>" + esc(h.message.text)).join("") + "</p>");
    }
    await plot();
    if (feature.properties.medium === "air") {
      const ex = await getJSON("/api/exceedances?limit=8&station=" + encodeURIComponent(feature.properties.ref));
      document.getElementById("latest").insertAdjacentHTML("beforeend", "<h3>" + esc(T.exceedances) + " (" + ex.count + ")</h3><ul id=exceedances>" +
        ex.exceedances.map((e) => "<li>" + esc(e.message.text) + "</li>").join("") + "</ul>");
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
    chart = new Chart(document.getElementById("chart"), { type: "line", data: { datasets },
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
      l.bindPopup("<div class=popup><h3>" + esc(f.properties.name) + "</h3>" + esc(aqi) + "</div>");
      l.on("click", () => show(f));
    },
  }).addTo(map);
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => {
    const div = L.DomUtil.create("div", "legend");
    const any = Object.values(latest.stations).find((s) => s.aqi);
    div.innerHTML = "<strong>" + esc(T.aqi) + "</strong><br>" + latest.bands.map((b) =>
      "<i style='background:" + esc(b.color) + ";border-radius:50%'></i>" + b.min + "–" + b.max + " " +
      esc(LN.config.lang === "vi" ? b.name_vi : b.name_en)).join("<br>") +
      (any && !any.aqi.verified ? "<br><small>" + esc(T.unverified) + "</small>" : "");
    return div;
  };
  legend.addTo(map);
  if (layer.getLayers().length) map.fitBounds(layer.getBounds().pad(0.2));
  window.lnEditable = [{ collection: "stations", has: (l) => layer.hasLayer(l) },
    { collection: "zones", has: (l) => zoneLayer.hasLayer(l) }];
  const alerts = await getJSON("/api/alerts?limit=20");
  document.getElementById("alerts").innerHTML = alerts.alerts.length ? alerts.alerts.map((a) =>
    "<li><b>" + esc(a.rule) + "</b> · " + esc(a.station || a.station_ref) + " · " + esc(a.start.slice(0, 16).replace("T", " ")) +
    " · " + a.hours + " h · " + esc(T.peak) + " " + Number(a.peak).toFixed(1) + "</li>").join("") : "<li>" + esc(T.no_alerts) + "</li>";
  // Pollution surfaces: a slider walks the saved periods; each shows as an image over the map.
  const surfaces = (await getJSON("/api/surfaces")).surfaces;
  const slider = document.getElementById("surface-slider");
  let overlay = null;
  function showSurface(i) {
    const s = surfaces[i];
    if (overlay) map.removeLayer(overlay);
    overlay = L.imageOverlay(s.url, s.bounds, { opacity: 0.6, alt: s.parameter }).addTo(map);
    const rmse = Object.entries(s.loo_rmse || {}).map(([m, v]) => m + " " + Number(v).toFixed(1)).join(", ");
    document.getElementById("surface-label").textContent = s.parameter + " · " + (s.start || "").slice(0, 10) + " → " +
      (s.end || "").slice(0, 10) + " · " + s.method + " · 0–" + s.scale[1] + " · " + T.loo + ": " + rmse;
    document.body.dataset.surface = String(s.id);
  }
  if (surfaces.length) {
    slider.max = String(surfaces.length - 1);
    slider.value = String(surfaces.length - 1);
    slider.addEventListener("input", () => showSurface(Number(slider.value)));
    showSurface(surfaces.length - 1);
  } else {
    document.getElementById("surfaces").innerHTML = "<p class=hint>" + esc(T.no_surfaces) + "</p>";
  }
  // Exposure of the latest zones, communes ranked by indicator percentile x population.
  try {
    const ex = await getJSON("/api/exposure?top=10");
    if (!ex.zones) throw new Error("no zones");
    document.getElementById("exposure").innerHTML = "<p>" + ex.zones + " " + esc(T.zones_on) + " " + esc(ex.date) + ": " +
      ex.villages_inside + " " + esc(T.villages_lc) + ", " + ex.schools_inside + " " + esc(T.schools) + ", " + ex.clinics_inside +
      " " + esc(T.clinics) + ", ≈" + Math.round(ex.population_inside).toLocaleString() + " " + esc(T.people) + "</p>" +
      (ex.ranking.length ? "<table><thead><tr><th>#</th><th>" + esc(T.unit) + "</th><th>" + esc(T.percentile) + "</th><th>" +
        esc(T.population) + "</th></tr></thead><tbody>" + ex.ranking.map((u) => "<tr><td>" + u.rank + "</td><td>" + esc(u.name) +
        "</td><td>" + u.percentile + "</td><td>" + (u.population === null ? "?" : u.population.toLocaleString()) + "</td></tr>").join("") +
        "</tbody></table>" : "<p class=hint>" + esc(T.no_units) + "</p>");
  } catch (error) {
    document.getElementById("exposure").innerHTML = "<p class=hint>" + esc(T.no_zones) + "</p>";
  }
  const upload = document.getElementById("upload");
  if (upload) {
    upload.addEventListener("submit", async (event) => {
      event.preventDefault();
      const out = document.getElementById("upload-result");
      out.textContent = T.planning;
      const response = await fetch("/api/measurements", { method: "POST", body: new FormData(upload),
        headers: { "X-CSRFToken": LN.csrfToken } });
      const body = await response.json();
      out.textContent = response.ok ? T.inserted + ": " + body.inserted + " · " + T.updated + ": " + body.updated +
        " · " + T.unchanged + ": " + body.unchanged : body.description;
      out.className = response.ok ? "" : "error";
    });
  }
  const first = stations.features.find((f) => latest.stations[String(f.id)] && latest.stations[String(f.id)].aqi);
  if (first) await show(first);
  document.body.dataset.ready = "1";
})();
