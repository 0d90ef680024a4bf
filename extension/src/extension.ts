// Activation: wires the server, the chat view, approvals, diffs, status bar and traces together.
import * as l10n from "@vscode/l10n";
import * as vscode from "vscode";
import { Approvals } from "./approvals";
import { ChatController } from "./chatController";
import { ChatView } from "./chatView";
import type { FlambeauClient } from "./client";
import { closeProposedDiff, openProposedDiff, PROPOSED_SCHEME, ProposedContent } from "./diff";
import { createLog } from "./log";
import { Server } from "./server";
import { readSettings, SERVER_SETTINGS } from "./settings";
import { ModelStatus, storeApiKey } from "./statusBar";
import { exportOtel, openReport, TraceItem, TracesView } from "./traces";

let server: Server | undefined;

export function activate(context: vscode.ExtensionContext): void {
  // Modules without VS Code imports (tested alone) and shared/ localize through @vscode/l10n: same bundle.
  l10n.config({ contents: vscode.l10n.bundle ?? {} });
  const output = createLog(context);
  const approvals = new Approvals();
  const proposed = new ProposedContent();
  const status = new ModelStatus();
  const traces = new TracesView(() => server?.client);
  context.subscriptions.push(proposed, status, traces);
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, proposed));
  context.subscriptions.push(vscode.window.registerTreeDataProvider("flambeau.traces", traces));

  const chatView: ChatView = new ChatView(context.extensionUri, (message) => controller.handle(message));
  const requireClient = (): FlambeauClient => {
    const client = server?.client;
    if (!client) throw new Error(vscode.l10n.t("The Flambeau server is not running (see \"Flambeau: Show Log\")."));
    return client;
  };
  const controller = new ChatController(
    () => server?.client,
    approvals,
    {
      post: (message) => {
        chatView.post(message);
        if (message.type === "approvalSettled") {
          closeProposedDiff(message.taskId, message.callId).catch((error: unknown) => output.warn(`closing the diff: ${String(error)}`));
        }
      },
      reveal: () => chatView.reveal(),
      openDiff: (request) => openProposedDiff(proposed, request),
      selectModel: () => status.pick(requireClient()),
      taskEnded: () => traces.refresh(),
    },
    () => readSettings().openDiffOnApproval,
  );
  context.subscriptions.push(vscode.window.registerWebviewViewProvider(ChatView.viewId, chatView, { webviewOptions: { retainContextWhenHidden: true } }));
  context.subscriptions.push(status.onDidChange((badge) => chatView.post({ type: "model", badge })));

  server = new Server(
    context,
    output,
    { onEvent: (n) => controller.onEvent(n), onApprove: (params, onCancel) => controller.onApprove(params, onCancel) },
    (state, message, client) => {
      chatView.post({ type: "serverState", state, message });
      if (state === "running" && client) {
        traces.refresh();
        status.refresh(client).catch((error: unknown) => output.warn(`listing models: ${String(error)}`));
      } else if (state === "failed") {
        status.show(vscode.l10n.t("not running"));
      } else if (state === "starting") {
        status.show(vscode.l10n.t("starting…"));
      }
    },
  );
  context.subscriptions.push(server);

  const command = (id: string, run: (...args: never[]) => unknown): void => {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: never[]) => {
        try {
          await run(...args);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          output.error(`${id}: ${message}`);
          void vscode.window.showErrorMessage(vscode.l10n.t("Flambeau: {0}", message));
        }
      }),
    );
  };
  command("flambeau.openPanel", () => vscode.commands.executeCommand(`${ChatView.viewId}.focus`));
  command("flambeau.newTask", async () => {
    const task = await vscode.window.showInputBox({ title: vscode.l10n.t("Flambeau: new task"), prompt: vscode.l10n.t("What should Flambeau do?"), ignoreFocusOut: true });
    if (!task) return;
    await vscode.commands.executeCommand(`${ChatView.viewId}.focus`);
    await controller.startTask(task);
  });
  command("flambeau.stopTask", async () => {
    const taskId = controller.latestRunning;
    if (taskId) await controller.stop(taskId);
    else void vscode.window.showInformationMessage(vscode.l10n.t("Flambeau: no task is running."));
  });
  command("flambeau.selectModel", () => status.pick(requireClient()));
  command("flambeau.setApiKey", () => storeApiKey(requireClient()));
  command("flambeau.restartServer", () => server?.restart());
  command("flambeau.createEnvironment", () => server?.createEnvironment());
  command("flambeau.showLog", () => output.show());
  command("flambeau.refreshTraces", () => traces.refresh());
  command("flambeau.openTraceReport", (item: TraceItem) => openReport(requireClient(), item));
  command("flambeau.verifyTrace", (item: TraceItem) => traces.verify(requireClient(), item));
  command("flambeau.exportTraceOtel", (item: TraceItem) => exportOtel(requireClient(), item));

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((change) => {
      if (SERVER_SETTINGS.some((key) => change.affectsConfiguration(key))) {
        output.info("Flambeau settings changed; restarting the server");
        void server?.restart();
      }
    }),
  );

  void server.start(); // not awaited: activation stays fast; progress and failures show in the panel and status bar
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
