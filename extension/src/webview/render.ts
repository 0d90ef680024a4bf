// Draws the chat state into the DOM, patching only what changed (patch.ts): each task, transcript item
// and tool card is a keyed node rebuilt only when its own data changed. Model text goes through
// textContent or the safe Markdown renderer; buttons carry data-* attributes and are handled by one
// delegated listener (main.ts).
import * as l10n from "@vscode/l10n";
import { deciderLabel, denialReasonLabel, localityLabel, outcomeLabel } from "../shared/labels";
import { mcpCall } from "../shared/mcp";
import { attachedChips, questionCard } from "./cards";
import { checkpointSpec, isRewound, rewoundSpec } from "./checkpoints";
import { condensedCard, contextBar, contextSignature } from "./context";
import { button, el } from "./dom";
import { markdownBlocks, renderMarkdown } from "./markdown";
import { digest, patchChildren, type NodeSpec, type PatchStats } from "./patch";
import type { TaskView, ToolCard, TranscriptItem, ViewState } from "./state";
import { isRunning } from "./state";

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

function statusLabel(status: ToolCard["status"]): string {
  switch (status) {
    case "proposed":
      return l10n.t("proposed");
    case "awaiting":
      return l10n.t("waiting for approval");
    case "approved":
      return l10n.t("approved");
    case "denied":
      return l10n.t("denied");
    case "succeeded":
      return l10n.t("done");
    case "failed":
      return l10n.t("failed");
  }
}

interface Escalation {
  from?: string;
  to?: string;
  model?: string;
  provider?: string;
  locality?: string;
  api_base?: string;
}

/** The consent asked before a task moves to another model: what would leave the machine, and to whom. */
function escalationCard(task: TaskView, call: ToolCard): HTMLElement {
  const offer = call.arguments as Escalation;
  const [from, to, model, provider] = [offer.from ?? "", offer.to ?? "", offer.model ?? "", offer.provider ?? ""];
  const root = el("div", `card consent-card status-${call.status}`, undefined, { "data-call-id": call.callId, "data-tool": call.tool });
  const head = el("div", "card-head");
  head.append(el("span", "tool-name", l10n.t("Continue on {0}?", to)), el("span", "card-status", statusLabel(call.status), { "data-status": call.status }));
  root.appendChild(head);
  root.appendChild(el("div", "card-summary", l10n.t("The local model {0} kept sending tool calls that could not be used.", from)));
  if (offer.locality === "cloud") {
    const where = offer.api_base
      ? l10n.t("If you accept, this leaves your machine for {0} ({1} at {2}):", provider, model, offer.api_base)
      : l10n.t("If you accept, this leaves your machine for {0} ({1}):", provider, model);
    const list = el("ul", "consent-list");
    list.append(
      el("li", "", l10n.t("the task")),
      el("li", "", l10n.t("the conversation so far: the files and command output the agent has seen (never-to-cloud files withheld, secrets redacted)")),
      el("li", "", l10n.t("whatever the agent reads from now on")),
    );
    root.append(el("div", "consent-what", where), list);
  } else {
    root.appendChild(el("div", "consent-what", l10n.t("Nothing leaves this machine: {0} ({1}) runs locally.", to, model)));
  }
  if (call.status === "awaiting" && task.awaiting.includes(call.callId)) {
    const actions = el("div", "actions");
    const ids = { "data-task-id": task.taskId, "data-call-id": call.callId };
    const accept = offer.locality === "cloud" ? l10n.t("Send to {0}", provider) : l10n.t("Continue on {0}", to);
    actions.append(button(accept, "approve", ids, "primary"), button(l10n.t("Keep it local"), "deny", ids, "secondary"));
    root.appendChild(actions);
  } else if (call.status === "approved") {
    root.appendChild(el("div", "decision", l10n.t("Accepted: the task continues on {0}.", to)));
  } else if (call.status === "denied") {
    const by = call.decidedBy === "user" ? "" : deciderLabel(call.decidedBy);
    root.appendChild(el("div", "decision", by ? l10n.t("Not sent (decided by {0}): the task stays on {1}.", by, from) : l10n.t("Refused: nothing was sent; the task stays on {0}.", from)));
  }
  return root;
}

