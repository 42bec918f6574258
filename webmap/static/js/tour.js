/* Tourist page: routes on the map, village cards with craft, hours and OCOP stars. Phone first. */
"use strict";
document.getElementById("planner").addEventListener("submit", (event) => event.preventDefault());
(async function () {
  const { T, esc, makeMap, loadCrafts, craftName, items, stars, villagePopup, villageMarker, config } = LN;
  const map = makeMap("map", [21.0, 105.85]);
  window.lnMap = map;
  await loadCrafts();
  const [villages, routes] = await Promise.all([items("villages"), items("routes")]);
  await LN.addBoundaries(map, "province");
  const markers = {};
  const lines = L.geoJSON(routes, { style: { color: "#ef6c00", weight: 4, opacity: 0.8 } }).addTo(map);
  L.geoJSON(villages, { pointToLayer: villageMarker,  // drawn after the routes, so villages stay clickable
    onEachFeature: (f, l) => {
      l.bindPopup(villagePopup(f.properties) + "<button type=button class=add data-ref='" + esc(f.properties.ref) + "'>" +
        esc(T.add) + "</button>", { maxWidth: 280, maxHeight: 260 });
      markers[f.properties.ref] = l;
    } }).addTo(map);
  map.on("popupopen", (event) => {  // pick villages on the map as well as from the list
    const button = event.popup.getElement().querySelector("button.add");
    if (button) button.addEventListener("click", () => { togglePick(button.dataset.ref); map.closePopup(); });
  });
  const name = (p) => config.lang === "vi" ? p.name_vi : p.name_en;
  const onRoute = new Set();
  routes.features.forEach((r) => r.properties.stops.forEach((s) => onRoute.add(s.ref)));

  document.getElementById("routes").innerHTML = routes.features.map((r, i) =>
    "<button data-i='" + i + "'>" + esc(name(r.properties)) + " · " + r.properties.stops.length + " " + esc(T.stops.toLowerCase()) + "</button>").join("");
  document.getElementById("routes").addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const route = routes.features[Number(button.dataset.i)];
    map.fitBounds(L.geoJSON(route).getBounds().pad(0.2));
  });
  const visible = villages.features.filter((f) => onRoute.has(f.properties.ref) || (f.properties.ocop || []).length);
  document.getElementById("cards").innerHTML = visible.map((f) => {
    const p = f.properties;
    const ocop = (p.ocop || []).map((o) => "<li>" + esc(o.name) + " <span class=stars aria-label='" + o.stars + " " + esc(T.stars) + "'>" + stars(o.stars) + "</span></li>").join("");
    return "<article class=card data-ref='" + esc(p.ref) + "'><h3>" + esc(p.name) + "</h3>" +
      "<div class=meta>" + esc(craftName(p.craft)) + " · " + esc(p.province_name || "") + "</div>" +
      "<div class=meta>" + esc(T.opening_hours) + ": " + esc(p.opening_hours || T.closed) + (p.visit_minutes ? " · " + p.visit_minutes + " " + esc(T.minutes) : "") + "</div>" +
      "<p>" + esc(config.lang === "vi" ? p.description_vi : p.description_en) + "</p>" +
      (ocop ? "<strong>" + esc(T.ocop) + "</strong><ul>" + ocop + "</ul>" : "") +
      "<button type=button class=add data-ref='" + esc(p.ref) + "'>" + esc(T.add) + "</button></article>";
  }).join("");
  document.getElementById("cards").addEventListener("click", (event) => {
    const add = event.target.closest("button.add");
    if (add) { togglePick(add.dataset.ref); return; }
    const card = event.target.closest(".card");
    if (card && markers[card.dataset.ref]) { map.setView(markers[card.dataset.ref].getLatLng(), 14); markers[card.dataset.ref].openPopup(); }
  });
  if (lines.getLayers().length) map.fitBounds(lines.getBounds().pad(0.1));

  /* Plan my day: picked villages, a start point, a budget, a mode. */
  const picked = [];
  const byRef = Object.fromEntries(villages.features.map((f) => [f.properties.ref, f.properties]));
  let start = null;
  let startMarker = null;
  let planned = null;
  const $ = (id) => document.getElementById(id);
  $("start-hint").textContent = T.start_hint;
  $("l-budget").textContent = T.budget + " (" + T.hours + ")";
  $("l-mode").textContent = T.transport;
  $("l-avoid").textContent = T.avoid;
  $("plan-button").textContent = T.plan_day;
  ["motorbike", "car", "walk"].forEach((m) => { $("mode").querySelector("option[value=" + m + "]").textContent = T[m]; });
  function togglePick(ref) {
    const i = picked.indexOf(ref);
    if (i >= 0) picked.splice(i, 1); else picked.push(ref);
    document.querySelectorAll(".card").forEach((c) => c.classList.toggle("picked", picked.includes(c.dataset.ref)));
    $("picked").innerHTML = picked.map((r) => "<li>" + esc(byRef[r].name) + "</li>").join("");
  }
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
  $("plan-button").addEventListener("click", async () => {
    const out = $("plan-result");
    if (!picked.length) { out.textContent = T.pick_one; return; }
    out.textContent = T.planning;
    const response = await fetch("/api/tour?" + query());
    const plan = await response.json();
    if (!response.ok) { out.textContent = plan.description; return; }
    if (planned) planned.remove();
    if (plan.geometry) { planned = L.geoJSON(plan.geometry, { style: { color: "#1565c0", weight: 5 } }).addTo(map); map.fitBounds(planned.getBounds().pad(0.15)); }
    out.innerHTML = "<ol>" + plan.stops.map((s) => "<li><b>" + esc(s.arrive) + "–" + esc(s.leave) + "</b> " + esc(s.name) + "</li>").join("") + "</ol>" +
      "<p>" + esc(T.back_at) + " " + esc(plan.end) + " · " + (plan.distance_m / 1000).toFixed(1) + " " + esc(T.km) + "</p>" +
      (plan.dropped.length ? "<p class=warn>" + esc(T.not_visited) + ": " + plan.dropped.map((d) => esc(d.name) + " (" + esc(d.reason.text) + ")").join("; ") + "</p>" : "") +
      (plan.zone_m_without_option !== undefined ? "<p class=hint>" + esc(T.in_zones) + ": " + Math.round(plan.zone_m) + " m (" + Math.round(plan.zone_m_without_option) + " m " + esc(T.without_option) + ")</p>" : "") +
      "<p class=hint>" + esc(T.method) + ": " + esc(plan.method) + "</p>" +
      "<a id=gpx-link href='/api/tour.gpx?" + query() + "' download>" + esc(T.gpx) + "</a> · " +
      "<a id=geojson-link href='/api/tour.geojson?" + query() + "' download>GeoJSON</a> · " +
      "<a id=print-link href='/tour/print?" + query() + "' target=_blank>" + esc(T.print) + "</a>";
  });
  document.body.dataset.ready = "1";
})();
