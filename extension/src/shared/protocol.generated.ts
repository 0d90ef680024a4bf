// Generated from the server's protocol (lsp/protocol.py, agent/events.py) by `make protocol`; do not edit.
/* eslint-disable */

export const PROTOCOL_VERSION = 2;

export const Methods = {
  approve: "flambeau/approve",
  ask: "flambeau/ask",
  assignRole: "flambeau/assignRole",
  cancelTask: "flambeau/cancelTask",
  checkpointDiff: "flambeau/checkpointDiff",
  condense: "flambeau/condense",
  deleteHistory: "flambeau/deleteHistory",
  detectEngines: "flambeau/detectEngines",
  event: "flambeau/event",
  exportHistory: "flambeau/exportHistory",
  exportTrace: "flambeau/exportTrace",
  generateCommitMessage: "flambeau/generateCommitMessage",
  getMcpPrompt: "flambeau/getMcpPrompt",
  listCheckpoints: "flambeau/listCheckpoints",
  listHistory: "flambeau/listHistory",
  listMcpPrompts: "flambeau/listMcpPrompts",
  listMcpServers: "flambeau/listMcpServers",
  listModels: "flambeau/listModels",
  listProviders: "flambeau/listProviders",
  listTraces: "flambeau/listTraces",
  mcpServersChanged: "flambeau/mcpServersChanged",
  modelTestProgress: "flambeau/modelTestProgress",
  openHistory: "flambeau/openHistory",
  providerModels: "flambeau/providerModels",
  removeProfile: "flambeau/removeProfile",
  restartMcpServer: "flambeau/restartMcpServer",
  restoreCheckpoint: "flambeau/restoreCheckpoint",
  resumeTask: "flambeau/resumeTask",
  saveProfile: "flambeau/saveProfile",
  selectModel: "flambeau/selectModel",
  sendMessage: "flambeau/sendMessage",
  setEscalation: "flambeau/setEscalation",
  setKey: "flambeau/setKey",
  setLocalOnly: "flambeau/setLocalOnly",
  setTaskMode: "flambeau/setTaskMode",
  showTrace: "flambeau/showTrace",
  startTask: "flambeau/startTask",
  testModel: "flambeau/testModel",
  trustMcpServer: "flambeau/trustMcpServer",
  verifyTrace: "flambeau/verifyTrace",
} as const;

/** Params and result type names of each method, for reference. */
export interface MethodTypes {
  "flambeau/approve": { params: ApproveParams; result: ApproveResult };
  "flambeau/ask": { params: AskParams; result: AskResult };
  "flambeau/assignRole": { params: AssignRoleParams; result: AssignRoleResult };
  "flambeau/cancelTask": { params: TaskIdParams; result: CancelTaskResult };
  "flambeau/checkpointDiff": { params: CheckpointDiffParams; result: CheckpointDiffResult };
  "flambeau/condense": { params: TaskIdParams; result: CondenseResult };
  "flambeau/deleteHistory": { params: TaskIdParams; result: DeleteHistoryResult };
  "flambeau/detectEngines": { params: Empty; result: DetectEnginesResult };
  "flambeau/event": { params: EventNotification; result: void };
  "flambeau/exportHistory": { params: ExportHistoryParams; result: ExportHistoryResult };
  "flambeau/exportTrace": { params: ExportTraceParams; result: ExportTraceResult };
  "flambeau/generateCommitMessage": { params: GenerateCommitMessageParams; result: GenerateCommitMessageResult };
  "flambeau/getMcpPrompt": { params: GetMcpPromptParams; result: GetMcpPromptResult };
  "flambeau/listCheckpoints": { params: TaskIdParams; result: ListCheckpointsResult };
  "flambeau/listHistory": { params: Empty; result: ListHistoryResult };
  "flambeau/listMcpPrompts": { params: Empty; result: ListMcpPromptsResult };
  "flambeau/listMcpServers": { params: Empty; result: ListMcpServersResult };
  "flambeau/listModels": { params: Empty; result: ListModelsResult };
  "flambeau/listProviders": { params: Empty; result: ListProvidersResult };
  "flambeau/listTraces": { params: Empty; result: ListTracesResult };
  "flambeau/mcpServersChanged": { params: ListMcpServersResult; result: void };
  "flambeau/modelTestProgress": { params: ModelTestProgress; result: void };
  "flambeau/openHistory": { params: TaskIdParams; result: OpenHistoryResult };
  "flambeau/providerModels": { params: ProviderParams; result: ProviderModelsResult };
  "flambeau/removeProfile": { params: NameParams; result: RemoveProfileResult };
  "flambeau/restartMcpServer": { params: McpServerParams; result: McpServer };
  "flambeau/restoreCheckpoint": { params: RestoreCheckpointParams; result: RestoreCheckpointResult };
  "flambeau/resumeTask": { params: ResumeTaskParams; result: ResumeTaskResult };
  "flambeau/saveProfile": { params: SaveProfileParams; result: ModelEntry };
  "flambeau/selectModel": { params: SelectModelParams; result: SelectModelResult };
  "flambeau/sendMessage": { params: SendMessageParams; result: Empty };
  "flambeau/setEscalation": { params: SetEscalationParams; result: SetEscalationResult };
  "flambeau/setKey": { params: SetKeyParams; result: SetKeyResult };
  "flambeau/setLocalOnly": { params: SetLocalOnlyParams; result: SetLocalOnlyResult };
  "flambeau/setTaskMode": { params: SetTaskModeParams; result: SetTaskModeResult };
  "flambeau/showTrace": { params: TaskIdParams; result: ShowTraceResult };
  "flambeau/startTask": { params: StartTaskParams; result: StartTaskResult };
  "flambeau/testModel": { params: NameParams; result: FitnessSummary };
  "flambeau/trustMcpServer": { params: TrustMcpServerParams; result: McpServer };
  "flambeau/verifyTrace": { params: TaskIdParams; result: VerifyTraceResult };
}

