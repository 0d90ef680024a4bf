// The Models webview view: the shared page (webviewPage.ts) holding the view drawn by webview/models/.
import * as vscode from "vscode";
import type { HostToModels } from "./shared/modelsMessages";
import { configureWebview, pageHtml, WebviewChannel } from "./webviewPage";

export class ModelsView implements vscode.WebviewViewProvider {
  static readonly viewId = "flambeau.models";
  private readonly channel = new WebviewChannel<HostToModels>(["serverState", "models", "providers"]);

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly onMessage: (message: unknown) => Promise<void>,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    configureWebview(view.webview, this.extensionUri);
    this.channel.attach(view, this.onMessage);
    view.webview.html = pageHtml(view.webview, this.extensionUri, {
      script: "models.js",
      styles: ["chat.css", "models.css"],
      body: '<div id="models" class="models" aria-live="polite"></div>',
    });
  }

  post(message: HostToModels): void {
    this.channel.post(message);
  }

  reveal(): void {
    this.channel.reveal(ModelsView.viewId);
  }
}
