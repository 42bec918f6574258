/* Editing on the maps: villages and clusters on the planner map (planners), stations and zones
   on the environment map (environmental officers); admins everywhere. An Edit button in the
   popup opens a form; polygons are reshaped, village markers dragged; saving sends a PATCH
   with the ETag read when editing began, so a change made meanwhile by someone else is
   refused (412) instead of overwritten. */
import { h, show } from "./dom.js";
import { T, config, csrfToken, layerChanged, ready, tiled } from "./common.js";

// Who may edit which layer, and the fields of its form, come from the layer declarations
// (config.layers: [{id, title, label, geometry, edit_roles, fields: [[name, widget, label], ...]}],
// a widget being text, number, date, the list of allowed values or "measured": a value the
// database derives from the geometry on every write, shown read-only and re-read after a save).
const DECLARED = Object.fromEntries((config.layers || []).map((l) => [l.id, l]));

/* Whether the signed-in user may edit features of a collection. */
export function canEdit(collection) {
  const layer = DECLARED[collection];
  return Boolean(layer && config.role && (config.role === "admin" || layer.edit_roles.includes(config.role)));
}

/* One labelled control of the edit form, holding the feature's current value. */
function control([name, kind, label], properties) {
  if (kind === "measured") {
    return h("label", null, label, " ", h("output", { dataset: { shown: name } }, shown(properties[name])));
  }
  const input = Array.isArray(kind)
    ? h("select", { dataset: { field: name } }, kind.map((v) =>
      h("option", { value: v, selected: properties[name] === v }, (T.choices[name] || {})[v] || v)))
    : h("input", { dataset: { field: name }, type: kind, value: properties[name] ?? "" });
  return h("label", null, label, " ", input);
}

/* A measured value as the form shows it (numbers in the page's language). */
function shown(value) {
  return value === null || value === undefined ? "" : Number(value).toLocaleString(config.lang === "vi" ? "vi-VN" : "en-GB");
}

/* Edit buttons in the popups of the page's editable layers: `editable` lists them as
   {collection, has(layer)}. Nothing happens without an account that may edit one of them. */
export async function initEditing({ map, editable }) {
  if (!config.role) return;
  const mine = editable.filter((e) => canEdit(e.collection));
  if (!mine.length) { ready("editingReady"); return; }
  const panel = document.getElementById("edit-panel");
  let session = null;
  // A tile feature being edited: drawn apart (above the tiles) from its fetched GeoJSON.
  const picked = L.layerGroup().addTo(map);

  function stop() {
    if (!session) return;
    picked.clearLayers();
    if (session.layer.editing && session.layer.editing.enabled && session.layer.editing.enabled()) session.layer.editing.disable();
    if (session.collection === "villages" && session.layer.dragging) session.layer.dragging.disable();
    session = null;
    panel.hidden = true;
  }

  async function start(collection, layer, temporary) {
    stop();
    if (temporary) picked.addLayer(layer);
    const id = layer.feature.id;
    const response = await fetch("/collections/" + collection + "/items/" + id);
    const feature = await response.json();
    session = { collection, layer, id, etag: response.headers.get("ETag") };
    show(panel, h("h3", null, T.edit + ": " + feature.properties.name),
      DECLARED[collection].fields.map((field) => control(field, feature.properties)),
      h("p", { class: "hint" }, collection === "clusters" ? T.reshape_hint : T.drag_hint),
      h("button", { type: "button", id: "edit-save", onclick: save }, T.save), " ",
      h("button", { type: "button", id: "edit-cancel", onclick: () => { stop(); window.location.reload(); } }, T.cancel),
      h("p", { id: "edit-result", role: "status" }));
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });
    if ((collection === "clusters" || collection === "zones") && layer.editing) {
      // Stored as MultiPolygons; Leaflet.draw edits one simple ring. A one-part, hole-free
      // polygon is given to it as that ring (without the closing point); others keep their shape.
      const g = layer.feature.geometry;
      const parts = g.type === "MultiPolygon" ? g.coordinates : [g.coordinates];
      if (parts.length === 1 && parts[0].length === 1) {
        let ring = layer.getLatLngs();
        while (!L.LineUtil.isFlat(ring)) ring = ring[0];
        if (ring.length > 1 && ring[0].equals(ring[ring.length - 1])) ring = ring.slice(0, -1);
        layer.setLatLngs(ring);
        layer.editing = new L.Edit.Poly(layer);  // its vertex handlers were built for the old, nested latlngs
        layer.editing.enable();
      }
    }
    if (collection === "villages" && layer.dragging) layer.dragging.enable();
    map.closePopup();
  }

  async function save() {
    const out = document.getElementById("edit-result");
    const properties = {};
    panel.querySelectorAll("[data-field]").forEach((el) => {
      const v = el.value.trim();  // an emptied field clears the value
      properties[el.dataset.field] = v === "" ? null : (el.type === "number" ? Number(v) : v);
    });
    // Station markers are circles that do not move: their position is not sent.
    const body = { type: "Feature", properties,
      geometry: session.collection === "stations" ? undefined : session.layer.toGeoJSON().geometry };
    const response = await fetch("/collections/" + session.collection + "/items/" + session.id, {
      method: "PATCH", body: JSON.stringify(body),
      headers: { "Content-Type": "application/geo+json", "If-Match": session.etag, "X-CSRFToken": csrfToken } });
    if (response.ok) {
      session.etag = response.headers.get("ETag");
      // a tiled layer is drawn again with the version the edit answered (no stale tile)
      if (tiled(session.collection)) layerChanged(session.collection, Number(response.headers.get("Layer-Version")));
      Object.assign(session.layer.feature.properties, properties);
      // The saved row's measured values (a reshaped cluster's area) are the database's.
      const saved = await (await fetch("/collections/" + session.collection + "/items/" + session.id)).json();
      panel.querySelectorAll("[data-shown]").forEach((el) => {
        session.layer.feature.properties[el.dataset.shown] = saved.properties[el.dataset.shown];
        el.textContent = shown(saved.properties[el.dataset.shown]);
      });
      out.textContent = T.saved;
      out.className = "";
      document.body.dataset.edited = String(session.id);
    } else {
      const error = await response.json().catch(() => ({}));
      out.textContent = response.status === 412 ? T.stale_edit : (error.description || response.status);
      out.className = "error";
    }
  }

  // A feature of a tiled layer: its popup shows the feature fetched by id; editing works on
  // a layer made from that GeoJSON, drawn in the markers' pane above the tiles.
  map.on("tilepopup", ({ popup, collection, feature }) => {
    if (!mine.some((e) => e.collection === collection)) return;
    const content = popup.getContent();  // our node: update() draws it again, with the button
    if (!(content instanceof Node)) return;
    content.append(h("button", { type: "button", class: "edit-button", onclick: () => {
      const layer = L.geoJSON(feature, {
        pointToLayer: (f, ll) => L.circleMarker(ll, { pane: "markerPane", radius: 10, color: "#111", weight: 3, fill: false }),
        style: { pane: "markerPane", color: "#111", weight: 3, dashArray: "6 4", fillOpacity: 0.1 },
      }).getLayers()[0];
      start(collection, layer, true);
    } }, T.edit));
    popup.update();
  });

  map.on("popupopen", (event) => {
    const layer = event.popup._source;
    if (!layer || !layer.feature) return;
    const found = mine.find((e) => e.has(layer));
    if (!found) return;
    event.popup.getElement().querySelector(".leaflet-popup-content").append(
      h("button", { type: "button", class: "edit-button", onclick: () => start(found.collection, layer) }, T.edit));
  });
  ready("editingReady");
}