/**
 * Any agent event, as agent/events.py sends it.
 */
export type AgentEvent =
  | ApprovalDecided
  | ApprovalRequested
  | CheckpointCreated
  | CheckpointFailed
  | CheckpointRestored
  | CondenseFailed
  | ContainmentReported
  | ContextAttached
  | ContextCondensed
  | ContextTrimmed
  | ContextUsage
  | ModeChanged
  | ModelChanged
  | ModelNotice
  | ModelRequest
  | QuestionAnswered
  | QuestionAsked
  | TaskFailed
  | TaskFinished
  | TaskStarted
  | TextDelta
  | ToolCallProposed
  | ToolResultEvent
  | Usage
  | UserMessage;

/**
 * Whether a tool call may run, and who decided: the user, a policy rule, or automatic mode.
 */
export interface ApprovalDecided {
  task_id: string;
  call_id: string;
  tool: string;
  approved: boolean;
  by: "user" | "rule" | "auto" | "timeout" | "cancelled";
  reason: string;
  /**
   * The user changed the proposed content before approving; what is written is `final_content`.
   */
  edited: boolean;
  type: "approval_decided";
}
/**
 * A tool call waits for a person's decision; every front end and the trace see the same request.
 */
export interface ApprovalRequested {
  task_id: string;
  call_id: string;
  tool: string;
  category: string;
  arguments: {
    [k: string]: unknown | undefined;
  };
  /**
   * One line a person can judge, e.g. `run: npm test`.
   */
  summary: string;
  /**
   * Why approval is needed (the policy rule, or the model asking for it).
   */
  reason: string;
  /**
   * A diff or command line shown before the decision.
   */
  preview: string;
  /**
   * Asked even in automatic approval modes: auto-all does not answer it, a person must.
   */
  firm: boolean;
  type: "approval_requested";
}
/**
 * A snapshot of the workspace, taken before the first edit or command of a step.
 */
export interface CheckpointCreated {
  task_id: string;
  checkpoint_id: string;
  step: number;
  files: number;
  /**
   * Workspace-relative paths left out (above the size cap, nested repositories).
   */
  skipped: string[];
  duration_s: number;
  type: "checkpoint_created";
}
/**
 * No snapshot could be taken; the task goes on without one.
 */
export interface CheckpointFailed {
  task_id: string;
  step: number;
  error: string;
  type: "checkpoint_failed";
}
/**
 * A person brought the workspace (files), the conversation (task), or both back to a checkpoint.
 */
export interface CheckpointRestored {
  task_id: string;
  checkpoint_id: string;
  /**
   * The task whose trace recorded the checkpoint (this one, or a task it continues).
   */
  checkpoint_task_id: string;
  /**
   * The checkpoint was taken before this step changed anything.
   */
  step: number;
  what: "files" | "task" | "both";
  /**
   * The conversation now ends after this step of the checkpoint's task (None: not rewound).
   */
  rewound_to_step: number | null;
  written: string[];
  deleted: string[];
  failed: string[];
  /**
   * Files changed since outside the task's recorded edits, overwritten because the person confirmed it.
   */
  overwritten: string[];
  /**
   * Taken just before restoring files: restoring it undoes the restore.
   */
  safety_checkpoint_id: string;
  /**
   * Each written or deleted file's SHA-256 after the restore (None: deleted).
   */
  sha256_after: {
    [k: string]: string | null | undefined;
  };
  type: "checkpoint_restored";
}
/**
 * A condensation was asked for (or needed) and could not be made; the message says why.
 */
