// The language client that runs `python -m cli.main lsp`, declares Flambeau's client capability,
// restarts a crashed server (and says so), and offers typed wrappers of the flambeau/* requests.
import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  Trace,
  type ClientCapabilities,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type FeatureState,
  type LanguageClientOptions,
  type ServerOptions,
  type StaticFeature,
} from "vscode-languageclient/node";
import type { Attachments, ChatBackend } from "./chatController";
import type { ModelsBackend } from "./modelsController";
import type { Role } from "./shared/modelsMessages";
import { SecretRequests, type TraceLevel } from "./secretRequests";
import type { Settings } from "./settings";
import {
  Methods,
  type ApproveParams,
  type ApproveResult,
  type AskParams,
  type AskResult,
  type AssignRoleResult,
  type CancelTaskResult,
  type CheckpointDiffResult,
  type CondenseResult,
  type DetectEnginesResult,
  type EventNotification,
  type DeleteHistoryResult,
  type ExportHistoryResult,
  type ExportTraceResult,
  type GenerateCommitMessageResult,
  type ListHistoryResult,
  type OpenHistoryResult,
  type ResumeTaskResult,
  type RestoreCheckpointParams,
  type RestoreCheckpointResult,
  type SetTaskModeParams,
  type SetTaskModeResult,
  type FitnessSummary,
  type GetMcpPromptResult,
  type ListMcpPromptsResult,
  type ListMcpServersResult,
  type McpServer,
  type ListModelsResult,
  type ListProvidersResult,
  type ListTracesResult,
  type ModelEntry,
  type ModelTestProgress,
  type ProviderModelsResult,
  type RemoveProfileResult,
  type SaveProfileParams,
  type SelectModelResult,
  type SetEscalationResult,
  type SetLocalOnlyResult,
  type StartTaskResult,
  type VerifyTraceResult,
} from "./shared/protocol";

/** Declares `capabilities.experimental.flambeau` so the server sends events, approval requests and questions. */
class FlambeauFeature implements StaticFeature {
  fillClientCapabilities(capabilities: ClientCapabilities): void {
    const experimental = (capabilities.experimental ?? {}) as Record<string, unknown>;
    experimental.flambeau = { approvals: true, events: true, questions: true };
    capabilities.experimental = experimental;
  }
  initialize(): void {}
  getState(): FeatureState {
    return { kind: "static" };
  }
  clear(): void {}
}

const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 3 * 60_000;

/** Restarts a crashed server up to MAX_RESTARTS times in RESTART_WINDOW_MS, telling the user each time. */
class RestartingErrorHandler implements ErrorHandler {
  private readonly crashes: number[] = [];
  constructor(private readonly onCrash: (restarting: boolean, count: number) => void) {}

  error(_error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    return { action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length && now - (this.crashes[0] ?? now) > RESTART_WINDOW_MS) this.crashes.shift();
    const restarting = this.crashes.length <= MAX_RESTARTS;
    this.onCrash(restarting, this.crashes.length);
    return { action: restarting ? CloseAction.Restart : CloseAction.DoNotRestart, handled: true };
  }
}

export interface ServerHooks {
  onEvent(notification: EventNotification): void;
  onApprove(params: ApproveParams, onCancel: (listener: () => void) => void): Promise<ApproveResult>;
  onAsk(params: AskParams, onCancel: (listener: () => void) => void): Promise<AskResult>;
  onTestProgress(progress: ModelTestProgress): void;
  onMcpServersChanged(listing: ListMcpServersResult): void;
  onCrash(restarting: boolean, count: number): void;
  onStateChange(running: boolean): void;
}

/** The `flambeau.trace.server` level vscode-languageclient reads (a string, or an object with `verbosity`). */
function configuredTrace(): TraceLevel {
  const value = vscode.workspace.getConfiguration("flambeau").get<unknown>("trace.server", "off");
  const level = typeof value === "object" && value !== null ? (value as { verbosity?: unknown }).verbosity : value;
  return level === "messages" || level === "compact" || level === "verbose" ? level : "off";
}

export class FlambeauClient implements ChatBackend, ModelsBackend {
  private readonly secrets: SecretRequests;

  private constructor(private readonly client: LanguageClient) {
    this.secrets = new SecretRequests(configuredTrace, (level) => client.setTrace(Trace.fromString(level)));
  }

