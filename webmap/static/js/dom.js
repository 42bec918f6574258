/* Building the page with DOM methods: values always become text nodes or attribute values,
   never markup, so a name like "<img src=x onerror=...>" shows as those characters. */

/* Append children to a node: strings and numbers as text, nodes as they are, arrays
   flattened; null, undefined and false are skipped (so `cond && h(...)` works). */
function add(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) add(node, child);
    else node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/* An element: h("li", { class: "hint", dataset: { id: 3 } }, "text", h("b", null, "bold")).
   Props: `class`, `dataset` (object), `style` (object), `on<event>` (a listener), `value`,
   `checked`, `selected`, `disabled` (set as properties), any other name as an attribute
   (true: present and empty; null, undefined, false: absent). */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    else if (key === "style") Object.assign(el.style, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (["value", "checked", "selected", "disabled"].includes(key)) el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  return add(el, children);
}

/* Replace what a node shows by the given children (same rules as h). */
export function show(node, ...children) {
  node.replaceChildren();
  return add(node, children);
}

/* Append children to a node (same rules as h). */
export function append(node, ...children) {
  return add(node, children);
}

/* Children joined by a separator: join([a, b, c], " · "). */
export function join(parts, separator) {
  return parts.flatMap((part, i) => (i ? [separator, part] : [part]));
}