export interface CondenseFailed {
  task_id: string;
  step: number;
  trigger: "auto" | "manual";
  error: string;
  profile: string;
  type: "condense_failed";
}
/**
 * What holds this task's commands (tools/policy/sandbox.py `Containment`), right after `task_started`.
 */
export interface ContainmentReported {
  task_id: string;
  sandbox: "bubblewrap" | "none";
  mode: "off" | "auto" | "required";
  /**
   * Why there is no sandbox (empty when there is one).
   */
  reason: string;
  /**
   * No sandbox because the user chose so (`--no-sandbox` or mode "off"), not because none can run.
   */
  chosen: boolean;
  /**
   * No sandbox could run and none was declined: every command asks a person, auto-all included.
   */
  commands_ask: boolean;
  network: "blocked" | "open";
  writable: string[];
  read_only: string[];
  hidden: string[];
  type: "containment";
}
/**
 * Context attached to the task's first request (or to a follow-up), before the model is asked.
 */
export interface ContextAttached {
  task_id: string;
  items: Attached[];
  type: "context_attached";
}
/**
 * One piece of context an @-mention or an image attached to a message (what a chip shows).
 */
export interface Attached {
  /**
   * As written (`@app.py`, `@git-changes`), or the image's name.
   */
  mention: string;
  kind: "file" | "folder" | "git_changes" | "problems" | "selection" | "terminal" | "image";
  label: string;
  path: string;
  chars: number;
  /**
   * About how many tokens it adds to the request.
   */
  tokens: number;
  /**
   * Why it was not sent to the model (a never-to-cloud pattern); empty when it was sent.
   */
  withheld: string;
  sha256: string;
}
/**
 * The oldest turns were replaced by a summary written by the `summarise` role's model.
 */
export interface ContextCondensed {
  task_id: string;
  step: number;
  trigger: "auto" | "manual";
  first_turn: number;
  /**
   * The turns replaced, numbered from 1 (the first turn after the task) over the whole task.
   */
  last_turn: number;
  turns_replaced: number;
  tokens_before: number;
  /**
   * A request's tokens (our count: the messages and the tool schemas) before and after.
   */
  tokens_after: number;
  summary: string;
  profile: string;
  model: string;
  locality: "local" | "cloud";
  type: "context_condensed";
}
/**
 * Turns left out of a request to fit the window (no summary could stand for them): never silent.
 */
export interface ContextTrimmed {
  task_id: string;
  step: number;
  first_turn: number;
  last_turn: number;
  turns_dropped: number;
  tokens_before: number;
  tokens_after: number;
  reason: string;
  type: "context_trimmed";
}
/**
 * How full the model's window is, after each model call (and after a condensation).
 */
export interface ContextUsage {
  task_id: string;
  step: number;
  /**
   * Tokens of the last request: the provider's count when it reported one, else ours.
   */
  used_tokens: number;
  /**
   * Tokens the model accepts in one request.
   */
  window: number;
  counted_by: "provider" | "estimate";
  parts: ContextParts;
  /**
   * About where the conversation is condensed before the next call.
   */
  condense_at_tokens: number;
  /**
   * Turns in the conversation now (after the task; a summary counts as none).
   */
  turns: number;
  /**
   * Turns a summary stands for.
   */
  condensed_turns: number;
  type: "context_usage";
}
/**
 * What fills a request, in tokens (the parts add up to `ContextUsage.used_tokens`).
 */
export interface ContextParts {
  /**
   * The system prompt: instructions, project rules, repository map (and example turns).
   */
  system?: number;
  tool_schemas?: number;
  /**
   * The task, the model's answers and the user's messages.
   */
  conversation?: number;
  tool_results?: number;
  /**
   * What @-mentions and images attached.
   */
  attachments?: number;
  /**
   * The summary that stands for condensed turns.
   */
  summary?: number;
}
/**
 * A person switched the task between Plan and Act, or changed its approval mode; the next tool call is
 * judged by the new mode.
 */
