// The workspace's files and folders for the composer's @-mention autocomplete: listed once with VS Code's
// file search (files.exclude honoured, plus folders nobody mentions), listed again after files are created
// or deleted, ranked by shared/mentions.ts.
import * as vscode from "vscode";
import { foldersOf, rankMentions, type MentionCandidate } from "./shared/mentions";

const MAX_FILES = 20_000;
const ALWAYS_EXCLUDED = ["**/node_modules/**", "**/.git/**", "**/.flambeau/**", "**/.venv/**", "**/__pycache__/**"];

export class WorkspaceFiles implements vscode.Disposable {
  private listing: Promise<string[]> | undefined;
  private readonly watcher = vscode.workspace.createFileSystemWatcher("**/*", false, true, false);

  constructor() {
    const stale = (): void => {
      this.listing = undefined;
    };
    this.watcher.onDidCreate(stale);
    this.watcher.onDidDelete(stale);
  }

  async candidates(query: string): Promise<MentionCandidate[]> {
    this.listing ??= this.list().catch(() => {
      this.listing = undefined;
      return [];
    });
    return rankMentions(query, await this.listing);
  }

  private async list(): Promise<string[]> {
    const root = vscode.workspace.workspaceFolders?.[0];
    if (!root) return [];
    const excluded = vscode.workspace.getConfiguration("files", root.uri).get<Record<string, boolean>>("exclude") ?? {};
    const patterns = [...ALWAYS_EXCLUDED, ...Object.entries(excluded).filter(([, on]) => on === true).map(([glob]) => glob)];
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(root, "**/*"), `{${patterns.join(",")}}`, MAX_FILES);
    const files = uris.map((uri) => vscode.workspace.asRelativePath(uri, false)).sort();
    return [...foldersOf(files), ...files];
  }

  dispose(): void {
    this.watcher.dispose();
  }
}
