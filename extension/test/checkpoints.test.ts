// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import type { HostToWebview } from "../src/shared/messages";
import type { EventOf } from "../src/shared/protocol";
import { renderModes } from "../src/webview/checkpoints";
import { renderTranscript } from "../src/webview/render";
import { activeTask, initialState, reduce, type ViewState } from "../src/webview/state";
import { ev, started, TASK } from "./fixtures";

function fold(...messages: HostToWebview[]): ViewState {
  return messages.reduce(reduce, initialState());
}

const created = ev({ type: "checkpoint_created", checkpoint_id: "c0ffee12", step: 2, files: 3 });
const finished = ev({ type: "task_finished", outcome: "completed", result: "done", steps: 3 });

function drawn(state: ViewState): HTMLElement {
  const root = document.createElement("div");
  renderTranscript(root, state);
  return root;
}

describe("checkpoints in the chat", () => {
  it("a checkpoint shows once, under its step, with Restore files / task / both and Compare", () => {
    const state = fold(ev(started), created, created, finished);
    expect(activeTask(state)?.items.filter((item) => item.kind === "checkpoint")).toEqual([{ kind: "checkpoint", checkpointId: "c0ffee12", step: 2, from: 1 }]);
    const row = drawn(state).querySelector('.checkpoint[data-checkpoint-id="c0ffee12"]');
    expect(row?.textContent).toContain("Checkpoint before step 2");
    const buttons = [...(row?.querySelectorAll("button") ?? [])].map((b) => [b.dataset.action, b.dataset.what ?? "", b.hasAttribute("disabled")]);
    expect(buttons).toEqual([
      ["restoreCheckpoint", "files", false],
      ["restoreCheckpoint", "task", false],
      ["restoreCheckpoint", "both", false],
      ["compareCheckpoint", "", false],
    ]);
  });

  it("while the task runs, restoring is disabled (Compare is not)", () => {
    const row = drawn(fold(ev(started), created)).querySelector(".checkpoint");
    const disabled = [...(row?.querySelectorAll("button") ?? [])].map((b) => b.hasAttribute("disabled"));
    expect(disabled).toEqual([true, true, true, false]);
    expect(row?.querySelector(".checkpoint-hint")).not.toBeNull();
  });

  it("a restore over files changed outside the task asks under the checkpoint, naming them; the restore clears it", () => {
    const asking = fold(ev(started), created, finished, { type: "restoreConfirm", taskId: TASK, checkpointId: "c0ffee12", what: "both", files: ["a.txt", "notes.md"] });
    const confirm = drawn(asking).querySelector(".checkpoint-confirm");
    expect([...(confirm?.querySelectorAll("li") ?? [])].map((li) => li.textContent)).toEqual(["a.txt", "notes.md"]);
    const anyway = confirm?.querySelector<HTMLElement>('button[data-action="restoreCheckpoint"]');
    expect(anyway?.dataset).toMatchObject({ what: "both", overwrite: "true", checkpointId: "c0ffee12" });
    expect(confirm?.querySelector('button[data-action="cancelRestore"]')).not.toBeNull();
    const restored = reduce(asking, ev({ type: "checkpoint_restored", checkpoint_id: "c0ffee12", step: 2, what: "both", written: ["a.txt"], deleted: ["b.txt"] }));
    expect(activeTask(restored)?.pendingRestore).toBeUndefined();
    expect(activeTask(restored)?.items.at(-1)).toEqual({ kind: "note", text: "Files and task restored to before step 2 (1 written, 1 deleted): your next message continues from there." });
    expect(drawn(restored).querySelector(".checkpoint-confirm")).toBeNull();
  });

  it("restoring the task dims the rewound step and what followed, from the step's own reply on", () => {
    const state = fold(
      ev(started),
      ev({ type: "text_delta", text: "First." }),
      ev({ type: "usage", step: 1 }),
      ev({ type: "tool_call_proposed", call_id: "c1", tool: "write_file", category: "edit" }),
      ev({ type: "text_delta", text: "Second." }),
      ev({ type: "usage", step: 2 }),
      ev({ type: "tool_call_proposed", call_id: "c2", tool: "write_file", category: "edit" }),
      created,
      ev({ type: "tool_result", call_id: "c2", tool: "write_file" }),
      finished,
      ev({ type: "checkpoint_restored", checkpoint_id: "c0ffee12", step: 2, what: "task", rewound_to_step: 1 }),
    );
    const kinds = activeTask(state)?.items.map((item) => item.kind);
    expect(kinds).toEqual(["user", "assistant", "tool", "assistant", "tool", "checkpoint", "result", "note"]);
    expect(activeTask(state)?.rewound).toEqual([[3, 7]]);
    const root = drawn(state);
    const dimmed = [...root.querySelectorAll(".rewound")].map((node) => node.className.split(" ")[0]);
    expect(dimmed).toEqual(["msg", "card", "msg"]); // the reply and card of step 2, the result; not the checkpoint
    expect(root.querySelector(".msg.note")?.classList.contains("rewound")).toBe(false);
  });

  it("what a restore could not write is shown as a warning", () => {
    const state = fold(ev(started), ev({ type: "checkpoint_restored", what: "files", step: 1, failed: ["x: refusing the path '.git/x'"] }));
    expect(activeTask(state)?.items.at(-1)).toEqual({ kind: "warning", text: "Not restored: x: refusing the path '.git/x'" });
  });
});

describe("Plan/Act and the approval menu", () => {
  function bar(state: ViewState): HTMLElement {
    const root = document.createElement("div");
    renderModes(root, state);
    return root;
  }

  it("without a task, shows the mode the next task starts in", () => {
    const root = bar(fold({ type: "mode", plan: true, approvalMode: "auto-edit" }));
    expect(root.querySelector('button[data-plan="true"]')?.getAttribute("aria-pressed")).toBe("true");
    expect(root.querySelector<HTMLSelectElement>('select[data-action="setApproval"]')?.value).toBe("auto-edit");
  });

  it("a running task shows its own mode, from task_started and then each mode_changed", () => {
    const start = ev({ ...(started as EventOf<"task_started">), extra: { mode: { plan: false, approval_mode: "ask" } } });
    let state = fold({ type: "mode", plan: true, approvalMode: "auto-all" }, start);
    expect(activeTask(state)?.mode).toEqual({ plan: false, approvalMode: "ask" });
    expect(bar(state).querySelector('button[data-plan="false"]')?.classList.contains("on")).toBe(true);
    state = reduce(state, ev({ type: "mode_changed", plan: true, approval_mode: "auto-edit", previous_plan: false, previous_approval_mode: "ask" }));
    expect(activeTask(state)?.mode).toEqual({ plan: true, approvalMode: "auto-edit" });
    expect(activeTask(state)?.items.at(-1)).toEqual({ kind: "note", text: "Mode: Plan · approvals: auto-approve edits" });
    expect(bar(state).querySelector<HTMLSelectElement>("select")?.value).toBe("auto-edit");
  });
});
