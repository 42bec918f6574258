/* Alerts on the environment page: the alerts paged and filtered, shown on the map, and (for
   environmental officers) acknowledged or closed with a note; the alert rules added, edited,
   paused and deleted. Every write goes through the audited API. */
import { h, show } from "./dom.js";
import { T, config, getJSON, ready } from "./common.js";
import { hanoiTime, number, send } from "./env_time.js";

const $ = (id) => document.getElementById(id);
const PAGE = 10;
const STATUS_COLOR = { open: "#c62828", acknowledged: "#ef6c00", closed: "#607d8b" };

/** The alerts panel over `map`; resolves when the first page is shown. */
export async function initAlerts({ map }) {
  const officer = ["env_officer", "admin"].includes(config.role);
  const markers = L.layerGroup().addTo(map);
  let offset = 0;
  let rules = [];

  function error(e) {
    $("alerts-error").textContent = e ? String(e.message || e) : "";
    $("alerts-error").hidden = !e;
  }

  const ruleText = (r) => r.aqi_at_least !== null
    ? T.rule_aqi.replace("{level}", r.aqi_at_least).replace("{hours}", r.min_hours)
    : T.rule_threshold.replace("{parameter}", r.parameter).replace("{threshold}", number(r.threshold, config.lang))
      .replace("{hours}", r.min_hours);

  show($("alert-status"), h("option", { value: "" }, T.all_statuses),
    ["open", "acknowledged", "closed"].map((s) => h("option", { value: s }, T.alert_statuses[s])));
  $("alert-status").value = "open";

  function where() {
    const q = new URLSearchParams({ limit: PAGE, offset });
    if ($("alert-status").value) q.set("status", $("alert-status").value);
    if ($("alert-rule").value) q.set("rule", $("alert-rule").value);
    return q.toString();
  }

  function alertLine(a) {
    return [h("b", null, a.rule), " · " + (a.station || a.station_ref) + " · " + hanoiTime(a.start) + " · " +
      a.hours + " " + T.hours_short + " · " + T.alert_peak + " " + number(a.peak, config.lang) + (a.unit ? " " + a.unit : ""),
      " ", h("span", { class: "badge", style: { background: STATUS_COLOR[a.status] } }, T.alert_statuses[a.status]),
      a.note ? h("div", { class: "hint" }, T.note + ": " + a.note + " — " + a.handled_by + ", " + hanoiTime(a.handled_at)) : null];
  }

  function actions(a) {
    if (!officer || a.status === "closed") return null;
    const note = h("input", { type: "text", maxlength: 2000, placeholder: T.note, "aria-label": T.note, class: "alert-note" });
    const act = (verb) => async () => {
      try { await send("POST", "/api/alerts/" + a.id + "/" + verb, { note: note.value }); await loadRules(); await refresh(); } catch (e) { error(e); }
    };
    return h("div", { class: "alert-actions" }, note,
      a.status === "open" ? h("button", { type: "button", class: "alert-ack", onclick: act("acknowledge") }, T.acknowledge) : null,
      h("button", { type: "button", class: "alert-close", onclick: act("close") }, T.close_alert));
  }

  async function refresh() {
    error(null);
    const page = await getJSON("/api/alerts?" + where());
    markers.clearLayers();
    show($("alerts"), page.alerts.length ? page.alerts.map((a) => {
      const item = h("li", { dataset: { alert: a.id, status: a.status } }, alertLine(a), actions(a));
      if (a.lon !== null && a.lat !== null) {
        const marker = L.circleMarker([a.lat, a.lon], { radius: 14, color: STATUS_COLOR[a.status], weight: 3, fill: false })
          .bindPopup(() => h("div", { class: "popup" }, alertLine(a))).addTo(markers);
        item.prepend(h("button", { type: "button", class: "link", title: T.show_on_map, "aria-label": T.show_on_map,
          onclick: () => { map.setView([a.lat, a.lon], Math.max(map.getZoom(), 12)); marker.openPopup(); } }, T.on_map), " ");
      }
      return item;
    }) : h("li", null, T.no_matching_alerts));
    const last = Math.min(offset + PAGE, page.total);
    $("alerts-page").textContent = page.total ? (offset + 1) + "–" + last + " / " + page.total : "0";
    $("alerts-prev").disabled = offset === 0;
    $("alerts-next").disabled = last >= page.total;
    document.body.dataset.alerts = String(page.total);
  }

  $("alerts-prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); refresh().catch(error); });
  $("alerts-next").addEventListener("click", () => { offset += PAGE; refresh().catch(error); });
  for (const id of ["alert-status", "alert-rule"]) {
    $(id).addEventListener("change", () => { offset = 0; refresh().catch(error); });
  }

  function field(label, input) {
    return h("label", null, label, " ", input);
  }

  /* The add / edit form of a rule (`rule` null: a new one). */
  function ruleForm(rule) {
    const r = rule || { name: "", parameter: "PM2.5", threshold: 50, aqi_at_least: null, min_hours: 3, station_ref: "" };
    const kind = h("select", { id: "rule-kind" }, h("option", { value: "threshold" }, T.kind_threshold),
      h("option", { value: "aqi" }, T.kind_aqi));
    kind.value = r.aqi_at_least !== null ? "aqi" : "threshold";
    const inputs = {
      name: h("input", { id: "rule-name", type: "text", maxlength: 100, required: true, value: r.name }),
      parameter: h("input", { id: "rule-parameter", type: "text", maxlength: 20, list: "rule-parameters", value: r.parameter || "PM2.5" }),
      threshold: h("input", { id: "rule-threshold", type: "number", min: 0, step: "any", value: r.threshold === null ? "" : String(r.threshold) }),
      aqi_at_least: h("input", { id: "rule-aqi", type: "number", min: 0, max: 500, step: 1, value: r.aqi_at_least === null ? "151" : String(r.aqi_at_least) }),
      min_hours: h("input", { id: "rule-hours", type: "number", min: 1, max: 720, step: 1, value: String(r.min_hours) }),
      station_ref: h("input", { id: "rule-station", type: "text", maxlength: 100, placeholder: T.all_stations, value: r.station_ref || "" }),
    };
    const threshold = h("span", null, field(T.parameter_label, inputs.parameter), " ", field(T.threshold_label, inputs.threshold));
    const aqi = h("span", null, field(T.aqi_label, inputs.aqi_at_least));
    const sync = () => { threshold.hidden = kind.value !== "threshold"; aqi.hidden = kind.value !== "aqi"; };
    kind.addEventListener("change", sync);
    sync();
    const submit = async (event) => {
      event.preventDefault();
      const body = { name: inputs.name.value, min_hours: Number(inputs.min_hours.value), station_ref: inputs.station_ref.value || null };
      if (kind.value === "aqi") Object.assign(body, { aqi_at_least: Number(inputs.aqi_at_least.value), parameter: null, threshold: null });
      else Object.assign(body, { parameter: inputs.parameter.value, threshold: Number(inputs.threshold.value), aqi_at_least: null });
      try {
        if (rule) await send("PATCH", "/api/alert-rules/" + rule.id, body);
        else await send("POST", "/api/alert-rules", body);
        const run = await send("POST", "/api/alerts/run");
        $("rule-result").textContent = T.new_alerts.replace("{count}", run.created);
        await loadRules();
        await refresh();
      } catch (e) { error(e); }
    };
    return h("form", { id: "rule-form", class: "upload", onsubmit: submit },
      h("h3", null, rule ? T.edit_rule : T.add_rule),
      field(T.rule_name, inputs.name), field(T.rule_kind, kind), threshold, aqi,
      field(T.for_hours, inputs.min_hours), field(T.station_ref, inputs.station_ref),
      h("datalist", { id: "rule-parameters" }, ["PM2.5", "PM10", "NO2", "SO2", "CO", "O3"].map((p) => h("option", { value: p }))),
      h("button", { type: "submit", id: "rule-save" }, rule ? T.save_rule : T.add_rule),
      rule ? h("button", { type: "button", onclick: () => show($("alert-rule-form"), ruleForm(null)) }, T.cancel_edit) : null,
      h("p", { id: "rule-result", class: "hint", role: "status" }));
  }

  function ruleItem(r) {
    const change = (body) => async () => {
      try { await send("PATCH", "/api/alert-rules/" + r.id, body); await loadRules(); } catch (e) { error(e); }
    };
    const remove = async (event) => {  // a second click confirms
      const button = event.currentTarget;
      if (!button.dataset.armed) { button.dataset.armed = "1"; button.textContent = T.delete_rule_confirm; return; }
      try { await send("DELETE", "/api/alert-rules/" + r.id); await loadRules(); await refresh(); } catch (e) { error(e); }
    };
    return h("li", { dataset: { rule: r.id, active: r.active } }, h("b", null, r.name), " · " + ruleText(r) +
      (r.station_ref ? " · " + r.station_ref : "") + " · " + (r.active ? T.rule_active : T.rule_paused) + " · " +
      T.alert_statuses.open + " " + r.open + ", " + T.alert_statuses.acknowledged + " " + r.acknowledged + ", " +
      T.alert_statuses.closed + " " + r.closed,
      officer ? h("div", { class: "alert-actions" },
        h("button", { type: "button", class: "rule-pause", onclick: change({ active: !r.active }) }, r.active ? T.pause : T.resume),
        h("button", { type: "button", class: "rule-edit", onclick: () => show($("alert-rule-form"), ruleForm(r)) }, T.edit_rule),
        h("button", { type: "button", class: "rule-delete", onclick: remove }, T.delete_rule)) : null);
  }

  async function loadRules() {
    rules = (await getJSON("/api/alert-rules")).rules;
    const keep = $("alert-rule").value;
    show($("alert-rule"), h("option", { value: "" }, T.all_rules), rules.map((r) => h("option", { value: r.id }, r.name)));
    $("alert-rule").value = rules.some((r) => String(r.id) === keep) ? keep : "";
    show($("alert-rules"), rules.length ? rules.map(ruleItem) : h("li", null, T.no_rules));
  }

  await loadRules();
  if (officer) {
    show($("alert-rule-form"), ruleForm(null));
  } else {
    show($("alert-rule-form"), h("p", { class: "hint" }, T.sign_in_for_rules));
  }
  await refresh();
  ready("alertsReady");
}
