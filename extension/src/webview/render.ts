// Draws the chat state into the DOM. Model text goes through textContent or the safe Markdown
// renderer; buttons carry data-* attributes and are handled by one delegated listener (main.ts).
import { renderMarkdown } from "./markdown";
import type { TaskView, ToolCard, ViewState } from "./state";
import { isRunning } from "./state";

type Attrs = Record<string, string>;

function el(tag: string, className = "", text?: string, attrs: Attrs = {}): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

function button(label: string, action: string, attrs: Attrs = {}, className = ""): HTMLElement {
  return el("button", className, label, { type: "button", "data-action": action, ...attrs });
}

export function diffView(diff: string): HTMLElement {
  const pre = el("pre", "diff");
  for (const line of diff.split("\n")) {
    let kind = "ctx";
    if (line.startsWith("+++") || line.startsWith("---")) kind = "file";
    else if (line.startsWith("@@")) kind = "hunk";
    else if (line.startsWith("+")) kind = "add";
    else if (line.startsWith("-")) kind = "del";
    pre.appendChild(el("span", `line ${kind}`, `${line}\n`));
  }
  return pre;
}

function formatArguments(args: Record<string, unknown>): string {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    shown[key] = typeof value === "string" && value.length > 400 ? `${value.slice(0, 400)}…` : value;
  }
  return JSON.stringify(shown, null, 2);
}

const STATUS_LABEL: Record<ToolCard["status"], string> = {
  proposed: "proposed",
  awaiting: "waiting for approval",
  approved: "approved",
  denied: "denied",
  succeeded: "done",
  failed: "failed",
};

function card(task: TaskView, call: ToolCard): HTMLElement {
  const root = el("div", `card tool-card status-${call.status} category-${call.category || "other"}`, undefined, {
    "data-call-id": call.callId,
    "data-tool": call.tool,
  });
  const head = el("div", "card-head");
  head.append(el("span", "tool-name", call.tool), el("span", "card-status", STATUS_LABEL[call.status]));
  root.appendChild(head);
  if (call.summary) root.appendChild(el("div", "card-summary", call.summary));
  if (call.askedBecause && call.status === "awaiting") root.appendChild(el("div", "card-reason", `asks because: ${call.askedBecause}`));
  const isEdit = call.category === "edit";
  if (call.preview) {
    if (isEdit) root.appendChild(diffView(call.preview));
    else root.appendChild(el("pre", "preview", call.preview));
  } else {
    const details = el("details", "arguments");
    details.append(el("summary", "", "arguments"), el("pre", "", formatArguments(call.arguments)));
    root.appendChild(details);
  }
  if (call.status === "awaiting" && task.awaiting.includes(call.callId)) {
    const actions = el("div", "actions");
    const ids = { "data-task-id": task.taskId, "data-call-id": call.callId };
    actions.appendChild(button("Approve", "approve", ids, "primary"));
    actions.appendChild(button("Deny", "deny", ids, "secondary"));
    const alwaysLabel = call.category === "command" ? "Always allow this command" : `Always allow ${call.tool}`;
    actions.appendChild(button(alwaysLabel, "always", ids, "secondary"));
    if (isEdit) actions.appendChild(button("Open diff", "openDiff", ids, "link"));
    root.appendChild(actions);
  }
  if (call.decidedBy && call.status === "denied") {
    root.appendChild(el("div", "decision", `denied by ${call.decidedBy}${call.reason ? `: ${call.reason}` : ""}`));
  }
  for (const change of call.fileChanges) {
    if (change.diff && !call.preview) root.appendChild(diffView(change.diff));
  }
  if (call.output) {
    const details = el("details", "output");
    if (call.status === "failed") details.setAttribute("open", "");
    details.append(el("summary", "", "output"), el("pre", "", call.output));
    root.appendChild(details);
  }
  return root;
}

function taskSection(task: TaskView, isLast: boolean): HTMLElement {
  const section = el("section", `task task-${task.status}`, undefined, { "data-task-id": task.taskId });
  const head = el("div", "task-head");
  head.appendChild(el("span", "task-title", task.task || "(task)"));
  head.appendChild(el("span", `task-status status-${task.status}`, task.status));
  if (task.profile || task.model) {
    head.appendChild(el("span", `badge locality-${task.locality}`, `${task.profile || task.model} · ${task.locality}`));
  }
  const cost = task.costUsd === null ? " · cost unknown" : task.costUsd > 0 ? ` · $${task.costUsd.toFixed(4)}` : " · $0";
  head.appendChild(el("span", "counters", `${task.promptTokens} in · ${task.completionTokens} out tokens${cost}`));
  if (isRunning(task)) head.appendChild(button("Stop", "stop", { "data-task-id": task.taskId }, "danger"));
  section.appendChild(head);
  for (const item of task.items) {
    switch (item.kind) {
      case "user":
        section.appendChild(el("div", "msg user", item.text));
        break;
      case "assistant": {
        const div = el("div", "msg assistant markdown");
        div.innerHTML = renderMarkdown(item.text);
        section.appendChild(div);
        break;
      }
      case "tool": {
        const call = task.cards[item.callId];
        if (call) section.appendChild(card(task, call));
        break;
      }
      case "result": {
        const div = el("div", `msg result outcome-${item.outcome} markdown`);
        div.innerHTML = renderMarkdown(item.text);
        section.appendChild(div);
        break;
      }
      case "error":
        section.appendChild(el("div", "msg error", item.text));
        break;
      case "note":
        section.appendChild(el("div", "msg note", item.text));
        break;
    }
  }
  if (!isLast) section.classList.add("past");
  return section;
}

export function renderHeader(root: HTMLElement, state: ViewState): void {
  root.replaceChildren();
  const badge = state.model.profile ? `${state.model.profile} · ${state.model.locality}` : "no model";
  root.appendChild(button(badge, "selectModel", { title: "Switch model profile" }, `badge model-badge locality-${state.model.locality}`));
  if (state.server.state !== "running") {
    const className = state.server.state === "failed" ? "server-state error" : "server-state";
    root.appendChild(el("span", className, state.server.message || `server ${state.server.state}`));
  }
}

export function renderTranscript(root: HTMLElement, state: ViewState): void {
  root.replaceChildren();
  for (const message of state.errors) root.appendChild(el("div", "msg error", message));
  if (state.tasks.length === 0) {
    root.appendChild(el("div", "empty", "Describe a task for Flambeau. Edits and commands wait for your approval."));
  }
  state.tasks.forEach((task, index) => root.appendChild(taskSection(task, index === state.tasks.length - 1)));
}
