/* Shared helpers of the three pages. No external requests: data comes from our API. */
"use strict";
window.addEventListener("unhandledrejection", (event) => console.error("LangNghe:", event.reason && event.reason.stack ? event.reason.stack : event.reason));
const LN = (function () {
  const config = JSON.parse(document.getElementById("config").textContent);
  const T = config.strings;
  let crafts = {};

  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g,
      (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }
  const csrfToken = (document.querySelector("meta[name=csrf-token]") || {}).content || "";
  async function getJSON(url, options) {
    options = options || {};
    if (options.method && options.method !== "GET") options.headers = Object.assign({ "X-CSRFToken": csrfToken }, options.headers || {});
    const response = await fetch(url, options);
    if (!response.ok) throw new Error(url + ": " + response.status);
    return response.json();
  }
  function note(text) {
    const el = document.getElementById("basemap-note");
    el.textContent = text;
    el.hidden = false;
  }
  function makeMap(id, view) {
    const map = L.map(id, { preferCanvas: false, maxZoom: 19 }).setView(view || [21.03, 105.85], 10);
    if (config.basemap_url) {
      let errors = 0;
      L.tileLayer(config.basemap_url, { attribution: config.attribution, maxZoom: 19 })
        .on("tileerror", () => { if (++errors === 3) note(T.basemap_error); })
        .addTo(map);
    } else {
      note(T.basemap_off);
    }
    return map;
  }
  async function loadCrafts() {
    crafts = await getJSON("/api/crafts");
    return crafts;
  }
  function craftName(code) {
    const c = crafts[code];
    return c ? c[config.lang] : code;
  }
  function stars(n) { return "★".repeat(n) + "☆".repeat(5 - n); }
  function items(collection, extra) {
    return getJSON("/collections/" + collection + "/items?limit=" + config.items_max + (extra || ""));
  }
  function row(label, value) {
    return value === null || value === undefined || value === "" ? "" : "<dt>" + esc(label) + "</dt><dd>" + esc(value) + "</dd>";
  }
  function villagePopup(p) {
    const desc = config.lang === "vi" ? p.description_vi : p.description_en;
    const ocop = (p.ocop || []).map((o) => "<li>" + esc(o.name) + " <span class=stars>" + stars(o.stars) + "</span></li>").join("");
    return "<div class=popup><h3>" + esc(p.name) + "</h3><dl>" +
      row(T.craft, craftName(p.craft)) + row(T.commune, p.commune_name) + row(T.district, p.district_name) +
      row(T.province, p.province_name) + row(T.households, p.households) + row(T.workers, p.workers) +
      row(T.opening_hours, p.opening_hours || T.closed) + row(T.visit_minutes, p.visit_minutes) +
      "</dl>" + (desc ? "<p>" + esc(desc) + "</p>" : "") +
      (ocop ? "<strong>" + esc(T.ocop) + "</strong><ul>" + ocop + "</ul>" : "") + "</div>";
  }
  const CRAFT_COLORS = { high: "#b42318", medium: "#dc8a1c", low: "#2e7d32" };
  function craftColor(code) {
    const c = crafts[code];
    return CRAFT_COLORS[c ? c.pollution : "low"];
  }
  function villageMarker(feature, latlng) {
    return L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 1.5, fillColor: craftColor(feature.properties.craft), fillOpacity: 0.95 });
  }
  /* Administrative boundaries as a light base layer, so the map is readable without a basemap. */
  async function addBoundaries(map, level) {
    const units = await getJSON("/api/choropleth?version=pre-2025&level=" + (level || "province"));
    if (!units.features.length) return null;
    const layer = L.geoJSON(units, { interactive: false, style: { color: "#8d6e63", weight: 0.8, fill: false } }).addTo(map);
    layer.bringToBack();
    return layer;
  }
  return { config, T, esc, getJSON, csrfToken, makeMap, addBoundaries, loadCrafts, craftName, stars, items, row, villagePopup, villageMarker, craftColor, note };
})();
