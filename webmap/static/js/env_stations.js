/* The environment page's station list: search (accent-insensitive), filters (medium, operator,
   with/without data, with/without position), each station's data range; a station without a
   position is flagged, and an officer places it: a marker dragged (or the map clicked) or the
   coordinates typed, saved as an audited edit through the editing API (PATCH with If-Match). */
import { h, show } from "./dom.js";
import { T, csrfToken, getJSON } from "./common.js";
import { canEdit } from "./editing.js";
import { hanoiDay } from "./env_time.js";

const $ = (id) => document.getElementById(id);

/** Lower-case ASCII: "Kim Liên" and "kim lien" match, "Đông" and "dong" too. */
export function fold(text) {
  return String(text || "").replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
}

/** The first and last time of a station's values, over its parameters (null without data). */
export function dataRange(station) {
  if (!station.ranges.length) return null;
  const first = station.ranges.map((r) => r.first).reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
  const last = station.ranges.map((r) => r.last).reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
  return { first, last };
}

/** Whether a station passes the search text and the four filters. */
export function matches(station, { text, medium, operator, data, position }) {
  const words = fold(text);
  if (words && !fold([station.name, station.ref, station.operator].join(" ")).includes(words)) return false;
  if (medium && station.medium !== medium) return false;
  if (operator && (station.operator || "") !== operator) return false;
  if (data && (data === "with") !== station.ranges.length > 0) return false;
  if (position && (position === "placed") !== (station.lon !== null)) return false;
  return true;
}

const medium = (s) => (T.media || {})[s.medium] || s.medium;

function rangeText(station) {
  const range = dataRange(station);
  if (!range) return T.no_data;
  return hanoiDay(range.first) + " – " + hanoiDay(range.last) + " · " +
    T.parameters_count.replace("{count}", String(station.ranges.length));
}

function details(station) {
  if (!station.ranges.length) return null;
  return h("details", { class: "ranges" }, h("summary", null, T.data_ranges),
    h("ul", null, station.ranges.map((r) => h("li", null, r.parameter + ": " + hanoiDay(r.first) + " – " + hanoiDay(r.last)))));
}

/* The station list and the placing of a station; `onSelect(id)` shows a station on the page,
   `onPlaced()` reloads the map's stations after a station got a position. */
export async function initStations({ map, onSelect, onPlaced }) {
  const box = $("stations-box");
  if (!box) return { reload: async () => {} };
  let stations = [];
  let placing = null;
  const filters = () => ({ text: $("station-search").value, medium: $("filter-medium").value,
    operator: $("filter-operator").value, data: $("filter-data").value, position: $("filter-position").value });

  function item(station) {
    const unplaced = station.lon === null;
    return h("li", { class: unplaced ? "station unplaced" : "station", dataset: { ref: station.ref } },
      h("button", { type: "button", class: "station-name", onclick: () => onSelect(station.id) }, station.name),
      h("small", null, " " + station.ref + " · " + medium(station) + (station.operator ? " · " + station.operator : "")),
      unplaced ? h("span", { class: "flag" }, T.no_position) : null,
      h("br"), h("small", { class: "range" }, rangeText(station)), details(station),
      unplaced && canEdit("stations")
        ? h("button", { type: "button", class: "place-button", onclick: () => startPlacing(station) }, T.place) : null);
  }

  function draw() {
    const chosen = filters();
    const shown = stations.filter((s) => matches(s, chosen));
    const unplaced = stations.filter((s) => s.lon === null).length;
    $("station-count").textContent = T.shown_of.replace("{shown}", String(shown.length))
      .replace("{total}", String(stations.length)) + (unplaced ? " · " + T.unplaced_count.replace("{count}", String(unplaced)) : "");
    show($("station-list"), shown.map(item));
  }

  async function reload() {
    stations = (await getJSON("/api/stations")).stations;
    const operators = [...new Set(stations.map((s) => s.operator).filter(Boolean))].sort();
    const keep = $("filter-operator").value;
    show($("filter-operator"), h("option", { value: "" }, T.all), operators.map((o) => h("option", { value: o, selected: o === keep }, o)));
    draw();
    document.body.dataset.stations = String(stations.length);
  }

  // Placing: a draggable marker (or a click on the map) and two number fields kept in step.
  function startPlacing(station) {
    stopPlacing();
    const at = map.getCenter();
    const marker = L.marker(at, { draggable: true, autoPan: true, title: station.name,
      icon: L.divIcon({ className: "place-icon", html: h("span", null, "+"), iconSize: [28, 28], iconAnchor: [14, 14] }) }).addTo(map);
    const lon = h("input", { type: "number", id: "place-lon", step: "any", min: "102", max: "110", value: at.lng.toFixed(6) });
    const lat = h("input", { type: "number", id: "place-lat", step: "any", min: "8", max: "24", value: at.lat.toFixed(6) });
    const follow = (ll) => { lon.value = ll.lng.toFixed(6); lat.value = ll.lat.toFixed(6); };
    marker.on("drag", () => follow(marker.getLatLng()));
    const typed = () => {
      const ll = L.latLng(Number(lat.value), Number(lon.value));
      if (Number.isFinite(ll.lat) && Number.isFinite(ll.lng)) marker.setLatLng(ll);
    };
    lon.addEventListener("input", typed);
    lat.addEventListener("input", typed);
    const click = (event) => { marker.setLatLng(event.latlng); follow(event.latlng); };
    map.on("click", click);
    placing = { station, marker, click };
    const panel = $("place-panel");
    show(panel, h("h3", null, T.place_title.replace("{name}", station.name).replace("{ref}", station.ref)),
      h("p", { class: "hint" }, T.place_hint),
      h("label", null, T.lon + " ", lon), h("label", null, T.lat + " ", lat),
      h("button", { type: "button", id: "place-save", onclick: () => save(station, Number(lon.value), Number(lat.value)) }, T.save_position),
      " ", h("button", { type: "button", id: "place-cancel", onclick: stopPlacing }, T.cancel),
      h("p", { id: "place-result", role: "status" }));
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });
  }

  function stopPlacing() {
    if (!placing) return;
    map.removeLayer(placing.marker);
    map.off("click", placing.click);
    placing = null;
    $("place-panel").hidden = true;
  }

  async function save(station, lon, lat) {
    const out = $("place-result");
    const url = "/collections/stations/items/" + station.id;
    const current = await fetch(url);
    const response = await fetch(url, { method: "PATCH",
      body: JSON.stringify({ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: [lon, lat] } }),
      headers: { "Content-Type": "application/geo+json", "If-Match": current.headers.get("ETag"), "X-CSRFToken": csrfToken } });
    if (!response.ok) {
      const error = await response.json().catch(() => ({}));
      out.textContent = error.description || String(response.status);
      out.className = "error";
      return;
    }
    stopPlacing();
    await onPlaced();
    await reload();
    $("station-count").textContent += " · " + T.placed.replace("{name}", station.name);
    document.body.dataset.placed = station.ref;
  }

  for (const id of ["station-search", "filter-medium", "filter-operator", "filter-data", "filter-position"]) {
    $(id).addEventListener("input", draw);
  }
  await reload();
  return { reload, startPlacing: (ref) => startPlacing(stations.find((s) => s.ref === ref)) };
}
