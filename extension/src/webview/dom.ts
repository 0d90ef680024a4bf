// The two DOM helpers the panel draws with. Text goes in through textContent, never as HTML.

export type Attrs = Record<string, string>;

export function el(tag: string, className = "", text?: string, attrs: Attrs = {}): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

/** A button handled by the delegated click listener (main.ts) through its data-action. */
export function button(label: string, action: string, attrs: Attrs = {}, className = ""): HTMLElement {
  return el("button", className, label, { type: "button", "data-action": action, ...attrs });
}
