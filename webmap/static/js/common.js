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

/* A popup that the map pans into view stops below the zoom and layer controls (they take
   the top 72 px of the map), so none of its buttons lies under a control. */
L.Popup.mergeOptions({ autoPanPaddingTopLeft: L.point(10, 84), autoPanPaddingBottomRight: L.point(10, 10) });

/* Leaflet's own words in the page's language: the zoom buttons and the layers button (their
   defaults are English). The attribution names Leaflet without its English link title. */
L.Control.Zoom.mergeOptions({ zoomInTitle: T.zoom_in, zoomOutTitle: T.zoom_out });
L.Control.Attribution.mergeOptions({ prefix: "Leaflet" });
const layersOnAdd = L.Control.Layers.prototype.onAdd;
L.Control.Layers.include({
  onAdd(map) {
    const container = layersOnAdd.call(this, map);
    const toggle = container.querySelector(".leaflet-control-layers-toggle");
    if (toggle) toggle.title = T.layers;
    return container;
  },
});

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

/* The layer version a tile URL names (?v=): the page's, or the one an edit answered, so the
   editor's next tiles are drawn after their change (the server reads the counter again). */
const tiledLayers = {};
const tileQuery = (collection) => "?v=" + ((layerInfo[collection] || {}).version || 0);

/* Redraw a collection's tile layers after an edit that answered with `version`. */
export function layerChanged(collection, version) {
  if (!layerInfo[collection] || !(version > (layerInfo[collection].version || 0))) return;
  layerInfo[collection].version = version;
  (tiledLayers[collection] || []).forEach((layer) => layer.refresh());
}

function register(collection, layer) {
  (tiledLayers[collection] = tiledLayers[collection] || []).push(layer);
}

/* A tile feature's popup: built from all its properties, fetched by id (a tile carries only
   some). The map fires "tilepopup" once it shows them, so editing can add its button. */
function tilePopup(map, collection, id, latlng, popup, maxWidth) {
  const shown = L.popup({ maxWidth: maxWidth || 320 }).setLatLng(latlng)
    .setContent(h("div", { class: "popup", "aria-busy": "true" }, "…")).openOn(map);
  return feature(collection, id).then((f) => {
    shown.setContent(popup(f.properties, f));
    map.fire("tilepopup", { popup: shown, collection, feature: f });
    return shown;
  }).catch((error) => { map.closePopup(shown); console.error("LangNghe:", error); });
}

/* A large layer drawn from /tiles/{collection}/{z}/{x}/{y}.pbf (Leaflet.VectorGrid, SVG: only
   the drawn features take clicks, so the layers below stay clickable). style(properties, zoom)
   gives Leaflet path options as the GeoJSON layer would (an empty array hides the feature);
   popup(properties) builds the popup of a clicked feature from all its properties, fetched
   by id since a tile carries only some. Each layer has its own pane at zIndex (the overlay
   pane is 400, markers 600), so it is drawn and clicked above the choropleth. minZoom: the
   layer is drawn from that zoom on (below it, groups: groupLayer). */
export function tileLayer(map, collection, { style, popup, zIndex, maxWidth, minZoom }) {
  const pane = "tiles-" + collection;
  if (!map.getPane(pane)) map.createPane(pane).style.zIndex = String(zIndex || 450);
  const url = () => "/tiles/" + collection + "/{z}/{x}/{y}.pbf" + tileQuery(collection);
  const grid = L.vectorGrid.protobuf(url(), {
    pane,
    interactive: true,
    minZoom: minZoom || 0,
    maxZoom: 19,
    vectorTileLayerStyles: { [collection]: style },
    // The tile's feature id is the row id; VectorGrid hands a click only the properties.
    getFeatureId: (f) => { f.properties.id = f.id; return f.id; },
  });
  grid.on("click", (event) => tilePopup(map, collection, event.layer.properties.id, event.latlng, popup, maxWidth));
  // the browser tests and benchmarks wait for this: every tile in view drawn
  grid.on("load", () => ready("tiles_" + collection.replace(/-/g, "_")));
  grid.refresh = () => grid.setUrl(url());
  register(collection, grid);
  return grid;
}

