/* Shared helpers of the pages. No external requests: data comes from our API. The page's
   settings and its own translated strings come in the JSON block #config. */
import { h, show } from "./dom.js";

window.addEventListener("unhandledrejection", (event) =>
  console.error("LangNghe:", event.reason && event.reason.stack ? event.reason.stack : event.reason));

export const config = JSON.parse(document.getElementById("config").textContent);
export const T = config.strings;
export const csrfToken = (document.querySelector("meta[name=csrf-token]") || {}).content || "";

export async function getJSON(url, options) {
  options = options || {};
  if (options.method && options.method !== "GET") options.headers = Object.assign({ "X-CSRFToken": csrfToken }, options.headers || {});
  const response = await fetch(url, options);
  if (!response.ok) throw new Error(url + ": " + response.status);
  return response.json();
}

/* A note for the visitor (the basemap is off or unreachable...). It sits in the page's flow
   under the top bar, so it never covers a control, and the visitor can dismiss it. */
export function note(text) {
  const el = document.getElementById("basemap-note");
  show(el, h("span", { class: "note-text" }, text),
    h("button", { type: "button", class: "note-close", "aria-label": T.dismiss, title: T.dismiss,
      onclick: () => { el.hidden = true; resizeMaps(); } }, "×"));
  el.hidden = false;
  resizeMaps();
}

/* The page's maps take the height a note leaves them (or gives back). */
const maps = [];
function resizeMaps() {
  maps.forEach((m) => m.invalidateSize());
}

/* Mark a stage of the page as done (the browser tests wait for these). */
export function ready(name) {
  document.body.dataset[name || "ready"] = "1";
}

export function makeMap(id, view) {
  const map = L.map(id, { preferCanvas: false, maxZoom: 19 }).setView(view || [21.03, 105.85], 10);
  maps.push(map);
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

export function items(collection, extra) {
  return getJSON("/collections/" + collection + "/items?limit=" + config.items_max + (extra || ""));
}

/* One feature of a collection, with all its public properties (a tile carries only some). */
export function feature(collection, id) {
  return getJSON("/collections/" + collection + "/items/" + encodeURIComponent(id));
}

/* The pages' layers by collection id (config.layers, from the layer declarations). A layer
   with more features than the setting page_tiles_above comes with tiles: true and is drawn
   from its vector tiles; the others are downloaded as GeoJSON. */
export const layerInfo = Object.fromEntries((config.layers || []).map((l) => [l.id, l]));
export const tiled = (collection) => Boolean(layerInfo[collection] && layerInfo[collection].tiles);

/* The features a page draws itself: the GeoJSON of a small layer, or null for a tiled one
   (drawn by tileLayer, so its features are never downloaded). */
export function layerData(collection, extra) {
  return tiled(collection) ? Promise.resolve(null) : items(collection, extra);
}

/* VectorGrid's point symbolizers are circle markers without a position (they draw in tile
   pixels); Leaflet 1.9 takes a clicked small circle marker for a marker and reads its position,
   which fails. Without getLatLng Leaflet places the click by the pointer, as for any path. */
if (L.VectorGrid) {
  const point = L.VectorGrid.prototype._createLayer.call({ options: {} },
    { type: 1, geometry: [[{ x: 0, y: 0 }]], properties: {} }, L.point(1, 1));
  Object.getPrototypeOf(point).getLatLng = undefined;
}

/* A large layer drawn from /tiles/{collection}/{z}/{x}/{y}.pbf (Leaflet.VectorGrid, SVG: only
   the drawn features take clicks, so the layers below stay clickable). style(properties, zoom)
   gives Leaflet path options as the GeoJSON layer would (an empty array hides the feature);
   popup(properties) builds the popup of a clicked feature from all its properties, fetched
   by id since a tile carries only some. Each layer has its own pane at zIndex (the overlay
   pane is 400, markers 600), so it is drawn and clicked above the choropleth. */
export function tileLayer(map, collection, { style, popup, zIndex, maxWidth }) {
  const pane = "tiles-" + collection;
  if (!map.getPane(pane)) map.createPane(pane).style.zIndex = String(zIndex || 450);
  const grid = L.vectorGrid.protobuf("/tiles/" + collection + "/{z}/{x}/{y}.pbf", {
    pane,
    interactive: true,
    minZoom: 0,
    maxZoom: 19,
    vectorTileLayerStyles: { [collection]: style },
    // The tile's feature id is the row id; VectorGrid hands a click only the properties.
    getFeatureId: (f) => { f.properties.id = f.id; return f.id; },
  });
  grid.on("click", (event) => {
    const id = event.layer.properties.id;
    const shown = L.popup({ maxWidth: maxWidth || 320 }).setLatLng(event.latlng)
      .setContent(h("div", { class: "popup", "aria-busy": "true" }, "…")).openOn(map);
    feature(collection, id).then((f) => shown.setContent(popup(f.properties, f)))
      .catch((error) => { map.closePopup(shown); console.error("LangNghe:", error); });
  });
  // the browser tests and benchmarks wait for this: every tile in view drawn
  grid.on("load", () => ready("tiles_" + collection.replace(/-/g, "_")));
  return grid;
}

/* Open the popup of a tiled layer's feature at a place (a search result). */
export async function openTiledPopup(map, collection, id, latlng, popup, maxWidth) {
  const f = await feature(collection, id);
  return L.popup({ maxWidth: maxWidth || 320 }).setLatLng(latlng).setContent(popup(f.properties, f)).openOn(map);
}

/* One term of a definition list, or nothing when the value is empty. */
export function row(label, value) {
  return value === null || value === undefined || value === "" ? null : [h("dt", null, label), h("dd", null, value)];
}

/* A popup's content: a title and a definition list. */
export function popup(title, ...rows) {
  return h("div", { class: "popup" }, h("h3", null, title), rows.length ? h("dl", null, rows) : null);
}

/* A legend swatch (a small coloured square, round for points) and its label. */
export function swatch(color, label, round) {
  return [h("i", { style: { background: color, borderRadius: round ? "50%" : "" } }), label];
}

/* Administrative boundaries as a light base layer, so the map is readable without a basemap. */
export async function addBoundaries(map, level) {
  const units = await getJSON("/api/choropleth?version=pre-2025&level=" + (level || "province"));
  if (!units.features.length) return null;
  const layer = L.geoJSON(units, { interactive: false, style: { color: "#8d6e63", weight: 0.8, fill: false } }).addTo(map);
  layer.bringToBack();
  return layer;
}