/** An MCP tool's name in a card's head: which server, which of its tools. */
function mcpName(mcp: { server: string; tool: string }): HTMLElement {
  const name = el("span", "tool-name mcp-name", undefined, { title: l10n.t("the tool {0} of the MCP server {1}", mcp.tool, mcp.server) });
  // l10n-ignore: "MCP" is the protocol's name
  name.append(
    el("span", "mcp-badge", "MCP"),
    el("span", "mcp-server", mcp.server),
    el("span", "mcp-separator", "›"),
    el("span", "mcp-tool", mcp.tool),
  );
  return name;
}

function card(task: TaskView, call: ToolCard): HTMLElement {
  if (call.category === "model") return escalationCard(task, call);
  const root = el("div", `card tool-card status-${call.status} category-${call.category || "other"}`, undefined, {
    "data-call-id": call.callId,
    "data-tool": call.tool,
  });
  const head = el("div", "card-head");
  const mcp = call.category === "mcp" ? mcpCall(call.tool, call.arguments) : undefined;
  head.append(mcp ? mcpName(mcp) : el("span", "tool-name", call.tool), el("span", "card-status", statusLabel(call.status), { "data-status": call.status }));
  root.appendChild(head);
  if (mcp) {
    // The server and tool are in the head; what it is asked is shown in full, not folded away.
    root.appendChild(el("pre", "mcp-arguments", formatArguments(call.arguments)));
  } else if (call.summary) root.appendChild(el("div", "card-summary", call.summary));
  if (call.askedBecause && call.status === "awaiting") root.appendChild(el("div", "card-reason", l10n.t("asks because: {0}", call.askedBecause)));
  const isEdit = call.category === "edit";
  const changes = call.fileChanges.filter((change) => change.diff);
  // Once an edit ran, its card shows what it changed (the user may have edited the proposal).
  const ranEdit = isEdit && changes.length > 0;
  if (mcp) {
    // shown above
  } else if (call.preview && !ranEdit) {
    if (isEdit) root.appendChild(diffView(call.preview));
    else root.appendChild(el("pre", "preview", call.preview));
  } else if (!call.preview) {
    const details = el("details", "arguments", undefined, { "data-details": "arguments" });
    details.append(el("summary", "", l10n.t("arguments")), el("pre", "", formatArguments(call.arguments)));
    root.appendChild(details);
  }
  const waiting = call.status === "awaiting" && task.awaiting.includes(call.callId);
  if (isEdit && call.edited) {
    const note = waiting ? l10n.t("Edited in the diff: Approve writes your version.") : l10n.t("Written as you edited it.");
    root.appendChild(el("div", "card-edited", note));
  } else if (isEdit && waiting) {
    root.appendChild(el("div", "card-hint", l10n.t("You can edit the proposal on the right side of the diff before approving.")));
  }
  if (waiting) {
    const actions = el("div", "actions");
    const ids = { "data-task-id": task.taskId, "data-call-id": call.callId };
    actions.appendChild(button(l10n.t("Approve"), "approve", ids, "primary"));
    actions.appendChild(button(l10n.t("Deny"), "deny", ids, "secondary"));
    const alwaysLabel =
      call.category === "command" ? l10n.t("Always allow this command") : mcp ? l10n.t("Always allow {0} of {1}", mcp.tool, mcp.server) : l10n.t("Always allow {0}", call.tool);
    actions.appendChild(button(alwaysLabel, "always", ids, "secondary"));
    if (isEdit) actions.appendChild(button(l10n.t("Open diff"), "openDiff", ids, "link"));
    const reason = l10n.t("Reason for denying (optional, told to the model)");
    actions.appendChild(el("input", "deny-reason", undefined, { type: "text", "data-keep": "reason", placeholder: reason, title: reason, "aria-label": reason }));
    root.appendChild(actions);
  }
  if (call.decidedBy && call.status === "denied") {
    const by = deciderLabel(call.decidedBy);
    const decision = call.reason ? l10n.t("denied by {0}: {1}", by, denialReasonLabel(call.reason)) : l10n.t("denied by {0}", by);
    root.appendChild(el("div", "decision", decision));
  }
  if (ranEdit || !call.preview) for (const change of changes) root.appendChild(diffView(change.diff));
  if (call.output) {
    const details = el("details", "output", undefined, { "data-details": "output" });
    if (call.status === "failed") details.setAttribute("open", "");
    details.append(el("summary", "", l10n.t("output")), el("pre", "", call.output));
    root.appendChild(details);
  }
  return root;
}

