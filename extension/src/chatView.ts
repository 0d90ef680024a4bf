// The chat webview view: strict Content Security Policy, a nonce'd bundled script, and a queue so
// no message is lost before the webview says it is ready. The page carries the l10n bundle of VS Code's
// display language (webview/l10n.ts reads it), so the panel renders in that language from its first frame.
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { L10N_BUNDLE_ELEMENT, type HostToWebview } from "./shared/messages";

export class ChatView implements vscode.WebviewViewProvider {
  static readonly viewId = "flambeau.chat";
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private readonly queue: HostToWebview[] = [];
  private lastModel: HostToWebview | undefined;
  private lastServer: HostToWebview | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly onMessage: (message: unknown) => Promise<void>,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const media = vscode.Uri.joinPath(this.extensionUri, "media");
    const dist = vscode.Uri.joinPath(this.extensionUri, "dist");
    view.webview.options = { enableScripts: true, localResourceRoots: [media, dist] };
    view.webview.html = this.html(view.webview);
    view.webview.onDidReceiveMessage(async (message: unknown) => {
      if (typeof message === "object" && message !== null && (message as { type?: unknown }).type === "ready") {
        this.ready = true;
        for (const sticky of [this.lastModel, this.lastServer]) if (sticky) void view.webview.postMessage(sticky);
        for (const queued of this.queue.splice(0)) void view.webview.postMessage(queued);
      }
      await this.onMessage(message);
    });
    view.onDidDispose(() => {
      this.view = undefined;
      this.ready = false;
    });
  }

  post(message: HostToWebview): void {
    if (message.type === "model") this.lastModel = message;
    if (message.type === "serverState") this.lastServer = message;
    if (this.view && this.ready) void this.view.webview.postMessage(message);
    else if (message.type !== "model" && message.type !== "serverState") this.queue.push(message);
  }

  reveal(): void {
    if (this.view) this.view.show(true);
    else void vscode.commands.executeCommand(`${ChatView.viewId}.focus`);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString("base64");
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, "dist", "webview.js"));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, "media", "chat.css"));
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
    const attr = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
    return `<!DOCTYPE html>
<html lang="${attr(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>Flambeau</title>
<script type="application/json" id="${L10N_BUNDLE_ELEMENT}">${bundle}</script>
</head>
<body>
<div class="layout">
  <div id="header"></div>
  <div id="transcript" aria-live="polite"></div>
  <div class="composer">
    <div id="mention-list" class="mention-list" role="listbox" aria-label="${attr(vscode.l10n.t("Mention suggestions"))}" hidden></div>
    <div id="composer-chips" class="chips" aria-label="${attr(vscode.l10n.t("Attached to this message"))}" hidden></div>
    <textarea id="task-input" placeholder="${attr(vscode.l10n.t("Describe a task… @ attaches files, problems, the selection or the terminal; paste images. Ctrl+Enter sends."))}" aria-label="${attr(vscode.l10n.t("Task"))}"></textarea>
    <div id="composer-error" class="composer-error" role="alert" hidden></div>
    <div class="row">
      <button id="send" type="button">${attr(vscode.l10n.t("Start task"))}</button>
      <button id="new-task" type="button" class="secondary" hidden>${attr(vscode.l10n.t("New task"))}</button>
    </div>
  </div>
</div>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }
}
