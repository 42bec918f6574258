/* Planner map: every layer, legend, popups, clustering, choropleth, search, draw-a-polygon.
   The page's entry module: once the map stands it starts the planning panel and editing. */
import { h, show } from "./dom.js";
import {
  T, config, getJSON, groupBelow, groupLayer, layerData, makeMap, openTiledPopup, popup, ready, row, swatch, tileLayer,
} from "./common.js";
import {
  craftName, loadCrafts, recognitionFilter, recognitionMatches, villageMarker, villagePopup, villageStyle,
} from "./villages.js";
import { initPlanning } from "./planning.js";
import { initEditing } from "./editing.js";
import { initNewCluster } from "./new_cluster.js";

const text = (value) => () => document.createTextNode(value);
// The layers' short titles come from their declarations.
const label = Object.fromEntries((config.layers || []).map((l) => [l.id, l.label]));

export const map = makeMap("map");
await loadCrafts();
const overlays = {};
const villageMarkers = {};

// The collections this map loads come from the server (config.layers, derived from the layer
// declarations: those whose features the pages load); each is drawn in its own style below, or
// plainly with its names. A layer beyond the page_tiles_above setting (l.tiles) is drawn from
// its vector tiles in the same style, its popups fetched by id: its features are not downloaded.
const shown = (config.layers || []).filter((l) => l.items);
const data = Object.fromEntries(await Promise.all(shown.map(async (l) => [l.id, await layerData(l.id)])));
const none = { type: "FeatureCollection", features: [] };
const isTiled = Object.fromEntries(shown.map((l) => [l.id, Boolean(l.tiles)]));

let recognition = "";
// Many villages: drawn from tiles, unclustered, filtered by restyling (an empty style hides one).
// Below the group_below_zoom setting they are counted groups (the count the filter leaves).
const below = groupBelow("villages");
const villageShown = (p) => recognitionMatches(p, recognition) ? villageStyle(p) : [];
const villageTiles = isTiled.villages ? tileLayer(map, "villages", { zIndex: 450, minZoom: below,
  style: villageShown, popup: villagePopup }) : null;
const villageGroups = below ? groupLayer(map, "villages", { zIndex: 450, below, style: villageShown, popup: villagePopup,
  label: T.group_zoom,
  count: (g) => recognition ? g.by[recognition] || 0 : g.n }) : null;
const villagesTiled = villageTiles && L.layerGroup(villageGroups ? [villageGroups, villageTiles] : [villageTiles]);
export const villageCluster = L.markerClusterGroup({ maxClusterRadius: 40 });
L.geoJSON(data.villages || none, {
  pointToLayer: villageMarker,
  onEachFeature: (f, layer) => {
    layer.bindPopup(() => villagePopup(f.properties), { maxWidth: 320 });
    villageMarkers[f.id] = layer;
  },
}).eachLayer((l) => villageCluster.addLayer(l));
(villagesTiled || villageCluster).addTo(map);
// Filter the villages by their recorded recognition (Decree 52/2018/NĐ-CP).
const allVillageLayers = Object.values(villageMarkers);
document.querySelector(".search").after(recognitionFilter((code) => {
  recognition = code;
  if (villageTiles) { villageTiles.redraw(); if (villageGroups) villageGroups.redraw(); return; }
  villageCluster.clearLayers();
  villageCluster.addLayers(allVillageLayers.filter((l) => recognitionMatches(l.feature.properties, code)));
  document.body.dataset.villagesShown = String(villageCluster.getLayers().length);
}));

const kindName = (kind) => kind === "craft_village" ? T.craft_village_cluster : T.general_cluster;
const yesNo = (value) => value === null || value === undefined ? T.unknown : (value ? T.yes : T.no);
const clusterStyle = (p) => ({ color: p.kind === "craft_village" ? "#6a1b9a" : "#1565c0", weight: 2, fillOpacity: 0.25 });
const clusterPopup = (p) => popup(p.name, row(T.kind, kindName(p.kind)), row(T.status, T.statuses[p.status] || p.status),
  row(T.area_ha, p.area_ha), row(T.occupancy, p.occupancy_pct), row(T.wastewater, yesNo(p.wastewater_treatment)));
export const clusters = isTiled.clusters
  ? tileLayer(map, "clusters", { zIndex: 410, style: (p) => Object.assign({ fill: true }, clusterStyle(p)), popup: clusterPopup })
  : L.geoJSON(data.clusters || none, {
    style: (f) => clusterStyle(f.properties),
    onEachFeature: (f, layer) => layer.bindPopup(() => clusterPopup(f.properties)),
  });
