/* A relocation scenario on a map: its sites named (a cluster's name, or a siting candidate's
   number and scenario), each chosen site and the lines of its villages in one colour, the
   lines' width by the workshops that move, villages not served marked, and a legend that says
   all of this. The panel's summary names the sites and lists the villages skipped for want of
   a household or worker count (or the default demand that counted them). */
import { h } from "./dom.js";
import { T } from "./common.js";
import { fmt } from "./siting_form.js";

// Sites are diamonds in colours apart from the villages' (red, orange, green circles) and the
// clusters' (purple, blue outlines).
export const SITE_COLOURS = ["#00838f", "#d81b60", "#4e342e", "#212121", "#827717", "#f9a825", "#5c6bc0", "#8d6e63"];
const NOT_CHOSEN = "#90a4ae";
const UNSERVED = "#b71c1c";
// Workshops moved by one village (households or workers x the relocated share): line widths.
const WIDTHS = [[20, 2], [100, 4], [Infinity, 7]];
const width = (demand) => WIDTHS.find(([upTo]) => (demand || 0) < upTo)[1];

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));

/* A site as people name it: the cluster's name, or "Candidate 3 of siting #12 “name”". */
export function siteName(p, names) {
  const ref = p.site_ref !== undefined ? p.site_ref : p.ref;
  if (names && names[ref]) return names[ref];
  const rank = p.site_rank !== undefined ? p.site_rank : p.rank;
  if (rank !== null && rank !== undefined) {
    return fill(T.reloc_candidate_site, { rank, id: p.siting_scenario ?? "", scenario: p.siting_name || "" });
  }
  return (p.site_name !== undefined ? p.site_name : p.name) || ref || "–";
}

/* Colour of each chosen site (in the order the scenario lists them). */
function coloursOf(s) {
  return Object.fromEntries((s.results.sites_chosen || []).map((ref, i) => [ref, SITE_COLOURS[i % SITE_COLOURS.length]]));
}

/* Leaflet GeoJSON options for a relocation scenario's features (sites and assignment lines). */
export function relocationStyle(s) {
  const colour = coloursOf(s);
  return {
    style: (f) => f.properties.role === "assignment"
      ? { color: colour[f.properties.site_ref] || NOT_CHOSEN, weight: width(f.properties.demand), opacity: 0.8 }
      : { color: "#1565c0" },
    pointToLayer: (f, ll) => {
      const p = f.properties;
      if (p.role === "assignment") {  // a village not served: a hollow red ring
        return L.circleMarker(ll, { radius: 6, color: UNSERVED, weight: 3, fill: false });
      }
      const size = p.chosen ? 16 : 9;
      return L.marker(ll, { keyboard: false, zIndexOffset: p.chosen ? 1000 : 0, icon: L.divIcon({
        className: "reloc-site-icon", iconSize: [size, size],
        html: h("span", { style: { background: p.chosen ? colour[p.ref] || SITE_COLOURS[0] : NOT_CHOSEN } }) }) });
    },
  };
}

/* The popup of a site or an assignment line. */
export function relocationPopup(p, names) {
  if (p.role === "assignment") {
    return h("span", null, h("b", null, p.village), h("br"),
      p.site_ref ? "→ " + siteName(p, names) : T.reloc_not_served,
      p.commute_min !== null && p.commute_min !== undefined ? [h("br"), fmt(p.commute_min, 1) + " " + T.minutes] : null,
      h("br"), T.reloc_workshops + ": " + fmt(p.demand, 1) + (p.defaulted ? " (" + T.reloc_defaulted + ")" : ""));
  }
  return h("span", null, h("b", null, siteName(p, names)), h("br"),
    (p.chosen ? T.reloc_site_chosen : T.reloc_site_not_chosen) + " · " + fmt(p.load_ha, 2) + " / " + fmt(p.capacity_ha, 2) + " ha");
}

/* The map legend of a relocation scenario: its chosen sites by colour, the other candidate
   sites, the lines and what their width says, villages not served. Folded on a phone. */
