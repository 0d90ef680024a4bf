// Messages between the extension host and the chat webview. Both directions are plain JSON.
import type { MentionCandidate } from "./mentions";
import type { AgentEvent, ApprovalMode, Decision, HistorySegment, ImageData, Locality, McpPrompt } from "./protocol";

/** The id of the element in which the host embeds the l10n bundle for the webview (JSON). */
export const L10N_BUNDLE_ELEMENT = "l10n-bundle";

export interface ModelBadge {
  profile: string;
  locality: Locality | "unknown";
}

export type HostToWebview =
  | { type: "event"; taskId: string; event: AgentEvent }
  | { type: "taskStarted"; taskId: string; task: string }
  /** A past task opened from the history: its events as they were sent, oldest segment first. */
  | { type: "history"; taskId: string; task: string; segments: HistorySegment[]; inPlace?: boolean }
  /** A follow-up resumed task `from` as the new task `taskId`: the panel shows it in its place. */
  | { type: "resumed"; from: string; taskId: string }
  | { type: "approvalSettled"; taskId: string; callId: string }
  /** The user changed (or restored) the proposal in the diff editor: what Approve will write. */
  | { type: "proposalEdited"; taskId: string; callId: string; edited: boolean }
  | { type: "questionSettled"; taskId: string; callId: string }
  /** A Condense now request for the task went out (active) or was answered. */
  | { type: "condensing"; taskId: string; active: boolean }
  /** The answer to a startTask / sendMessage: ok, or why nothing was started or sent (the input is kept). */
  | { type: "submitted"; requestId: number; ok: boolean; message?: string }
  | { type: "mentions"; requestId: number; items: MentionCandidate[] }
  /** Add to Flambeau: a mention to add to the input. */
  | { type: "insertMention"; text: string }
  | { type: "model"; badge: ModelBadge }
  /** Sent when the panel (re)loads: the tasks this window's server is running. A task the panel's saved
   * state shows as running but is not among them ended with an earlier server (a window reload). */
  | { type: "live"; running: string[] }
  /** The running MCP servers' prompts: the composer offers them as slash commands. */
  | { type: "mcpPrompts"; prompts: McpPrompt[] }
  /** The answer to usePrompt: the prompt's text for the composer, or why not (no message: the user cancelled). */
  | { type: "promptText"; requestId: number; ok: boolean; text?: string; message?: string }
  | { type: "serverState"; state: "starting" | "running" | "stopped" | "failed"; message?: string }
  | { type: "error"; message: string; taskId?: string }
  /** A restore would overwrite these files, changed since outside the task: the panel asks first. */
  | { type: "restoreConfirm"; taskId: string; checkpointId: string; what: RestoreWhat; files: string[] }
  /** The mode the next task starts in (and the panel's task runs in). */
  | { type: "mode"; plan: boolean; approvalMode: ApprovalMode };

export type RestoreWhat = "files" | "task" | "both";

export type WebviewToHost =
  | { type: "ready" }
  | { type: "startTask"; task: string; requestId?: number; images?: ImageData[] }
  | { type: "sendMessage"; taskId: string; text: string; requestId?: number; images?: ImageData[] }
  | { type: "stop"; taskId: string }
  | { type: "decide"; taskId: string; callId: string; decision: Decision; reason?: string }
  | { type: "answer"; taskId: string; callId: string; answer: string | null }
  | { type: "mentionQuery"; requestId: number; query: string }
  | { type: "openDiff"; taskId: string; callId: string }
  | { type: "selectModel" }
  | { type: "condense"; taskId: string }
  /** Tasks the panel's saved state shows running that its server does not run: read them again from their traces. */
  | { type: "refresh"; taskIds: string[] }
  /** A slash command was chosen: the host asks for its arguments, then answers with promptText. */
  | { type: "usePrompt"; requestId: number; server: string; name: string }
  | { type: "restoreCheckpoint"; taskId: string; checkpointId: string; what: RestoreWhat; overwrite?: boolean }
  | { type: "compareCheckpoint"; taskId: string; checkpointId: string; step: number }
  /** Plan/Act or the approval mode changed in the panel; `taskId`: the task it applies to at once. */
  | { type: "setMode"; taskId?: string; plan?: boolean; approvalMode?: ApprovalMode };

/** At most this many tasks are read again from their traces when the panel reloads. */
export const MAX_REFRESH = 20;

export const APPROVAL_MODES: readonly ApprovalMode[] = ["ask", "auto-edit", "auto-all"];

/** At most this many images go with one message (the server's limit). */
export const MAX_IMAGES = 8;

const optional = (value: unknown, type: "string" | "number"): boolean => value === undefined || typeof value === type;

function isImages(value: unknown): boolean {
  if (value === undefined) return true;
  if (!Array.isArray(value) || value.length > MAX_IMAGES) return false;
  return value.every((image: unknown) => typeof image === "object" && image !== null && typeof (image as ImageData).name === "string" && typeof (image as ImageData).data === "string");
}

export function isWebviewToHost(value: unknown): value is WebviewToHost {
  if (typeof value !== "object" || value === null) return false;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case "ready":
    case "selectModel":
      return true;
    case "startTask":
      return typeof message.task === "string" && optional(message.requestId, "number") && isImages(message.images);
    case "sendMessage":
      return typeof message.taskId === "string" && typeof message.text === "string" && optional(message.requestId, "number") && isImages(message.images);
    case "answer":
      return typeof message.taskId === "string" && typeof message.callId === "string" && (message.answer === null || typeof message.answer === "string");
    case "mentionQuery":
      return typeof message.requestId === "number" && typeof message.query === "string";
    case "stop":
    case "condense":
      return typeof message.taskId === "string";
    case "refresh":
      return Array.isArray(message.taskIds) && message.taskIds.length <= MAX_REFRESH && message.taskIds.every((id) => typeof id === "string");
    case "decide":
      return (
        typeof message.taskId === "string" &&
        typeof message.callId === "string" &&
        optional(message.reason, "string") &&
        (message.decision === "approve" || message.decision === "deny" || message.decision === "always")
      );
    case "openDiff":
      return typeof message.taskId === "string" && typeof message.callId === "string";
    case "usePrompt":
      return typeof message.requestId === "number" && typeof message.server === "string" && typeof message.name === "string";
    case "restoreCheckpoint":
      return (
        typeof message.taskId === "string" &&
        typeof message.checkpointId === "string" &&
        (message.what === "files" || message.what === "task" || message.what === "both") &&
        (message.overwrite === undefined || typeof message.overwrite === "boolean")
      );
    case "compareCheckpoint":
      return typeof message.taskId === "string" && typeof message.checkpointId === "string" && typeof message.step === "number";
    case "setMode":
      return (
        optional(message.taskId, "string") &&
        (message.plan === undefined || typeof message.plan === "boolean") &&
        (message.approvalMode === undefined || APPROVAL_MODES.includes(message.approvalMode as ApprovalMode))
      );
    default:
      return false;
  }
}
