// The chat panel's state, and the one pure function that folds host messages into it.
import * as l10n from "@vscode/l10n";
import { localityLabel } from "../shared/labels";
import type { HostToWebview, ModelBadge } from "../shared/messages";
import type { ApprovalMode, Attached, EventOf, FileChange, HistorySegment, Locality } from "../shared/protocol";
import { applyCheckpointEvent, type PendingRestore } from "./checkpointState";
import { applyContextEvent, isContextEvent, type CondensedItem, type ContextView } from "./context";

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
  /** The user changed the proposal in the diff editor (before approving, or as recorded after). */
  edited: boolean;
}

export type QuestionStatus = "asked" | "answered" | "unanswered";

/** A question the model asked (`ask_followup_question`). */
export interface QuestionCard {
  callId: string;
  rev: number;
  question: string;
  suggestions: string[];
  status: QuestionStatus;
  answer: string;
  /** Who answered: user, nobody, timeout, cancelled. */
  by: string;
}

export type TranscriptItem =
  | { kind: "user"; text: string }
  | { kind: "assistant"; text: string }
  | { kind: "tool"; callId: string }
  | { kind: "question"; callId: string }
  | { kind: "attached"; items: Attached[] }
  | { kind: "result"; text: string; outcome: string }
  | { kind: "error"; text: string }
  | { kind: "note"; text: string }
  | { kind: "warning"; text: string }
  /** A checkpoint taken before step `step` changed anything: restore or compare it. */
  | { kind: "checkpoint"; checkpointId: string; step: number; from?: number }
  | CondensedItem;

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
  questions: Record<string, QuestionCard>;
  /** Questions this panel can still answer. */
  asking: string[];
  /** About how many tokens the attached context added to the task's requests. */
  attachedTokens: number;
  /** The model's last reply is complete (its usage came): the next text is a new message. */
  replyEnded: boolean;
  /** The task's Plan/Act and approval mode, when it said (task_started, mode_changed). */
  mode?: { plan: boolean; approvalMode: ApprovalMode };
  /** A restore that waits for the user to confirm overwriting files changed outside the task. */
  pendingRestore?: PendingRestore;
  /** How full the model's window is (absent until the first call; webview/context.ts). */
  context?: ContextView;
  /** Where the current step's items begin (its reply's text, then its tool cards). */
  stepStart?: number;
  /** Item ranges [from, to) a "restore task" dropped from the conversation (still shown, dimmed). */
  rewound?: [number, number][];
}

export interface ViewState {
  tasks: TaskView[];
  model: ModelBadge;
  /** The mode a new task starts in (the host's). */
  mode: { plan: boolean; approvalMode: ApprovalMode };
  server: { state: "starting" | "running" | "stopped" | "failed"; message: string };
  errors: string[];
}

export function initialState(): ViewState {
  return { tasks: [], model: { profile: "", locality: "unknown" }, mode: { plan: false, approvalMode: "ask" }, server: { state: "starting", message: "" }, errors: [] };
}

/** The state the webview saved (vscode.getState), perhaps by an earlier version: what it lacks is filled in. */
export function restoreState(saved: unknown): ViewState {
  const state = saved as Partial<ViewState> | undefined;
  if (typeof state !== "object" || state === null || !Array.isArray(state.tasks)) return initialState();
  return { ...initialState(), ...state, tasks: state.tasks.map((task) => ({ ...newTask(task.taskId, task.task), ...task })) };
}

export function activeTask(state: ViewState): TaskView | undefined {
  return state.tasks[state.tasks.length - 1];
}

/** The tasks shown as running that the server, which runs only `running`, does not run (they died with an earlier one). */
export function staleTasks(state: ViewState, running: string[]): string[] {
  return state.tasks.filter((task) => isRunning(task) && !running.includes(task.taskId)).map((task) => task.taskId);
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
    questions: {},
    asking: [],
    attachedTokens: 0,
    replyEnded: false,
  };
}