export interface ModeChanged {
  task_id: string;
  plan: boolean;
  approval_mode: "ask" | "auto-edit" | "auto-all";
  previous_plan: boolean;
  previous_approval_mode: "ask" | "auto-edit" | "auto-all";
  type: "mode_changed";
}
/**
 * The task continues with another model from its next step (a switch, an escalation, a resume).
 */
export interface ModelChanged {
  task_id: string;
  previous_profile: string;
  profile: string;
  model: string;
  locality: "local" | "cloud";
  tool_mode: string;
  window: number;
  type: "model_changed";
}
/**
 * Something the user should know about the model this task runs on, e.g. that the embedded server
 * crashed on its first start and was restarted with the safest settings.
 */
export interface ModelNotice {
  task_id: string;
  profile: string;
  message: string;
  type: "model_notice";
}
/**
 * The exact body handed to the model provider, for the trace; front ends may ignore it.
 */
export interface ModelRequest {
  task_id: string;
  step: number;
  model: string;
  locality: "local" | "cloud";
  body: {
    [k: string]: unknown | undefined;
  };
  /**
   * `main`: a step of the task (what a resumed task continues from); else a summary or a commit message.
   */
  role: "main" | "summarise" | "commit";
  type: "model_request";
}
/**
 * The user's answer (None: nobody answered, and the model is told to decide itself).
 */
export interface QuestionAnswered {
  task_id: string;
  call_id: string;
  answer: string | null;
  by: "user" | "nobody" | "timeout" | "cancelled";
  type: "question_answered";
}
/**
 * The model asks the user a question (`ask_followup_question`), optionally with suggested answers.
 */
export interface QuestionAsked {
  task_id: string;
  call_id: string;
  question: string;
  suggestions: string[];
  type: "question_asked";
}
export interface TaskFailed {
  task_id: string;
  outcome: "completed" | "failed" | "cancelled" | "limit";
  error: string;
  steps: number;
  type: "task_failed";
}
export interface TaskFinished {
  task_id: string;
  outcome: "completed" | "failed" | "cancelled" | "limit";
  result: string;
  steps: number;
  type: "task_finished";
}
export interface TaskStarted {
  task_id: string;
  task: string;
  workspace: string;
  model: string;
  profile: string;
  locality: "local" | "cloud";
  rules: string[];
  tools: string[];
  prompt: "full" | "compact";
  extra: {
    [k: string]: unknown | undefined;
  };
  type: "task_started";
}
export interface TextDelta {
  task_id: string;
  text: string;
  type: "text_delta";
}
export interface ToolCallProposed {
  task_id: string;
  call_id: string;
  tool: string;
  category: string;
  arguments: {
    [k: string]: unknown | undefined;
  };
  type: "tool_call_proposed";
}
export interface ToolResultEvent {
  task_id: string;
  call_id: string;
  tool: string;
  ok: boolean;
  output: string;
  duration_s: number;
  file_changes: FileChange[];
  data: {
    [k: string]: unknown | undefined;
  };
  type: "tool_result";
}
/**
 * One file a tool changed; SHA-256 of the bytes before and after (None: absent).
 */
export interface FileChange {
  path: string;
  sha256_before: string | null;
  sha256_after: string | null;
  diff: string;
}
/**
 * One model call: what it cost and who answered.
 */
export interface Usage {
  task_id: string;
  step: number;
  model: string;
  locality: "local" | "cloud";
  prompt_tokens: number;
  completion_tokens: number;
  /**
   * USD; None when no price is known for this cloud model.
   */
  cost_usd: number | null;
  latency_s: number;
  response_model: string;
  system_fingerprint: string | null;
  provenance: {
    [k: string]: unknown | undefined;
  };
  total_prompt_tokens: number;
  total_completion_tokens: number;
  /**
   * USD over the task so far; None once a call's cost was unknown.
   */
  total_cost_usd: number | null;
  /**
   * What the call was for (see `ModelRequest.role`).
   */
  role: "main" | "summarise" | "commit";
  type: "usage";
}
/**
 * A follow-up message the user sent into a running or finished task.
 */
export interface UserMessage {
  task_id: string;
  text: string;
  type: "user_message";
}
/**
 * `flambeau/approve` (server → client): the task's `approval_requested` event, in the notification's shape.
 */
export interface ApproveParams {
  taskId: string;
  event: ApprovalRequested;
}
export interface ApproveResult {
  decision: "approve" | "deny" | "always";
  /**
   * With `deny`: the user's reason, told to the model.
   */
  reason?: string;
  /**
   * With `approve` of an edit: the file's whole text as the user edited the proposal; written instead.
   */
  content?: string;
}
/**
 * `flambeau/ask` (server → client): the task's `question_asked` event, in the notification's shape.
 */
