// The chat webview view: strict Content Security Policy, a nonce'd bundled script, and a queue so
// no message is lost before the webview says it is ready.
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import type { HostToWebview } from "./shared/messages";

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
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `script-src 'nonce-${nonce}'`,
    ].join("; ");
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>Flambeau</title>
</head>
<body>
<div class="layout">
  <div id="header"></div>
  <div id="transcript" aria-live="polite"></div>
  <div class="composer">
    <textarea id="task-input" placeholder="Describe a task… (Ctrl+Enter to send)" aria-label="Task"></textarea>
    <div class="row">
      <button id="send" type="button">Start task</button>
      <button id="new-task" type="button" class="secondary" hidden>New task</button>
    </div>
  </div>
</div>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }
}
