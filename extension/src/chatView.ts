// The chat webview view: the shared page (webviewPage.ts) with the transcript and the composer.
import * as vscode from "vscode";
import type { HostToWebview } from "./shared/messages";
import { attr, configureWebview, pageHtml, WebviewChannel } from "./webviewPage";

export class ChatView implements vscode.WebviewViewProvider {
  static readonly viewId = "flambeau.chat";
  private readonly channel = new WebviewChannel<HostToWebview>(["model", "serverState", "mcpPrompts", "mode"]);

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly onMessage: (message: unknown) => Promise<void>,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    configureWebview(view.webview, this.extensionUri);
    this.channel.attach(view, this.onMessage);
    view.webview.html = pageHtml(view.webview, this.extensionUri, { script: "webview.js", styles: ["chat.css"], body: this.body() });
  }

  post(message: HostToWebview): void {
    this.channel.post(message);
  }

  reveal(): void {
    this.channel.reveal(ChatView.viewId);
  }

  private body(): string {
    return `<div class="layout">
  <div id="header"></div>
  <div id="transcript" aria-live="polite"></div>
  <div class="composer">
    <div id="mention-list" class="mention-list" role="listbox" aria-label="${attr(vscode.l10n.t("Mention suggestions"))}" hidden></div>
    <div id="composer-chips" class="chips" aria-label="${attr(vscode.l10n.t("Attached to this message"))}" hidden></div>
    <textarea id="task-input" placeholder="${attr(vscode.l10n.t("Describe a task… @ attaches files, problems, the selection or the terminal; paste images. Ctrl+Enter sends."))}" aria-label="${attr(vscode.l10n.t("Task"))}"></textarea>
    <div id="composer-error" class="composer-error" role="alert" hidden></div>
    <div id="modes" class="modes"></div>
    <div class="row">
      <button id="send" type="button">${attr(vscode.l10n.t("Start task"))}</button>
      <button id="new-task" type="button" class="secondary" hidden>${attr(vscode.l10n.t("New task"))}</button>
    </div>
  </div>
</div>`;
  }
}
