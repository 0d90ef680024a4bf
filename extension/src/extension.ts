// Activation: wires the server, the chat view, approvals, diffs, status bar and traces together.
import * as l10n from "@vscode/l10n";
import * as vscode from "vscode";
import { ADD_PROBLEM, ADD_RESOURCE, ADD_SELECTION, AddProblemActions, problemMention, resourceMentions, selectionMention } from "./addToFlambeau";
import { Approvals } from "./approvals";
import { ChatController } from "./chatController";
import { CHECKPOINT_SCHEME, CheckpointContents } from "./checkpointCompare";
import { ChatView } from "./chatView";
import type { FlambeauClient } from "./client";
import { GENERATE_COMMIT_MESSAGE, generateCommitMessage } from "./commitMessage";
import { closeProposedDiff, editedContent, openProposedDiff, proposalEdited, proposalOf, PROPOSED_SCHEME, ProposedFiles } from "./diff";
import { EditorContextSource } from "./editorContext";
import { createLog } from "./log";
import { McpView, type McpItem } from "./mcpView";
import { Questions } from "./questions";
import { ModelsController } from "./modelsController";
import { ModelsView } from "./modelsView";
import { Server } from "./server";
import { readSettings, SERVER_SETTINGS } from "./settings";
import { ModelStatus, storeApiKey } from "./statusBar";
import { TerminalOutputs } from "./terminalOutput";
import type { McpPrompt } from "./shared/protocol";
import { exportConversation, exportOtel, openReport, TraceItem, TracesView } from "./traces";
import { WorkspaceFiles } from "./workspaceFiles";

let server: Server | undefined;

