import { describe, expect, it } from "vitest";
import { activeTask, initialState, isRunning, reduce, staleTasks, type ViewState } from "../src/webview/state";
import type { HostToWebview } from "../src/shared/messages";
import { editApproval, ev, full, started, TASK } from "./fixtures";

function fold(...messages: HostToWebview[]): ViewState {
  return messages.reduce(reduce, initialState());
}

describe("chat state", () => {
  it("starts a task with the user's text and the model badge from task_started", () => {
    const state = fold({ type: "taskStarted", taskId: TASK, task: "Fix the greeting" }, ev(started));
    const task = activeTask(state);
    expect(task?.items).toEqual([{ kind: "user", text: "Fix the greeting" }]);
    expect(task?.profile).toBe("scripted");
    expect(task?.locality).toBe("local");
    expect(isRunning(task)).toBe(true);
  });

  it("does not mutate the previous state", () => {
    const before = fold(ev(started));
    const frozen = JSON.stringify(before);
    reduce(before, ev({ type: "text_delta", text: "hi" }));
    expect(JSON.stringify(before)).toBe(frozen);
  });

  it("joins streamed text deltas into one assistant message until a tool card interrupts", () => {
    const state = fold(
      ev(started),
      ev({ type: "text_delta", text: "Let me " }),
      ev({ type: "text_delta", text: "look." }),
      ev({ type: "tool_call_proposed", call_id: "c1", tool: "read_file", category: "read", arguments: { path: "a" } }),
      ev({ type: "text_delta", text: "Now edit." }),
    );
    const kinds = activeTask(state)?.items.map((i) => i.kind);
    expect(kinds).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(activeTask(state)?.items[1]).toEqual({ kind: "assistant", text: "Let me look." });
  });

  it("starts a new assistant message for each reply of the model, even with no tool card between them", () => {
    const usage = { type: "usage" as const, total_prompt_tokens: 1, total_completion_tokens: 1, total_cost_usd: 0 };
    const state = fold(ev(started), ev({ type: "text_delta", text: "hmm" }), ev(usage), ev({ type: "text_delta", text: "maybe" }), ev({ type: "text_delta", text: "?" }));
    expect(activeTask(state)?.items.slice(1)).toEqual([{ kind: "assistant", text: "hmm" }, { kind: "assistant", text: "maybe?" }]);
  });

  it("keeps the running token and cost totals from usage events", () => {
    const usage = { type: "usage" as const, prompt_tokens: 10, completion_tokens: 2, cost_usd: 0.001, locality: "cloud" as const, model: "gpt" };
    const state = fold(
      ev(started),
      ev({ ...usage, total_prompt_tokens: 10, total_completion_tokens: 2, total_cost_usd: 0.001 }),
      ev({ ...usage, total_prompt_tokens: 25, total_completion_tokens: 5, total_cost_usd: 0.0025 }),
    );
    const task = activeTask(state);
    expect([task?.promptTokens, task?.completionTokens, task?.costUsd]).toEqual([25, 5, 0.0025]);
    expect(task?.locality).toBe("cloud");
  });

  it("marks an edit as awaiting approval with its diff, then approved, then done with the file change", () => {
    let state = fold(ev(started), ev({ type: "tool_call_proposed", call_id: "c2", tool: "write_file", category: "edit", arguments: {} }), ev(editApproval));
    let card = activeTask(state)?.cards.c2;
    expect(card?.status).toBe("awaiting");
    expect(card?.preview).toContain("+hello, world");
    expect(activeTask(state)?.awaiting).toEqual(["c2"]);

    state = reduce(state, ev({ type: "approval_decided", call_id: "c2", tool: "write_file", approved: true, by: "user", reason: "" }));
    expect(activeTask(state)?.cards.c2?.status).toBe("approved");
    expect(activeTask(state)?.awaiting).toEqual([]);

    const change = { path: "hello.txt", sha256_before: "a", sha256_after: "b", diff: "d" };
    state = reduce(state, ev({ type: "tool_result", call_id: "c2", tool: "write_file", ok: true, output: "wrote", duration_s: 0.1, file_changes: [change], data: {} }));
    card = activeTask(state)?.cards.c2;
    expect(card?.status).toBe("succeeded");
    expect(card?.fileChanges).toEqual([change]);
  });

  it("keeps a denied command denied even when its (refusal) result arrives", () => {
    const state = fold(
      ev(started),
      ev({ type: "approval_requested", call_id: "c3", tool: "run_command", category: "command", summary: "", reason: "", preview: "rm -rf build", arguments: { command: "rm -rf build" } }),
      ev({ type: "approval_decided", call_id: "c3", tool: "run_command", approved: false, by: "user", reason: "no" }),
      ev({ type: "tool_result", call_id: "c3", tool: "run_command", ok: false, output: "denied", duration_s: 0, file_changes: [], data: {} }),
    );
    expect(activeTask(state)?.cards.c3?.status).toBe("denied");
  });

  it("a proposed call and its approval request make one card", () => {
    const state = fold(
      ev(started),
      ev({ type: "tool_call_proposed", call_id: "c2", tool: "write_file", category: "edit", arguments: {} }),
      ev(editApproval),
    );
    expect(activeTask(state)?.items.filter((i) => i.kind === "tool")).toHaveLength(1);
    expect(activeTask(state)?.cards.c2?.askedBecause).toBe("edits ask");
    expect(activeTask(state)?.awaiting).toEqual(["c2"]);
  });

  it("a settled approval (stop, cancel) no longer waits for a click", () => {
    const state = fold(ev(started), ev(editApproval), { type: "approvalSettled", taskId: TASK, callId: "c2" });
    expect(activeTask(state)?.awaiting).toEqual([]);
  });

  it("finishing a task shows its result and stops waiting for approvals", () => {
    const state = fold(ev(started), ev(editApproval), ev({ type: "task_finished", outcome: "completed", result: "Done.", steps: 3 }));
    const task = activeTask(state);
    expect(task?.status).toBe("completed");
    expect(task?.awaiting).toEqual([]);
    expect(task?.items.at(-1)).toEqual({ kind: "result", text: "Done.", outcome: "completed" });
    expect(isRunning(task)).toBe(false);
  });

  it("a cancelled task is shown as cancelled", () => {
    const state = fold(ev(started), ev({ type: "task_finished", outcome: "cancelled", result: "", steps: 1 }));
    expect(activeTask(state)?.status).toBe("cancelled");
  });

  it("a failed task shows its error", () => {
    const state = fold(ev(started), ev({ type: "task_failed", error: "model unreachable", steps: 0 }));
    expect(activeTask(state)?.status).toBe("failed");
    expect(activeTask(state)?.items.at(-1)).toEqual({ kind: "error", text: "model unreachable" });
  });

  it("a model notice (the embedded server restarted with the safest settings) is a note in the transcript", () => {
    const message = "the embedded model server was killed by signal SIGSEGV on its first start; it was restarted once";
    const state = fold(ev(started), ev({ type: "model_notice", profile: "local", message }));
    expect(activeTask(state)?.items.at(-1)).toEqual({ kind: "note", text: message });
    expect(isRunning(activeTask(state))).toBe(true);
  });

  it("the containment in force is a note, and a warning without a sandbox", () => {
    const sandboxed = fold(ev(started), ev({ type: "containment", sandbox: "bubblewrap", hidden: ["/home/u", "/run"] }));
    const note = activeTask(sandboxed)?.items.at(-1);
    expect(note?.kind).toBe("note");
    expect(note && "text" in note ? note.text : "").toContain("2 places hidden");
    const fallback = fold(ev(started), ev({ type: "containment", sandbox: "none", commands_ask: true, reason: "bubblewrap is not installed" }));
    expect(activeTask(fallback)?.items.at(-1)).toEqual({
      kind: "warning",
      text: "No sandbox can run here (bubblewrap is not installed): every command asks you, even in auto-all.",
    });
    const chosen = fold(ev(started), ev({ type: "containment", sandbox: "none", chosen: true }));
    expect(activeTask(chosen)?.items.at(-1)?.kind).toBe("warning");
  });

  it("host errors without a task go to the panel's error list, with a task into its transcript", () => {
    const state = fold(ev(started), { type: "error", message: "server down" }, { type: "error", message: "bad", taskId: TASK });
    expect(state.errors).toEqual(["server down"]);
    expect(activeTask(state)?.items.at(-1)).toEqual({ kind: "error", text: "bad" });
  });

  it("tracks the model badge and the server state", () => {
    const state = fold({ type: "model", badge: { profile: "gpt", locality: "cloud" } }, { type: "serverState", state: "failed", message: "no python" });
    expect(state.model).toEqual({ profile: "gpt", locality: "cloud" });
    expect(state.server).toEqual({ state: "failed", message: "no python" });
  });
});

