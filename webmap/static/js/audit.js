/* Admin audit page: list the edits, undo one (POST /api/audit/{id}/revert). */
"use strict";
(async function () {
  const { T, esc, getJSON } = LN;
  const body = document.querySelector("#audit-table tbody");
  async function load() {
    const data = await getJSON("/api/audit?limit=200");
    body.innerHTML = data.entries.map((e) => "<tr><td>" + e.id + "</td><td>" + esc(e.at.slice(0, 19).replace("T", " ")) +
      "</td><td>" + esc(e.actor) + "</td><td>" + esc(e.action) + "</td><td>" + esc(e.table) + "</td><td>" + esc(e.row || "") +
      "</td><td>" + (["insert", "update", "delete"].includes(e.action) ? "<button type=button data-id='" + e.id + "'>" +
      esc(T.undo) + "</button>" : "") + "</td></tr>").join("");
  }
  body.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-id]");
    if (!button) return;
    const out = document.getElementById("audit-result");
    try {
      const r = await getJSON("/api/audit/" + button.dataset.id + "/revert", { method: "POST" });
      out.textContent = T.undone + " #" + r.reverted;
      out.className = "";
      await load();
    } catch (error) {
      out.textContent = T.undo_refused;
      out.className = "error";
    }
  });
  await load();
  document.body.dataset.ready = "1";
})();
