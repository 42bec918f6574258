/* Zones on the environment page: whether each kind is up to date with its inputs (stale ones
   say the date of their inputs), source zones for a date and exceedance zones from a surface made
   by environmental officers, and the change between two dates drawn on the map with a legend.
   The zones' method texts come from the server in the page's language. */
import { h, show } from "./dom.js";
import { T, config, getJSON, ready, swatch } from "./common.js";
import { hanoiDay, number, send, showDay } from "./env_time.js";

const $ = (id) => document.getElementById(id);
const CHANGE_COLORS = { new: "#c62828", grew: "#ef6c00", shrank: "#1565c0", gone: "#757575", unchanged: "#9e9d24" };
let methods = {};

/** A zone's stored method in the page's language (the stored value when none is known). */
export function methodText(stored) {
  return methods[stored] || stored || "";
}

/** The zones panel over `map`. */
export async function initZones({ map }) {
  const officer = ["env_officer", "admin"].includes(config.role);
  let changes = null;
  const legend = L.control({ position: "bottomleft" });
  legend.onAdd = () => h("div", { class: "legend", id: "zone-legend" });

  function error(e) {
    $("zone-error").textContent = e ? String(e.message || e) : "";
    $("zone-error").hidden = !e;
  }

  async function refresh() {
    methods = (await getJSON("/api/zones/methods")).methods;
    const status = (await getJSON("/api/zones/status")).kinds;
    show($("zone-status"), status.length ? status.map((z) => h("li", { class: z.stale ? "warn" : null,
      dataset: { kind: z.kind, stale: z.stale } }, z.text,
      officer && z.stale && z.kind === "source_buffer" ? [" ", h("button", { type: "button", class: "zone-refresh",
        onclick: () => makeSources(z.date) }, T.refresh_zones)] : null)) : h("li", null, T.no_zones_yet));
    const latest = status.find((z) => z.kind === "source_buffer");
    if (latest && !$("zone-after").value) $("zone-after").value = latest.date;
  }

  async function makeSources(day) {
    error(null);
    try {
      const made = await send("POST", "/api/zones/sources", { date: day });
      $("zone-made").textContent = T.zones_made.replace("{count}", made.zones).replace("{date}", showDay(made.date));
      await refresh();
      document.dispatchEvent(new CustomEvent("langnghe:zones"));  // the map's zones and the exposure follow
    } catch (e) { error(e); }
  }

  async function fromSurface() {
    error(null);
    try {
      const made = await send("POST", "/api/zones/surface", { scenario_id: Number($("zone-surface").value) });
      $("zone-made").textContent = T.zones_from_surface.replace("{count}", made.zones).replace("{parameter}", made.parameter)
        .replace("{limit}", number(made.limit, config.lang)).replace("{document}", made.document);
      await refresh();
      document.dispatchEvent(new CustomEvent("langnghe:zones"));  // the map's zones and the exposure follow
    } catch (e) { error(e); }
  }

  async function compare(event) {
    event.preventDefault();
    error(null);
    try {
      const found = await getJSON("/api/zones/compare?before=" + encodeURIComponent($("zone-before").value) +
        "&after=" + encodeURIComponent($("zone-after").value));
      if (changes) map.removeLayer(changes);
      changes = L.geoJSON(found, { style: (f) => ({ color: CHANGE_COLORS[f.properties.status], weight: 2,
        fillOpacity: f.properties.status === "gone" ? 0.05 : 0.3, dashArray: f.properties.status === "gone" ? "4 4" : null }),
      onEachFeature: (f, l) => l.bindPopup(() => h("div", { class: "popup" }, h("h3", null, f.properties.ref),
        T.change[f.properties.status] + " · " + number(f.properties.area_before_m2 / 1e4, config.lang, 2) + " → " +
        number(f.properties.area_after_m2 / 1e4, config.lang, 2) + " ha")) }).addTo(map);
      const counts = {};
      for (const f of found.features) counts[f.properties.status] = (counts[f.properties.status] || 0) + 1;
      $("zone-changes").textContent = Object.keys(CHANGE_COLORS).map((s) => T.change[s] + " " + (counts[s] || 0)).join(" · ");
      legend.addTo(map);
      show(legend.getContainer(), h("strong", null, T.changes_title + " " + showDay($("zone-before").value) + " → " + showDay($("zone-after").value)),
        Object.entries(CHANGE_COLORS).map(([s, c]) => [h("br"), swatch(c, T.change[s])]));
      if (found.features.length) map.fitBounds(changes.getBounds().pad(0.1));
      document.body.dataset.zoneChanges = String(found.features.length);
    } catch (e) { error(e); }
  }

  $("zone-compare").addEventListener("submit", compare);
  if (officer) {
    const surfaces = (await getJSON("/api/surfaces")).surfaces;
    show($("zone-admin"),
      h("p", null, h("label", null, T.zone_date + " ", h("input", { type: "date", id: "zone-date", value: config.today })), " ",
        h("button", { type: "button", id: "zone-make-sources", onclick: () => makeSources($("zone-date").value) }, T.make_sources)),
      surfaces.length ? h("p", null, h("label", null, T.surface_label + " ", h("select", { id: "zone-surface" },
        surfaces.map((s) => h("option", { value: s.id }, s.parameter + " · " + (s.start ? hanoiDay(s.start) : T.all_data) + " · #" + s.id)))), " ",
      h("button", { type: "button", id: "zone-make-surface", onclick: fromSurface }, T.make_exceedance)) : null,
      h("p", { id: "zone-made", class: "hint", role: "status" }));
  }
  await refresh();
  ready("zonesReady");
}
