// The Flambeau LSP protocol, as both sides agreed it (see docs/protocol.md). Params and results use
// camelCase keys; agent events keep the snake_case fields the Python session emits.

export const PROTOCOL_VERSION = 1;

export type Locality = "local" | "cloud";
export type ApprovalMode = "ask" | "auto-edit" | "auto-all";
export type Decision = "approve" | "deny" | "always";

export interface StartTaskParams {
  task: string;
  model?: string;
  approvalMode?: ApprovalMode;
  plan?: boolean;
}
export interface StartTaskResult {
  taskId: string;
}
export interface SendMessageParams {
  taskId: string;
  text: string;
}
export interface CancelTaskResult {
  cancelled: boolean;
}

export interface TraceSummary {
  taskId: string;
  path: string;
  startedAt: string;
  task: string;
  model: string;
  locality: Locality | string;
  /** null while the task runs, or when it was interrupted. */
  outcome: string | null;
}
export interface ListTracesResult {
  traces: TraceSummary[];
}
export interface VerifyTraceResult {
  verdict: "intact" | "tampered" | "damaged";
  exitCode: number;
  message: string;
  firstBadRecord?: number;
}
export interface ExportTraceResult {
  path: string;
}

export interface ModelProfile {
  name: string;
  model: string;
  locality: Locality;
  openness?: Record<string, unknown>;
}
export interface ListModelsResult {
  current: string;
  profiles: ModelProfile[];
}
export interface SelectModelResult {
  current: string;
  locality: Locality;
}

export interface ApproveParams {
  taskId: string;
  callId: string;
  tool: string;
  category: string;
  summary: string;
  reason: string;
  preview: string;
  arguments: Record<string, unknown>;
}
export interface ApproveResult {
  decision: Decision;
  reason?: string;
}

export interface FileChange {
  path: string;
  sha256_before: string | null;
  sha256_after: string | null;
  diff: string;
}

export type AgentEvent =
  | { type: "task_started"; task: string; workspace: string; model: string; profile: string; locality: Locality; rules: string[]; tools: string[] }
  | { type: "user_message"; text: string }
  | { type: "text_delta"; text: string }
  | {
      type: "usage";
      prompt_tokens: number;
      completion_tokens: number;
      cost_usd: number;
      total_prompt_tokens: number;
      total_completion_tokens: number;
      total_cost_usd: number;
      locality: Locality;
      model: string;
    }
  | { type: "tool_call_proposed"; call_id: string; tool: string; category: string; arguments: Record<string, unknown> }
  | {
      type: "approval_requested";
      call_id: string;
      tool: string;
      category: string;
      summary: string;
      reason: string;
      preview: string;
      arguments: Record<string, unknown>;
    }
  | { type: "approval_decided"; call_id: string; tool: string; approved: boolean; by: string; reason: string }
  | {
      type: "tool_result";
      call_id: string;
      tool: string;
      ok: boolean;
      output: string;
      duration_s: number;
      file_changes: FileChange[];
      data: Record<string, unknown>;
    }
  | { type: "task_finished"; outcome: string; result: string; steps: number }
  | { type: "task_failed"; error: string; steps: number };

export interface EventNotification {
  taskId: string;
  event: AgentEvent;
}

export const Methods = {
  startTask: "flambeau/startTask",
  sendMessage: "flambeau/sendMessage",
  cancelTask: "flambeau/cancelTask",
  listTraces: "flambeau/listTraces",
  showTrace: "flambeau/showTrace",
  verifyTrace: "flambeau/verifyTrace",
  exportTrace: "flambeau/exportTrace",
  listModels: "flambeau/listModels",
  selectModel: "flambeau/selectModel",
  setKey: "flambeau/setKey",
  event: "flambeau/event",
  approve: "flambeau/approve",
} as const;
