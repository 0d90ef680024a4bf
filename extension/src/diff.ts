// Proposed edits in VS Code's native diff view. The right side is an in-memory file holding the content
// the agent proposes, and it is editable: what it holds when the user approves (saved or not) is what
// is written (docs/protocol.md, `content` of flambeau/approve).
import * as vscode from "vscode";
import type { ApprovalRequested, ApproveParams } from "./shared/protocol";
import { proposedContent } from "./unifiedDiff";

export const PROPOSED_SCHEME = "flambeau-proposed";
const EMPTY_SUFFIX = ".empty";

interface Entry {
  data: Uint8Array;
  mtime: number;
  /** What the agent proposed (undefined: the empty left side of a new file, read-only). */
  proposed?: string;
}

/** The proposals' files: `/<taskId>/<callId>/<path>`. */
export class ProposedFiles implements vscode.FileSystemProvider {
  private readonly files = new Map<string, Entry>();
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;

  /** Sets a proposal's file (`proposed`: the agent's text; absent: a read-only empty side). */
  set(uri: vscode.Uri, content: string, proposed?: string): void {
    const known = this.files.has(uri.path);
    this.files.set(uri.path, { data: new TextEncoder().encode(content), mtime: Date.now(), ...(proposed !== undefined ? { proposed } : {}) });
    this.changed.fire([{ type: known ? vscode.FileChangeType.Changed : vscode.FileChangeType.Created, uri }]);
  }

  has(uri: vscode.Uri): boolean {
    return this.files.has(uri.path);
  }

  /** What the agent proposed for this file, if it is a proposal. */
  proposed(uri: vscode.Uri): string | undefined {
    return this.files.get(uri.path)?.proposed;
  }

  /** The file as last saved into this provider. */
  text(uri: vscode.Uri): string | undefined {
    const entry = this.files.get(uri.path);
    return entry ? new TextDecoder().decode(entry.data) : undefined;
  }

  /** Forgets one approval's files once it is decided. */
  forget(taskId: string, callId: string): void {
    const prefix = `/${taskId}/${callId}/`;
    for (const path of [...this.files.keys()]) if (path.startsWith(prefix)) this.files.delete(path);
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const entry = this.files.get(uri.path);
    if (entry) {
      const readonly = entry.proposed === undefined ? { permissions: vscode.FilePermission.Readonly } : {};
      return { type: vscode.FileType.File, ctime: entry.mtime, mtime: entry.mtime, size: entry.data.byteLength, ...readonly };
    }
    const prefix = uri.path.endsWith("/") ? uri.path : `${uri.path}/`;
    if ([...this.files.keys()].some((path) => path.startsWith(prefix))) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    throw vscode.FileSystemError.FileNotFound(uri);
  }

  readDirectory(uri: vscode.Uri): [string, vscode.FileType][] {
    const prefix = uri.path.endsWith("/") ? uri.path : `${uri.path}/`;
    const children = new Map<string, vscode.FileType>();
    for (const path of this.files.keys()) {
      if (!path.startsWith(prefix)) continue;
      const [name, ...rest] = path.slice(prefix.length).split("/");
      if (name) children.set(name, rest.length ? vscode.FileType.Directory : vscode.FileType.File);
    }
    return [...children.entries()];
  }

  readFile(uri: vscode.Uri): Uint8Array {
    const entry = this.files.get(uri.path);
    if (!entry) throw vscode.FileSystemError.FileNotFound(uri);
    return entry.data;
  }

  writeFile(uri: vscode.Uri, content: Uint8Array): void {
    const entry = this.files.get(uri.path);
    if (!entry) throw vscode.FileSystemError.NoPermissions(uri);
    if (entry.proposed === undefined) throw vscode.FileSystemError.NoPermissions(uri);
    this.files.set(uri.path, { ...entry, data: content, mtime: Date.now() });
    this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  createDirectory(): void {}

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
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

function proposalUri(params: ApproveParams, relative: string): vscode.Uri {
  return vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: `/${params.taskId}/${params.event.call_id}/${relative.replace(/^\/+/, "")}` });
}

/** The task and call a proposal's document belongs to (undefined: not a proposal's right side). */
export function proposalOf(uri: vscode.Uri): { taskId: string; callId: string } | undefined {
  if (uri.scheme !== PROPOSED_SCHEME || uri.path.endsWith(EMPTY_SUFFIX)) return undefined;
  const [, taskId, callId] = uri.path.split("/");
  return taskId && callId ? { taskId, callId } : undefined;
}

export async function openProposedDiff(files: ProposedFiles, params: ApproveParams): Promise<void> {
  const request = params.event;
  const relative = argumentPath(request);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!relative || !root) throw new Error(vscode.l10n.t("{0} names no file to compare", request.tool));
  const fileUri = relative.startsWith("/") ? vscode.Uri.file(relative) : vscode.Uri.joinPath(root, relative);
  const current = await currentText(fileUri);
  const right = proposalUri(params, relative);
  // Opened again ("Open diff"): the user's edits so far are kept.
  if (!files.has(right)) {
    const proposed = proposedContent(current ?? "", request.arguments, request.preview);
    if (proposed === undefined) throw new Error(vscode.l10n.t("the proposed change to {0} does not apply to the current file", relative));
    files.set(right, proposed, proposed);
  }
  let left = fileUri;
  if (current === undefined) {
    left = right.with({ path: `${right.path}${EMPTY_SUFFIX}` });
    files.set(left, "");
  }
  const title = vscode.l10n.t("{0} ↔ proposed by Flambeau ({1})", relative, current === undefined ? vscode.l10n.t("new file") : request.tool);
  await vscode.commands.executeCommand("vscode.diff", left, right, title, { preview: true, preserveFocus: true });
}

function openProposal(uri: vscode.Uri): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === uri.toString());
}

/** The right side's text when the user changed the agent's proposal (saved or not); else undefined. */
export function editedContent(files: ProposedFiles, params: ApproveParams): string | undefined {
  const relative = argumentPath(params.event);
  if (!relative) return undefined;
  const uri = proposalUri(params, relative);
  const proposed = files.proposed(uri);
  if (proposed === undefined) return undefined;
  const text = openProposal(uri)?.getText() ?? files.text(uri);
  return text !== undefined && text !== proposed ? text : undefined;
}

/** Whether a changed document is a proposal that now differs from what the agent proposed. */
export function proposalEdited(files: ProposedFiles, document: vscode.TextDocument): boolean | undefined {
  const proposed = files.proposed(document.uri);
  return proposed === undefined ? undefined : document.getText() !== proposed;
}

/** Closes the diff editors opened for one approval once it is decided (saved first: no "save?" prompt). */
export async function closeProposedDiff(files: ProposedFiles, taskId: string, callId: string): Promise<void> {
  const prefix = `/${taskId}/${callId}/`;
  const tabs = vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.scheme === PROPOSED_SCHEME && tab.input.modified.path.startsWith(prefix));
  for (const tab of tabs) {
    const document = openProposal((tab.input as vscode.TabInputTextDiff).modified);
    if (document?.isDirty) await document.save();
  }
  if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
  files.forget(taskId, callId);
}