export interface AskParams {
  taskId: string;
  event: QuestionAsked;
}
export interface AskResult {
  /**
   * The user's answer (a suggestion or free text); null: no answer, the model decides itself.
   */
  answer: string | null;
}
export interface AssignRoleParams {
  role: "main" | "summarise" | "commit";
  name: string;
}
export interface AssignRoleResult {
  roles: {
    [k: string]: string | undefined;
  };
}
export interface CancelTaskResult {
  cancelled: boolean;
}
export interface CheckpointDiffParams {
  taskId: string;
  checkpointId: string;
}
export interface CheckpointDiffResult {
  taskId: string;
  checkpointId: string;
  step: number;
  workspace: string;
  files: DiffFile[];
}
export interface DiffFile {
  /**
   * Workspace-relative, with `/`.
   */
  path: string;
  /**
   * How the file is now compared with the checkpoint (`added`: made since; `deleted`: removed since).
   */
  change: "modified" | "added" | "deleted";
  /**
   * Its bytes now are not what the task's recorded edits left: a restore overwrites someone else's change.
   */
  outsideTask: boolean;
  /**
   * Its text in the checkpoint; None when it was not in it, is binary or too large.
   */
  original: string | null;
  binary: boolean;
  tooLarge: boolean;
}
/**
 * A checkpoint the task's trace recorded: the workspace just before step `step` changed anything.
 */
export interface CheckpointEntry {
  checkpointId: string;
  /**
   * The task whose trace recorded it (the task asked about, or one it continues).
   */
  taskId: string;
  step: number;
  files: number;
  createdAt: string;
  /**
   * Still in the checkpoint store; a restore needs it.
   */
  available: boolean;
}
/**
 * `capabilities.experimental.flambeau` of a client.
 */
export interface ClientFlambeauCapabilities {
  approvals?: boolean;
  events?: boolean;
  /**
   * The client answers `flambeau/ask` (else questions go out as window/showMessageRequest).
   */
  questions?: boolean;
}
/**
 * The condensation made (its `context_condensed` event follows the task's other events).
 */
export interface CondenseResult {
  taskId: string;
  firstTurn: number;
  /**
   * The turns the summary replaced, numbered from 1 (the first turn after the task) over the whole task.
   */
  lastTurn: number;
  tokensBefore: number;
  tokensAfter: number;
  summary: string;
  /**
   * The profile that wrote the summary (the `summarise` role's, else the task's own).
   */
  profile: string;
}
export interface DeleteHistoryResult {
  taskId: string;
  deletedAt: string;
  /**
   * The size of the trace when it was deleted, as the witness log records it.
   */
  records: number;
}
export interface DetectEnginesResult {
  engines: DetectedEngine[];
}
export interface DetectedEngine {
  kind: string;
  label: string;
  api_base: string;
  models: EngineModel[];
}
export interface EngineModel {
  id: string;
  model: string;
  digest: string;
  suggestedName: string;
}
/**
 * What only the editor knows; sent with a task so its `@problems`, `@selection`, `@terminal` resolve.
 */
export interface EditorContext {
  problems?: Problem[];
  selection?: Selection;
  terminal?: TerminalOutput;
}
/**
 * One workspace diagnostic, for `@problems`.
 */
export interface Problem {
  path: string;
  line: number;
  column?: number;
  severity: string;
  message: string;
  source?: string;
}
/**
 * The editor's selection, for `@selection` (lines are 1-based).
 */
export interface Selection {
  path: string;
  startLine: number;
  endLine: number;
  text: string;
}
/**
 * The active terminal's last command and its output, for `@terminal`.
 */
export interface TerminalOutput {
  commandLine: string;
  output: string;
  exitCode?: number;
}
/**
 * No params, or an empty result.
 */
export interface Empty {}
/**
 * `flambeau/event`: one agent event of a task.
 */
export interface EventNotification {
  taskId: string;
  event: AgentEvent;
}
export interface ExportHistoryParams {
  taskId: string;
  /**
   * Default markdown.
   */
  format?: "markdown" | "json";
}
export interface ExportHistoryResult {
  path: string;
}
export interface ExportTraceParams {
  taskId: string;
  format: "html" | "otel";
  /**
   * The HTML report's language (a VS Code display language such as "ja"); default English.
   */
  language?: string;
}
export interface ExportTraceResult {
  path: string;
}
/**
 * The last `models test` of a profile (also the result of `flambeau/testModel`).
 */
