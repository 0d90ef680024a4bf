// Compare: VS Code's multi-file diff (`vscode.changes`) of a checkpoint against the workspace now. The left
// side is served read-only from the checkpoint contents the server sent (flambeau/checkpointDiff).
import * as vscode from "vscode";
import type { CheckpointDiffResult, DiffFile } from "./shared/protocol";

export const CHECKPOINT_SCHEME = "flambeau-checkpoint";

/** A workspace-relative path the server sent, refused if it could name anything outside the workspace. */
export function safeSegments(path: string): string[] | undefined {
  const parts = path.split("/");
  if (!path || path.startsWith("/") || path.includes("\\") || parts.some((p) => p === "" || p === "." || p === "..")) return undefined;
  return parts;
}

export class CheckpointContents implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly titles = new Set<string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? "";
  }

  async compare(diff: CheckpointDiffResult): Promise<void> {
    const root = vscode.Uri.file(diff.workspace);
    const resources: [vscode.Uri, vscode.Uri | undefined, vscode.Uri | undefined][] = [];
    for (const file of diff.files) {
      const segments = safeSegments(file.path);
      if (!segments) continue;
      const now = vscode.Uri.joinPath(root, ...segments);
      // Only the scheme differs: the editor would take another path for a rename.
      const before = now.with({ scheme: CHECKPOINT_SCHEME, query: diff.checkpointId });
      if (file.change !== "added") {
        this.contents.set(before.toString(), original(file));
        this.changed.fire(before);
      }
      resources.push([now, file.change === "added" ? undefined : before, file.change === "deleted" ? undefined : now]);
    }
    if (!resources.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t("Nothing changed since the checkpoint before step {0}.", diff.step));
      return;
    }
    const title = vscode.l10n.t("Checkpoint before step {0} ↔ now", diff.step);
    this.titles.add(title);
    await vscode.commands.executeCommand("vscode.changes", title, resources);
  }

  /** After a restore, the comparisons it made stale are closed (they would show files as they were). */
  async closeAll(): Promise<void> {
    const titles = [...this.titles];
    const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => titles.some((title) => tab.label.startsWith(title)));
    if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
    this.titles.clear();
  }

  dispose(): void {
    this.changed.dispose();
    this.contents.clear();
  }
}

function original(file: DiffFile): string {
  if (file.original !== null) return file.original;
  if (file.tooLarge) return vscode.l10n.t("(too large to show: {0} in the checkpoint)", file.path);
  return vscode.l10n.t("(binary file: {0} in the checkpoint is not shown)", file.path);
}
