// Messages between the extension host and the chat webview. Both directions are plain JSON.
import type { AgentEvent, Decision, Locality } from "./protocol";

/** The id of the element in which the host embeds the l10n bundle for the webview (JSON). */
export const L10N_BUNDLE_ELEMENT = "l10n-bundle";

export interface ModelBadge {
  profile: string;
  locality: Locality | "unknown";
}

export type HostToWebview =
  | { type: "event"; taskId: string; event: AgentEvent }
  | { type: "taskStarted"; taskId: string; task: string }
  | { type: "approvalSettled"; taskId: string; callId: string }
  | { type: "model"; badge: ModelBadge }
  | { type: "serverState"; state: "starting" | "running" | "stopped" | "failed"; message?: string }
  | { type: "error"; message: string; taskId?: string };

export type WebviewToHost =
  | { type: "ready" }
  | { type: "startTask"; task: string }
  | { type: "sendMessage"; taskId: string; text: string }
  | { type: "stop"; taskId: string }
  | { type: "decide"; taskId: string; callId: string; decision: Decision }
  | { type: "openDiff"; taskId: string; callId: string }
  | { type: "selectModel" };

export function isWebviewToHost(value: unknown): value is WebviewToHost {
  if (typeof value !== "object" || value === null) return false;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case "ready":
    case "selectModel":
      return true;
    case "startTask":
      return typeof message.task === "string";
    case "sendMessage":
      return typeof message.taskId === "string" && typeof message.text === "string";
    case "stop":
      return typeof message.taskId === "string";
    case "decide":
      return (
        typeof message.taskId === "string" &&
        typeof message.callId === "string" &&
        (message.decision === "approve" || message.decision === "deny" || message.decision === "always")
      );
    case "openDiff":
      return typeof message.taskId === "string" && typeof message.callId === "string";
    default:
      return false;
  }
}