export interface FitnessSummary {
  model: string;
  checkedAt: string;
  reachable: boolean;
  detail: string;
  responseModel: string;
  window: number | null;
  windowSource: string;
  replies: number;
  wellFormed: number;
  correctEdits: number;
  edits: number;
  tasks: FitnessTask[];
  wallSeconds: number;
}
export interface FitnessTask {
  name: string;
  passed: boolean;
  steps: number;
}
export interface GenerateCommitMessageParams {
  /**
   * The repository folder (a path or file: URI inside the workspace); default: the workspace.
   */
  workspace?: string;
}
export interface GenerateCommitMessageResult {
  message: string;
  /**
   * The profile that wrote it (the `commit` role's, else the main model).
   */
  profile: string;
  model: string;
  locality: "local" | "cloud";
}
export interface GetMcpPromptParams {
  server: string;
  name: string;
  arguments?: {
    [k: string]: string | undefined;
  };
}
export interface GetMcpPromptResult {
  server: string;
  name: string;
  messages: McpPromptMessage[];
  /**
   * The messages' text, joined by blank lines: what the panel puts in the composer.
   */
  text: string;
}
export interface McpPromptMessage {
  role: "user" | "assistant";
  text: string;
}
/**
 * One past task of the workspace, read from its trace (and the witness log).
 */
export interface HistoryEntry {
  taskId: string;
  path: string;
  /**
   * None for a trace whose file is gone (deleted or erased).
   */
  startedAt: string | null;
  /**
   * The task as first given: the entry's title.
   */
  task: string;
  model: string;
  locality: string;
  outcome: string | null;
  steps: number | null;
  /**
   * None when no call was made or a call's price was unknown.
   */
  costUsd: number | null;
  /**
   * What `flambeau/verifyTrace` would say; None for a trace whose file is gone.
   */
  verdict: ("intact" | "tampered" | "damaged") | null;
  verdictMessage: string;
  /**
   * witnessed, unwitnessed, prewitness, pending, truncated, replaced, erased, or deleted (by the user,
   * recorded as a signed deletion in the witness log).
   */
  witness: string | null;
  witnessMessage: string;
  /**
   * The task this one resumed.
   */
  continues: string | null;
  /**
   * The task runs in this server now.
   */
  running: boolean;
}
/**
 * One trace of a task's chain (a resumed task continues another): its events as they were sent.
 */
export interface HistorySegment {
  taskId: string;
  startedAt: string | null;
  /**
   * The trace is gone (deleted or erased): its events are not available.
   */
  missing: boolean;
  events: AgentEvent[];
}
/**
 * A pasted or dropped image (PNG, JPEG, GIF or WebP), for a profile that declares vision.
 */
export interface ImageData {
  name: string;
  /**
   * The bytes, base64.
   */
  data: string;
}
export interface InitializationOptions {
  model?: string;
  apiBase?: string;
  approvalMode?: "ask" | "auto-edit" | "auto-all";
  approvalTimeoutSeconds?: number;
}
export interface ListCheckpointsResult {
  taskId: string;
  /**
   * Oldest first.
   */
  checkpoints: CheckpointEntry[];
}
export interface ListHistoryResult {
  /**
   * Newest first.
   */
  tasks: HistoryEntry[];
}
export interface ListMcpPromptsResult {
  /**
   * Every running server's prompts.
   */
  prompts: McpPrompt[];
}
export interface McpPrompt {
  server: string;
  name: string;
  /**
   * The panel's slash command: `/<server>:<prompt>`.
   */
  command: string;
  description: string;
  arguments: McpPromptArgument[];
}
export interface McpPromptArgument {
  name: string;
  description: string;
  required: boolean;
}
/**
 * Also the params of the `flambeau/mcpServersChanged` notification (sent on every state change).
 */
export interface ListMcpServersResult {
  servers: McpServer[];
  /**
   * What was set aside while reading the files (a workspace entry shadowed by the user's).
   */
  notes: string[];
  /**
   * A configuration file cannot be used (its path and what to fix): no server runs until it is fixed.
   */
  configError: string | null;
}
/**
 * One declared MCP server of the workspace (the user's mcp.json, then the workspace's .mcp.json).
 */