  static async start(python: string, settings: Settings, output: vscode.LogOutputChannel, hooks: ServerHooks): Promise<FlambeauClient> {
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const serverOptions: ServerOptions = {
      command: python,
      // -I: the workspace (cwd) is not on sys.path, so a project folder named `cli` cannot shadow the server.
      args: ["-I", "-m", "cli.main", "lsp"],
      options: cwd ? { cwd } : {},
    };
    const initializationOptions: Record<string, string | boolean> = {
      approvalMode: settings.approvalMode,
      replyLanguage: settings.replyLanguage || vscode.env.language,
    };
    if (settings.noSandbox) initializationOptions.noSandbox = true;
    if (settings.model) initializationOptions.model = settings.model;
    if (settings.apiBase) initializationOptions.apiBase = settings.apiBase;
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: "file" }, { scheme: "untitled" }],
      outputChannel: output,
      initializationOptions,
      errorHandler: new RestartingErrorHandler(hooks.onCrash),
    };
    const client = new LanguageClient("flambeau", "Flambeau", serverOptions, clientOptions);
    client.registerFeature(new FlambeauFeature());
    client.onNotification(Methods.event, (params: EventNotification) => hooks.onEvent(params));
    client.onNotification(Methods.modelTestProgress, (params: ModelTestProgress) => hooks.onTestProgress(params));
    client.onNotification(Methods.mcpServersChanged, (params: ListMcpServersResult) => hooks.onMcpServersChanged(params));
    client.onRequest(Methods.approve, (params: ApproveParams, token: vscode.CancellationToken) =>
      hooks.onApprove(params, (listener) => token.onCancellationRequested(listener)),
    );
    client.onRequest(Methods.ask, (params: AskParams, token: vscode.CancellationToken) =>
      hooks.onAsk(params, (listener) => token.onCancellationRequested(listener)),
    );
    client.onDidChangeState((change) => hooks.onStateChange(change.newState === State.Running));
    await client.start();
    return new FlambeauClient(client);
  }

  get serverVersion(): string {
    return this.client.initializeResult?.serverInfo?.version ?? "";
  }

  get protocolVersion(): number | undefined {
    const experimental = this.client.initializeResult?.capabilities.experimental as { flambeau?: { protocolVersion?: number } } | undefined;
    return experimental?.flambeau?.protocolVersion;
  }

  async stop(): Promise<void> {
    if (this.client.state !== State.Stopped) await this.client.stop(5_000);
  }

  startTask(task: string, attachments: Attachments = {}): Promise<StartTaskResult> {
    return this.client.sendRequest<StartTaskResult>(Methods.startTask, { task, ...attachments });
  }
  async sendMessage(taskId: string, text: string, attachments: Attachments = {}): Promise<void> {
    await this.client.sendRequest(Methods.sendMessage, { taskId, text, ...attachments });
  }
  cancelTask(taskId: string): Promise<CancelTaskResult> {
    return this.client.sendRequest<CancelTaskResult>(Methods.cancelTask, { taskId });
  }
  listTraces(): Promise<ListTracesResult> {
    return this.client.sendRequest<ListTracesResult>(Methods.listTraces, {});
  }
  verifyTrace(taskId: string): Promise<VerifyTraceResult> {
    return this.client.sendRequest<VerifyTraceResult>(Methods.verifyTrace, { taskId });
  }
  /** `language`: the HTML report's language (the server's catalogs; English when it has none for it). */
  exportTrace(taskId: string, format: "html" | "otel", language?: string): Promise<ExportTraceResult> {
    return this.client.sendRequest<ExportTraceResult>(Methods.exportTrace, { taskId, format, ...(language ? { language } : {}) });
  }
  listHistory(): Promise<ListHistoryResult> {
    return this.client.sendRequest<ListHistoryResult>(Methods.listHistory, {});
  }
  openHistory(taskId: string): Promise<OpenHistoryResult> {
    return this.client.sendRequest<OpenHistoryResult>(Methods.openHistory, { taskId });
  }
  restoreCheckpoint(params: RestoreCheckpointParams): Promise<RestoreCheckpointResult> {
    return this.client.sendRequest<RestoreCheckpointResult>(Methods.restoreCheckpoint, params);
  }
  checkpointDiff(taskId: string, checkpointId: string): Promise<CheckpointDiffResult> {
    return this.client.sendRequest<CheckpointDiffResult>(Methods.checkpointDiff, { taskId, checkpointId });
  }
  setTaskMode(params: SetTaskModeParams): Promise<SetTaskModeResult> {
    return this.client.sendRequest<SetTaskModeResult>(Methods.setTaskMode, params);
  }
  condense(taskId: string): Promise<CondenseResult> {
    return this.client.sendRequest<CondenseResult>(Methods.condense, { taskId });
  }
  generateCommitMessage(workspace?: string): Promise<GenerateCommitMessageResult> {
    return this.client.sendRequest<GenerateCommitMessageResult>(Methods.generateCommitMessage, workspace ? { workspace } : {});
  }
  resumeTask(taskId: string, text: string, attachments: Attachments = {}): Promise<ResumeTaskResult> {
    return this.client.sendRequest<ResumeTaskResult>(Methods.resumeTask, { taskId, text, ...attachments });
  }
  deleteHistory(taskId: string): Promise<DeleteHistoryResult> {
    return this.client.sendRequest<DeleteHistoryResult>(Methods.deleteHistory, { taskId });
  }
  exportHistory(taskId: string, format: "markdown" | "json"): Promise<ExportHistoryResult> {
    return this.client.sendRequest<ExportHistoryResult>(Methods.exportHistory, { taskId, format });
  }
  listModels(): Promise<ListModelsResult> {
    return this.client.sendRequest<ListModelsResult>(Methods.listModels, {});
  }
  selectModel(name: string): Promise<SelectModelResult> {
    return this.client.sendRequest<SelectModelResult>(Methods.selectModel, { name });
  }
  async setKey(provider: string, key: string): Promise<void> {
    await this.secrets.send(() => this.client.sendRequest(Methods.setKey, { provider, key }));
  }
  detectEngines(): Promise<DetectEnginesResult> {
    return this.client.sendRequest<DetectEnginesResult>(Methods.detectEngines, {});
  }
  listProviders(): Promise<ListProvidersResult> {
    return this.client.sendRequest<ListProvidersResult>(Methods.listProviders, {});
  }
  providerModels(provider: string): Promise<ProviderModelsResult> {
    return this.client.sendRequest<ProviderModelsResult>(Methods.providerModels, { provider });
  }
  /** A `key` in the profile goes to the server's keyring, sent untraced. */
  saveProfile(profile: SaveProfileParams): Promise<ModelEntry> {
    const send = () => this.client.sendRequest<ModelEntry>(Methods.saveProfile, profile);
    return profile.key ? this.secrets.send(send) : send();
  }
  removeProfile(name: string): Promise<RemoveProfileResult> {
    return this.client.sendRequest<RemoveProfileResult>(Methods.removeProfile, { name });
  }
  assignRole(role: Role, name: string): Promise<AssignRoleResult> {
    return this.client.sendRequest<AssignRoleResult>(Methods.assignRole, { role, name });
  }
  setLocalOnly(enabled: boolean): Promise<SetLocalOnlyResult> {
    return this.client.sendRequest<SetLocalOnlyResult>(Methods.setLocalOnly, { enabled });
  }
  setEscalation(name: string | null): Promise<SetEscalationResult> {
    return this.client.sendRequest<SetEscalationResult>(Methods.setEscalation, { name });
  }
  testModel(name: string): Promise<FitnessSummary> {
    return this.client.sendRequest<FitnessSummary>(Methods.testModel, { name });
  }
  listMcpServers(): Promise<ListMcpServersResult> {
    return this.client.sendRequest<ListMcpServersResult>(Methods.listMcpServers, {});
  }
  restartMcpServer(name: string): Promise<McpServer> {
    return this.client.sendRequest<McpServer>(Methods.restartMcpServer, { name });
  }
  /** `trusted` true: trust the workspace's definition as it is now and start it; false: stop it, forget the trust. */
  trustMcpServer(name: string, trusted: boolean): Promise<McpServer> {
    return this.client.sendRequest<McpServer>(Methods.trustMcpServer, { name, trusted });
  }
  listMcpPrompts(): Promise<ListMcpPromptsResult> {
    return this.client.sendRequest<ListMcpPromptsResult>(Methods.listMcpPrompts, {});
  }
  getMcpPrompt(server: string, name: string, args: Record<string, string>): Promise<GetMcpPromptResult> {
    return this.client.sendRequest<GetMcpPromptResult>(Methods.getMcpPrompt, { server, name, arguments: args });
  }
}
