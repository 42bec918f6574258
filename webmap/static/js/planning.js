/* Planner analyses on the planner map: siting and relocation jobs with progress, the Decree 32
   check of a drawn polygon, and saved scenarios (suitability image, candidates, allocation lines). */
import { h, join, show } from "./dom.js";
import { T, config, csrfToken, getJSON, ready } from "./common.js";
import { fmt, initSitingForm } from "./siting_form.js";
import { initScenarioList } from "./scenarios.js";
import { fitLegends, relocationLegend, relocationPopup, relocationStyle, relocationSummary } from "./relocation.js";
import { candidateContext, candidatePopup, suitabilityLayer } from "./siting_map.js";

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/* Start the planning panel on the planner map; `drawn` holds the polygon the user drew. */
export async function initPlanning({ map, drawn, control }) {
  const fit = fitLegends(map);  // open legends stay clear of the other controls
  if (!["planner", "admin"].includes(config.role)) {  // the analyses need a planner's account
    show($("planning"), h("h2", null, T.planning_title),
      h("p", { class: "hint" }, h("a", { href: "/login?next=/" }, T.sign_in_to_plan)));
    ready("planningReady");
    return;
  }
  let shown = [];
  let legend = null;  // a relocation's legend while one is on the map

  async function send(url, body) {
    const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(body) });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.description || (url + ": " + response.status));
    return data;
  }
  function showError(error) {
    $("planning-error").textContent = error ? String(error.message || error) : "";
    $("planning-error").hidden = !error;
  }
  function drawnGeometry() {
    const layers = drawn.getLayers();
    return layers.length ? layers[0].toGeoJSON().geometry : null;
  }
  function studyArea() {
    const layers = drawn.getLayers();
    const b = layers.length ? layers[0].getBounds() : map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => Math.round(v * 1e5) / 1e5);
  }

  /* Start a job and follow its progress on the server until it is done or failed. */
  async function runJob(url, body) {
    showError(null);
    const job = await send(url, body);
    clearShown();  // the previous run's image and features go while the new one runs
    $("job").hidden = false;
    $("job-message").textContent = T.job_status.queued;
    let cancelling = false;
    $("job-cancel").hidden = false;
    $("job-cancel").onclick = async () => {  // a queued job goes at once, a running one at its next step
      cancelling = true;
      $("job-message").textContent = T.job_cancelling;
      try { await send(job.job_url + "/cancel", {}); } catch (error) { showError(error); }
    };
    try {
      for (;;) {
        await sleep(400);
        const state = await getJSON(job.job_url);
        $("job-progress").value = state.progress;
        $("job-message").textContent = cancelling && state.status === "running" ? T.job_cancelling
          : state.status === "running" ? Math.round(state.progress * 100) + "% " + state.message
          : T.job_status[state.status] || state.status;
        if (state.status === "done") { await listScenarios(); await openScenario(state.scenario_id); return; }
        if (state.status === "failed") throw new Error(state.error);
        if (state.status === "cancelled") return;
      }
    } finally { $("job-cancel").hidden = true; }
  }

  // Siting inputs, weights (direct or AHP) and where the inputs cover.
  const inputs = await getJSON("/api/siting/inputs");
  const form = initSitingForm({ map, control, inputs });
  $("siting-run").addEventListener("click", async () => {
    try {
      await runJob("/api/siting", { bbox: studyArea(), cell_m: Number($("siting-cell").value), kind: $("siting-kind").value,
        ...form.request(), name: T.siting + " " + stamp() });
    } catch (error) { showError(error); }
  });

  $("alloc-run").addEventListener("click", async () => {
    const sites = $("alloc-sites").value;
    const fallback = $("alloc-default-demand").value;
    try {
      await runJob("/api/allocate", { model: $("alloc-model").value, p: Number($("alloc-p").value),
        max_commute_min: Number($("alloc-commute").value) || null, capacity: $("alloc-capacity").checked,
        sites_from: sites ? Number(sites) : null, bbox: studyArea(), name: T.relocation + " " + stamp(),
        demand: $("alloc-demand").value, default_demand: fallback === "" ? null : Number(fallback) });
    } catch (error) { showError(error); }
  });

  $("check-run").addEventListener("click", async () => {
    const geometry = drawnGeometry();
    if (!geometry) { showError(T.draw_first); return; }
    try {
      showError(null);
      const strip = $("check-green-strip").value;
      const result = await send("/api/check-cluster", { geometry, kind: $("check-kind").value,
        green_strip_m: strip === "" ? null : Number(strip), save_as: T.check + " " + stamp() });
      show($("check-result"),
        h("p", { class: result.verdict }, (T.verdicts[result.verdict] || result.verdict) + " · " +
          fmt(result.facts.area_ha, 2) + " ha · " + (result.facts.unit || T.verdicts.unknown)),
        h("ul", null, result.results.map((r) => h("li", null, h("span", { class: r.status }, r.status_text),
          " " + r.text + " ", h("small", null, "(" + r.source_text + ")"),
          r.caveats_text.map((c) => [h("br"), h("small", null, c)])))),
        result.scenario_id ? h("p", null, h("a", { id: "check-dossier", href: "/scenarios/" + result.scenario_id + "/report",
          target: "_blank" }, T.dossier)) : null);
      listScenarios().catch(showError);
    } catch (error) { showError(error); }
  });

  // Automatic names carry the local date in the page's format: 01/12/2026 14:05 or 2026-12-01 14:05.
  function stamp(now = new Date()) {
    const two = (n) => String(n).padStart(2, "0");
    const time = two(now.getHours()) + ":" + two(now.getMinutes());
    return document.documentElement.lang === "vi"
      ? two(now.getDate()) + "/" + two(now.getMonth() + 1) + "/" + now.getFullYear() + " " + time
      : now.getFullYear() + "-" + two(now.getMonth() + 1) + "-" + two(now.getDate()) + " " + time;
  }

  const scenarios = initScenarioList({ open: openScenario, style: featureStyle(), onError: showError,
    onDeleted: (id) => { if (document.body.dataset.scenario === String(id)) clearShown(); },
    onListed: (all) => {
      const sites = $("alloc-sites");
      const keep = sites.value;
      show(sites, h("option", { value: "" }, T.stored_clusters), all.filter((s) => s.kind === "siting")
        .map((s) => h("option", { value: String(s.id) }, T.candidates_of + " #" + s.id + " " + s.name)));
      sites.value = keep;
    } });
  const listScenarios = () => scenarios.refresh();

  function featureStyle() {
    return {
      style: (f) => f.properties.role === "candidate" ? { color: "#0b5d2e", weight: 2, fillColor: "#1a9850", fillOpacity: 0.35 }
        : { color: "#1565c0" },
      pointToLayer: (f, ll) => L.circleMarker(ll, { radius: f.properties.chosen ? 9 : 5, color: "#fff", weight: 2,
        fillColor: f.properties.chosen ? "#1565c0" : "#90a4ae", fillOpacity: 0.95 }),
    };
  }

  function featurePopup(p, context) {
    if (p.role === "candidate") return candidatePopup(p, context);
    return document.createTextNode(p.name || p.ref || p.verdict || "");
  }

  function summary(s) {
    const r = s.results;
    if (s.kind === "siting") {
      // With no candidate there is no leader whose stability could be told.
      return h("p", null, r.candidates + " " + T.candidates + " (" + r.area_limits_ha.join("–") + " ha)" +
        (r.candidates > 0 ? " · " + (r.leader_stable ? T.leader_stable : T.leader_changes) : ""));
    }
    if (s.kind === "allocation") return relocationSummary(s);
    if (s.kind === "compliance") return h("p", { class: r.verdict }, T.verdicts[r.verdict] || r.verdict);
    return null;
  }

  function clearShown() {
    shown.forEach((layer) => { map.removeLayer(layer); if (control) control.removeLayer(layer); });
    shown = [];
    if (legend) { map.removeControl(legend); legend = null; }
  }

  async function openScenario(id) {
    clearShown();
    const s = await getJSON("/api/scenarios/" + id);
    const features = await getJSON(s.links.features);
    if (s.overlay) shown.push(suitabilityLayer({ map, control, overlay: s.overlay }));
    const relocation = s.kind === "allocation";
    const names = relocation ? Object.fromEntries((s.results.sites_chosen || [])
      .map((ref, i) => [ref, (s.results.sites_chosen_names || [])[i]])) : null;
    const context = candidateContext(s, features);
    const layer = L.geoJSON(features, {
      ...(relocation ? relocationStyle(s) : featureStyle()),
      onEachFeature: (f, l) => {
        l.bindPopup(() => relocation ? relocationPopup(f.properties, names) : featurePopup(f.properties, context),
          { maxWidth: 340 });
        if (f.properties.role === "candidate") {  // one number per candidate, whatever its parts
          l.bindTooltip(String(f.properties.rank), { permanent: true, direction: "center", className: "rank-label" });
        }
      },
    }).addTo(map);
    if (relocation) {
      legend = L.control({ position: "bottomleft" });
      legend.onAdd = () => relocationLegend(s, features);
      legend.addTo(map);
      fit();
    }
    shown.push(layer);
    if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { maxZoom: 15 });
    else if (s.overlay) map.fitBounds(s.overlay.bounds);
    const links = [h("a", { href: s.links.report, target: "_blank" }, T.report),
      h("a", { href: s.links.features, download: true }, "GeoJSON"), h("a", { href: s.links.geopackage }, "GeoPackage"),
      s.overlay ? h("a", { href: s.overlay.cog }, "GeoTIFF") : null].filter(Boolean);
    show($("scenario-view"), h("h3", null, "#" + s.id + " " + s.name), summary(s), h("p", null, join(links, " · ")),
      scenarios.manage(s));
    document.body.dataset.scenario = String(id);
  }

  await listScenarios();
  ready("planningReady");
}