clusters.addTo(map);
const poiCanvas = L.canvas({ padding: 0.3 });
const POI_COLOURS = { sensitive: "#0277bd", visitor: "#5d4037", other: "#757575" };
const poiColour = (c) => POI_COLOURS[c && c.sensitive ? "sensitive" : c && c.visitor ? "visitor" : "other"];
const named = (f, layer) => layer.bindPopup(text(f.properties.name || f.properties.ref || ""));
const ZONE_STYLE = { color: "#c62828", weight: 1, fillOpacity: 0.2, dashArray: "4" };
const namePopup = (p) => document.createTextNode(p.name || p.ref || "");
// A tiled layer: the same look from its tiles (polygons filled, as L.geoJSON fills them).
const tilesOf = (id, style, popupOf, zIndex) => tileLayer(map, id, { zIndex, style, popup: popupOf || namePopup });
const tiledAs = {
  villages: () => villagesTiled,
  clusters: () => clusters,
  zones: () => tilesOf("zones", Object.assign({ fill: true }, ZONE_STYLE), null, 405),
  stations: () => tilesOf("stations", { radius: 5, color: "#00695c", fill: true, fillOpacity: 0.8 }),
  routes: () => tilesOf("routes", { color: "#ef6c00", weight: 3 },
    (p) => document.createTextNode(config.lang === "vi" ? p.name_vi : p.name_en)),
};
const drawnAs = {
  villages: () => villageCluster,
  clusters: () => clusters,
  zones: (d) => L.geoJSON(d, { style: ZONE_STYLE, onEachFeature: named }),
  stations: (d) => L.geoJSON(d, {
    pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 5, color: "#00695c", fillOpacity: 0.8 }),
    onEachFeature: named,
  }),
  // Points of interest: drawn on a canvas (thousands of points), coloured by use.
  pois: (d) => L.geoJSON(d, {
    pointToLayer: (f, ll) => L.circleMarker(ll, { renderer: poiCanvas, radius: 4, weight: 1, color: "#fff",
      fillColor: poiColour(f.properties.category_name), fillOpacity: 0.9 }),
    onEachFeature: (f, layer) => layer.bindPopup(() => popup(f.properties.name || f.properties.ref,
      row(T.kind, f.properties.category_name ? f.properties.category_name[config.lang] : f.properties.category))),
  }),
  routes: (d) => L.geoJSON(d, { style: { color: "#ef6c00", weight: 3 },
    onEachFeature: (f, layer) => layer.bindPopup(text(config.lang === "vi" ? f.properties.name_vi : f.properties.name_en)) }),
};
for (const l of shown) {
  overlays[l.label] = l.tiles ? (tiledAs[l.id] || ((id) => tilesOf(id, { radius: 4, fill: true, weight: 1 })))(l.id)
    : (drawnAs[l.id] || ((d) => L.geoJSON(d, { onEachFeature: named })))(data[l.id]);
}