function newCard(callId: string, tool: string, category: string, args: Record<string, unknown>): ToolCard {
  return { callId, rev: 0, tool, category, arguments: args, status: "proposed", summary: "", askedBecause: "", preview: "", decidedBy: "", reason: "", output: "", fileChanges: [], edited: false };
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
  const task = {
    ...previous,
    items: [...previous.items],
    cards: { ...previous.cards },
    awaiting: [...previous.awaiting],
    questions: { ...previous.questions },
    asking: [...previous.asking],
  };
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

function questionFor(task: TaskView, callId: string): QuestionCard {
  const existing = task.questions[callId];
  const card: QuestionCard = existing
    ? { ...existing, rev: existing.rev + 1 }
    : { callId, rev: 0, question: "", suggestions: [], status: "asked", answer: "", by: "" };
  if (!existing) task.items.push({ kind: "question", callId });
  task.questions[callId] = card;
  return card;
}

/** Folds one message from the extension host into the state. Never mutates its input. */
export function reduce(previous: ViewState, message: HostToWebview): ViewState {
  const state: ViewState = { ...previous, tasks: [...previous.tasks], errors: [...previous.errors] };
  switch (message.type) {
    case "model":
      state.model = message.badge;
      return state;
    case "live":
      staleTasks(previous, message.running).forEach((taskId) => {
        const ended = taskFor(state, taskId);
        stopWaiting(ended);
        ended.items.push({ kind: "note", text: l10n.t("This task stopped when its server did (a window reload or a restart). Send a message to resume it from its trace.") });
      });
      return state;
    case "mode":
      state.mode = { plan: message.plan, approvalMode: message.approvalMode };
      return state;
    case "restoreConfirm": {
      const task = taskFor(state, message.taskId);
      task.pendingRestore = message.files.length ? { checkpointId: message.checkpointId, what: message.what, files: message.files } : undefined;
      return state;
    }
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
    case "history":
      openPast(state, message.taskId, message.task, message.segments, message.inPlace ?? false);
      return state;
    case "resumed":
      resumed(state, message.from, message.taskId);
      return state;
    case "approvalSettled":
      settle(taskFor(state, message.taskId), message.callId);
      return state;
    case "proposalEdited": {
      const task = taskFor(state, message.taskId);
      // Sent on every keystroke in the diff: the card changes (and is redrawn) only when `edited` does.
      if (task.cards[message.callId] && task.cards[message.callId]?.edited !== message.edited) cardFor(task, message.callId, "").edited = message.edited;
      return state;
    }
    case "questionSettled": {
      const task = taskFor(state, message.taskId);
      task.asking = task.asking.filter((id) => id !== message.callId);
      return state;
    }
    case "condensing": {
      const task = taskFor(state, message.taskId);
      if (task.context) task.context = { ...task.context, condensing: message.active };
      return state;
    }
    case "submitted":
    case "mentions":
    case "insertMention":
    case "mcpPrompts":
    case "promptText":
      return previous; // the composer's (main.ts)
    case "event":
      applyEvent(state, message.taskId, message.event);
      return state;
  }
}

function applyEvent(state: ViewState, taskId: string, event: Extract<HostToWebview, { type: "event" }>["event"]): void {
  const task = taskFor(state, taskId);
  if (applyCheckpointEvent(task, event)) return;
  if (isContextEvent(event)) {
    applyContextEvent(task, event);
    return;
  }
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
      if (last?.kind === "assistant" && !task.replyEnded) task.items[task.items.length - 1] = { kind: "assistant", text: last.text + event.text };
      else task.items.push({ kind: "assistant", text: event.text });
      task.replyEnded = false;
      return;
    }
    case "usage":
      task.replyEnded = true;
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
    case "containment":
      task.items.push(containmentItem(event));
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
      card.edited = event.approved && event.edited;
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
    case "question_asked": {
      const question = questionFor(task, event.call_id);
      question.question = event.question;
      question.suggestions = event.suggestions;
      if (question.status === "asked" && !task.asking.includes(event.call_id)) task.asking.push(event.call_id);
      return;
    }
    case "question_answered": {
      const question = questionFor(task, event.call_id);
      question.status = event.answer === null ? "unanswered" : "answered";
      question.answer = event.answer ?? "";
      question.by = event.by;
      task.asking = task.asking.filter((id) => id !== event.call_id);
      return;
    }
    case "context_attached":
      if (!event.items.length) return;
      task.items.push({ kind: "attached", items: event.items });
      task.attachedTokens += event.items.reduce((sum, item) => sum + (item.withheld ? 0 : item.tokens), 0);
      return;
    case "task_finished": {
      const outcome = event.outcome as TaskStatus;
      task.status = ["completed", "failed", "cancelled", "limit"].includes(outcome) ? outcome : "completed";
      task.awaiting = [];
      task.asking = [];
      if (event.result) task.items.push({ kind: "result", text: event.result, outcome: event.outcome });
      return;
    }
    case "task_failed":
      task.status = "failed";
      task.awaiting = [];
      task.asking = [];
      task.items.push({ kind: "error", text: event.error });
      return;
  }
}

