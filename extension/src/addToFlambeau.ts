// "Add to Flambeau": the editor's selection menu, the explorer's menu and a quick fix on each problem put
// a mention of what was chosen into the panel's input; the server attaches it when the task is sent.
import * as vscode from "vscode";
import { workspacePath } from "./editorContext";
import { formatMention } from "./shared/mentions";

export const ADD_SELECTION = "flambeau.addSelection";
export const ADD_RESOURCE = "flambeau.addResource";
export const ADD_PROBLEM = "flambeau.addProblem";

/** `@file:10-20` for the lines of the editor's selection (the whole file when nothing is selected). */
export function selectionMention(editor: vscode.TextEditor | undefined): string {
  if (!editor) throw new Error(vscode.l10n.t("Open a file and select the lines to add."));
  const path = workspacePath(editor.document.uri);
  const { start, end, isEmpty } = editor.selection;
  if (isEmpty) return formatMention(path);
  const last = end.character === 0 && end.line > start.line ? end.line - 1 : end.line;
  return formatMention(path, { start: start.line + 1, end: last + 1 });
}

/** `@file` or `@folder/` for each resource chosen in the explorer (one or a multi-selection). */
export async function resourceMentions(clicked: vscode.Uri | undefined, selected: vscode.Uri[] | undefined): Promise<string> {
  const uris = selected?.length ? selected : clicked ? [clicked] : [];
  if (!uris.length) throw new Error(vscode.l10n.t("Choose a file or folder in the explorer to add."));
  const mentions: string[] = [];
  for (const uri of uris) {
    const stat = await vscode.workspace.fs.stat(uri);
    const path = workspacePath(uri);
    mentions.push(formatMention(stat.type & vscode.FileType.Directory ? `${path.replace(/\/+$/, "")}/` : path));
  }
  return mentions.join(" ");
}

/** `@file:line` of a problem, followed by its message (the first line of it). */
export function problemMention(uri: vscode.Uri, diagnostic: { range: vscode.Range; message: string }): string {
  const start = diagnostic.range.start.line + 1;
  const end = diagnostic.range.end.line + 1;
  const message = diagnostic.message.split("\n")[0]?.slice(0, 300) ?? "";
  return `${formatMention(workspacePath(uri), { start, end })} (${message})`;
}

/** A quick fix on each problem: Add to Flambeau. */
export class AddProblemActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (document.uri.scheme !== "file") return [];
    return context.diagnostics.map((diagnostic) => {
      const action = new vscode.CodeAction(vscode.l10n.t("Add to Flambeau"), vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.command = { command: ADD_PROBLEM, title: vscode.l10n.t("Add to Flambeau"), arguments: [document.uri, diagnostic] };
      return action;
    });
  }
}
