// What both webview views (chat, models) share: a page with a strict Content Security Policy, a nonce'd
// bundled script, the l10n bundle of VS Code's display language (webview/l10n.ts reads it), and a channel
// that queues messages until the webview says it is ready, so none is lost.
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { L10N_BUNDLE_ELEMENT } from "./shared/messages";

export interface PageSpec {
  /** The bundled script in dist/ (webview.js, models.js). */
  script: string;
  /** Style sheets in media/, in order. */
  styles: string[];
  /** The page's body, with its own text already escaped (see `attr`). */
  body: string;
}

/** Text safe inside an HTML attribute or element. */
export const attr = (text: string): string => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

export function configureWebview(webview: vscode.Webview, extensionUri: vscode.Uri): void {
  const media = vscode.Uri.joinPath(extensionUri, "media");
  const dist = vscode.Uri.joinPath(extensionUri, "dist");
  webview.options = { enableScripts: true, localResourceRoots: [media, dist] };
}

export function pageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, spec: PageSpec): string {
  const nonce = randomBytes(16).toString("base64");
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", spec.script));
  const styles = spec.styles
    .map((name) => `<link rel="stylesheet" href="${webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "media", name)).toString()}">`)
    .join("\n");
  // l10n-ignore: a Content Security Policy
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
  // JSON in a non-executed script element; "<" escaped so no text in it can close the element.
  const bundle = JSON.stringify(vscode.l10n.bundle ?? {}).replace(/</g, "\\u003c");
  return `<!DOCTYPE html>
<html lang="${attr(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
<title>Flambeau</title>
<script type="application/json" id="${L10N_BUNDLE_ELEMENT}">${bundle}</script>
</head>
<body>
${spec.body}
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}

/**
 * Posts to a webview once it said "ready"; earlier messages wait in order. A sticky message (the latest of
 * its type, such as the server's state) is re-sent whenever the webview (re)loads.
 */
export class WebviewChannel<M extends { type: string }> {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private readonly queue: M[] = [];
  private readonly sticky = new Map<string, M>();

  constructor(private readonly stickyTypes: readonly string[]) {}

  attach(view: vscode.WebviewView, onMessage: (message: unknown) => Promise<void>): void {
    this.view = view;
    this.ready = false;
    view.webview.onDidReceiveMessage(async (message: unknown) => {
      if (typeof message === "object" && message !== null && (message as { type?: unknown }).type === "ready") {
        this.ready = true;
        for (const kept of this.sticky.values()) void view.webview.postMessage(kept);
        for (const queued of this.queue.splice(0)) void view.webview.postMessage(queued);
      }
      await onMessage(message);
    });
    view.onDidDispose(() => {
      this.view = undefined;
      this.ready = false;
    });
  }

  get visible(): boolean {
    return this.view !== undefined;
  }

  post(message: M): void {
    const sticky = this.stickyTypes.includes(message.type);
    if (sticky) this.sticky.set(message.type, message);
    if (this.view && this.ready) void this.view.webview.postMessage(message);
    else if (!sticky) this.queue.push(message);
  }

  reveal(viewId: string): void {
    if (this.view) this.view.show(true);
    else void vscode.commands.executeCommand(`${viewId}.focus`);
  }
}
