// One log output channel for the extension and the language client.
import * as vscode from "vscode";

let channel: vscode.LogOutputChannel | undefined;

export function createLog(context: vscode.ExtensionContext): vscode.LogOutputChannel {
  channel = vscode.window.createOutputChannel("Flambeau", { log: true });
  context.subscriptions.push(channel);
  return channel;
}

export function log(): vscode.LogOutputChannel {
  // l10n-ignore: a programming error, never shown after activation
  if (!channel) throw new Error("Flambeau log used before activation");
  return channel;
}
