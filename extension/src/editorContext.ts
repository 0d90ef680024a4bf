// What only the editor knows, sent with a task or message whose text mentions it (docs/protocol.md,
// `context`): the workspace's diagnostics for @problems, the selection for @selection, the active
// terminal's last command for @terminal. What is not there is left out: the server's refusal says what to do.
import * as vscode from "vscode";
import { editorKeywords } from "./shared/mentions";
import type { EditorContext, Problem, Selection } from "./shared/protocol";
import type { TerminalOutputs } from "./terminalOutput";

const MAX_PROBLEMS = 500;
const MAX_SELECTION = 200_000;
const SEVERITY = ["error", "warning", "information", "hint"];

/** A workspace-relative path when `uri` is in the first workspace folder (what the server resolves), else absolute. */
export function workspacePath(uri: vscode.Uri): string {
  const root = vscode.workspace.workspaceFolders?.[0];
  if (root && vscode.workspace.getWorkspaceFolder(uri)?.uri.toString() === root.uri.toString()) return vscode.workspace.asRelativePath(uri, false);
  return uri.fsPath;
}

export class EditorContextSource implements vscode.Disposable {
  /** The last non-empty selection in a file: the panel has the focus when a task is sent. */
  private lastSelection: Selection | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly terminals: TerminalOutputs) {
    this.subscription = vscode.window.onDidChangeTextEditorSelection((event) => {
      const selection = selectionOf(event.textEditor);
      if (selection) this.lastSelection = selection;
    });
  }

  collect(text: string): EditorContext | undefined {
    const keywords = editorKeywords(text);
    if (!keywords.length) return undefined;
    const context: EditorContext = {};
    if (keywords.includes("problems")) context.problems = problems();
    if (keywords.includes("selection")) {
      const editor = vscode.window.activeTextEditor;
      const selection = (editor && selectionOf(editor)) ?? this.lastSelection;
      if (selection) context.selection = selection;
    }
    if (keywords.includes("terminal")) {
      const terminal = this.terminals.current();
      if (terminal) context.terminal = terminal;
    }
    return context;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

function selectionOf(editor: vscode.TextEditor): Selection | undefined {
  const { selection, document } = editor;
  if (selection.isEmpty || document.uri.scheme !== "file") return undefined;
  // A selection that ends at the start of a line does not take that line.
  const endLine = selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line - 1 : selection.end.line;
  return { path: workspacePath(document.uri), startLine: selection.start.line + 1, endLine: endLine + 1, text: document.getText(selection).slice(0, MAX_SELECTION) };
}

function problems(): Problem[] {
  const found: Problem[] = [];
  for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
    if (uri.scheme !== "file") continue;
    for (const diagnostic of diagnostics) {
      if (found.length >= MAX_PROBLEMS) return found;
      found.push({
        path: workspacePath(uri),
        line: diagnostic.range.start.line + 1,
        column: diagnostic.range.start.character + 1,
        severity: SEVERITY[diagnostic.severity] ?? "problem",
        message: diagnostic.message,
        ...(diagnostic.source ? { source: diagnostic.source } : {}),
      });
    }
  }
  return found;
}