export interface McpServer {
  /**
   * The key under `mcpServers`; its tools are offered as `mcp__<name>__<tool>`.
   */
  name: string;
  /**
   * Which file declared it: a workspace server starts only once the user trusts it.
   */
  source: "user" | "workspace";
  /**
   * The path of the file that declared it.
   */
  file: string;
  transport: "stdio" | "http" | "sse";
  /**
   * The command and its arguments (stdio), or the URL.
   */
  commandLine: string;
  /**
   * Where a stdio server runs (the workspace, or its `cwd`); "" for a URL.
   */
  folder: string;
  /**
   * The names of the environment variables its entry sets (values are not sent).
   */
  envNames: string[];
  /**
   * The names of the HTTP headers its entry sets (values are not sent).
   */
  headerNames: string[];
  /**
   * May start: a user server, or a workspace server trusted as it is now.
   */
  trusted: boolean;
  /**
   * "changed": trusted once, but its definition changed since (the trust was revoked).
   */
  trust: "trusted" | "untrusted" | "changed" | "not-needed";
  /**
   * stopped: not started (or shut down); starting; running; failed (see `lastError`); untrusted: a workspace
   * server the user has not trusted (never started); refused: a cloud server under local-only mode; disabled
   * in its file.
   */
  state: "stopped" | "starting" | "running" | "failed" | "untrusted" | "refused" | "disabled";
  locality: "local" | "cloud";
  toolCount: number;
  /**
   * The tool names the model sees (`mcp__<server>__<tool>`).
   */
  tools: string[];
  promptCount: number;
  resourceCount: number;
  /**
   * None until it ran (or when it did not say).
   */
  serverInfo: McpServerIdentity | null;
  /**
   * Why it failed or is refused, naming the server; kept after a restart until it runs again.
   */
  lastError: string;
  /**
   * The keyring entries it is given (shown before trusting it).
   */
  secretReferences: string[];
}
/**
 * `serverInfo` from the server's MCP handshake.
 */
export interface McpServerIdentity {
  name: string;
  version: string;
}
export interface ListModelsResult {
  current: string;
  profiles: ModelEntry[];
  default?: string;
  escalateTo?: string | null;
  configPath?: string;
  /**
   * No user models.toml yet: the panel offers the three ways in.
   */
  firstRun?: boolean;
  restrictions?: ModelRestrictions;
}
export interface ModelEntry {
  name: string;
  model: string;
  locality: "local" | "cloud";
  openness?: {
    [k: string]: unknown | undefined;
  };
  /**
   * GGUF digest, Ollama digest, or the cloud model version its last check answered as.
   */
  provenance?: {
    [k: string]: unknown | undefined;
  };
  toolMode?: string;
  apiBase?: string;
  contextWindow?: number;
  /**
   * The keyring entry a cloud profile's key lives in.
   */
  keyName?: string;
  keyStored?: boolean;
  /**
   * The embedded model only: whether its packages are installed.
   */
  installed?: boolean;
  roles?: string[];
  /**
   * False when local-only mode or the workspace's allowed profiles exclude it.
   */
  usable?: boolean;
  fitness?: FitnessSummary;
}
export interface ModelRestrictions {
  localOnly: boolean;
  localOnlySource: string;
  userLocalOnly: boolean;
  /**
   * The workspace turned local-only on: the view cannot turn it off.
   */
  localOnlyLocked: boolean;
  neverToCloud: string[];
  allowedProfiles: string[] | null;
}
export interface ListProvidersResult {
  providers: string[];
}
export interface ListTracesResult {
  traces: TraceSummary[];
}
export interface TraceSummary {
  taskId: string;
  path: string;
  startedAt: string;
  task: string;
  model: string;
  locality: string;
  /**
   * None while the task runs, or when it was interrupted.
   */
  outcome: string | null;
}
export interface McpServerParams {
  name: string;
}
/**
 * `flambeau/modelTestProgress`: one step of a running `flambeau/testModel`.
 */
