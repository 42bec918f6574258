/* On the planner map, a drawn polygon becomes a new planned cluster (for those who may edit
   clusters): a small form under the Decree 32 check. */
import { h } from "./dom.js";
import { T, csrfToken } from "./common.js";
import { canEdit } from "./editing.js";

export function initNewCluster({ drawn }) {
  const checkPanel = document.getElementById("check-panel");
  if (!checkPanel || !canEdit("clusters")) return;
  const out = h("p", { id: "new-result", role: "status" });
  const ref = h("input", { id: "new-ref", placeholder: "CCN-..." });
  const name = h("input", { id: "new-name" });
  const kind = h("select", { id: "new-kind" }, h("option", { value: "general" }, T.general_cluster),
    h("option", { value: "craft_village" }, T.craft_village_cluster));

  async function save() {
    const layers = drawn.getLayers();
    if (!layers.length) { out.textContent = T.draw_first; out.className = "error"; return; }
    const body = { type: "Feature", geometry: layers[0].toGeoJSON().geometry, properties: {
      ref: ref.value.trim(), name: name.value.trim(), kind: kind.value, status: "planned", source: "drawn on the planner map" } };
    const response = await fetch("/collections/clusters/items", { method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/geo+json", "X-CSRFToken": csrfToken } });
    if (response.ok) {
      out.textContent = T.saved;
      out.className = "";
      document.body.dataset.created = response.headers.get("Location");
    } else {
      out.textContent = (await response.json().catch(() => ({}))).description || response.status;
      out.className = "error";
    }
  }

  checkPanel.append(h("div", { class: "new-cluster" }, h("h3", null, T.new_cluster),
    h("label", null, T.field_ref, " ", ref), h("label", null, T.field_name, " ", name),
    h("label", null, T.cluster_kind, " ", kind),
    h("button", { type: "button", id: "new-save", onclick: save }, T.save_drawn), out));
}
