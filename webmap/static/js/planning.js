/* Planner analyses on the planner map: siting and relocation jobs with progress, the Decree 32
   check of a drawn polygon, and saved scenarios (suitability image, candidates, allocation lines). */
"use strict";
(async function () {
  const { T, esc, getJSON, csrfToken } = LN;
  if (!["planner", "admin"].includes(LN.config.role)) {  // the analyses need a planner's account
    document.getElementById("planning").innerHTML = "<h2>" + esc(T.planning_title) + "</h2><p class=hint><a href='/login?next=/'>" +
      esc(T.sign_in_to_plan) + "</a></p>";
    document.body.dataset.planningReady = "1";
    return;
  }
  while (!window.lnMap || !window.lnDrawn) await new Promise((r) => setTimeout(r, 50));
  const map = window.lnMap;
  const drawn = window.lnDrawn;
  const $ = (id) => document.getElementById(id);
  let shown = [];

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

  async function runJob(url, body) {
    showError(null);
    const job = await send(url, body);
    $("job").hidden = false;
    $("job-message").textContent = T.queued;
    for (;;) {
      await new Promise((r) => setTimeout(r, 400));
      const state = await getJSON(job.job_url);
      $("job-progress").value = state.progress;
      $("job-message").textContent = state.status === "running" ? Math.round(state.progress * 100) + "% " + state.message : T[state.status] || state.status;
      if (state.status === "done") { await listScenarios(); await openScenario(state.scenario_id); return; }
      if (state.status === "failed") throw new Error(state.error);
    }
  }

  // Siting inputs and default weights.
  const inputs = await getJSON("/api/siting/inputs");
  $("siting-weights").insertAdjacentHTML("beforeend", inputs.criteria.map((c) =>
    "<label>" + esc(T["crit_" + c.name] || c.name) + " <input type=number min=0 max=1 step=0.05 data-criterion='" + esc(c.name) +
    "' value='" + (c.available ? c.weight : 0) + "'" + (c.available ? "" : " disabled title='" + esc(T.no_input) + "'") + "></label>").join(""));
  $("siting-inputs").textContent = T.inputs + ": " + Object.entries(inputs.inputs).map(([k, v]) => k + " " + (v || "—")).join(", ");
  $("siting-run").addEventListener("click", async () => {
    const boxes = [...document.querySelectorAll("#siting-weights input:not([disabled])")];
    const chosen = boxes.filter((b) => Number(b.value) > 0);
    const total = chosen.reduce((s, b) => s + Number(b.value), 0);
    const weights = Object.fromEntries(chosen.map((b) => [b.dataset.criterion, Number(b.value) / (total || 1)]));
    try {
      await runJob("/api/siting", { bbox: studyArea(), cell_m: Number($("siting-cell").value), kind: $("siting-kind").value,
        criteria: Object.keys(weights), weights, name: T.siting + " " + new Date().toLocaleString() });
    } catch (error) { showError(error); }
  });

  $("alloc-run").addEventListener("click", async () => {
    const sites = $("alloc-sites").value;
    try {
      await runJob("/api/allocate", { model: $("alloc-model").value, p: Number($("alloc-p").value),
        max_commute_min: Number($("alloc-commute").value) || null, capacity: $("alloc-capacity").checked,
        sites_from: sites ? Number(sites) : null, bbox: studyArea(), name: T.relocation + " " + new Date().toLocaleString() });
    } catch (error) { showError(error); }
  });

  $("check-run").addEventListener("click", async () => {
    const geometry = drawnGeometry();
    if (!geometry) { showError(T.draw_first); return; }
    try {
      showError(null);
      const result = await send("/api/check-cluster", { geometry, kind: $("check-kind").value });
      $("check-result").innerHTML = "<p class='" + result.verdict + "'>" + esc(T[result.verdict] || result.verdict) + " · " +
        result.facts.area_ha.toFixed(2) + " ha · " + esc(result.facts.unit || T.unknown) + "</p><ul>" +
        result.results.map((r) => "<li><span class='" + r.status + "'>" + esc(r.status_text) + "</span> " +
          esc(r.text) + " <small>(" + esc(r.source_text) + ")</small>" +
          r.caveats_text.map((c) => "<br><small>" + esc(c) + "</small>").join("") + "</li>").join("") + "</ul>";
    } catch (error) { showError(error); }
  });

  async function listScenarios() {
    const data = await getJSON("/api/scenarios");
    $("scenario-list").innerHTML = data.scenarios.filter((s) => ["siting", "allocation", "compliance"].includes(s.kind)).map((s) =>
      "<li data-id='" + s.id + "'>#" + s.id + " " + esc(T["kind_" + s.kind] || s.kind) + ": " + esc(s.name) + "</li>").join("") ||
      "<li class=hint>" + esc(T.no_scenarios) + "</li>";
    const sites = $("alloc-sites");
    const keep = sites.value;
    sites.innerHTML = "<option value=''>" + esc(T.stored_clusters) + "</option>" + data.scenarios.filter((s) => s.kind === "siting")
      .map((s) => "<option value='" + s.id + "'>" + esc(T.candidates_of) + " #" + s.id + "</option>").join("");
    sites.value = keep;
  }
  $("scenario-list").addEventListener("click", (event) => {
    const li = event.target.closest("li[data-id]");
    if (li) openScenario(Number(li.dataset.id)).catch(showError);
  });

  async function openScenario(id) {
    shown.forEach((layer) => map.removeLayer(layer));
    shown = [];
    const s = await getJSON("/api/scenarios/" + id);
    const features = await getJSON(s.links.features);
    if (s.overlay) shown.push(L.imageOverlay(s.overlay.url, s.overlay.bounds, { opacity: 0.75, alt: T.suitability }).addTo(map));
    const layer = L.geoJSON(features, {
      style: (f) => f.properties.role === "candidate" ? { color: "#0b5d2e", weight: 2, fillColor: "#1a9850", fillOpacity: 0.35 }
        : f.properties.role === "assignment" ? { color: "#6a1b9a", weight: 2, dashArray: "5 4" } : { color: "#1565c0" },
      pointToLayer: (f, ll) => L.circleMarker(ll, { radius: f.properties.chosen ? 9 : 5, color: "#fff", weight: 2,
        fillColor: f.properties.chosen ? "#1565c0" : "#90a4ae", fillOpacity: 0.95 }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        l.bindPopup(p.role === "candidate" ? "<b>" + esc(T.candidate) + " " + p.rank + "</b><br>" + p.area_ha.toFixed(1) + " ha · " +
          esc(T.score) + " " + p.mean_score.toFixed(2)
          : p.role === "assignment" ? esc(p.village) + " → " + esc(p.site_ref || "—") + (p.commute_min !== null ? " · " + p.commute_min + " " + esc(T.minutes) : "")
          : esc(p.name || p.ref || p.verdict || ""));
      },
    }).addTo(map);
    shown.push(layer);
    if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { maxZoom: 15 });
    else if (s.overlay) map.fitBounds(s.overlay.bounds);
    const r = s.results;
    let summary = "";
    if (s.kind === "siting") {
      summary = "<p>" + r.candidates + " " + esc(T.candidates) + " (" + r.area_limits_ha.join("–") + " ha) · " +
        esc(r.leader_stable ? T.leader_stable : T.leader_changes) + "</p>";
    } else if (s.kind === "allocation") {
      summary = "<p>" + esc(r.sites_chosen.join(", ")) + "<br>" + esc(T.covered) + " " + r.demand_covered_pct + "% · " +
        esc(T.commute) + " " + r.mean_commute_min + " / " + r.max_commute_min + " " + esc(T.minutes) + "<br><small>" +
        esc(T.method) + ": " + esc(r.cost.method === "network" ? T.road_network : T.straight_line + " ×" + r.cost.detour_factor) + "</small></p>";
    } else if (s.kind === "compliance") {
      summary = "<p class='" + r.verdict + "'>" + esc(T[r.verdict] || r.verdict) + "</p>";
    }
    $("scenario-view").innerHTML = "<h3>#" + s.id + " " + esc(s.name) + "</h3>" + summary +
      "<p><a href='" + s.links.report + "' target=_blank>" + esc(T.report) + "</a> · <a href='" + s.links.features +
      "' download>GeoJSON</a> · <a href='" + s.links.geopackage + "'>GeoPackage</a>" +
      (s.overlay ? " · <a href='" + s.overlay.cog + "'>GeoTIFF</a>" : "") + "</p>";
    document.body.dataset.scenario = String(id);
  }

  await listScenarios();
  document.body.dataset.planningReady = "1";
})();
