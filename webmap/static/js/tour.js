/* Tourist page: routes on the map, village cards with craft, hours and OCOP stars. Phone first. */
"use strict";
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
    onEachFeature: (f, l) => { l.bindPopup(villagePopup(f.properties), { maxWidth: 280, maxHeight: 260 }); markers[f.properties.ref] = l; } }).addTo(map);
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
      (ocop ? "<strong>" + esc(T.ocop) + "</strong><ul>" + ocop + "</ul>" : "") + "</article>";
  }).join("");
  document.getElementById("cards").addEventListener("click", (event) => {
    const card = event.target.closest(".card");
    if (card && markers[card.dataset.ref]) { map.setView(markers[card.dataset.ref].getLatLng(), 14); markers[card.dataset.ref].openPopup(); }
  });
  if (lines.getLayers().length) map.fitBounds(lines.getBounds().pad(0.1));
  document.body.dataset.ready = "1";
})();