function taskHead(task: TaskView, isLast: boolean): HTMLElement {
  const head = el("div", "task-head");
  const title = task.task || l10n.t("(task)");
  head.appendChild(el("span", "task-title", title, { title }));
  head.appendChild(el("span", `task-status status-${task.status}`, outcomeLabel(task.status), { "data-status": task.status }));
  if (task.profile || task.model) {
    head.appendChild(el("span", `badge locality-${task.locality}`, `${task.profile || task.model} · ${localityLabel(task.locality)}`));
  }
  const tokens = l10n.t("{0} in · {1} out tokens", task.promptTokens, task.completionTokens);
  const cost = task.costUsd === null ? l10n.t("cost unknown") : `$${task.costUsd > 0 ? task.costUsd.toFixed(4) : "0"}`;
  const attached = task.attachedTokens ? ` · ${l10n.t("{0} attached", task.attachedTokens)}` : "";
  head.appendChild(el("span", "counters", `${tokens} · ${cost}${attached}`));
  if (isRunning(task)) head.appendChild(button(l10n.t("Stop"), "stop", { "data-task-id": task.taskId }, "danger"));
  // The context bar stays in sight (the head is sticky) while the task's conversation scrolls by.
  if (task.context && isLast) head.appendChild(contextBar(task.taskId, task.context));
  return head;
}

function markdownMessage(className: string, text: string): HTMLElement {
  const div = el("div", `${className} markdown`);
  div.innerHTML = renderMarkdown(text);
  return div;
}

function itemSpec(task: TaskView, item: TranscriptItem, index: number, stats?: PatchStats): NodeSpec {
  switch (item.kind) {
    case "tool": {
      const call = task.cards[item.callId];
      const waiting = task.awaiting.includes(item.callId);
      return {
        key: `tool:${item.callId}`,
        signature: call ? `${call.rev}:${waiting}` : "missing",
        build: () => (call ? card(task, call) : el("div", "card missing")),
      };
    }
    case "question": {
      const question = task.questions[item.callId];
      const waiting = task.asking.includes(item.callId);
      return {
        key: `question:${item.callId}`,
        signature: question ? `${question.rev}:${waiting}` : "missing",
        build: () => (question ? questionCard(task, question) : el("div", "card missing")),
      };
    }
    case "attached":
      return { key: `item:${index}`, signature: `attached:${item.items.length}`, build: () => attachedChips(item.items) };
    case "checkpoint":
      return checkpointSpec(task, item);
    case "condensed":
      return { key: `item:${index}`, signature: `condensed:${item.lastTurn}:${digest(item.summary)}`, build: () => condensedCard(item) };
    case "assistant":
      // Kept while it streams; only its last Markdown block changes, and only that block is rebuilt.
      return {
        key: `item:${index}`,
        signature: "assistant",
        build: () => el("div", "msg assistant markdown"),
        patch: (node) => patchChildren(node, markdownBlocks(item.text).map(blockSpec), stats),
      };
    case "result":
      return {
        key: `item:${index}`,
        signature: `result:${item.outcome}:${digest(item.text)}`,
        build: () => markdownMessage(`msg result outcome-${item.outcome}`, item.text),
      };
    default:
      return { key: `item:${index}`, signature: `${item.kind}:${digest(item.text)}`, build: () => el("div", `msg ${item.kind}`, item.text) };
  }
}