export interface ModelTestProgress {
  name: string;
  step: string;
  done: number;
  total: number;
}
export interface NameParams {
  name: string;
}
export interface OpenHistoryResult {
  taskId: string;
  task: string;
  verdict: "intact" | "tampered" | "damaged";
  verdictMessage: string;
  /**
   * Oldest first; the last is the task asked for.
   */
  segments: HistorySegment[];
}
export interface ProviderModelsResult {
  provider: string;
  /**
   * What litellm lists for the provider; a model it does not list can be typed.
   */
  models: string[];
  keyStored: boolean;
}
export interface ProviderParams {
  provider: string;
}
export interface RemoveProfileResult {
  removed: string;
}
export interface RestoreCheckpointParams {
  taskId: string;
  /**
   * As listed by `flambeau/listCheckpoints` (or a unique prefix of at least 7 characters).
   */
  checkpointId: string;
  /**
   * `files`: the workspace as it was; `task`: the conversation rewound (the next follow-up continues from
   * it); `both`.
   */
  what: "files" | "task" | "both";
  /**
   * Restore files changed since outside the task's recorded edits too (else refused, naming them).
   */
  overwrite?: boolean;
}
export interface RestoreCheckpointResult {
  taskId: string;
  checkpointId: string;
  what: "files" | "task" | "both";
  written: string[];
  deleted: string[];
  /**
   * Files not restored, each with why (a path a restore never writes: outside the workspace, .git, .flambeau).
   */
  failed: string[];
  /**
   * Files changed outside the task that the restore overwrote (with `overwrite`).
   */
  overwritten: string[];
  /**
   * Taken just before the files were restored: restoring it undoes the restore ("" for `task`).
   */
  safetyCheckpointId: string;
  /**
   * The conversation now ends after this step of the checkpoint's task (None for `files`).
   */
  rewoundToStep: number | null;
}
export interface ResumeTaskParams {
  /**
   * The past task to continue (its trace must verify).
   */
  taskId: string;
  /**
   * The follow-up message; may hold @-mentions, as for `flambeau/sendMessage`.
   */
  text: string;
  model?: string;
  approvalMode?: "ask" | "auto-edit" | "auto-all";
  plan?: boolean;
  context?: EditorContext;
  images?: ImageData[];
}
export interface ResumeTaskResult {
  /**
   * The new task (its trace's header names the one it continues).
   */
  taskId: string;
  continues: string;
}
export interface SaveProfileParams {
  name: string;
  model: string;
  apiBase?: string;
  apiKeyName?: string;
  toolMode?: "native" | "text" | "constrained";
  locality?: "cloud";
  contextWindow?: number;
  /**
   * Stored in the keyring (under apiKeyName, else the provider); never written to a file.
   */
  key?: string;
}
export interface SelectModelParams {
  name: string;
  /**
   * Also switch this running task, from its next step.
   */
  taskId?: string;
  /**
   * Save as the default profile (default: true).
   */
  persist?: boolean;
}
export interface SelectModelResult {
  current: string;
  locality: "local" | "cloud";
  switchedTask?: string;
}
export interface SendMessageParams {
  taskId: string;
  /**
   * May hold @-mentions, attached to the message as for `flambeau/startTask`.
   */
  text: string;
  context?: EditorContext;
  images?: ImageData[];
}
/**
 * `capabilities.experimental.flambeau` of the `initialize` result.
 */
export interface ServerFlambeauCapabilities {
  protocolVersion: number;
  methods: string[];
}
export interface SetEscalationParams {
  /**
   * The profile offered (with consent) when a local model keeps failing; null: none.
   */
  name: string | null;
}
export interface SetEscalationResult {
  escalateTo: string | null;
}
export interface SetKeyParams {
  provider: string;
  key: string;
}
export interface SetKeyResult {
  stored: boolean;
}
export interface SetLocalOnlyParams {
  enabled: boolean;
}
export interface SetLocalOnlyResult {
  /**
   * In force after the change (a workspace may keep it on).
   */
  localOnly: boolean;
  source: string;
}
export interface SetTaskModeParams {
  taskId: string;
  /**
   * Plan mode: only reading tools run (true), or Act (false).
   */
  plan?: boolean;
  approvalMode?: "ask" | "auto-edit" | "auto-all";
}
export interface SetTaskModeResult {
  taskId: string;
  plan: boolean;
  approvalMode: "ask" | "auto-edit" | "auto-all";
  /**
   * False when the task was already in that mode.
   */
  changed: boolean;
}
export interface ShowTraceResult {
  taskId: string;
  path: string;
  records: {
    [k: string]: unknown | undefined;
  }[];
}
export interface StartTaskParams {
  /**
   * May hold @-mentions (`@path/file`, `@file:10-20`, `@folder/`, `@git-changes`, `@problems`, `@selection`,
   * `@terminal`); each is attached to the first request, and one that cannot be resolved fails the request.
   */
  task: string;
  model?: string;
  approvalMode?: "ask" | "auto-edit" | "auto-all";
  plan?: boolean;
  context?: EditorContext;
  images?: ImageData[];
}
export interface StartTaskResult {
  taskId: string;
}
export interface TaskIdParams {
  taskId: string;
}
export interface TrustMcpServerParams {
  name: string;
  /**
   * Default true: trust the definition as it is now and start it. False: stop it and forget the trust.
   */
  trusted?: boolean;
}
export interface VerifyTraceResult {
  verdict: "intact" | "tampered" | "damaged";
  exitCode: number;
  message: string;
  firstBadRecord?: number;
}
