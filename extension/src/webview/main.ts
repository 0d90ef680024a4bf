// The chat webview: folds host messages into state, patches the DOM once per frame, and turns clicks into
// host messages.
import * as l10n from "@vscode/l10n";
import type { HostToWebview, WebviewToHost } from "../shared/messages";
import { loadBundle } from "./l10n";
import type { Decision } from "../shared/protocol";
import { renderHeader, renderTranscript } from "./render";
import { activeTask, initialState, isRunning, reduce, type ViewState } from "./state";

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

loadBundle(document);
const vscode = acquireVsCodeApi();
let state: ViewState = (vscode.getState() as ViewState | undefined) ?? initialState();

const header = document.getElementById("header") as HTMLElement;
const transcript = document.getElementById("transcript") as HTMLElement;
const input = document.getElementById("task-input") as HTMLTextAreaElement;
const send = document.getElementById("send") as HTMLButtonElement;
const newTask = document.getElementById("new-task") as HTMLButtonElement;

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
  if (atBottom) transcript.scrollTop = transcript.scrollHeight;
  // With a task on screen, Send continues it (also after it ended); New task starts another.
  const task = activeTask(state);
  send.textContent = task ? l10n.t("Send") : l10n.t("Start task");
  send.title = task && !isRunning(task) ? l10n.t("Continue this task with a follow-up message") : "";
  newTask.hidden = !task;
  vscode.setState(state);
}

function submit(forceNew: boolean): void {
  const text = input.value.trim();
  if (!text) return;
  const task = activeTask(state);
  if (!forceNew && task) vscode.postMessage({ type: "sendMessage", taskId: task.taskId, text });
  else vscode.postMessage({ type: "startTask", task: text });
  input.value = "";
}

window.addEventListener("message", (event: MessageEvent<HostToWebview>) => {
  state = reduce(state, event.data);
  scheduleDraw();
});

document.addEventListener("click", (event) => {
  const target = (event.target as HTMLElement).closest<HTMLElement>("[data-action]");
  if (!target) return;
  const action = target.dataset.action;
  const taskId = target.dataset.taskId ?? "";
  const callId = target.dataset.callId ?? "";
  if (action === "approve" || action === "deny" || action === "always") {
    target.closest(".actions")?.querySelectorAll("button").forEach((b) => ((b as HTMLButtonElement).disabled = true));
    vscode.postMessage({ type: "decide", taskId, callId, decision: action as Decision });
  } else if (action === "openDiff") {
    vscode.postMessage({ type: "openDiff", taskId, callId });
  } else if (action === "stop") {
    vscode.postMessage({ type: "stop", taskId });
  } else if (action === "selectModel") {
    vscode.postMessage({ type: "selectModel" });
  }
});

send.addEventListener("click", () => submit(false));
newTask.addEventListener("click", () => submit(true));
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    submit(false);
  }
});

draw();
vscode.postMessage({ type: "ready" });
