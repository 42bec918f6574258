/* Admin audit page: list the edits, undo one (POST /api/audit/{id}/revert). */
import { h, show } from "./dom.js";
import { T, getJSON, ready } from "./common.js";

const UNDOABLE = ["insert", "update", "delete"];
const body = document.querySelector("#audit-table tbody");
const out = document.getElementById("audit-result");

async function undo(id) {
  try {
    const r = await getJSON("/api/audit/" + id + "/revert", { method: "POST" });
    out.textContent = T.undone + " #" + r.reverted;
    out.className = "";
    await load();
  } catch (error) {
    out.textContent = T.undo_refused;
    out.className = "error";
  }
}

async function load() {
  const data = await getJSON("/api/audit?limit=200");
  show(body, data.entries.map((e) => h("tr", null,
    [e.id, e.at.slice(0, 19).replace("T", " "), e.actor, e.action, e.table, e.row || ""].map((v) => h("td", null, v)),
    h("td", null, UNDOABLE.includes(e.action)
      ? h("button", { type: "button", dataset: { id: e.id }, onclick: () => undo(e.id) }, T.undo) : null))));
}

await load();
ready();
