// The Traces view: past tasks with time, model and outcome; open the HTML report; verify.
import * as fs from "node:fs/promises";
import * as vscode from "vscode";
import type { FlambeauClient } from "./client";
import { localityLabel, outcomeLabel, verdictLabel } from "./shared/labels";
import type { TraceSummary, VerifyTraceResult } from "./shared/protocol";

const OUTCOME_ICON: Record<string, string> = { completed: "pass", failed: "error", cancelled: "circle-slash", limit: "warning" };

export class TraceItem extends vscode.TreeItem {
  constructor(readonly trace: TraceSummary, verdict: VerifyTraceResult | undefined) {
    super(trace.task.length > 60 ? `${trace.task.slice(0, 60)}…` : trace.task || trace.taskId, vscode.TreeItemCollapsibleState.None);
    const started = new Date(trace.startedAt);
    const when = Number.isNaN(started.getTime()) ? trace.startedAt : started.toLocaleString();
    const verdictText = verdict ? ` · ${verdictLabel(verdict.verdict)}` : "";
    const outcome = outcomeLabel(trace.outcome);
    const locality = localityLabel(trace.locality);
    this.id = trace.taskId;
    this.description = `${when} · ${trace.model} (${locality}) · ${outcome}${verdictText}`;
    const lines = [
      trace.task,
      "",
      when,
      vscode.l10n.t("model: {0} ({1})", trace.model, locality),
      vscode.l10n.t("outcome: {0}", outcome),
      trace.path,
      ...(verdict ? [vscode.l10n.t("verify: {0}", verdict.message)] : []),
    ];
    this.tooltip = new vscode.MarkdownString().appendText(lines.join("\n"));
    this.iconPath = new vscode.ThemeIcon(verdict && verdict.verdict !== "intact" ? "shield" : (OUTCOME_ICON[trace.outcome ?? ""] ?? "history"));
    this.contextValue = "trace";
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
    const { traces } = await client.listTraces();
    const newestFirst = [...traces].sort((a, b) => (b.startedAt ?? "").localeCompare(a.startedAt ?? ""));
    return newestFirst.map((trace) => new TraceItem(trace, this.verdicts.get(trace.taskId)));
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
