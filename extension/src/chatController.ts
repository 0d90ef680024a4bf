// Routes messages between the chat webview, the language server and pending approvals.
// No VS Code imports, so the routing is unit-tested with fakes (strings: @vscode/l10n, see extension.ts).
import * as l10n from "@vscode/l10n";
import type { Approvals } from "./approvals";
import type { Questions } from "./questions";
import type { MentionCandidate } from "./shared/mentions";
import { isWebviewToHost, type HostToWebview, type WebviewToHost } from "./shared/messages";
import type {
  ApprovalMode,
  ApproveParams,
  ApproveResult,
  AskParams,
  AskResult,
  CancelTaskResult,
  CondenseResult,
  CheckpointDiffResult,
  EditorContext,
  EventNotification,
  GetMcpPromptResult,
  ImageData,
  McpPrompt,
  OpenHistoryResult,
  RestoreCheckpointParams,
  RestoreCheckpointResult,
  ResumeTaskResult,
  SetTaskModeParams,
  SetTaskModeResult,
  StartTaskResult,
} from "./shared/protocol";

/** What goes with a task's or a message's text: the editor context its mentions need, pasted images, and
 * (for a task started or resumed) the mode the panel shows. */
export interface Attachments {
  context?: EditorContext;
  images?: ImageData[];
  plan?: boolean;
  approvalMode?: ApprovalMode;
}

export interface PanelMode {
  plan: boolean;
  approvalMode: ApprovalMode;
}

export interface ChatBackend {
  startTask(task: string, attachments?: Attachments): Promise<StartTaskResult>;
  sendMessage(taskId: string, text: string, attachments?: Attachments): Promise<void>;
  cancelTask(taskId: string): Promise<CancelTaskResult>;
  resumeTask(taskId: string, text: string, attachments?: Attachments): Promise<ResumeTaskResult>;
  openHistory(taskId: string): Promise<OpenHistoryResult>;
  getMcpPrompt(server: string, name: string, args: Record<string, string>): Promise<GetMcpPromptResult>;
  restoreCheckpoint(params: RestoreCheckpointParams): Promise<RestoreCheckpointResult>;
  checkpointDiff(taskId: string, checkpointId: string): Promise<CheckpointDiffResult>;
  setTaskMode(params: SetTaskModeParams): Promise<SetTaskModeResult>;
  condense(taskId: string): Promise<CondenseResult>;
}

