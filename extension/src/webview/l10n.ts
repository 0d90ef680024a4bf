// The webview's strings: l10n.t (from @vscode/l10n, which the extractor reads like vscode.l10n.t) looks
// them up in the bundle the extension embedded in the page (chatView.ts), VS Code's display language.
import * as l10n from "@vscode/l10n";
import { L10N_BUNDLE_ELEMENT } from "../shared/messages";

/** Configures l10n.t with the embedded bundle; call before the first draw. No bundle: English. */
export function loadBundle(doc: Document): void {
  const text = doc.getElementById(L10N_BUNDLE_ELEMENT)?.textContent ?? "";
  let contents: Record<string, string> = {};
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (typeof parsed === "object" && parsed !== null) contents = parsed as Record<string, string>;
  } catch {
    contents = {};
  }
  l10n.config({ contents });
}
