// Keyed DOM patching: a container's children are described by (key, signature, build); a child whose
// signature did not change is kept as it is (focus, selection, scroll and opened <details> survive),
// a changed one is rebuilt in place (keeping its opened <details> and what the user typed into its
// inputs), and only misplaced children are moved. No framework needed.

export interface NodeSpec {
  /** Stable identity among its siblings (for example a call id). */
  key: string;
  /** Everything the node is drawn from; equal signatures mean the node is already right. */
  signature: string;
  build(): HTMLElement;
  /** Patches inside the node after it was kept or built (a container whose children change one by one). */
  patch?(node: HTMLElement): void;
}

const KEY = "data-key";
const SIGNATURE = "data-sig";

export interface PatchStats {
  built: number;
  kept: number;
}

/** Makes `parent`'s children match `specs`, touching only what changed. */
export function patchChildren(parent: HTMLElement, specs: NodeSpec[], stats?: PatchStats): void {
  const wanted = new Set(specs.map((spec) => spec.key));
  const existing = new Map<string, HTMLElement>();
  for (const child of [...parent.children]) {
    const key = child.getAttribute(KEY);
    if (key !== null && wanted.has(key) && !existing.has(key) && child instanceof HTMLElement) existing.set(key, child);
    else child.remove();
  }
  let cursor = parent.firstElementChild;
  for (const spec of specs) {
    let node = existing.get(spec.key);
    if (node && node.getAttribute(SIGNATURE) === spec.signature) {
      if (stats) stats.kept += 1;
    } else {
      const fresh = spec.build();
      fresh.setAttribute(KEY, spec.key);
      fresh.setAttribute(SIGNATURE, spec.signature);
      if (node) {
        keepOpenDetails(node, fresh);
        const restoreFocus = keepInputs(node, fresh);
        node.replaceWith(fresh);
        restoreFocus?.();
        if (cursor === node) cursor = fresh;
      }
      node = fresh;
      if (stats) stats.built += 1;
    }
    if (node === cursor) cursor = node.nextElementSibling;
    else parent.insertBefore(node, cursor);
    spec.patch?.(node);
  }
}

/** A rebuilt node keeps the open/closed state the user gave its <details> (matched by data-details). */
function keepOpenDetails(old: HTMLElement, fresh: HTMLElement): void {
  const within = (node: HTMLElement) => [...(node.matches("details[data-details]") ? [node as HTMLDetailsElement] : []), ...node.querySelectorAll<HTMLDetailsElement>("details[data-details]")];
  const before = within(old);
  if (!before.length) return;
  const opened = new Map<string, boolean>();
  for (const details of before) opened.set(details.dataset.details ?? "", details.open);
  for (const details of within(fresh)) {
    const was = opened.get(details.dataset.details ?? "");
    if (was !== undefined) details.open = was;
  }
}

/** A rebuilt node keeps what the user typed into its inputs (matched by data-keep), and the focus. */
function keepInputs(old: HTMLElement, fresh: HTMLElement): (() => void) | undefined {
  let restore: (() => void) | undefined;
  for (const input of old.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("[data-keep]")) {
    const twin = fresh.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[data-keep="${input.dataset.keep ?? ""}"]`);
    if (!twin) continue;
    twin.value = input.value;
    if (input.ownerDocument.activeElement === input) {
      const { selectionStart, selectionEnd } = input;
      restore = () => {
        twin.focus();
        if (selectionStart !== null && selectionEnd !== null) twin.setSelectionRange(selectionStart, selectionEnd);
      };
    }
  }
  return restore;
}

/** A short, stable text for signatures of large strings (FNV-1a over the UTF-16 code units). */
export function digest(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${text.length}:${hash.toString(36)}`;
}