export interface ChatUi {
  post(message: HostToWebview): void;
  reveal(): void;
  openDiff(request: ApproveParams): Promise<void>;
  selectModel(): Promise<void>;
  taskEnded(taskId: string): void;
  /** The diagnostics, selection and terminal output `text` mentions (undefined: it mentions none). */
  editorContext(text: string): EditorContext | undefined;
  /** The user's version of a proposed file, when they edited the proposal in the diff editor. */
  editedContent(request: ApproveParams): Promise<string | undefined>;
  mentions(query: string): Promise<MentionCandidate[]>;
  /** The values of a prompt's arguments, asked of the user (undefined: they cancelled). */
  promptArguments(prompt: McpPrompt): Promise<Record<string, string> | undefined>;
  /** VS Code's multi-file diff of a checkpoint (left) against the workspace now (right). */
  compare(diff: CheckpointDiffResult): Promise<void>;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ChatController {
  private readonly running: string[] = [];
  /** Tasks the current server knows (started or seen since it started): a message to any other task, one
   * from the history or from before a reload or a restart, resumes it from its trace instead. */
  private readonly live = new Set<string>();
  /** Tasks to read again from their traces once a server runs (see `refresh`). */
  private readonly toRefresh = new Set<string>();
  private prompts: McpPrompt[] = [];

  constructor(
    private readonly backend: () => ChatBackend | undefined,
    private readonly approvals: Approvals,
    private readonly questions: Questions,
    private readonly ui: ChatUi,
    private readonly openDiffOnApproval: () => boolean,
    /** Plan/Act and the approval mode of the next task; the approval mode starts as the setting's. */
    private readonly mode: PanelMode = { plan: false, approvalMode: "ask" },
  ) {}

  /** A message from the webview. Anything malformed is ignored (the webview is not trusted). */
  async handle(message: unknown): Promise<void> {
    if (!isWebviewToHost(message)) return;
    try {
      switch (message.type) {
        case "ready":
          this.ui.post({ type: "live", running: [...this.running] });
          this.ui.post({ type: "mode", ...this.mode });
          return;
        case "setMode":
          await this.setMode(message);
          return;
        case "restoreCheckpoint":
          await this.restore(message);
          return;
        case "compareCheckpoint":
          await this.ui.compare(await this.requireBackend().checkpointDiff(message.taskId, message.checkpointId));
          return;
        case "startTask":
        case "sendMessage":
          await this.submit(message);
          return;
        case "stop":
          await this.stop(message.taskId);
          return;
        case "refresh":
          await this.refresh(message.taskIds);
          return;
        case "decide": {
          const request = this.approvals.get(message.taskId, message.callId);
          const content = request && message.decision !== "deny" ? await this.ui.editedContent(request) : undefined;
          const given = { ...(message.reason ? { reason: message.reason } : {}), ...(content !== undefined ? { content } : {}) };
          if (this.approvals.decide(message.taskId, message.callId, message.decision, given)) {
            this.ui.post({ type: "approvalSettled", taskId: message.taskId, callId: message.callId });
          }
          return;
        }
        case "answer":
          if (this.questions.answer(message.taskId, message.callId, message.answer)) {
            this.ui.post({ type: "questionSettled", taskId: message.taskId, callId: message.callId });
          }
          return;
        case "mentionQuery":
          this.ui.post({ type: "mentions", requestId: message.requestId, items: await this.ui.mentions(message.query) });
          return;
        case "openDiff": {
          const request = this.approvals.get(message.taskId, message.callId);
          if (request) await this.ui.openDiff(request);
          return;
        }
        case "selectModel":
          await this.ui.selectModel();
          return;
        case "usePrompt":
          await this.usePrompt(message.requestId, message.server, message.name);
          return;
        case "condense":
          await this.condense(message.taskId);
          return;
      }
    } catch (error) {
      const taskId = "taskId" in message ? message.taskId : undefined;
      this.ui.post({ type: "error", message: describe(error), ...(taskId ? { taskId } : {}) });
    }
  }

  async startTask(task: string, images?: ImageData[]): Promise<string> {
    const { taskId } = await this.requireBackend().startTask(task, { ...this.attachments(task, images), ...this.mode });
    this.markRunning(taskId);
    this.ui.post({ type: "taskStarted", taskId, task });
    return taskId;
  }

  /**
   * The panel's Send: starts a task or continues one (after it ended, the server runs it again with the
   * message). A mention the server cannot resolve fails the request: the panel keeps the input and says why.
   */
  private async submit(message: Extract<WebviewToHost, { type: "startTask" | "sendMessage" }>): Promise<void> {
    const requestId = message.requestId ?? 0;
    try {
      if (message.type === "startTask") {
        await this.startTask(message.task, message.images);
      } else if (this.live.has(message.taskId)) {
        await this.requireBackend().sendMessage(message.taskId, message.text, this.attachments(message.text, message.images));
        this.markRunning(message.taskId);
      } else {
        await this.resume(message.taskId, message.text, message.images);
      }
      this.ui.post({ type: "submitted", requestId, ok: true });
    } catch (error) {
      this.ui.post({ type: "submitted", requestId, ok: false, message: describe(error) });
    }
  }

  /** A follow-up on a past task: it continues, rebuilt from its trace, as a new task the panel shows in its place. */
  async resume(taskId: string, text: string, images?: ImageData[]): Promise<string> {
    const answer = await this.requireBackend().resumeTask(taskId, text, { ...this.attachments(text, images), ...this.mode });
    this.markRunning(answer.taskId);
    this.ui.post({ type: "resumed", from: taskId, taskId: answer.taskId });
    return answer.taskId;
  }

  /** Shows a past task in the panel, as it happened; typing a follow-up there resumes it. */
  async openHistory(taskId: string): Promise<void> {
    const history = await this.requireBackend().openHistory(taskId);
    this.ui.post({ type: "history", taskId: history.taskId, task: history.task, segments: history.segments });
    this.ui.reveal();
  }

  /** Tasks that died with an earlier server: shown again as their traces tell (completed, or cut off). */
  private async refresh(taskIds: string[]): Promise<void> {
    const backend = this.backend();
    if (!backend) {
      // The panel loaded before the server: read them once it runs.
      taskIds.forEach((taskId) => this.toRefresh.add(taskId));
      return;
    }
    for (const taskId of taskIds) {
      const history = await backend.openHistory(taskId).catch(() => undefined);
      if (history) this.ui.post({ type: "history", taskId: history.taskId, task: history.task, segments: history.segments, inPlace: true });
    }
  }

  /** The running MCP servers' prompts, offered by the composer as `/<server>:<prompt>`. */
  setPrompts(prompts: McpPrompt[]): void {
    this.prompts = prompts;
    this.ui.post({ type: "mcpPrompts", prompts });
  }

  /** A slash command: its arguments asked for, then its text for the composer (nothing is sent yet). */
  private async usePrompt(requestId: number, server: string, name: string): Promise<void> {
    try {
      const prompt = this.prompts.find((p) => p.server === server && p.name === name);
      if (!prompt) throw new Error(l10n.t("The MCP server {0} no longer offers the prompt {1}.", server, name));
      const args = prompt.arguments.length ? await this.ui.promptArguments(prompt) : {};
      if (!args) {
        this.ui.post({ type: "promptText", requestId, ok: false });
        return;
      }
      const { text } = await this.requireBackend().getMcpPrompt(server, name, args);
      this.ui.post({ type: "promptText", requestId, ok: true, text });
    } catch (error) {
      this.ui.post({ type: "promptText", requestId, ok: false, message: describe(error) });
    }
  }

  /** Plan/Act or the approval mode chosen in the panel: the next task starts in it, and a task this server
   * runs (or ran) switches at once, from its next tool call. */
  private async setMode(message: Extract<WebviewToHost, { type: "setMode" }>): Promise<void> {
    if (message.plan !== undefined) this.mode.plan = message.plan;
    if (message.approvalMode !== undefined) this.mode.approvalMode = message.approvalMode;
    this.ui.post({ type: "mode", ...this.mode });
    if (!message.taskId || !this.live.has(message.taskId)) return;
    const wanted = { ...(message.plan !== undefined ? { plan: message.plan } : {}), ...(message.approvalMode ? { approvalMode: message.approvalMode } : {}) };
    await this.requireBackend().setTaskMode({ taskId: message.taskId, ...wanted });
  }

  /** Restore files, the task, or both; files changed since outside the task are named and confirmed first. */
  private async restore(message: Extract<WebviewToHost, { type: "restoreCheckpoint" }>): Promise<void> {
    const backend = this.requireBackend();
    const { taskId, checkpointId, what } = message;
    if (what !== "task" && !message.overwrite) {
      const diff = await backend.checkpointDiff(taskId, checkpointId);
      const files = diff.files.filter((file) => file.outsideTask).map((file) => file.path);
      if (files.length) {
        this.ui.post({ type: "restoreConfirm", taskId, checkpointId, what, files });
        return;
      }
    }
    await backend.restoreCheckpoint({ taskId, checkpointId, what, ...(message.overwrite ? { overwrite: true } : {}) });
  }

  /** Condense now: the server replaces the task's oldest turns by a summary (its card comes as an event). */
  async condense(taskId: string): Promise<void> {
    if (!this.live.has(taskId)) throw new Error(l10n.t("This task is not open in the server: send it a follow-up first, then condense it."));
    this.ui.post({ type: "condensing", taskId, active: true });
    try {
      await this.requireBackend().condense(taskId);
    } finally {
      this.ui.post({ type: "condensing", taskId, active: false });
    }
  }

  /** The server (re)started: it knows none of the tasks shown. */
  serverStarted(): void {
    this.live.clear();
    const waiting = [...this.toRefresh];
    this.toRefresh.clear();
    if (waiting.length) void this.refresh(waiting);
  }

  private attachments(text: string, images?: ImageData[]): Attachments {
    const context = this.ui.editorContext(text);
    return { ...(context ? { context } : {}), ...(images?.length ? { images } : {}) };
  }

  private markRunning(taskId: string): void {
    this.live.add(taskId);
    if (!this.running.includes(taskId)) this.running.push(taskId);
  }

  /** The most recently started task that has not ended, if any. */
  get latestRunning(): string | undefined {
    return this.running[this.running.length - 1];
  }

  /**
   * Cancels first, so the server withdraws what waits (a denial sent first would let the agent go on
   * to its next step before the cancel arrives); whatever still waits afterwards is denied here.
   */
  async stop(taskId: string): Promise<void> {
    try {
      await this.requireBackend().cancelTask(taskId);
    } finally {
      // l10n-ignore: a reason recorded in the trace and sent to the model
      for (const callId of this.approvals.denyAll(taskId, "task stopped by the user")) {
        this.ui.post({ type: "approvalSettled", taskId, callId });
      }
      for (const callId of this.questions.cancelAll(taskId)) this.ui.post({ type: "questionSettled", taskId, callId });
    }
  }

  /** A `flambeau/event` notification from the server. */
  onEvent(notification: EventNotification): void {
    this.ui.post({ type: "event", taskId: notification.taskId, event: notification.event });
    const kind = notification.event.type;
    this.live.add(notification.taskId);
    // Tasks started elsewhere (the "Fix with Flambeau" code action) show up here too.
    if (kind === "task_started" || kind === "user_message") this.markRunning(notification.taskId);
    if (kind === "task_finished" || kind === "task_failed") {
      const index = this.running.indexOf(notification.taskId);
      if (index >= 0) this.running.splice(index, 1);
      // l10n-ignore: a reason recorded in the trace and sent to the model
      for (const callId of this.approvals.denyAll(notification.taskId, "task ended")) {
        this.ui.post({ type: "approvalSettled", taskId: notification.taskId, callId });
      }
      for (const callId of this.questions.cancelAll(notification.taskId)) {
        this.ui.post({ type: "questionSettled", taskId: notification.taskId, callId });
      }
      this.ui.taskEnded(notification.taskId);
    }
  }

  /** A `flambeau/approve` request from the server: show it, open the diff, wait for the click. */
  async onApprove(request: ApproveParams, onCancel?: (listener: () => void) => void): Promise<ApproveResult> {
    const decision = this.approvals.request(request, (listener) =>
      onCancel?.(() => {
        listener();
        this.ui.post({ type: "approvalSettled", taskId: request.taskId, callId: request.event.call_id });
      }),
    );
    // The request is the task's approval_requested event; the panel shows it like any other event.
    this.ui.post({ type: "event", taskId: request.taskId, event: request.event });
    this.ui.reveal();
    if (request.event.category === "edit" && this.openDiffOnApproval()) {
      this.ui.openDiff(request).catch((error: unknown) => this.ui.post({ type: "error", message: l10n.t("could not open the diff: {0}", describe(error)) }));
    }
    return decision;
  }

  /** A `flambeau/ask` request from the server: show the question, wait for the answer (or none). */
  async onAsk(request: AskParams, onCancel?: (listener: () => void) => void): Promise<AskResult> {
    const answer = this.questions.ask(request, (listener) =>
      onCancel?.(() => {
        listener();
        this.ui.post({ type: "questionSettled", taskId: request.taskId, callId: request.event.call_id });
      }),
    );
    this.ui.post({ type: "event", taskId: request.taskId, event: request.event });
    this.ui.reveal();
    return answer;
  }

  private requireBackend(): ChatBackend {
    const backend = this.backend();
    if (!backend) throw new Error(l10n.t("The Flambeau server is not running. Run \"Flambeau: Restart Language Server\" or \"Flambeau: Show Log\"."));
    return backend;
  }
}
