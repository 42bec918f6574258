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
