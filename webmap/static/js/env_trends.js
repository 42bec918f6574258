/* Trends on the environment page: for the station clicked and a parameter, the monthly means
   (Hà Nội calendar months) with the Theil-Sen slope and Mann-Kendall result said in words, and
   the months left out for completeness. The page's entry module announces the station clicked
   with a "langnghe:station" event. */
import { h, show } from "./dom.js";
import { T, config, getJSON, ready } from "./common.js";
import { number, showMonth } from "./env_time.js";

const $ = (id) => document.getElementById(id);

/** Show the trend of `station` ({id, name}) and `parameter` in the panel. */
export async function openTrend(station, parameter) {
  const data = await getJSON("/api/stations/" + station.id + "/trend?parameter=" + encodeURIComponent(parameter));
  const months = data.months.length ? h("table", { id: "trend-months" },
    h("thead", null, h("tr", null, h("th", null, T.month), h("th", null, T.monthly_mean), h("th", null, T.days_with_mean))),
    h("tbody", null, data.months.map((m) => h("tr", { class: m.mean === null ? "left-out" : null },
      h("td", null, showMonth(m.month)), h("td", null, m.mean === null ? T.left_out : number(m.mean, config.lang, 2)),
      h("td", null, m.days_with_mean + " / " + m.days + " (" + T.needed + " " + m.needed + ")"))))) : null;
  show($("trend"), h("p", { id: "trend-summary" }, h("b", null, station.name + " · " + parameter + ": "), data.summary.text),
    months,
    data.left_out.length ? [h("h3", null, T.months_left_out), h("ul", { id: "trend-left-out", class: "hint" },
      data.left_out.map((m) => h("li", null, m.text)))] : null,
    h("p", { class: "hint" }, T.trend_method));
  document.body.dataset.trend = station.id + "/" + parameter;
}

/** The trends panel: it follows the station clicked on the map. */
export function initTrends() {
  let station = null;
  document.addEventListener("langnghe:station", (event) => {
    station = event.detail;
    $("trend-station").textContent = station.name;
    const keep = $("trend-parameter").value;
    show($("trend-parameter"), station.parameters.map((p) => h("option", { value: p }, p)));
    $("trend-parameter").value = station.parameters.includes(keep) ? keep : (station.parameters.includes("PM2.5") ? "PM2.5" : station.parameters[0]);
    show($("trend"));
  });
  $("trend-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (station && $("trend-parameter").value) openTrend(station, $("trend-parameter").value).catch((e) => show($("trend"), h("p", { class: "error" }, String(e.message || e))));
  });
  ready("trendsReady");
}