export function activate(context: vscode.ExtensionContext): void {
  // Modules without VS Code imports (tested alone) and shared/ localize through @vscode/l10n: same bundle.
  l10n.config({ contents: vscode.l10n.bundle ?? {} });
  const output = createLog(context);
  const approvals = new Approvals();
  const questions = new Questions();
  const proposed = new ProposedFiles();
  const status = new ModelStatus();
  const traces = new TracesView(() => server?.client);
  const terminals = new TerminalOutputs(output);
  const editorContext = new EditorContextSource(terminals);
  const files = new WorkspaceFiles();
  context.subscriptions.push(proposed, status, traces, terminals, editorContext, files);
  context.subscriptions.push(vscode.workspace.registerFileSystemProvider(PROPOSED_SCHEME, proposed, { isCaseSensitive: true }));
  const checkpointContents = new CheckpointContents();
  context.subscriptions.push(checkpointContents, vscode.workspace.registerTextDocumentContentProvider(CHECKPOINT_SCHEME, checkpointContents));
  const tracesTree = vscode.window.createTreeView("flambeau.traces", { treeDataProvider: traces });
  context.subscriptions.push(tracesTree);
  // A row's action clicked while the view refreshes, or a command run from the palette, comes without its
  // task: the selected row stands in, else the user is told to pick one.
  const chosen = (item: TraceItem | undefined): TraceItem => {
    const picked = item ?? tracesTree.selection[0];
    if (!picked) throw new Error(vscode.l10n.t("no task is chosen: select one in the History (the Traces view) and try again."));
    return picked;
  };
  const mcp = new McpView(() => server?.client);
  const mcpTree = vscode.window.createTreeView("flambeau.mcp", { treeDataProvider: mcp });
  mcp.attach(mcpTree);
  context.subscriptions.push(mcp, mcpTree);

  const chatView: ChatView = new ChatView(context.extensionUri, (message) => controller.handle(message));
  const requireClient = (): FlambeauClient => {
    const client = server?.client;
    if (!client) throw new Error(vscode.l10n.t("The Flambeau server is not running (see \"Flambeau: Show Log\")."));
    return client;
  };
  const controller = new ChatController(
    () => server?.client,
    approvals,
    questions,
    {
      post: (message) => {
        chatView.post(message);
        if (message.type === "event" && message.event.type === "checkpoint_restored") {
          checkpointContents.closeAll().catch((error: unknown) => output.warn(`closing a comparison: ${String(error)}`));
        }
        if (message.type === "approvalSettled") {
          closeProposedDiff(proposed, message.taskId, message.callId).catch((error: unknown) => output.warn(`closing the diff: ${String(error)}`));
        }
      },
      reveal: () => chatView.reveal(),
      openDiff: (request) => openProposedDiff(proposed, request),
      selectModel: () => pickModel(),
      taskEnded: () => traces.refresh(),
      editorContext: (text) => editorContext.collect(text),
      editedContent: async (request) => editedContent(proposed, request),
      mentions: (query) => files.candidates(query),
      promptArguments: (prompt) => askPromptArguments(prompt),
      compare: (diff) => checkpointContents.compare(diff),
    },
    () => readSettings().openDiffOnApproval,
    { plan: false, approvalMode: readSettings().approvalMode },
  );
  context.subscriptions.push(vscode.window.registerWebviewViewProvider(ChatView.viewId, chatView, { webviewOptions: { retainContextWhenHidden: true } }));
  // The chat's slash commands follow the running MCP servers (read again when which ones run, or how many
  // prompts they offer, changes).
  let promptsOf = "";
  mcp.onListing((listing) => {
    const client = server?.client;
    const key = listing.servers.filter((s) => s.state === "running").map((s) => `${s.name}:${s.promptCount}`).join(",");
    if (!client || key === promptsOf) return;
    promptsOf = key;
    client
      .listMcpPrompts()
      .then(({ prompts }) => controller.setPrompts(prompts))
      .catch((error: unknown) => {
        promptsOf = "";
        output.warn(`listing MCP prompts: ${String(error)}`);
      });
  });
  const modelsView: ModelsView = new ModelsView(context.extensionUri, (message) => models.handle(message));
  const models = new ModelsController(() => server?.client, {
    post: (message) => modelsView.post(message),
    modelChanged: () => {
      const client = server?.client;
      if (client) status.refresh(client).catch((error: unknown) => output.warn(`listing models: ${String(error)}`));
    },
  });
  const pickModel = async (): Promise<void> => {
    await status.pick(requireClient());
    await models.refresh();
  };
  context.subscriptions.push(vscode.window.registerWebviewViewProvider(ModelsView.viewId, modelsView, { webviewOptions: { retainContextWhenHidden: true } }));
  context.subscriptions.push(status.onDidChange((badge) => chatView.post({ type: "model", badge })));
  // The card says when Approve will write the user's version of the proposal.
  context.subscriptions.push(
    vscode.workspace.onDidChangeTextDocument(({ document }) => {
      const proposal = proposalOf(document.uri);
      const edited = proposalEdited(proposed, document);
      if (proposal && edited !== undefined) chatView.post({ type: "proposalEdited", ...proposal, edited });
    }),
  );

  server = new Server(
    context,
    output,
    {
      onEvent: (n) => controller.onEvent(n),
      onApprove: (params, onCancel) => controller.onApprove(params, onCancel),
      onAsk: (params, onCancel) => controller.onAsk(params, onCancel),
      onTestProgress: (progress) => models.onTestProgress(progress),
      onMcpServersChanged: (listing) => mcp.update(listing),
    },
    (state, message, client) => {
      chatView.post({ type: "serverState", state, message });
      models.serverState(state, message);
      if (state === "running" && client) {
        controller.serverStarted();
        traces.refresh();
        mcp.refresh().catch((error: unknown) => output.warn(`listing MCP servers: ${String(error)}`));
        status.refresh(client).catch((error: unknown) => output.warn(`listing models: ${String(error)}`));
      } else if (state === "failed") {
        status.show(vscode.l10n.t("not running"));
      } else if (state === "starting") {
        status.show(vscode.l10n.t("starting…"));
      }
      if (state !== "running") {
        promptsOf = "";
        controller.setPrompts([]);
        void mcp.refresh();
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
  command("flambeau.openModels", () => modelsView.reveal());
  command("flambeau.selectModel", () => pickModel());
  command("flambeau.setApiKey", () => storeApiKey(requireClient()));
  command("flambeau.restartServer", () => server?.restart());
  command("flambeau.createEnvironment", () => server?.createEnvironment());
  command("flambeau.showLog", () => output.show());
  command("flambeau.refreshTraces", () => traces.refresh());
  command("flambeau.openTraceReport", (item?: TraceItem) => openReport(requireClient(), chosen(item)));
  command("flambeau.verifyTrace", (item?: TraceItem) => traces.verify(requireClient(), chosen(item)));
  command("flambeau.exportTraceOtel", (item?: TraceItem) => exportOtel(requireClient(), chosen(item)));
  command("flambeau.history.open", (item?: TraceItem) => controller.openHistory(chosen(item).trace.taskId));
  command("flambeau.history.resume", async (clicked?: TraceItem) => {
    const item = chosen(clicked);
    await controller.openHistory(item.trace.taskId);
    const text = await vscode.window.showInputBox({ title: vscode.l10n.t("Flambeau: resume task"), prompt: vscode.l10n.t("Follow-up message for \"{0}\"", item.label as string), ignoreFocusOut: true });
    if (!text) return;
    await controller.resume(item.trace.taskId, text);
    traces.refresh();
  });
  command("flambeau.mcp.refresh", () => mcp.refresh());
  command("flambeau.mcp.restart", (item: McpItem) => mcp.restart(item));
  command("flambeau.mcp.trust", (item: McpItem) => mcp.trust(item));
  command("flambeau.mcp.untrust", (item: McpItem) => mcp.untrust(item));
  command("flambeau.history.delete", (item?: TraceItem) => traces.delete(requireClient(), chosen(item)));
  command("flambeau.history.export", (item?: TraceItem) => exportConversation(requireClient(), chosen(item)));
  command(GENERATE_COMMIT_MESSAGE, (clicked: unknown) => generateCommitMessage(requireClient(), clicked));

  // Add to Flambeau: the mention goes into the panel's input, which gets the focus.
  const addToPanel = async (mention: string): Promise<void> => {
    await vscode.commands.executeCommand(`${ChatView.viewId}.focus`);
    chatView.post({ type: "insertMention", text: mention });
  };
  command(ADD_SELECTION, () => addToPanel(selectionMention(vscode.window.activeTextEditor)));
  command(ADD_RESOURCE, async (clicked: vscode.Uri | undefined, selected: vscode.Uri[] | undefined) => addToPanel(await resourceMentions(clicked, selected)));
  command(ADD_PROBLEM, (uri: vscode.Uri, diagnostic: vscode.Diagnostic) => addToPanel(problemMention(uri, diagnostic)));
  context.subscriptions.push(
    vscode.languages.registerCodeActionsProvider({ scheme: "file" }, new AddProblemActions(), { providedCodeActionKinds: AddProblemActions.kinds }),
  );

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

/** Asks for a slash command's arguments, one input box each; an optional one may stay empty. */
async function askPromptArguments(prompt: McpPrompt): Promise<Record<string, string> | undefined> {
  const values: Record<string, string> = {};
  for (const [index, argument] of prompt.arguments.entries()) {
    const value = await vscode.window.showInputBox({
      title: `${prompt.command} (${index + 1}/${prompt.arguments.length})`,
      prompt: argument.description ? `${argument.name}: ${argument.description}` : argument.name,
      placeHolder: argument.required ? vscode.l10n.t("{0} (required)", argument.name) : vscode.l10n.t("{0} (optional: Enter skips it)", argument.name),
      ignoreFocusOut: true,
      validateInput: (text) => (argument.required && !text.trim() ? vscode.l10n.t("{0} is required", argument.name) : undefined),
    });
    if (value === undefined) return undefined;
    if (value.trim()) values[argument.name] = value;
  }
  return values;
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