function blockSpec(block: string, index: number): NodeSpec {
  return {
    key: String(index),
    signature: digest(block),
    build: () => {
      const div = el("div", "md-block");
      div.innerHTML = renderMarkdown(block);
      return div;
    },
  };
}

function headSignature(task: TaskView): string {
  return [task.task, task.status, task.profile, task.model, task.locality, task.promptTokens, task.completionTokens, task.costUsd, task.attachedTokens, contextSignature(task.context)].join("\u0000");
}

function taskSpec(task: TaskView, isLast: boolean, stats: PatchStats): NodeSpec {
  return {
    key: `task:${task.taskId}`,
    // A task section is kept and patched inside, never rebuilt: its items change one by one.
    signature: "section",
    build: () => el("section", "task", undefined, { "data-task-id": task.taskId }),
    patch: (section) => patchTask(section, task, isLast, stats),
  };
}

function patchTask(section: HTMLElement, task: TaskView, isLast: boolean, stats?: PatchStats): void {
  section.className = `task task-${task.status}${isLast ? "" : " past"}`;
  const specs: NodeSpec[] = [{ key: "head", signature: `${headSignature(task)}:${isLast}`, build: () => taskHead(task, isLast) }];
  task.items.forEach((item, index) => {
    // A question's card stands for its tool call (ask_followup_question): the tool card is not shown.
    if (item.kind === "tool" && task.questions[item.callId]) return;
    const spec = itemSpec(task, item, index, stats);
    specs.push(isRewound(task, index) ? rewoundSpec(spec) : spec);
  });
  patchChildren(section, specs, stats);
}

function serverStateLabel(state: ViewState["server"]["state"]): string {
  switch (state) {
    case "starting":
      return l10n.t("server starting");
    case "running":
      return l10n.t("server running");
    case "stopped":
      return l10n.t("server stopped");
    case "failed":
      return l10n.t("server failed");
  }
}

export function renderHeader(root: HTMLElement, state: ViewState): void {
  const badge = state.model.profile ? `${state.model.profile} · ${localityLabel(state.model.locality)}` : l10n.t("no model");
  const specs: NodeSpec[] = [
    {
      key: "model",
      signature: `${badge}:${state.model.locality}`,
      build: () => button(badge, "selectModel", { title: l10n.t("Switch model profile") }, `badge model-badge locality-${state.model.locality}`),
    },
  ];
  if (state.server.state !== "running") {
    const className = state.server.state === "failed" ? "server-state error" : "server-state";
    const text = state.server.message || serverStateLabel(state.server.state);
    specs.push({ key: "server", signature: `${className}:${text}`, build: () => el("span", className, text) });
  }
  patchChildren(root, specs);
}

/** Patches `root` to show `state`; returns how many nodes were built and kept (for tests and benchmarks). */
export function renderTranscript(root: HTMLElement, state: ViewState): PatchStats {
  const stats: PatchStats = { built: 0, kept: 0 };
  const specs: NodeSpec[] = state.errors.map((message, index) => ({
    key: `error:${index}`,
    signature: digest(message),
    build: () => el("div", "msg error", message),
  }));
  if (state.tasks.length === 0) {
    specs.push({
      key: "empty",
      signature: "empty",
      build: () => el("div", "empty", l10n.t("Describe a task for Flambeau. Edits and commands wait for your approval.")),
    });
  }
  state.tasks.forEach((task, index) => specs.push(taskSpec(task, index === state.tasks.length - 1, stats)));
  patchChildren(root, specs, stats);
  return stats;
}