describe("history", () => {
  const segment = (taskId: string, events: Parameters<typeof full>[0][]) => ({ taskId, startedAt: "", missing: false, events: events.map((e) => full(e, taskId)) });

  it("draws a past task from its events, with the cards of a live one, and a resume continues it in place", () => {
    let state: ViewState = initialState();
    state = reduce(state, {
      type: "history",
      taskId: "old-2",
      task: "Count the files",
      segments: [
        segment("old-1", [
          { type: "task_started", task: "Count the files", model: "m" },
          { type: "tool_call_proposed", call_id: "c1", tool: "list_files", category: "read" },
          { type: "tool_result", call_id: "c1", tool: "list_files", output: "a.py" },
          { type: "task_finished", result: "One file." },
        ]),
        segment("old-2", [{ type: "task_started", task: "Count the files" }, { type: "user_message", text: "And folders?" }, { type: "approval_requested", call_id: "c2", tool: "run_command" }]),
      ],
    });
    const past = activeTask(state);
    expect(past?.taskId).toBe("old-2");
    expect(past?.items.filter((i) => i.kind === "user").map((i) => (i.kind === "user" ? i.text : ""))).toEqual(["Count the files", "And folders?"]);
    expect(past?.cards.c1?.output).toBe("a.py");
    expect(past?.awaiting).toEqual([]);
    expect(isRunning(past)).toBe(false);

    state = reduce(state, ev({ type: "task_started", task: "Count the files" }, "new-3"));
    state = reduce(state, { type: "resumed", from: "old-2", taskId: "new-3" });
    state = reduce(state, ev({ type: "user_message", text: "Sure?" }, "new-3"));
    expect(state.tasks.map((t) => t.taskId)).toEqual(["new-3"]);
    const resumed = activeTask(state);
    expect(resumed?.cards.c1?.output).toBe("a.py");
    expect(resumed?.items.filter((i) => i.kind === "user").length).toBe(3);
    expect(isRunning(resumed)).toBe(true);
  });

  it("ends a task the saved state shows running once the reloaded panel learns its server no longer runs it", () => {
    const other = "t-other";
    const saved = fold(
      { type: "taskStarted", taskId: TASK, task: "Fix the greeting" },
      ev(started),
      ev(editApproval),
      { type: "taskStarted", taskId: other, task: "Still going" },
    );
    expect(activeTask(saved)?.taskId).toBe(other);
    const state = reduce(saved, { type: "live", running: [other] });
    const cut = state.tasks.find((t) => t.taskId === TASK);
    expect(cut?.status).toBe("cancelled");
    expect(cut?.awaiting).toEqual([]);
    expect(cut?.items.at(-1)?.kind).toBe("note");
    expect(isRunning(state.tasks.find((t) => t.taskId === other))).toBe(true);
    expect(reduce(state, { type: "live", running: [other] }).tasks.find((t) => t.taskId === TASK)?.items).toEqual(cut?.items);
    expect(staleTasks(saved, [other])).toEqual([TASK]);
    expect(staleTasks(state, [other])).toEqual([]);

    // Its trace says it completed: it is shown so, where it was, and the other task stays the active one.
    const read = reduce(state, {
      type: "history",
      taskId: TASK,
      task: "Fix the greeting",
      inPlace: true,
      segments: [segment(TASK, [{ type: "task_started", task: "Fix the greeting", model: "m" }, { type: "task_finished", result: "Fixed.", outcome: "completed" }])],
    });
    expect(read.tasks.map((t) => t.taskId)).toEqual([TASK, other]);
    expect(read.tasks[0]?.status).toBe("completed");
    expect(read.tasks[0]?.items.some((i) => i.kind === "note")).toBe(false);
  });
});
