/* Pollution surfaces on the environment page: a slider walks one parameter's periods on one
   colour scale (the ramp drawn with the QCVN 05 limit marked), with the stations, warnings and
   leave-one-out errors of each; environmental officers make surfaces as jobs with progress and
   delete them. */
import { h, show } from "./dom.js";
import { T, config, getJSON, ready } from "./common.js";
import { hanoiDay, number, send } from "./env_time.js";

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const PARAMETERS = ["PM2.5", "PM10", "NO2", "SO2", "CO", "O3"];

/** The surfaces panel over `map`; resolves when the list is shown. */
export async function initSurfaces({ map }) {
  const officer = ["env_officer", "admin"].includes(config.role);
  let all = [];
  let ramp = [];
  let overlay = null;

  function error(e) {
    $("surface-error").textContent = e ? String(e.message || e) : "";
    $("surface-error").hidden = !e;
  }

  const period = (s) => s.start ? hanoiDay(s.start) + " → " + hanoiDay(Date.parse(s.end) - 1) : T.all_data;
  const shown = () => all.filter((s) => s.parameter === $("surface-parameter").value);

  function rampBar(s) {
    const [low, top] = s.scale;
    const unit = s.limit && s.limit.unit ? " " + s.limit.unit : "";
    // The limit's label on one line under its mark, kept inside the ramp's width (it wrapped onto the next line).
    const at = s.limit ? 100 * s.limit.value / top : 0;
    const shift = at > 70 ? "translateX(-100%)" : at < 30 ? "none" : "translateX(-50%)";
    const mark = s.limit ? h("span", { class: "mark", style: { left: at.toFixed(1) + "%" } },
      h("span", { class: "mark-label", style: { left: "0", width: "auto", whiteSpace: "nowrap", transform: shift } },
        T.limit_mark + " " + number(s.limit.value, config.lang) + unit)) : null;
    return [h("div", { class: "ramp-ends" }, h("span", null, number(low, config.lang)), h("span", null, s.parameter + unit),
      h("span", null, number(top, config.lang))),
    h("div", { class: "ramp", id: "surface-ramp-bar", style: { background: "linear-gradient(to right, " + ramp.join(", ") + ")" },
      dataset: { top, limit: s.limit ? s.limit.value : "" } }, mark),
    s.limit ? h("p", { class: "hint" }, T.limit_source + ": " + s.limit.document + " · " +
      (s.limit.verified ? T.limit_verified : T.limit_not_verified)) : h("p", { class: "hint" }, T.no_limit)];
  }

  function showSurface(s) {
    if (overlay) map.removeLayer(overlay);
    overlay = L.imageOverlay(s.url, s.bounds, { opacity: 0.6, alt: s.parameter }).addTo(map);
    const loo = Object.entries(s.loo_rmse || {}).map(([m, v]) => (T.methods[m] || m) + " " + number(v, config.lang, 2)).join(", ");
    $("surface-label").textContent = s.parameter + " · " + period(s) + " · " + (T.methods[s.method] || s.method) + " · " +
      T.stations_used.replace("{count}", s.stations.length) + " · " + T.loo + ": " + loo;
    show($("surface-ramp"), rampBar(s));
    show($("surface-warnings"), s.warnings.map((w) => h("li", null, w.text)));
    show($("surface-notes"), s.notes.map((n) => h("li", null, n.text)));
    document.body.dataset.surface = String(s.id);
  }

  /* The slider over the chosen parameter's periods, at surface `id` (default: the latest). */
  function walk(id) {
    const list = shown();
    const slider = $("surface-slider");
    const at = list.findIndex((s) => s.id === id);
    slider.max = String(Math.max(0, list.length - 1));
    slider.value = String(at >= 0 ? at : list.length - 1);
    slider.disabled = list.length < 2;
    if (list.length) showSurface(list[Number(slider.value)]);
  }

  async function load(keep, id) {
    const data = await getJSON("/api/surfaces");
    all = data.surfaces;
    ramp = data.ramp;
    const parameters = [...new Set(all.map((s) => s.parameter))];
    show($("surface-parameter"), parameters.map((p) => h("option", { value: p }, p)));
    if (overlay && !all.length) { map.removeLayer(overlay); overlay = null; }
    if (!all.length) {
      $("surface-label").textContent = T.no_surfaces;
      for (const id of ["surface-ramp", "surface-warnings", "surface-notes"]) show($(id));
      delete document.body.dataset.surface;
    } else {
      $("surface-parameter").value = parameters.includes(keep) ? keep : parameters[parameters.length - 1];
      walk(id);
    }
    if (officer) listForOfficer();
  }

  $("surface-parameter").addEventListener("change", () => walk(null));
  $("surface-slider").addEventListener("input", () => showSurface(shown()[Number($("surface-slider").value)]));

  function listForOfficer() {
    show($("surface-list"), all.map((s) => h("li", { dataset: { surface: s.id } }, s.parameter + " · " + period(s) + " · " +
      (T.methods[s.method] || s.method) + " · " + T.stations_used.replace("{count}", s.stations.length) + " ",
      h("button", { type: "button", class: "surface-delete", onclick: async (event) => {
        const button = event.currentTarget;
        if (!button.dataset.armed) { button.dataset.armed = "1"; button.textContent = T.confirm_delete; return; }
        try { await send("DELETE", "/api/surfaces/" + s.id); await load($("surface-parameter").value); } catch (e) { error(e); }
      } }, T.delete_surface))));
  }

  async function create(event) {
    event.preventDefault();
    error(null);
    const body = { parameter: $("surface-new-parameter").value, method: $("surface-method").value,
      cell_m: Number($("surface-cell").value), since: $("surface-since").value || null, until: $("surface-until").value || null };
    const progress = $("surface-progress");
    try {
      const job = await send("POST", "/api/surfaces", body);
      progress.hidden = false;
      $("surface-job").textContent = T.job_waiting;
      for (;;) {
        await sleep(400);
        const state = await getJSON(job.job_url);
        progress.value = state.progress;
        $("surface-job").textContent = state.status === "running" ? Math.round(state.progress * 100) + "% " + state.message
          : (T.job_states[state.status] || state.status);
        if (state.status === "done") {
          await load(body.parameter, state.scenario_id);
          document.body.dataset.surfaceJob = state.scenario_id;
          return;
        }
        if (state.status === "failed") throw new Error(state.error);
      }
    } catch (e) {
      error(e);
      document.body.dataset.surfaceJob = "failed";
    }
  }

  if (officer) {
    show($("surface-admin"), h("h3", null, T.make_surface),
      h("form", { id: "surface-form", class: "upload", onsubmit: create },
        h("label", null, T.parameter_label + " ", h("select", { id: "surface-new-parameter" }, PARAMETERS.map((p) => h("option", { value: p }, p)))),
        h("label", null, T.from_day + " ", h("input", { type: "date", id: "surface-since" })),
        h("label", null, T.to_day + " ", h("input", { type: "date", id: "surface-until" })),
        h("label", null, T.method_label + " ", h("select", { id: "surface-method" },
          ["auto", "idw", "kriging"].map((m) => h("option", { value: m }, T.methods[m])))),
        h("label", null, T.cell_label + " ", h("input", { type: "number", id: "surface-cell", min: 100, max: 5000, step: 50, value: "500" })),
        h("button", { type: "submit", id: "surface-make" }, T.make_surface),
        h("progress", { id: "surface-progress", max: 1, value: 0, hidden: true }), " ",
        h("span", { id: "surface-job", class: "hint", role: "status" })),
      h("h3", null, T.saved_surfaces), h("ul", { id: "surface-list", class: "alerts" }));
  }
  await load(null);
  ready("surfacesReady");
}
