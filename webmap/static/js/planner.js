/* Planner map: every layer, legend, popups, clustering, choropleth, search, draw-a-polygon. */
"use strict";
(async function () {
  const { T, esc, getJSON, makeMap, loadCrafts, craftName, items, row, villagePopup, villageMarker } = LN;
  const map = makeMap("map");
  window.lnMap = map;
  await loadCrafts();
  const overlays = {};
  const villageMarkers = {};

  const [villages, clusters, zones, stations, routes] = await Promise.all(
    ["villages", "clusters", "zones", "stations", "routes"].map((c) => items(c)));

  const cluster = L.markerClusterGroup({ maxClusterRadius: 40 });
  L.geoJSON(villages, {
    pointToLayer: villageMarker,
    onEachFeature: (f, layer) => {
      layer.bindPopup(villagePopup(f.properties), { maxWidth: 320 });
      villageMarkers[f.id] = layer;
    },
  }).eachLayer((l) => cluster.addLayer(l));
  cluster.addTo(map);
  overlays[T.villages] = cluster;

  window.lnVillageMarkers = villageMarkers;
  window.lnVillageCluster = cluster;
  overlays[T.clusters] = L.geoJSON(clusters, {
    style: (f) => ({ color: f.properties.kind === "craft_village" ? "#6a1b9a" : "#1565c0", weight: 2, fillOpacity: 0.25 }),
    onEachFeature: (f, layer) => layer.bindPopup("<div class=popup><h3>" + esc(f.properties.name) + "</h3><dl>" +
      row(T.kind, f.properties.kind === "craft_village" ? T.craft_village_cluster : T.general_cluster) +
      row(T.status, T[f.properties.status] || f.properties.status) + row(T.area_ha, f.properties.area_ha) +
      row(T.occupancy, f.properties.occupancy_pct) +
      row(T.wastewater, f.properties.wastewater_treatment === null ? T.unknown : (f.properties.wastewater_treatment ? T.yes : T.no)) +
      "</dl></div>"),
  }).addTo(map);
  overlays[T.zones] = L.geoJSON(zones, { style: { color: "#c62828", weight: 1, fillOpacity: 0.2, dashArray: "4" },
    onEachFeature: (f, layer) => layer.bindPopup(esc(f.properties.name)) });
  overlays[T.stations] = L.geoJSON(stations, {
    pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 5, color: "#00695c", fillOpacity: 0.8 }),
    onEachFeature: (f, layer) => layer.bindPopup(esc(f.properties.name)),
  });
  overlays[T.routes] = L.geoJSON(routes, { style: { color: "#ef6c00", weight: 3 },
    onEachFeature: (f, layer) => layer.bindPopup(esc(LN.config.lang === "vi" ? f.properties.name_vi : f.properties.name_en)) });

  const units = await getJSON("/api/choropleth?version=pre-2025&level=district");
  if (units.features.length) {
    const max = Math.max(1, ...units.features.map((f) => f.properties.villages));
    const shade = (n) => n === 0 ? "#f7f7f7" : ["#fee8c8", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"][Math.min(4, Math.floor(5 * n / (max + 1)))];
    overlays[T.choropleth] = L.geoJSON(units, {
      style: (f) => ({ color: "#999", weight: 0.6, fillColor: shade(f.properties.villages), fillOpacity: 0.6 }),
      onEachFeature: (f, layer) => layer.bindPopup(esc(f.properties.name) + ": " + f.properties.villages + " " + esc(T.villages.toLowerCase())),
    }).addTo(map);
    overlays[T.choropleth].bringToBack();
  } else {
    document.getElementById("draw-hint").insertAdjacentHTML("beforebegin", "<p class=hint id=no-admin>" + esc(T.no_admin) + "</p>");
  }
  window.lnClusters = overlays[T.clusters];
  window.lnEditable = [
    { collection: "clusters", has: (l) => overlays[T.clusters].hasLayer(l) },
    { collection: "villages", has: (l) => Object.values(villageMarkers).includes(l) },
  ];
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);

  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => {
    const div = L.DomUtil.create("div", "legend");
    div.innerHTML = "<strong>" + esc(T.legend) + "</strong><br>" +
      "<i style='background:#b42318;border-radius:50%'></i>" + esc(T.pollution_high) + "<br>" +
      "<i style='background:#dc8a1c;border-radius:50%'></i>" + esc(T.pollution_medium) + "<br>" +
      "<i style='background:#2e7d32;border-radius:50%'></i>" + esc(T.pollution_low) + "<br>" +
      "<i style='background:#6a1b9a'></i>" + esc(T.craft_village_cluster) + "<br>" +
      "<i style='background:#1565c0'></i>" + esc(T.general_cluster) + "<br>" +
      "<i style='background:#c62828'></i>" + esc(T.zones) + "<br>" +
      "<i style='background:#ef6c00'></i>" + esc(T.routes);
    return div;
  };
  legend.addTo(map);

  const input = document.getElementById("search");
  const list = document.getElementById("search-results");
  input.placeholder = T.search_placeholder;
  let pending = 0;
  input.addEventListener("input", async () => {
    const q = input.value.trim();
    const ticket = ++pending;
    if (!q) { list.innerHTML = ""; return; }
    const data = await getJSON("/search?q=" + encodeURIComponent(q));
    if (ticket !== pending) return;
    list.innerHTML = data.results.length ? data.results.map((r) =>
      "<li data-id='" + r.id + "'>" + esc(r.name) + " <small>" + esc(craftName(r.craft)) + ", " + esc(r.province_name || "") + "</small></li>").join("")
      : "<li>" + esc(T.no_results) + "</li>";
  });
  list.addEventListener("click", (event) => {
    const li = event.target.closest("li[data-id]");
    if (!li) return;
    const marker = villageMarkers[li.dataset.id];
    cluster.zoomToShowLayer(marker, () => marker.openPopup());
  });

  document.getElementById("draw-hint").textContent = T.draw_hint;
  const drawn = new L.FeatureGroup().addTo(map);
  window.lnDrawn = drawn;
  map.addControl(new L.Control.Draw({ draw: { polygon: true, polyline: false, rectangle: true, circle: false,
    marker: false, circlemarker: false }, edit: { featureGroup: drawn } }));
  map.on(L.Draw.Event.CREATED, async (event) => {
    drawn.clearLayers();
    drawn.addLayer(event.layer);
    const inside = await getJSON("/api/within", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(event.layer.toGeoJSON().geometry) });
    const part = (title, rows) => "<h3>" + esc(title) + " (" + rows.length + ")</h3><ul>" +
      rows.map((r) => "<li>" + esc(r.name) + "</li>").join("") + "</ul>";
    document.getElementById("inside").innerHTML = "<h2>" + esc(T.inside) + "</h2>" +
      part(T.villages, inside.villages) + part(T.clusters, inside.clusters) + part(T.zones, inside.zones);
  });
  document.body.dataset.ready = "1";
})();
