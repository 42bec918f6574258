/* Editing on the maps: villages and clusters on the planner map (planners), stations and zones
   on the environment map (environmental officers); admins everywhere. An Edit button in the
   popup opens a form; polygons are reshaped, village markers dragged; saving sends a PATCH
   with the ETag read when editing began, so a change made meanwhile by someone else is
   refused (412) instead of overwritten. Each page lists its editable layers in
   window.lnEditable: [{collection, has(layer)}]. */
"use strict";
(async function () {
  const { T, esc, csrfToken } = LN;
  // Who may edit which layer, and the fields of its form, come from the layer declarations
  // (LN.config.layers: [{id, title, geometry, edit_roles, fields: [[name, widget, label], ...]}]).
  const DECLARED = Object.fromEntries((LN.config.layers || []).map((l) => [l.id, l]));
  const may = (collection) => DECLARED[collection] && (LN.config.role === "admin" || DECLARED[collection].edit_roles.includes(LN.config.role));
  if (!LN.config.role) return;
  while (!window.lnMap || !window.lnEditable) await new Promise((r) => setTimeout(r, 50));
  const mine = window.lnEditable.filter((e) => may(e.collection));
  if (!mine.length) { document.body.dataset.editingReady = "1"; return; }
  const map = window.lnMap;
  const panel = document.getElementById("edit-panel");
  const FIELDS = Object.fromEntries(Object.values(DECLARED).map((l) => [l.id, l.fields]));
  let session = null;

  function stop() {
    if (!session) return;
    if (session.layer.editing && session.layer.editing.enabled && session.layer.editing.enabled()) session.layer.editing.disable();
    if (session.collection === "villages" && session.layer.dragging) session.layer.dragging.disable();
    session = null;
    panel.hidden = true;
  }

  async function start(collection, layer) {
    stop();
    const id = layer.feature.id;
    const response = await fetch("/collections/" + collection + "/items/" + id);
    const feature = await response.json();
    session = { collection, layer, id, etag: response.headers.get("ETag") };
    panel.innerHTML = "<h3>" + esc(T.edit) + ": " + esc(feature.properties.name) + "</h3>" + FIELDS[collection].map(([name, kind, label]) =>
      "<label>" + esc(label) + " " + (Array.isArray(kind)
        ? "<select data-field='" + name + "'>" + kind.map((v) => "<option" + (feature.properties[name] === v ? " selected" : "") +
          " value='" + v + "'>" + esc(T[name + "_" + v] || T[v] || v) + "</option>").join("") + "</select>"
        : "<input data-field='" + name + "' type='" + kind + "' value='" + esc(feature.properties[name] ?? "") + "'>") +
      "</label>").join("") +
      "<p class=hint>" + esc(collection === "clusters" ? T.reshape_hint : T.drag_hint) + "</p>" +
      "<button type=button id=edit-save>" + esc(T.save) + "</button> <button type=button id=edit-cancel>" + esc(T.cancel) +
      "</button><p id=edit-result role=status></p>";
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });
    document.getElementById("edit-cancel").addEventListener("click", () => { stop(); window.location.reload(); });
    document.getElementById("edit-save").addEventListener("click", save);
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
      Object.assign(session.layer.feature.properties, properties);
      out.textContent = T.saved;
      out.className = "";
      document.body.dataset.edited = String(session.id);
    } else {
      const error = await response.json().catch(() => ({}));
      out.textContent = response.status === 412 ? T.stale_edit : (error.description || response.status);
      out.className = "error";
    }
  }

  // On the planner map, a drawn polygon becomes a new planned cluster.
  const checkPanel = document.getElementById("check-panel");
  const create = L.DomUtil.create("div", "new-cluster");
  create.innerHTML = "<h3>" + esc(T.new_cluster) + "</h3><label>" + esc(T.field_ref) + " <input id=new-ref placeholder='CCN-...'></label>" +
    "<label>" + esc(T.field_name) + " <input id=new-name></label><label>" + esc(T.cluster_kind) +
    " <select id=new-kind><option value=general>" + esc(T.general_cluster) + "</option><option value=craft_village>" +
    esc(T.craft_village_cluster) + "</option></select></label><button type=button id=new-save>" + esc(T.save_drawn) +
    "</button><p id=new-result role=status></p>";
  if (checkPanel && mine.some((e) => e.collection === "clusters")) checkPanel.appendChild(create);
  if (checkPanel) document.getElementById("new-save")?.addEventListener("click", async () => {
    const out = document.getElementById("new-result");
    const layers = window.lnDrawn.getLayers();
    if (!layers.length) { out.textContent = T.draw_first; out.className = "error"; return; }
    const body = { type: "Feature", geometry: layers[0].toGeoJSON().geometry, properties: {
      ref: document.getElementById("new-ref").value.trim(), name: document.getElementById("new-name").value.trim(),
      kind: document.getElementById("new-kind").value, status: "planned", source: "drawn on the planner map" } };
    const response = await fetch("/collections/clusters/items", { method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/geo+json", "X-CSRFToken": csrfToken } });
    if (response.ok) {
      out.textContent = T.saved;
      out.className = "";
      document.body.dataset.created = response.headers.get("Location");
    } else {
      out.textContent = (await response.json().catch(() => ({}))).description || response.status;
      out.className = "error";
    }
  });

  map.on("popupopen", (event) => {
    const layer = event.popup._source;
    if (!layer || !layer.feature) return;
    const found = mine.find((e) => e.has(layer));
    if (!found) return;
    const collection = found.collection;
    const button = L.DomUtil.create("button", "edit-button");
    button.type = "button";
    button.textContent = T.edit;
    button.addEventListener("click", () => start(collection, layer));
    event.popup.getElement().querySelector(".leaflet-popup-content").appendChild(button);
  });
  document.body.dataset.editingReady = "1";
})();
