/* The environment page's upload form: measurements (time zone, unit, replace) or station
   positions (code, lon, lat). The answer says what was written, which stations the file
   created and which of them have no position yet (with a button to place each). */
import { h, show } from "./dom.js";
import { T, csrfToken } from "./common.js";

const $ = (id) => document.getElementById(id);

function names(list) {
  return list.map((s) => s.name + " (" + s.ref + ")").join(", ");
}

/** The answer to a measurements upload, in the page's language. */
function measurements(body, place) {
  const created = body.created || [];
  const unplaced = created.filter((s) => !s.positioned);
  return [
    h("p", null, T.inserted + ": " + body.inserted + " · " + T.updated + ": " + body.updated + " · " +
      T.unchanged + ": " + body.unchanged + (body.rejected ? " · " + T.rejected + ": " + body.rejected : "")),
    created.length ? h("p", { id: "upload-created" }, T.created_stations.replace("{count}", String(created.length)) + ": " + names(created)) : null,
    unplaced.length ? h("div", { id: "upload-unplaced", class: "warn" },
      T.created_unplaced.replace("{count}", String(unplaced.length)) + ":",
      h("ul", null, unplaced.map((s) => h("li", null, s.name + " (" + s.ref + ") ",
        h("button", { type: "button", class: "place-button", onclick: () => place(s.ref) }, T.place))))) : null,
    (body.notes || []).length ? h("details", null, h("summary", null, T.notes), h("ul", null, body.notes.map((n) => h("li", null, n.text)))) : null,
  ];
}

/** The answer to a positions upload. */
function positions(body) {
  return [
    h("p", null, T.positions_done.replace("{placed}", String(body.placed.length)).replace("{moved}", String(body.moved.length))
      .replace("{unchanged}", String(body.unchanged.length))),
    body.placed.length ? h("p", null, T.placed_list + ": " + names(body.placed)) : null,
    body.without_position.length
      ? h("p", { class: "warn", id: "upload-unplaced" }, T.still_unplaced.replace("{count}", String(body.without_position.length)) + ": " + names(body.without_position))
      : h("p", null, T.all_placed),
  ];
}

/* `onUploaded()` refreshes the map and the station list; `place(ref)` starts placing a station. */
export function initUpload({ onUploaded, place }) {
  const form = $("upload");
  if (!form) return;
  const kind = () => form.querySelector("input[name=kind]:checked").value;
  const sync = () => { for (const el of form.querySelectorAll(".for-measurements")) el.hidden = kind() !== "measurements"; };
  form.querySelectorAll("input[name=kind]").forEach((el) => el.addEventListener("change", sync));
  sync();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = $("upload-result");
    show(out, T.uploading);
    out.className = "";
    const data = new FormData(form);
    data.delete("kind");
    const url = kind() === "positions" ? "/api/stations/positions" : "/api/measurements";
    const response = await fetch(url, { method: "POST", body: data, headers: { "X-CSRFToken": csrfToken } });
    const body = await response.json().catch(() => ({}));
    show($("upload-report"));
    if (!response.ok) {
      show(out, h("p", null, body.description || String(response.status)));
      out.className = "error";
      return;
    }
    show(out, kind() === "positions" ? positions(body) : measurements(body, place));
    // The import report, as `langnghe import` prints it: sections rendered by the server.
    show($("upload-report"), (body.report || []).map((section) =>
      h("section", { class: "report-section", "data-section": section.section }, h("h3", null, section.title),
        h("ul", null, section.lines.map((line) => h("li", null, line))))));
    await onUploaded();
    document.body.dataset.uploaded = kind();
  });
}
