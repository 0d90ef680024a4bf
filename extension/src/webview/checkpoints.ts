// The checkpoint row under a changing step (Restore files / task / both, Compare, and the confirmation
// before overwriting files changed outside the task), and the Plan/Act switch with the approval menu.
import * as l10n from "@vscode/l10n";
import { APPROVAL_MODES } from "../shared/messages";
import { approvalLabel } from "./checkpointState";
import { button, el, select } from "./dom";
import { patchChildren, type NodeSpec } from "./patch";
import { activeTask, isRunning, type TaskView, type ViewState } from "./state";

type CheckpointItem = Extract<TaskView["items"][number], { kind: "checkpoint" }>;

export function checkpointSpec(task: TaskView, item: CheckpointItem): NodeSpec {
  const pending = task.pendingRestore?.checkpointId === item.checkpointId ? task.pendingRestore : undefined;
  const running = isRunning(task);
  return {
    key: `checkpoint:${item.checkpointId}`,
    signature: `${running}:${pending ? `${pending.what}:${pending.files.join("\u0000")}` : ""}`,
    build: () => checkpointRow(task, item, running),
  };
}

function checkpointRow(task: TaskView, item: CheckpointItem, running: boolean): HTMLElement {
  const root = el("div", "checkpoint", undefined, { "data-checkpoint-id": item.checkpointId, "data-step": String(item.step) });
  const ids = { "data-task-id": task.taskId, "data-checkpoint-id": item.checkpointId, "data-step": String(item.step) };
  const line = el("div", "checkpoint-line");
  line.appendChild(el("span", "checkpoint-label", l10n.t("Checkpoint before step {0}", item.step)));
  const actions = el("span", "checkpoint-actions");
  const restoring: [string, string, string][] = [
    ["files", l10n.t("Restore files"), l10n.t("Bring the workspace back to how it was before this step (this step and later ones are undone)")],
    ["task", l10n.t("Restore task"), l10n.t("Rewind the conversation to before this step; your next message continues from there")],
    ["both", l10n.t("Restore both"), l10n.t("Restore the files and rewind the conversation")],
  ];
  for (const [what, label, title] of restoring) {
    const node = button(label, "restoreCheckpoint", { ...ids, "data-what": what, title }, "link");
    if (running) node.setAttribute("disabled", "");
    actions.appendChild(node);
  }
  actions.appendChild(button(l10n.t("Compare"), "compareCheckpoint", { ...ids, title: l10n.t("Show what changed since this checkpoint") }, "link"));
  line.appendChild(actions);
  root.appendChild(line);
  if (running) root.appendChild(el("div", "checkpoint-hint", l10n.t("Stop the task or let it finish to restore.")));
  const pending = task.pendingRestore?.checkpointId === item.checkpointId ? task.pendingRestore : undefined;
  if (pending) {
    const confirm = el("div", "checkpoint-confirm", undefined, { role: "alert" });
    confirm.appendChild(el("div", "", l10n.t("These files were changed since, outside the task. Restoring overwrites them:")));
    const list = el("ul", "checkpoint-files");
    for (const path of pending.files) list.appendChild(el("li", "", path));
    confirm.appendChild(list);
    const row = el("div", "actions");
    row.append(
      button(l10n.t("Restore anyway"), "restoreCheckpoint", { ...ids, "data-what": pending.what, "data-overwrite": "true" }, "danger"),
      button(l10n.t("Cancel"), "cancelRestore", ids, "secondary"),
    );
    confirm.appendChild(row);
    root.appendChild(confirm);
  }
  return root;
}

const CONVERSATION: ReadonlySet<string> = new Set(["user", "assistant", "tool", "question", "attached", "result"]);

/** Whether item `index` is a turn of the conversation a "restore task" dropped (notes and checkpoints are not). */
export function isRewound(task: TaskView, index: number): boolean {
  const item = task.items[index];
  if (!item || !CONVERSATION.has(item.kind)) return false;
  return (task.rewound ?? []).some(([from, to]) => index >= from && index < to);
}

/** The item as it is drawn, dimmed and marked as no longer in the conversation. */
export function rewoundSpec(spec: NodeSpec): NodeSpec {
  return {
    ...spec,
    signature: `rewound:${spec.signature}`,
    build: () => {
      const node = spec.build();
      node.classList.add("rewound");
      node.title = l10n.t("No longer in the conversation (the task was rewound)");
      return node;
    },
  };
}

/** The mode the panel's task runs in (or the next task starts in): a Plan/Act switch and the approval menu. */
export function renderModes(root: HTMLElement, state: ViewState): void {
  const task = activeTask(state);
  // A running task shows its own mode; otherwise the mode the next message or task runs in.
  const mode = (isRunning(task) ? task?.mode : undefined) ?? state.mode;
  const taskId = task?.taskId ?? "";
  const spec: NodeSpec = {
    key: "modes",
    signature: `${taskId}:${mode.plan}:${mode.approvalMode}`,
    build: () => {
      const bar = el("div", "mode-bar", undefined, { role: "group", "aria-label": l10n.t("Task mode") });
      const toggle = el("div", "plan-act", undefined, { role: "radiogroup", "aria-label": l10n.t("Plan or Act") });
      const plan = button(l10n.t("Plan"), "setPlan", { "data-plan": "true", "aria-pressed": String(mode.plan), title: l10n.t("Plan: only reading tools run") }, mode.plan ? "on" : "");
      const act = button(l10n.t("Act"), "setPlan", { "data-plan": "false", "aria-pressed": String(!mode.plan), title: l10n.t("Act: edits and commands run as the approval mode says") }, mode.plan ? "" : "on");
      toggle.append(plan, act);
      const options = APPROVAL_MODES.map((value): [string, string] => [value, approvalLabel(value)]);
      const menu = select("setApproval", options, mode.approvalMode, { "aria-label": l10n.t("Approval mode"), title: l10n.t("Approval mode") });
      bar.append(toggle, menu);
      return bar;
    },
  };
  patchChildren(root, [spec]);
}
