// The chat panel's state, and the one pure function that folds host messages into it.
import * as l10n from "@vscode/l10n";
import { localityLabel } from "../shared/labels";
import type { HostToWebview, ModelBadge } from "../shared/messages";
import type { FileChange, Locality } from "../shared/protocol";

export type CardStatus = "proposed" | "awaiting" | "approved" | "denied" | "succeeded" | "failed";

export interface ToolCard {
  callId: string;
  /** Bumped on every change; the renderer rebuilds a card only when its revision moved. */
  rev: number;
  tool: string;
  category: string;
  arguments: Record<string, unknown>;
  status: CardStatus;
  summary: string;
  /** Why the policy asks (for example "command tools: ask"). */
  askedBecause: string;
  preview: string;
  decidedBy: string;
  reason: string;
  output: string;
  fileChanges: FileChange[];
}

export type TranscriptItem =
  | { kind: "user"; text: string }
  | { kind: "assistant"; text: string }
  | { kind: "tool"; callId: string }
  | { kind: "result"; text: string; outcome: string }
  | { kind: "error"; text: string }
  | { kind: "note"; text: string };

export type TaskStatus = "starting" | "running" | "completed" | "failed" | "cancelled" | "limit";

export interface TaskView {
  taskId: string;
  task: string;
  model: string;
  profile: string;
  locality: Locality | "unknown";
  status: TaskStatus;
  items: TranscriptItem[];
  cards: Record<string, ToolCard>;
  promptTokens: number;
  completionTokens: number;
  /** null: a call's price was unknown (a cloud model litellm has no price for). */
  costUsd: number | null;
  awaiting: string[];
}

export interface ViewState {
  tasks: TaskView[];
  model: ModelBadge;
  server: { state: "starting" | "running" | "stopped" | "failed"; message: string };
  errors: string[];
}

export function initialState(): ViewState {
  return { tasks: [], model: { profile: "", locality: "unknown" }, server: { state: "starting", message: "" }, errors: [] };
}

export function activeTask(state: ViewState): TaskView | undefined {
  return state.tasks[state.tasks.length - 1];
}

export function isRunning(task: TaskView | undefined): boolean {
  return task !== undefined && (task.status === "starting" || task.status === "running");
}

function newTask(taskId: string, task: string): TaskView {
  return {
    taskId,
    task,
    model: "",
    profile: "",
    locality: "unknown",
    status: "starting",
    items: [],
    cards: {},
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    awaiting: [],
  };
}

function newCard(callId: string, tool: string, category: string, args: Record<string, unknown>): ToolCard {
  return { callId, rev: 0, tool, category, arguments: args, status: "proposed", summary: "", askedBecause: "", preview: "", decidedBy: "", reason: "", output: "", fileChanges: [] };
}

// The reducer copies on write: a message copies the one task it touches (and the one card), and shares
// everything else with the previous state, so a streamed delta costs little however long the task is.
function taskFor(state: ViewState, taskId: string): TaskView {
  const index = state.tasks.findIndex((t) => t.taskId === taskId);
  if (index < 0) {
    const task = newTask(taskId, "");
    state.tasks.push(task);
    return task;
  }
  const previous = state.tasks[index] as TaskView;
  const task = { ...previous, items: [...previous.items], cards: { ...previous.cards }, awaiting: [...previous.awaiting] };
  state.tasks[index] = task;
  return task;
}

function cardFor(task: TaskView, callId: string, tool: string, category = "", args: Record<string, unknown> = {}): ToolCard {
  const existing = task.cards[callId];
  if (existing) {
    const card = { ...existing, rev: existing.rev + 1 };
    task.cards[callId] = card;
    return card;
  }
  const card = newCard(callId, tool, category, args);
  task.cards[callId] = card;
  task.items.push({ kind: "tool", callId });
  return card;
}

function markAwaiting(task: TaskView, card: ToolCard, summary: string, reason: string, preview: string): void {
  if (card.status === "proposed" || card.status === "awaiting") card.status = "awaiting";
  if (summary) card.summary = summary;
  if (reason) card.askedBecause = reason;
  if (preview) card.preview = preview;
  if (card.status === "awaiting" && !task.awaiting.includes(card.callId)) task.awaiting.push(card.callId);
}

