// The chat webview: folds host messages into state, patches the DOM once per frame, and turns clicks into
// host messages (the input and its mentions, chips and images: composer.ts).
import * as l10n from "@vscode/l10n";
import { APPROVAL_MODES, MAX_REFRESH, type HostToWebview, type WebviewToHost } from "../shared/messages";
import { Composer } from "./composer";
import { loadBundle } from "./l10n";
import type { Decision } from "../shared/protocol";
import { renderModes } from "./checkpoints";
import { renderHeader, renderTranscript } from "./render";
import { activeTask, isRunning, reduce, restoreState, staleTasks, type ViewState } from "./state";

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

loadBundle(document);
const vscode = acquireVsCodeApi();
let state: ViewState = restoreState(vscode.getState());

const header = document.getElementById("header") as HTMLElement;
const transcript = document.getElementById("transcript") as HTMLElement;
const input = document.getElementById("task-input") as HTMLTextAreaElement;
const send = document.getElementById("send") as HTMLButtonElement;
const newTask = document.getElementById("new-task") as HTMLButtonElement;
const modes = document.getElementById("modes") as HTMLElement;
const composer = new Composer(
  {
    input,
    chips: document.getElementById("composer-chips") as HTMLElement,
    list: document.getElementById("mention-list") as HTMLElement,
    error: document.getElementById("composer-error") as HTMLElement,
    buttons: [send, newTask],
  },
  (message) => vscode.postMessage(message),
  () => submit(false),
);

let drawScheduled = false;

/** Many messages in one frame (a streamed answer) cost one patch. */
function scheduleDraw(): void {
  if (drawScheduled) return;
  drawScheduled = true;
  requestAnimationFrame(() => {
    drawScheduled = false;
    draw();
  });
}

function draw(): void {
  renderHeader(header, state);
  const atBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
  renderTranscript(transcript, state);
  renderModes(modes, state);
  if (atBottom) transcript.scrollTop = transcript.scrollHeight;
  // With a task on screen, Send continues it (also after it ended); New task starts another.
  const task = activeTask(state);
  send.textContent = task ? l10n.t("Send") : l10n.t("Start task");
  send.title = task && !isRunning(task) ? l10n.t("Continue this task with a follow-up message") : "";
  newTask.hidden = !task;
  vscode.setState(state);
}

function submit(forceNew: boolean): void {
  const task = activeTask(state);
  composer.submit(!forceNew && task ? task.taskId : undefined);
}

window.addEventListener("message", (event: MessageEvent<HostToWebview>) => {
  if (composer.receive(event.data)) return;
  // Tasks that died with an earlier server (a reload) are read again from their traces, which know how they ended.
  const stale = event.data.type === "live" ? staleTasks(state, event.data.running).slice(0, MAX_REFRESH) : [];
  if (stale.length) vscode.postMessage({ type: "refresh", taskIds: stale });
  state = reduce(state, event.data);
  scheduleDraw();
});

/** The text typed into an input of the card that holds `target`. */
function typed(target: HTMLElement, selector: string): string {
  return target.closest(".card")?.querySelector<HTMLInputElement>(selector)?.value.trim() ?? "";
}

function disableCard(target: HTMLElement): void {
  // l10n-ignore: a CSS selector
  target.closest(".card")?.querySelectorAll<HTMLButtonElement | HTMLInputElement>(".actions button, .actions input").forEach((b) => (b.disabled = true));
}

function answer(target: HTMLElement, text: string | null): void {
  disableCard(target);
  vscode.postMessage({ type: "answer", taskId: target.dataset.taskId ?? "", callId: target.dataset.callId ?? "", answer: text });
}

document.addEventListener("click", (event) => {
  const target = (event.target as HTMLElement).closest<HTMLElement>("[data-action]");
  if (!target) return;
  const action = target.dataset.action;
  const taskId = target.dataset.taskId ?? "";
  const callId = target.dataset.callId ?? "";
  if (action === "approve" || action === "deny" || action === "always") {
    const reason = action === "deny" ? typed(target, ".deny-reason") : "";
    disableCard(target);
    vscode.postMessage({ type: "decide", taskId, callId, decision: action as Decision, ...(reason ? { reason } : {}) });
  } else if (action === "answer") {
    answer(target, target.dataset.answer ?? "");
  } else if (action === "answerText") {
    const text = typed(target, ".answer-input");
    if (text) answer(target, text);
  } else if (action === "skipQuestion") {
    answer(target, null);
  } else if (action === "openDiff") {
    vscode.postMessage({ type: "openDiff", taskId, callId });
  } else if (action === "stop") {
    vscode.postMessage({ type: "stop", taskId });
  } else if (action === "condense") {
    vscode.postMessage({ type: "condense", taskId });
  } else if (action === "selectModel") {
    vscode.postMessage({ type: "selectModel" });
  } else if (action === "restoreCheckpoint" || action === "compareCheckpoint" || action === "cancelRestore") {
    checkpointAction(action, target);
  } else if (action === "setPlan") {
    vscode.postMessage({ type: "setMode", plan: target.dataset.plan === "true", ...activeTaskId() });
  }
});

function activeTaskId(): { taskId?: string } {
  const task = activeTask(state);
  return task ? { taskId: task.taskId } : {};
}

function checkpointAction(action: string, target: HTMLElement): void {
  const taskId = target.dataset.taskId ?? "";
  const checkpointId = target.dataset.checkpointId ?? "";
  const what = target.dataset.what === "task" || target.dataset.what === "both" ? target.dataset.what : "files";
  if (action === "cancelRestore") {
    state = reduce(state, { type: "restoreConfirm", taskId, checkpointId, what, files: [] });
    scheduleDraw();
  } else if (action === "compareCheckpoint") {
    vscode.postMessage({ type: "compareCheckpoint", taskId, checkpointId, step: Number(target.dataset.step ?? 0) });
  } else {
    vscode.postMessage({ type: "restoreCheckpoint", taskId, checkpointId, what, ...(target.dataset.overwrite === "true" ? { overwrite: true } : {}) });
  }
}

document.addEventListener("change", (event) => {
  const target = event.target as HTMLElement;
  if (target instanceof HTMLSelectElement && target.dataset.action === "setApproval") {
    const approvalMode = APPROVAL_MODES.find((mode) => mode === target.value);
    if (approvalMode) vscode.postMessage({ type: "setMode", approvalMode, ...activeTaskId() });
  }
});

send.addEventListener("click", () => submit(false));
newTask.addEventListener("click", () => submit(true));
// Enter in a card's input: the answer is sent, the denial given with its reason.
document.addEventListener("keydown", (event) => {
  const field = event.target as HTMLElement;
  if (event.key !== "Enter" || !(field instanceof HTMLInputElement)) return;
  const action = field.classList.contains("answer-input") ? "answerText" : field.classList.contains("deny-reason") ? "deny" : "";
  const button = action ? field.closest(".card")?.querySelector<HTMLElement>(`button[data-action="${action}"]`) : null;
  if (button) {
    event.preventDefault();
    button.click();
  }
});

draw();
vscode.postMessage({ type: "ready" });
