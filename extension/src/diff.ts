// Proposed edits in VS Code's native diff view: the right side is a read-only virtual document
// holding the content the agent proposes.
import * as vscode from "vscode";
import type { ApprovalRequested, ApproveParams } from "./shared/protocol";
import { proposedContent } from "./unifiedDiff";

export const PROPOSED_SCHEME = "flambeau-proposed";

export class ProposedContent implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? "";
  }

  set(uri: vscode.Uri, content: string): void {
    this.contents.set(uri.toString(), content);
    this.changed.fire(uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function argumentPath(request: ApprovalRequested): string | undefined {
  const value = request.arguments.path ?? request.arguments.file ?? request.arguments.file_path;
  return typeof value === "string" ? value : undefined;
}

async function currentText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return (await vscode.workspace.openTextDocument(uri)).getText();
  } catch {
    return undefined;
  }
}

export async function openProposedDiff(provider: ProposedContent, params: ApproveParams): Promise<void> {
  const request = params.event;
  const relative = argumentPath(request);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!relative || !root) throw new Error(vscode.l10n.t("{0} names no file to compare", request.tool));
  const fileUri = relative.startsWith("/") ? vscode.Uri.file(relative) : vscode.Uri.joinPath(root, relative);
  const current = await currentText(fileUri);
  const proposed = proposedContent(current ?? "", request.arguments, request.preview);
  if (proposed === undefined) throw new Error(vscode.l10n.t("the proposed change to {0} does not apply to the current file", relative));
  const base = `/${params.taskId}/${request.call_id}/${relative.replace(/^\/+/, "")}`;
  const right = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: base });
  provider.set(right, proposed);
  let left = fileUri;
  if (current === undefined) {
    left = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: `${base}.empty` });
    provider.set(left, "");
  }
  const title = vscode.l10n.t("{0} ↔ proposed by Flambeau ({1})", relative, current === undefined ? vscode.l10n.t("new file") : request.tool);
  await vscode.commands.executeCommand("vscode.diff", left, right, title, { preview: true, preserveFocus: true });
}

/** Closes the diff editors opened for one approval once it is decided. */
export async function closeProposedDiff(taskId: string, callId: string): Promise<void> {
  const prefix = `/${taskId}/${callId}/`;
  const tabs = vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.scheme === PROPOSED_SCHEME && tab.input.modified.path.startsWith(prefix));
  if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
}