/* Whether the pages draw a tiled point layer as counted groups at this zoom. */
export const groupBelow = (collection) => tiled(collection) && layerInfo[collection].geometry === "Point"
  ? config.group_below_zoom || 0 : 0;

/* The low-zoom overview of a tiled point layer: /tiles/{collection}/groups/{z}/{x}/{y}.json
   gives, per quarter of a tile, how many features and where. A group is a circle sized by its
   count (count(group): the number the page's filter leaves, 0 hides it) with the number on it;
   a click zooms in. A feature alone in its square is drawn as itself (style(properties), as
   the tiles would; an empty array hides it) and opens its popup. Below zoom `below` only.
   label: the group's title, "{n}" standing for its count. by: the properties the counts g.by
   are nested by ("craft,visitable": g.by[craft][visitable]; the layer's first by default);
   className: added to the groups' class (their look). */
export function groupLayer(map, collection, { style, popup, count, zIndex, maxWidth, below, label, by, className }) {
  const pane = "tiles-" + collection;
  if (!map.getPane(pane)) map.createPane(pane).style.zIndex = String(zIndex || 450);
  const locale = config.lang === "vi" ? "vi-VN" : "en-GB";
  const Groups = L.GridLayer.extend({
    createTile(coords, done) {
      const tile = L.DomUtil.create("div", "group-tile");
      const origin = coords.scaleBy(this.getTileSize());
      fetch("/tiles/" + collection + "/groups/" + coords.z + "/" + coords.x + "/" + coords.y + ".json" + tileQuery(collection)
        + (by ? "&by=" + encodeURIComponent(by) : ""))
        .then((r) => { if (!r.ok) throw new Error("groups " + r.status); return r.json(); })
        .then((data) => {
          for (const g of data.groups) {
            const latlng = L.latLng(g.lat, g.lon);
            const at = map.project(latlng, coords.z).subtract(origin);
            const n = count ? count(g) : g.n;
            let el = null;
            if (g.one) {
              const look = style(g.one);
              if (Array.isArray(look)) continue;
              const d = 2 * (look.radius || 7);
              el = h("button", { type: "button", class: "group-one", title: g.one.name || "",
                "aria-label": g.one.name || "", style: { width: d + "px", height: d + "px",
                  left: (at.x - d / 2) + "px", top: (at.y - d / 2) + "px", background: look.fillColor } });
              el.addEventListener("click", () => tilePopup(map, collection, g.one.id, latlng, popup, maxWidth));
            } else if (n > 0) {
              const d = Math.round(26 + 9 * Math.log10(n));
              const says = label.replace("{n}", n.toLocaleString(locale));
              el = h("button", { type: "button", class: "group" + (className ? " " + className : ""), title: says, "aria-label": says,
                style: { width: d + "px", height: d + "px", left: (at.x - d / 2) + "px", top: (at.y - d / 2) + "px" } },
              n.toLocaleString(locale));
              el.addEventListener("click", () => map.setView(latlng, Math.min(coords.z + 2, below)));
            }
            if (!el) continue;
            L.DomEvent.disableClickPropagation(el);
            tile.append(el);
          }
          done(null, tile);
        })
        .catch((error) => { console.error("LangNghe:", error); done(error, tile); });
      return tile;
    },
  });
  const layer = new Groups({ pane, maxZoom: below - 1, minZoom: 0, updateWhenZooming: false });
  layer.on("load", () => ready("groups_" + collection.replace(/-/g, "_")));
  layer.refresh = () => layer.redraw();
  register(collection, layer);
  return layer;
}

/* Open the popup of a tiled layer's feature at a place (a search result). */
export function openTiledPopup(map, collection, id, latlng, popup, maxWidth) {
  return tilePopup(map, collection, id, latlng, popup, maxWidth);
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
