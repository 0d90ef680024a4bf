// DOM helpers the webviews draw with. Text goes in through textContent, never as HTML.

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

/** A <select> of (value, label) options with `selected` chosen; `data-action` names what a change does. */
export function select(action: string, options: [string, string][], selected: string, attrs: Attrs = {}): HTMLSelectElement {
  const node = el("select", "", undefined, { "data-action": action, ...attrs }) as HTMLSelectElement;
  for (const [value, label] of options) {
    const option = el("option", "", label, { value }) as HTMLOptionElement;
    if (value === selected) option.selected = true;
    node.appendChild(option);
  }
  return node;
}

/** A labelled form field: the label's text, then the control. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const wrap = el("label", "field");
  wrap.append(el("span", "field-label", label), control);
  if (hint) wrap.appendChild(el("span", "field-hint", hint));
  return wrap;
}