const units = await getJSON("/api/choropleth?version=pre-2025&level=district");
if (units.features.length) {
  const max = Math.max(1, ...units.features.map((f) => f.properties.villages));
  const shade = (n) => n === 0 ? "#f7f7f7" : ["#fee8c8", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"][Math.min(4, Math.floor(5 * n / (max + 1)))];
  overlays[T.choropleth] = L.geoJSON(units, {
    style: (f) => ({ color: "#999", weight: 0.6, fillColor: shade(f.properties.villages), fillOpacity: 0.6 }),
    onEachFeature: (f, layer) => layer.bindPopup(text(f.properties.name + ": " + f.properties.villages + " " + label.villages.toLowerCase())),
  }).addTo(map);
  overlays[T.choropleth].bringToBack();
} else {
  document.getElementById("draw-hint").before(h("p", { class: "hint", id: "no-admin" }, T.no_admin));
}
const editable = [
  // a tiled layer's features are not Leaflet layers of the page: editing takes them from the
  // popup the tiles open ("tilepopup", with the feature fetched by id)
  { collection: "clusters", has: (l) => !isTiled.clusters && clusters.hasLayer(l) },
  { collection: "villages", has: (l) => Object.values(villageMarkers).includes(l) },
];
// the names are our own strings; the planning panel adds its layers (input coverage, suitability)
// On a phone (<= 700 px, as the legends) the switch folds to its button: open, it covers the map.
const control = L.control.layers(null, overlays, { collapsed: matchMedia("(max-width: 700px)").matches }).addTo(map);

const poiLegend = h("div", { class: "poi-legend", hidden: true },
  [swatch(POI_COLOURS.sensitive, T.poi_sensitive, true), swatch(POI_COLOURS.visitor, T.poi_visitor, true),
    swatch(POI_COLOURS.other, T.poi_other, true)].map((entry, i) => [i ? h("br") : null, entry]));
const legend = L.control({ position: "bottomright" });
const groupEntry = villageGroups ? h("span", { class: "group-entry" }, h("br"),
  h("span", { class: "group group-swatch", "aria-hidden": "true" }, "12"), T.group_legend) : null;
// On a phone (<= 700 px) the legend starts folded: open, it would cover the map.
legend.onAdd = () => h("details", { class: "legend", open: !matchMedia("(max-width: 700px)").matches }, h("summary", null, T.legend),
  [swatch("#b42318", T.pollution_high, true), swatch("#dc8a1c", T.pollution_medium, true),
    swatch("#2e7d32", T.pollution_low, true), groupEntry, swatch("#6a1b9a", T.craft_village_cluster),
    swatch("#1565c0", T.general_cluster), swatch("#c62828", label.zones), swatch("#ef6c00", label.routes)]
    .filter(Boolean).map((entry, i) => [i && entry !== groupEntry ? h("br") : null, entry]), poiLegend);
legend.addTo(map);
// The groups' entry is shown at the zooms that draw them.
const showGroupEntry = () => { if (groupEntry) groupEntry.hidden = map.getZoom() >= below; };
map.on("zoomend", showGroupEntry);
showGroupEntry();
// The points of interest's colours are listed while their layer is shown (a phone's map has
// no room for them beside the layer switch otherwise).
map.on("overlayadd overlayremove", (event) => {
  if (overlays[label.pois] && event.layer === overlays[label.pois]) poiLegend.hidden = event.type === "overlayremove";
});

const input = document.getElementById("search");
const list = document.getElementById("search-results");
let pending = 0;
input.addEventListener("input", async () => {
  const q = input.value.trim();
  const ticket = ++pending;
  if (!q) { list.replaceChildren(); return; }
  const data = await getJSON("/search?q=" + encodeURIComponent(q));
  if (ticket !== pending) return;
  show(list, data.results.length ? data.results.map((r) =>
    h("li", { dataset: { id: r.id, lon: r.lon, lat: r.lat } }, r.name, " ", h("small", null, craftName(r.craft) + ", " + (r.province_name || ""))))
    : h("li", null, T.no_results));
});
list.addEventListener("click", (event) => {
  const li = event.target.closest("li[data-id]");
  if (!li) return;
  if (villageTiles) {  // no marker to open: go there, and show the village fetched by id
    const latlng = [Number(li.dataset.lat), Number(li.dataset.lon)];
    map.setView(latlng, Math.max(map.getZoom(), 14));
    openTiledPopup(map, "villages", li.dataset.id, latlng, villagePopup);
    return;
  }
  const marker = villageMarkers[li.dataset.id];
  villageCluster.zoomToShowLayer(marker, () => marker.openPopup());
});

// Leaflet.draw's words in the page's language (read when its toolbars are made).
const words = L.drawLocal;
Object.assign(words.draw.toolbar, {
  actions: { title: T.draw_cancel_title, text: T.draw_cancel },
  finish: { title: T.draw_finish_title, text: T.draw_finish },
  undo: { title: T.draw_undo_title, text: T.draw_undo },
});
Object.assign(words.draw.toolbar.buttons, { polygon: T.draw_polygon, rectangle: T.draw_rectangle });
const shapeTips = { start: T.draw_polygon_start, cont: T.draw_polygon_cont, end: T.draw_polygon_end };
words.draw.handlers.polygon.tooltip = shapeTips;
words.draw.handlers.polyline.tooltip = shapeTips;
words.draw.handlers.polyline.error = T.draw_cross_error;
words.draw.handlers.rectangle.tooltip = { start: T.draw_rectangle_start };
words.draw.handlers.simpleshape.tooltip = { end: T.draw_shape_end };
Object.assign(words.edit.toolbar.actions, {
  save: { title: T.edit_save_title, text: T.edit_save },
  cancel: { title: T.edit_cancel_title, text: T.draw_cancel },
  clearAll: { title: T.edit_clear_title, text: T.edit_clear },
});
words.edit.toolbar.buttons = { edit: T.edit_layers, editDisabled: T.edit_none,
  remove: T.remove_layers, removeDisabled: T.remove_none };
words.edit.handlers.edit.tooltip = { text: T.edit_tip, subtext: T.edit_subtip };
words.edit.handlers.remove.tooltip = { text: T.remove_tip };

export const drawn = new L.FeatureGroup().addTo(map);
map.addControl(new L.Control.Draw({ draw: { polygon: true, polyline: false, rectangle: true, circle: false,
  marker: false, circlemarker: false }, edit: { featureGroup: drawn } }));
map.on(L.Draw.Event.CREATED, async (event) => {
  drawn.clearLayers();
  drawn.addLayer(event.layer);
  const inside = await getJSON("/api/within", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(event.layer.toGeoJSON().geometry) });
  const part = (title, rows) => [h("h3", null, title + " (" + rows.length + ")"), h("ul", null, rows.map((r) => h("li", null, r.name)))];
  show(document.getElementById("inside"), h("h2", null, T.inside),
    part(label.villages, inside.villages), part(label.clusters, inside.clusters), part(label.zones, inside.zones));
});
ready();
initPlanning({ map, drawn, control }).catch((error) => console.error("LangNghe:", error));
initEditing({ map, editable }).catch((error) => console.error("LangNghe:", error));
initNewCluster({ drawn });