export function relocationLegend(s, features) {
  const names = s.results.sites_chosen_names || [];
  const colour = coloursOf(s);
  const dot = (c, size) => h("i", { class: "diamond", style: { background: c, width: size + "px", height: size + "px" } });
  const line = (c, w) => h("i", { class: "line", style: { background: c, height: w + "px" } });
  const unserved = features.features.some((f) => f.properties.role === "assignment" && !f.properties.site_ref);
  const others = features.features.some((f) => f.properties.role === "site" && !f.properties.chosen);
  const box = h("details", { class: "legend reloc-legend", id: "reloc-legend", open: !matchMedia("(max-width: 700px)").matches },
    h("summary", null, T.reloc_legend),
    h("ul", null,
      (s.results.sites_chosen || []).map((ref, i) => h("li", { class: "reloc-site" }, dot(colour[ref], 14), " ", names[i] || ref)),
      others ? h("li", null, dot(NOT_CHOSEN, 9), " ", T.reloc_site_not_chosen) : null,
      h("li", { class: "reloc-lines" }, line("#555", 3), " ", T.reloc_line),
      h("li", { class: "reloc-widths" }, WIDTHS.map(([, w]) => line("#555", w)), " ", T.reloc_widths),
      unserved ? h("li", null, h("i", { class: "ring" }), " ", T.reloc_not_served) : null));
  const narrow = matchMedia("(max-width: 700px)");
  narrow.addEventListener("change", () => { box.open = !narrow.matches; });
  return box;
}

/* The panel's summary of a relocation: sites named, coverage, commute, skipped villages. */
export function relocationSummary(s) {
  const r = s.results;
  const column = r.demand_column_text || "";
  const skipped = r.skipped_villages || [];
  const defaulted = r.defaulted_villages || [];
  const list = (id, title, villages) => h("details", { id, class: "reloc-villages" },
    h("summary", null, title), h("p", null, villages.map((v) => v.name).join(", ")));
  return h("div", { class: "reloc-summary" },
    h("p", null, h("b", null, T.sites_chosen + ": "), (r.sites_chosen_names || r.sites_chosen).join("; ")),
    h("p", null, T.covered + " " + fmt(r.demand_covered_pct, 1) + " % (" + r.villages_served + "/" + r.villages + ") · " +
      T.commute + " " + fmt(r.mean_commute_min, 1) + " / " + fmt(r.max_commute_min, 1) + " " + T.minutes),
    skipped.length ? list("reloc-skipped", fill(T.reloc_skipped, { n: skipped.length, what: column }), skipped) : null,
    defaulted.length ? list("reloc-defaulted",
      fill(T.reloc_defaulted_n, { n: defaulted.length, what: column, value: fmt(r.default_demand, 1) }), defaulted) : null,
    h("p", null, h("small", null, T.method + ": " + (r.cost.method === "network" ? T.road_network
      : T.straight_line + " ×" + fmt(r.cost.detour_factor, 2)))));
}

/* Keep the map's open legends clear of its other controls: an open legend (a <details> in a
   bottom corner) scrolls within the room left below the controls of the top corner on its side
   and beside those of the other bottom corner (on a phone the map is about 300 px tall). */
export function fitLegends(map) {
  const box = map.getContainer();
  const rects = (selector) => [...box.querySelectorAll(selector)].map((e) => e.getBoundingClientRect());
  function fit() {
    for (const legend of box.querySelectorAll(".leaflet-bottom details.legend")) {
      legend.style.maxHeight = legend.style.maxWidth = "";
      if (!legend.open) continue;
      const left = legend.parentElement.classList.contains("leaflet-left");
      const own = legend.getBoundingClientRect();
      const beside = rects(".leaflet-bottom." + (left ? "leaflet-right" : "leaflet-left") + " .leaflet-control")
        .filter((r) => r.width && r.top < own.bottom);
      if (beside.length) {
        const room = left ? Math.min(...beside.map((r) => r.left)) - own.left : own.right - Math.max(...beside.map((r) => r.right));
        legend.style.maxWidth = Math.max(120, room - 10) + "px";
      }
      const above = rects(".leaflet-top." + (left ? "leaflet-left" : "leaflet-right") + " .leaflet-control").filter((r) => r.width);
      const top = Math.max(box.getBoundingClientRect().top, ...above.map((r) => r.bottom));
      legend.style.maxHeight = Math.max(40, legend.getBoundingClientRect().bottom - top - 10) + "px";
    }
  }
  box.addEventListener("toggle", () => requestAnimationFrame(fit), true);  // toggle does not bubble
  map.on("resize", fit);
  return fit;
}