function settle(task: TaskView, callId: string): void {
  task.awaiting = task.awaiting.filter((id) => id !== callId);
}

/** Folds one message from the extension host into the state. Never mutates its input. */
export function reduce(previous: ViewState, message: HostToWebview): ViewState {
  const state: ViewState = { ...previous, tasks: [...previous.tasks], errors: [...previous.errors] };
  switch (message.type) {
    case "model":
      state.model = message.badge;
      return state;
    case "serverState":
      state.server = { state: message.state, message: message.message ?? "" };
      return state;
    case "error":
      if (message.taskId) taskFor(state, message.taskId).items.push({ kind: "error", text: message.message });
      else state.errors.push(message.message);
      return state;
    case "taskStarted": {
      const task = taskFor(state, message.taskId);
      task.task = message.task;
      if (!task.items.some((item) => item.kind === "user")) task.items.unshift({ kind: "user", text: message.task });
      return state;
    }
    case "approvalSettled":
      settle(taskFor(state, message.taskId), message.callId);
      return state;
    case "event":
      applyEvent(state, message.taskId, message.event);
      return state;
  }
}

function applyEvent(state: ViewState, taskId: string, event: Extract<HostToWebview, { type: "event" }>["event"]): void {
  const task = taskFor(state, taskId);
  switch (event.type) {
    case "task_started":
      task.task = task.task || event.task;
      task.model = event.model;
      task.profile = event.profile;
      task.locality = event.locality;
      task.status = "running";
      if (!task.items.some((item) => item.kind === "user")) task.items.unshift({ kind: "user", text: event.task });
      return;
    case "user_message":
      task.items.push({ kind: "user", text: event.text });
      if (!isRunning(task)) task.status = "running";
      return;
    case "text_delta": {
      const last = task.items[task.items.length - 1];
      if (last?.kind === "assistant") task.items[task.items.length - 1] = { kind: "assistant", text: last.text + event.text };
      else task.items.push({ kind: "assistant", text: event.text });
      return;
    }
    case "usage":
      task.promptTokens = event.total_prompt_tokens;
      task.completionTokens = event.total_completion_tokens;
      task.costUsd = event.total_cost_usd;
      task.model = event.model || task.model;
      task.locality = event.locality || task.locality;
      return;
    case "model_changed":
      task.model = event.model;
      task.profile = event.profile;
      task.locality = event.locality;
      task.items.push({ kind: "note", text: l10n.t("continuing with {0} ({1}, {2})", event.profile, event.model, localityLabel(event.locality)) });
      return;
    case "model_notice":
      task.items.push({ kind: "note", text: event.message });
      return;
    case "tool_call_proposed":
      cardFor(task, event.call_id, event.tool, event.category, event.arguments);
      return;
    case "approval_requested":
      markAwaiting(task, cardFor(task, event.call_id, event.tool, event.category, event.arguments), event.summary, event.reason, event.preview);
      return;
    case "approval_decided": {
      const card = cardFor(task, event.call_id, event.tool);
      card.status = event.approved ? "approved" : "denied";
      card.decidedBy = event.by;
      card.reason = event.reason;
      settle(task, event.call_id);
      return;
    }
    case "tool_result": {
      const card = cardFor(task, event.call_id, event.tool);
      if (card.status !== "denied") card.status = event.ok ? "succeeded" : "failed";
      card.output = event.output;
      card.fileChanges = event.file_changes ?? [];
      settle(task, event.call_id);
      return;
    }
    case "task_finished": {
      const outcome = event.outcome as TaskStatus;
      task.status = ["completed", "failed", "cancelled", "limit"].includes(outcome) ? outcome : "completed";
      task.awaiting = [];
      if (event.result) task.items.push({ kind: "result", text: event.result, outcome: event.outcome });
      return;
    }
    case "task_failed":
      task.status = "failed";
      task.awaiting = [];
      task.items.push({ kind: "error", text: event.error });
      return;
  }
}