/** A past task from the history, drawn from its events as a live one is; it becomes the panel's active task. */
/** Shows past task `taskId` from its trace: as the active task, or `inPlace` (where the panel showed it). */
function openPast(state: ViewState, taskId: string, title: string, segments: HistorySegment[], inPlace: boolean): void {
  const place = state.tasks.findIndex((t) => t.taskId === taskId);
  state.tasks = state.tasks.filter((t) => t.taskId !== taskId);
  const task = taskFor(state, taskId);
  task.task = title;
  segments.forEach((segment, index) => {
    if (segment.missing) {
      task.items.push({ kind: "note", text: l10n.t("The earlier part of this task is no longer in the workspace (deleted).") });
      return;
    }
    if (index > 0) task.items.push({ kind: "note", text: l10n.t("Resumed from the history") });
    task.replyEnded = true;
    for (const event of segment.events) applyEvent(state, taskId, event);
  });
  // A trace that stops without its end (the editor closed mid-task): nothing waits any more.
  stopWaiting(taskFor(state, taskId));
  if (inPlace && place >= 0) state.tasks.splice(place, 0, state.tasks.pop() as TaskView);
}

/** A task whose server is gone: nothing it waited for can be answered, and it no longer runs. */
function stopWaiting(task: TaskView): void {
  task.awaiting = [];
  task.asking = [];
  if (isRunning(task)) task.status = "cancelled";
}

/** The follow-up on past task `from` runs as task `taskId`: one conversation, shown in the same place. */
function resumed(state: ViewState, from: string, taskId: string): void {
  const index = state.tasks.findIndex((t) => t.taskId === from);
  if (index < 0) return;
  const early = state.tasks.find((t) => t.taskId === taskId);
  const task = { ...taskFor(state, from), taskId, status: "running" as TaskStatus, replyEnded: true };
  task.items.push({ kind: "note", text: l10n.t("Resumed from the history") });
  if (early) {
    // Events of the new task that arrived before the answer: the task's own first message is already shown.
    const first = early.items.findIndex((item) => item.kind === "user" && item.text === task.task);
    task.items.push(...early.items.filter((_, i) => i !== first));
    task.cards = { ...task.cards, ...early.cards };
    task.questions = { ...task.questions, ...early.questions };
    task.awaiting = [...early.awaiting];
    task.asking = [...early.asking];
  }
  state.tasks = state.tasks.filter((t) => t.taskId !== taskId && t.taskId !== from);
  state.tasks.push(task);
}

/** What holds the task's commands, shown once at its start; without a sandbox, as a warning. */
function containmentItem(event: EventOf<"containment">): TranscriptItem {
  if (event.sandbox === "bubblewrap") {
    return { kind: "note", text: l10n.t("Sandbox: bubblewrap · network blocked (a command may ask for it) · writable: the workspace · {0} places hidden", event.hidden.length) };
  }
  if (event.chosen) return { kind: "warning", text: l10n.t("No sandbox (turned off in the settings): commands run unconfined under the approval mode.") };
  if (event.commands_ask) return { kind: "warning", text: l10n.t("No sandbox can run here ({0}): every command asks you, even in auto-all.", event.reason) };
  return { kind: "warning", text: l10n.t("No sandbox can run here ({0}): commands are refused.", event.reason) };
}
