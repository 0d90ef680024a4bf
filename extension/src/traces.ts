// The Traces view is the History: the workspace's past tasks (time, model, locality, outcome, cost, verify
// state) read from their traces; open one in the chat, resume, delete, export, open the report, verify.
import * as fs from "node:fs/promises";
import * as vscode from "vscode";
import type { FlambeauClient } from "./client";
import { localityLabel, outcomeLabel, verdictLabel } from "./shared/labels";
import type { HistoryEntry, VerifyTraceResult } from "./shared/protocol";

const OUTCOME_ICON: Record<string, string> = { completed: "pass", failed: "error", cancelled: "circle-slash", limit: "warning" };

function cost(entry: HistoryEntry): string {
  if (entry.costUsd === null) return vscode.l10n.t("cost unknown");
  return `$${entry.costUsd > 0 ? entry.costUsd.toFixed(4) : "0"}`;
}

/** One past task of the workspace (the History: the traces are its only store). */
export class TraceItem extends vscode.TreeItem {
  readonly trace: HistoryEntry;

  constructor(entry: HistoryEntry, verdict: VerifyTraceResult | undefined) {
    const gone = entry.witness === "deleted" || entry.witness === "erased";
    const title = entry.task.length > 60 ? `${entry.task.slice(0, 60)}…` : entry.task || entry.taskId;
    super(title, vscode.TreeItemCollapsibleState.None);
    this.trace = entry;
    this.id = entry.taskId;
    const started = new Date(entry.startedAt ?? "");
    const when = Number.isNaN(started.getTime()) ? (entry.startedAt ?? "") : started.toLocaleString();
    const shownVerdict = verdict?.verdict ?? entry.verdict;
    if (gone) {
      this.description = entry.witness === "deleted" ? vscode.l10n.t("deleted by you") : vscode.l10n.t("erased (not by Flambeau)");
      this.tooltip = new vscode.MarkdownString().appendText([entry.taskId, entry.witnessMessage].join("\n"));
      this.iconPath = new vscode.ThemeIcon(entry.witness === "deleted" ? "trash" : "shield");
      this.contextValue = "traceGone";
      return;
    }
    const outcome = entry.running ? outcomeLabel("running") : outcomeLabel(entry.outcome);
    const locality = localityLabel(entry.locality);
    const resumed = entry.continues ? ` · ${vscode.l10n.t("resumed")}` : "";
    this.description = `${when} · ${entry.model} (${locality}) · ${outcome} · ${cost(entry)} · ${shownVerdict ? verdictLabel(shownVerdict) : ""}${resumed}`;
    const lines = [
      entry.task,
      "",
      when,
      vscode.l10n.t("model: {0} ({1})", entry.model, locality),
      vscode.l10n.t("outcome: {0}", outcome),
      vscode.l10n.t("cost: {0}", cost(entry)),
      ...(entry.continues ? [vscode.l10n.t("continues task {0}", entry.continues)] : []),
      entry.path,
      vscode.l10n.t("verify: {0}", verdict?.message ?? entry.verdictMessage),
    ];
    this.tooltip = new vscode.MarkdownString().appendText(lines.join("\n"));
    this.iconPath = new vscode.ThemeIcon(shownVerdict && shownVerdict !== "intact" ? "shield" : (OUTCOME_ICON[entry.outcome ?? ""] ?? "history"));
    this.contextValue = "trace";
    this.command = { command: "flambeau.history.open", title: vscode.l10n.t("Open Conversation"), arguments: [this] };
  }
}

export class TracesView implements vscode.TreeDataProvider<TraceItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly verdicts = new Map<string, VerifyTraceResult>();

  constructor(private readonly client: () => FlambeauClient | undefined) {}

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(item: TraceItem): TraceItem {
    return item;
  }

  async getChildren(): Promise<TraceItem[]> {
    const client = this.client();
    if (!client) return [];
    const { tasks } = await client.listHistory();
    return tasks.map((entry) => new TraceItem(entry, this.verdicts.get(entry.taskId)));
  }

  async verify(client: FlambeauClient, item: TraceItem): Promise<VerifyTraceResult> {
    const result = await client.verifyTrace(item.trace.taskId);
    this.verdicts.set(item.trace.taskId, result);
    this.refresh();
    // The server's message starts with the verdict in English ("intact: 14 records, …"): the verdict is shown localized.
    const detail = result.message.startsWith(`${result.verdict}: `) ? result.message.slice(result.verdict.length + 2) : result.message;
    const text = vscode.l10n.t('Trace {0}: {1} (task "{2}")', verdictLabel(result.verdict), detail, item.label as string);
    if (result.verdict === "intact") void vscode.window.showInformationMessage(text);
    else {
      const bad = result.firstBadRecord;
      void vscode.window.showErrorMessage(bad !== undefined ? vscode.l10n.t("{0} (first bad record: {1})", text, bad) : text);
    }
    return result;
  }

  /** Asks first; the witness log keeps a signed record that the user deleted it (docs/protocol.md). */
  async delete(client: FlambeauClient, item: TraceItem): Promise<boolean> {
    const remove = vscode.l10n.t("Delete");
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete the task "{0}" from the history?', item.label as string),
      { modal: true, detail: vscode.l10n.t("Its trace, blobs and exports are removed. The witness log keeps a signed record that you deleted it, so it is listed as deleted, not as erased.") },
      remove,
    );
    if (answer !== remove) return false;
    await client.deleteHistory(item.trace.taskId);
    this.verdicts.delete(item.trace.taskId);
    this.refresh();
    return true;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Opens the self-contained HTML report in a webview with scripts disabled. */
export async function openReport(client: FlambeauClient, item: TraceItem): Promise<void> {
  const { path } = await client.exportTrace(item.trace.taskId, "html", vscode.env.language);
  const html = await fs.readFile(path, "utf8");
  const panel = vscode.window.createWebviewPanel("flambeau.report", vscode.l10n.t("Trace: {0}", item.label as string), vscode.ViewColumn.Active, {
    enableScripts: false,
    localResourceRoots: [],
  });
  const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;">`;
  panel.webview.html = /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (head) => `${head}${csp}`) : `${csp}${html}`;
}

export async function exportOtel(client: FlambeauClient, item: TraceItem): Promise<void> {
  const { path } = await client.exportTrace(item.trace.taskId, "otel");
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
  await vscode.window.showTextDocument(document);
}

/** The conversation as Markdown, opened in an editor. */
export async function exportConversation(client: FlambeauClient, item: TraceItem): Promise<void> {
  const { path } = await client.exportHistory(item.trace.taskId, "markdown");
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(path)));
}
