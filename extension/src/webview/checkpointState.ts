// The chat state's checkpoints and modes: a checkpoint row per changing step, what a restore did, the
// task's Plan/Act and approval mode. Called by the reducer (state.ts) for each event.
import * as l10n from "@vscode/l10n";
import type { RestoreWhat } from "../shared/messages";
import type { AgentEvent, ApprovalMode, EventOf } from "../shared/protocol";
import type { TaskView } from "./state";

export interface PendingRestore {
  checkpointId: string;
  what: RestoreWhat;
  files: string[];
}

const MODES: readonly string[] = ["ask", "auto-edit", "auto-all"];

function modeOf(extra: Record<string, unknown>): TaskView["mode"] {
  const mode = extra.mode as { plan?: unknown; approval_mode?: unknown } | undefined;
  if (typeof mode !== "object" || mode === null || typeof mode.plan !== "boolean" || !MODES.includes(String(mode.approval_mode))) return undefined;
  return { plan: mode.plan, approvalMode: mode.approval_mode as ApprovalMode };
}

/** Folds a checkpoint or mode event into `task` (already copied for writing); true when it was one. */
export function applyCheckpointEvent(task: TaskView, event: AgentEvent): boolean {
  switch (event.type) {
    case "task_started":
      task.mode = modeOf(event.extra) ?? task.mode;
      return false;
    case "usage": {
      const last = task.items[task.items.length - 1];
      task.stepStart = last?.kind === "assistant" ? task.items.length - 1 : task.items.length;
      return false;
    }
    case "checkpoint_created":
      if (!task.items.some((item) => item.kind === "checkpoint" && item.checkpointId === event.checkpoint_id)) {
        task.items.push({ kind: "checkpoint", checkpointId: event.checkpoint_id, step: event.step, from: task.stepStart ?? task.items.length });
      }
      return true;
    case "checkpoint_restored":
      task.pendingRestore = undefined;
      if (event.what !== "files") markRewound(task, event.checkpoint_id);
      task.items.push({ kind: "note", text: restoredNote(event) });
      if (event.failed.length) task.items.push({ kind: "warning", text: l10n.t("Not restored: {0}", event.failed.join("; ")) });
      return true;
    case "mode_changed":
      task.mode = { plan: event.plan, approvalMode: event.approval_mode };
      task.items.push({ kind: "note", text: l10n.t("Mode: {0} · approvals: {1}", event.plan ? l10n.t("Plan") : l10n.t("Act"), approvalLabel(event.approval_mode)) });
      return true;
    default:
      return false;
  }
}

/** The conversation was rewound to before the checkpoint's step: that step and what followed are dimmed. */
function markRewound(task: TaskView, checkpointId: string): void {
  const at = task.items.map((item) => item.kind === "checkpoint" && item.checkpointId === checkpointId).lastIndexOf(true);
  if (at < 0) return;
  const item = task.items[at] as { from?: number };
  task.rewound = [...(task.rewound ?? []), [Math.min(item.from ?? at, at), task.items.length]];
}

function restoredNote(event: EventOf<"checkpoint_restored">): string {
  const files = l10n.t("{0} written, {1} deleted", event.written.length, event.deleted.length);
  switch (event.what) {
    case "files":
      return l10n.t("Files restored to the checkpoint before step {0} ({1}).", event.step, files);
    case "task":
      return l10n.t("Task rewound to before step {0}: your next message continues from there (files unchanged).", event.step);
    case "both":
      return l10n.t("Files and task restored to before step {0} ({1}): your next message continues from there.", event.step, files);
  }
}

export function approvalLabel(mode: string): string {
  switch (mode) {
    case "auto-edit":
      return l10n.t("auto-approve edits");
    case "auto-all":
      return l10n.t("auto-approve all");
    default:
      return l10n.t("ask before edits and commands");
  }
}
